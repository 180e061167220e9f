"""The network out of precursorwatch: GEXF for Gephi, FollowTheMoney for Aleph, a
self-contained HTML view of one ring, and the dismantling curve as a PNG.

Each function returns text, bytes or entities; writing them is the caller's business.
GraphML is igraph's own writer (``Graph.write_graphml``), called at the edge. The HTML
view embeds vis-network (vendored in ``static/``, see its README) and the ring's data, so
it opens from a USB stick on an air-gapped analyst's machine: it loads nothing.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any
from xml.sax.saxutils import quoteattr

from followthemoney import EntityProxy, model

from precursorwatch.network.dismantle import Plan

__all__ = ["curve_png", "ftm_entities", "gexf", "ring_html"]

_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _attribute_types(values: dict[str, list[Any]]) -> dict[str, str]:
    """GEXF type of each attribute: the type all its non-empty values share, else string."""
    found = {}
    for name, column in values.items():
        kinds = {type(v) for v in column if v is not None and v != ""}
        if kinds == {int, float}:
            kinds = {float}
        found[name] = _GEXF_TYPES.get(kinds.pop(), "string") if len(kinds) == 1 else "string"
    return found


def gexf(graph: Any) -> str:
    """GEXF 1.3 text of an undirected ``igraph.Graph``: every vertex and edge attribute
    becomes a GEXF attribute; ``label`` (or ``name``) labels the nodes, ``weight`` weighs
    the edges."""
    vattrs = {a: graph.vs[a] for a in graph.vs.attributes() if a not in ("name", "label")}
    eattrs = {a: graph.es[a] for a in graph.es.attributes() if a != "weight"}
    vtypes, etypes = _attribute_types(vattrs), _attribute_types(eattrs)
    names = graph.vs["name"] if "name" in graph.vs.attributes() else \
        [str(v) for v in range(graph.vcount())]
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else names
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
           '<graph defaultedgetype="undirected" mode="static">']
    for cls, types in (("node", vtypes), ("edge", etypes)):
        out.append(f'<attributes class="{cls}">')
        for i, (name, kind) in enumerate(types.items()):
            out.append(f'<attribute id="{cls[0]}{i}" title={quoteattr(name)} type="{kind}"/>')
        out.append("</attributes>")

    def values(attrs: dict[str, list[Any]], prefix: str, index: int) -> str:
        cells = [f'<attvalue for="{prefix}{i}" value={quoteattr(_text(column[index]))}/>'
                 for i, column in enumerate(attrs.values())
                 if column[index] is not None and column[index] != ""]
        return f"<attvalues>{''.join(cells)}</attvalues>" if cells else ""

    out.append("<nodes>")
    for v in range(graph.vcount()):
        out.append(f"<node id={quoteattr(str(names[v]))} label={quoteattr(str(labels[v]))}>"
                   f"{values(vattrs, 'n', v)}</node>")
    out.append("</nodes><edges>")
    weights = graph.es["weight"] if "weight" in graph.es.attributes() else None
    for e, (a, b) in enumerate(graph.get_edgelist()):
        weight = f' weight="{float(weights[e])!r}"' if weights is not None else ""
        out.append(f'<edge id="{e}" source={quoteattr(str(names[a]))} '
                   f"target={quoteattr(str(names[b]))}{weight}>{values(eattrs, 'e', e)}</edge>")
    out.append("</edges></graph></gexf>")
    return "\n".join(out) + "\n"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ftm_entities(graph: Any, membership: Sequence[int] | None = None
                 ) -> Iterator[EntityProxy]:
    """The entity graph as FtM: one LegalEntity per entity (its community in
    ``keywords`` as ``ring-N``) and one UnknownLink per tie, whose ``role`` says what the
    two share and ``summary`` its weight, so Aleph shows why two parties are linked."""
    names = graph.vs["name"]
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else names
    for v in range(graph.vcount()):
        entity = model.make_entity("LegalEntity")
        entity.id = str(names[v])
        entity.add("name", str(labels[v]))
        if membership is not None:
            entity.add("keywords", f"ring-{int(membership[v])}")
        yield entity
    kinds = graph.es["kinds"] if "kinds" in graph.es.attributes() else None
    weights = graph.es["weight"] if "weight" in graph.es.attributes() else None
    for e, (a, b) in enumerate(graph.get_edgelist()):
        link = model.make_entity("UnknownLink")
        key = f"{names[a]}\x1f{names[b]}"
        link.id = "pw-link-" + hashlib.sha1(key.encode()).hexdigest()[:16]
        link.add("subject", str(names[a]))
        link.add("object", str(names[b]))
        link.add("role", (kinds[e] if kinds else "linked").replace(";", ", "))
        if weights is not None:
            link.add("summary", f"tie weight {float(weights[e]):.3f}")
        yield link


def ring_html(graph: Any, vertices: Sequence[int], *, title: str,
              score: Sequence[float] | None = None,
              communities: Sequence[int] | None = None) -> str:
    """A self-contained HTML page drawing the subgraph of ``vertices``: node size by
    ``score`` (key-player score), colour by community or kind, tooltips with each
    node's attributes and each tie's kinds and weight."""
    chosen = list(dict.fromkeys(int(v) for v in vertices))
    inside = {v: i for i, v in enumerate(chosen)}
    names = graph.vs["name"] if "name" in graph.vs.attributes() else \
        [str(v) for v in range(graph.vcount())]
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else names
    attrs = [a for a in graph.vs.attributes() if a not in ("name", "label")]
    nodes = []
    for v in chosen:
        tip = "\n".join([str(names[v])] + [f"{a}: {graph.vs[v][a]}" for a in attrs
                                           if graph.vs[v][a] not in (None, "")])
        group = (f"ring {communities[v]}" if communities is not None
                 else str(graph.vs[v]["kind"]) if "kind" in attrs else "node")
        flagged = "flagged" in attrs and bool(graph.vs[v]["flagged"])
        nodes.append({"id": inside[v], "label": str(labels[v])[:40], "title": tip,
                      "group": group, "value": float(score[v]) if score is not None else 1.0,
                      "borderWidth": 4 if flagged else 1,
                      "color": {"border": "#c00000"} if flagged else {}})
    edges = []
    eattrs = graph.es.attributes()
    for edge in graph.es.select(_within=chosen) if chosen else []:
        a, b = edge.tuple
        tip = ", ".join(f"{k}: {edge[k]}" for k in eattrs if edge[k] not in (None, ""))
        edges.append({"from": inside[a], "to": inside[b], "title": tip,
                      "value": float(edge["weight"]) if "weight" in eattrs else 1.0})
    library = (resources.files("precursorwatch.network") / "static" / "vis-network.min.js"
               ).read_text(encoding="utf-8")
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False)
    # Closing tags inside the data or the library would end the script element early.
    data = data.replace("</", "<\\/")
    library = library.replace("</script", "<\\/script")
    return _PAGE.format(title=html.escape(title), count=len(nodes), ties=len(edges),
                        library=library, data=data)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; }}
header {{ padding: 0.5em 1em; background: #1f2937; color: #f9fafb; }}
#view {{ position: absolute; top: 3.2em; bottom: 0; left: 0; right: 0; }}
</style></head>
<body>
<header><strong>{title}</strong> &middot; {count} nodes, {ties} ties &middot; size: key-player
score; red border: flagged or seized activity; hover for details</header>
<div id="view"></div>
<script>{library}</script>
<script>
const data = {data};
const network = new vis.Network(document.getElementById("view"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
  {{nodes: {{shape: "dot", scaling: {{min: 8, max: 40}}, font: {{size: 12}}}},
    edges: {{scaling: {{min: 1, max: 8}}, color: {{opacity: 0.6}}}},
    physics: {{stabilization: {{iterations: 300}}}},
    interaction: {{hover: true, tooltipDelay: 100}}}});
</script>
</body></html>
"""


def curve_png(plans: Sequence[Plan], *, title: str, by_cost: bool = False) -> bytes:
    """A PNG of the LCC fraction against the share of nodes removed (or of the cost
    spent), one line per plan, with each plan's R in the legend."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; must precede pyplot
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    for plan in plans:
        n = plan.nodes
        if by_cost:
            total = float(plan.cost_after[-1]) if n else 1.0
            x = [0.0, *(plan.cost_after / total).tolist()]
        else:
            x = [k / n for k in range(n + 1)]
        y = [plan.lcc_before / n if n else 0.0, *(plan.lcc_after / n).tolist()]
        axes.plot(x, y, label=f"{plan.method} (R = {plan.robustness():.4f})")
    axes.set_xlabel("share of the cost spent" if by_cost else "share of nodes removed")
    axes.set_ylabel("largest component / nodes")
    axes.set_title(title)
    axes.set_ylim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
