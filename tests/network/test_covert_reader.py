"""The reader of published covert networks (benchmarks/covert.py) on each published form."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

_PATH = Path(__file__).parents[2] / "benchmarks" / "covert.py"


@pytest.fixture(scope="module")
def covert() -> ModuleType:
    spec = importlib.util.spec_from_file_location("covert", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["covert"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text", [
    "0 1\n1 2\n2 0\n2 3\n",                                   # Krebs / Latora: src dst
    "Source Target Weight\n0 1 2\n1 2 1\n2 0 5\n3 2 1\n",     # Zenodo: header, spaces
    "0\t1\t2\n1\t0\t6\n1\t2\t1\n2\t0\t1\n2\t3\t1\n",          # authors' repository: tabs
    "from,to,weight\n0,1,1\n1,2,1\n2,0,1\n2,3,1\n2,2,4\n",    # re-exports: CSV with a loop
])
def test_reads_each_published_form_as_a_simple_undirected_graph(
        covert: ModuleType, tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.txt"
    path.write_text(text)
    graph = covert.read_edge_list(path)
    assert graph.vcount() == 4
    assert sorted(tuple(sorted((graph.vs[a]["name"], graph.vs[b]["name"])))
                  for a, b in graph.get_edgelist()) == [("0", "1"), ("0", "2"), ("1", "2"),
                                                         ("2", "3")]


def test_reports_missing_copies(covert: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "terrorists.net").write_text("a b\nb c\n")
    found = dict((n.key, g) for n, g in covert.find(tmp_path))
    assert found["montagna-meetings"] is None
    assert found["krebs-911"].vcount() == 3


def test_rejects_a_line_without_two_ids(covert: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("0 1\n7\n")
    with pytest.raises(ValueError, match=r"bad.txt:2: expected two ids"):
        covert.read_edge_list(path)
