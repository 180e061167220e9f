"""``precursorwatch network``, run as a user runs it: outside edge lists, a small store.

The command runs in this process (``cli.main`` with its arguments, errors turned into exit
codes and messages as for a user) because each fresh interpreter spends seconds importing
the whole command line.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import igraph as ig
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from precursorwatch.cli import main
from precursorwatch.records import write_table
from precursorwatch.records.ftm import read_entities


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``precursorwatch ARGS`` in ``cwd``: its exit code, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    argv, here = sys.argv, Path.cwd()
    sys.argv = ["precursorwatch", *args]
    code = 0
    try:
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    finally:
        sys.argv = argv
        os.chdir(here)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _cli("network", *args, cwd=cwd)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Barabási-Albert edge list of 400 nodes (ids as text), and 8 rings of 6 in CSV."""
    path = tmp_path_factory.mktemp("network")
    random.seed(4)
    graph = ig.Graph.Barabasi(400, 2)
    edges = graph.get_edgelist()
    write_table(pa.table({"source": [f"n{a}" for a, _ in edges],
                          "target": [f"n{b}" for _, b in edges]}), path / "ba.csv")
    rings = [(f"r{r}m{i}", f"r{r}m{j}") for r in range(8) for i in range(6)
             for j in range(i + 1, 6)]
    rings += [(f"r{r}m0", f"r{(r + 1) % 8}m1") for r in range(8)]
    write_table(pa.table({"source": [a for a, _ in rings], "target": [b for _, b in rings],
                          "weight": ["2"] * len(rings)}), path / "rings.csv")
    return path


def test_dismantle_writes_the_order_with_true_component_sizes(folder: Path) -> None:
    done = _run("dismantle", "--edges", "ba.csv", "--out", "plan.csv", "--until", "0",
                "--plot", "curve.png", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "robustness R =" in done.stderr
    plan = pa_csv.read_csv(folder / "plan.csv").to_pylist()
    assert list(plan[0]) == ["node", "label", "rank", "lcc_after", "lcc_fraction", "cost"]
    assert len(plan) == 400 and [r["rank"] for r in plan] == list(range(1, 401))
    table = pa_csv.read_csv(folder / "ba.csv")
    graph = ig.Graph.TupleList(zip(table.column("source").to_pylist(),
                                   table.column("target").to_pylist(), strict=True))
    for k in (1, 20, 60, 120):
        removed = graph.copy()
        removed.delete_vertices([r["node"] for r in plan[:k]])
        assert plan[k - 1]["lcc_after"] == max(removed.connected_components().sizes())
    assert (folder / "curve.png").read_bytes().startswith(b"\x89PNG")


def test_dismantle_stops_at_the_target_share(folder: Path) -> None:
    done = _run("dismantle", "--edges", "ba.csv", "--out", "plan.jsonl", "--until", "0.05",
                "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    rows = pa.json.read_json(folder / "plan.jsonl").to_pylist()  # type: ignore[attr-defined]
    assert rows[-1]["lcc_after"] <= 20 < rows[-2]["lcc_after"]


def test_cost_changes_the_order(folder: Path) -> None:
    assert _run("dismantle", "--edges", "ba.csv", "--out", "a.csv", "-q",
                cwd=folder).returncode == 0
    first = pa_csv.read_csv(folder / "a.csv").column("node").to_pylist()[0]
    write_table(pa.table({"node": [first], "cost": ["100"]}), folder / "cost.csv")
    done = _run("dismantle", "--edges", "ba.csv", "--out", "b.csv", "--cost", "cost.csv",
                "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    costly = pa_csv.read_csv(folder / "b.csv").column("node").to_pylist()
    assert costly[0] != first
    assert first not in costly[:5]


def test_communities_find_the_rings(folder: Path) -> None:
    done = _run("communities", "--edges", "rings.csv", "--out", "c.csv", cwd=folder)
    assert done.returncode == 0, done.stderr
    rows = pa_csv.read_csv(folder / "c.csv").to_pylist()
    by_ring: dict[str, set[int]] = {}
    for r in rows:
        by_ring.setdefault(r["node"].split("m")[0], set()).add(r["community"])
    assert all(len(c) == 1 for c in by_ring.values())
    assert len({c for cs in by_ring.values() for c in cs}) == 8


def test_players_with_flags_on_nodes(folder: Path) -> None:
    write_table(pa.table({"node": ["r3m2"]}), folder / "flags.csv")
    done = _run("players", "--edges", "rings.csv", "--flags", "flags.csv", "--out",
                "p.parquet", cwd=folder)
    assert done.returncode == 0, done.stderr
    table = pa.parquet.read_table(folder / "p.parquet")  # type: ignore[attr-defined]
    rows = {r["node"]: r for r in table.to_pylist()}
    assert rows["r3m2"]["flagged"] == 1
    assert rows["r3m3"]["flag_proximity"] > rows["r6m3"]["flag_proximity"]


def test_exports(folder: Path) -> None:
    for name in ("g.graphml", "g.gexf", "g.jsonl", "ring.html"):
        done = _run("export", "--edges", "rings.csv", "--out", name, "-q", cwd=folder)
        assert done.returncode == 0, (name, done.stderr)
    graph = ig.Graph.Read_GraphML(str(folder / "g.graphml"))
    assert graph.vcount() == 48 and len(set(graph.vs["community"])) == 8
    entities = read_entities(folder / "g.jsonl")
    assert sum(e.schema.name == "LegalEntity" for e in entities) == 48
    assert "http" not in (folder / "ring.html").read_text().split("<script>")[0]
    # The GraphML written goes back in as --graph.
    done = _run("dismantle", "--graph", "g.graphml", "--out", "p.csv", "-q", cwd=folder)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (("dismantle", "--edges", "nope.csv", "--out", "p.csv"), 3, "nope.csv: no such file"),
    (("dismantle", "--edges", "ba.csv", "--out", "p.txt"), 2, "unknown file type"),
    (("dismantle", "--edges", "ba.csv", "--graph", "g.graphml", "--out", "p.csv"), 2,
     "not both"),
    (("export", "--edges", "ba.csv", "--out", "p.pdf"), 2, "unknown export type"),
    (("communities", "--edges", "ba.csv", "--method", "louvain", "--out", "c.csv"), 2,
     "infomap, leiden"),
])
def test_usage_and_input_errors(folder: Path, args: tuple[str, ...], code: int,
                                message: str) -> None:
    done = _run(*args, cwd=folder)
    assert done.returncode == code, done.stderr
    assert message in done.stderr


def test_bad_rows_are_named(folder: Path) -> None:
    (folder / "bad.csv").write_text("source,target,weight\na,b,1\nc,d,heavy\n")
    done = _run("players", "--edges", "bad.csv", "--out", "p.csv", cwd=folder)
    assert done.returncode == 3
    assert "bad.csv:2: weight: not a number: 'heavy'" in done.stderr
    write_table(pa.table({"node": ["n1", "zz"], "cost": ["2", "1"]}), folder / "c2.csv")
    done = _run("dismantle", "--edges", "ba.csv", "--cost", "c2.csv", "--out", "p.csv",
                cwd=folder)
    assert done.returncode == 3
    assert "c2.csv:2: node: no node 'zz' in the graph" in done.stderr


def test_build_from_a_store_finds_the_planted_rings(tmp_path: Path) -> None:
    simulated = tmp_path / "sim"
    for args in (("simulate", "--rows", "4000", "--seed", "3", "--out", str(simulated)),
                 ("ingest", str(simulated / "history.csv"), str(simulated / "new.csv"),
                  "--store", "store")):
        done = _cli(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    done = _run("build", "--store", "store", "--ftm", str(simulated / "incidents.ftm.jsonl"),
                "--out", "g.graphml", "--typed", "t.graphml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Entity graph:" in done.stderr and "incident" in done.stderr
    graph = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert set(graph.vs["kind"]) == {"entity"}
    assert any(graph.vs["flagged"])  # incidents mark their parties
    assert _run("communities", "--graph", "g.graphml", "--out", "c.csv", "-q",
                cwd=tmp_path).returncode == 0
    community = {r["node"]: r["community"] for r in
                 pa_csv.read_csv(tmp_path / "c.csv").to_pylist()}
    # Each planted ring member's entity, through the shipments that name it.
    typed = ig.Graph.Read_GraphML(str(tmp_path / "t.graphml"))
    kinds, names = typed.vs["kind"], typed.vs["name"]
    party = {}
    for row in pa_csv.read_csv(simulated / "labels.csv").to_pylist():
        for role in ("exporter", "importer"):
            party[(f"shipment:{row['source']}:{row['shipment_id']}", role)] = \
                row[f"{role}_party"]
    entity_of: dict[str, str] = {}
    for edge in typed.es:
        a, b = sorted(edge.tuple, key=lambda v: kinds[v] != "entity")
        if kinds[a] == "entity" and kinds[b] == "shipment":
            found = party.get((names[b], edge["kind"]))
            if found:
                entity_of[found] = names[a]
    rings: dict[str, list[int]] = {}
    for row in pa_csv.read_csv(simulated / "rings.csv").to_pylist():
        if row["member_id"] in entity_of:
            rings.setdefault(row["ring_id"], []).append(
                community[entity_of[row["member_id"]]])
    assert len(rings) == 3
    for ring, found in rings.items():
        main = max(found.count(c) for c in set(found))
        assert main >= 0.6 * len(found), (ring, found)


def test_outside_graphml_directed_with_repeated_edges(folder: Path) -> None:
    (folder / "calls.graphml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="w" for="edge" attr.name="weight" attr.type="double"/>\n'
        '<graph edgedefault="directed">\n'
        '<node id="a"/><node id="b"/><node id="c"/><node id="d"/>\n'
        '<edge source="a" target="b"><data key="w">1</data></edge>\n'
        '<edge source="b" target="a"><data key="w">2</data></edge>\n'
        '<edge source="b" target="c"><data key="w">1</data></edge>\n'
        '<edge source="c" target="d"><data key="w">1</data></edge>\n'
        '</graph></graphml>\n', encoding="utf-8")
    done = _run("dismantle", "--graph", "calls.graphml", "--out", "calls.csv", "--until", "0",
                cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "Graph: 4 nodes, 3 ties." in done.stderr
    plan = pa_csv.read_csv(folder / "calls.csv").to_pylist()
    assert {r["node"] for r in plan} == {"a", "b", "c", "d"}
    assert plan[0]["node"] in ("b", "c") and plan[0]["lcc_after"] == 2
    done = _run("communities", "--edges", "calls.graphml", "--out", "cc.csv", "-q",
                cwd=folder)
    assert done.returncode == 0, done.stderr
    (folder / "broken.graphml").write_text("<graphml><bad", encoding="utf-8")
    done = _run("players", "--graph", "broken.graphml", "--out", "p.csv", cwd=folder)
    assert done.returncode == 3 and "broken.graphml: cannot read GraphML" in done.stderr
