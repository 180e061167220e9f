"""Exports: GraphML and GEXF round trips, valid FtM, a view that loads nothing, a PNG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import numpy as np
from followthemoney import model

from precursorwatch.network.dismantle import dismantle
from precursorwatch.network.export import curve_png, ftm_entities, gexf, ring_html


def _graph() -> ig.Graph:
    graph = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 3)])
    graph.vs["name"] = ["pw-entity-a", "pw-entity-b", "pw-entity-c", "pw-entity-d"]
    graph.vs["label"] = ["Alpha & Sons", "Beta <Chem>", "Gamma", "Delta"]
    graph.vs["flagged"] = [0, 2, 0, 0]
    graph.es["weight"] = [1.5, 0.5, 2.0]
    graph.es["kinds"] = ["address;phone", "trade", "director"]
    return graph


def test_graphml_round_trip_through_igraph(tmp_path: Path) -> None:
    graph = _graph()
    graph.write_graphml(str(tmp_path / "g.graphml"))
    back = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert back.vs["name"] == graph.vs["name"]
    assert back.es["weight"] == graph.es["weight"]
    assert back.get_edgelist() == graph.get_edgelist()


def test_gexf_is_well_formed_and_carries_attributes() -> None:
    root = ET.fromstring(gexf(_graph()))
    ns = {"g": "http://gexf.net/1.3"}
    nodes = root.findall(".//g:node", ns)
    edges = root.findall(".//g:edge", ns)
    assert [n.get("label") for n in nodes][:2] == ["Alpha & Sons", "Beta <Chem>"]
    assert [float(e.get("weight") or 0) for e in edges] == [1.5, 0.5, 2.0]
    titles = {a.get("title"): a.get("type") for a in root.findall(".//g:attribute", ns)}
    assert titles == {"flagged": "long", "kinds": "string"}


def test_ftm_export_validates() -> None:
    entities = list(ftm_entities(_graph(), [0, 0, 1, 1]))
    assert [e.schema.name for e in entities].count("UnknownLink") == 3
    for entity in entities:
        data = entity.to_dict()
        proxy = model.get_proxy(data)
        assert proxy.id == entity.id
        assert not proxy.schema.validate(data), data
    first = entities[0]
    assert first.get("keywords") == ["ring-0"]
    link = next(e for e in entities if e.schema.name == "UnknownLink")
    assert link.get("role") == ["address, phone"]


def test_html_view_is_self_contained() -> None:
    page = ring_html(_graph(), [0, 1, 2], title="Ring 0", score=[0.2, 0.9, 0.5, 0.1])
    assert "new vis.Network" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", page)
    assert "fetch(" not in page.split("</script>")[-2]  # our own script loads nothing
    data = page.split("const data = ")[1].split(";\n")[0]
    assert '"label": "Beta <Chem>"' in data.replace("<\\/", "</")
    assert data.count('"from"') == 2  # the ties among the three chosen nodes


def test_curve_png() -> None:
    edges = np.array([[0, i] for i in range(1, 20)])
    png = curve_png([dismantle(20, edges), dismantle(20, edges, method="hda")], title="t")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5000
