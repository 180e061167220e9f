"""The typed graph from contract rows and FtM entities, its projection, outside edges."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from followthemoney import model

from precursorwatch.entities.parties import party_record_id
from precursorwatch.exceptions import InputError
from precursorwatch.network.build import Parties, build_graph, graph_from_edges, project
from tests.records.contract_rows import row


def _rows() -> pa.Table:
    """Two exporters selling to one importer; the exporters share an address."""
    return pa.Table.from_pylist([
        row(shipment_id="S1", exporter_name="Alpha Chem", exporter_address="12 Mill Rd, Pune",
            importer_name="Gamma LLC", declared_at="2026-01-05"),
        row(shipment_id="S2", exporter_name="Beta Chem", exporter_address="12 MILL RD PUNE",
            importer_name="Gamma LLC", declared_at="2026-02-07"),
        row(shipment_id="S3", exporter_name="Beta Chem", exporter_address="12 MILL RD PUNE",
            importer_name="Delta Inc", declared_at="2026-03-01"),
    ])


def _parties(rows: pa.Table) -> Parties:
    """Every written party is its own entity, named by what it says."""
    entity_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    for r in rows.to_pylist():
        for role, column in (("exporter", "exporter_name"), ("importer", "importer_name")):
            record = party_record_id(r, role)
            assert record is not None
            entity_of[record] = "e-" + r[column].split()[0].lower()
            labels[entity_of[record]] = r[column]
    return Parties(entity_of, labels)


def _by_name(graph: object) -> dict[str, int]:
    return {n: i for i, n in enumerate(graph.vs["name"])}  # type: ignore[attr-defined]


def test_typed_graph_has_entities_shipments_and_shared_addresses() -> None:
    rows = _rows()
    graph = build_graph(rows, _parties(rows), flagged_shipments={"IN-CBIC:S3"})
    kinds = dict(zip(graph.vs["name"], graph.vs["kind"], strict=True))
    assert {k for k in kinds.values()} >= {"entity", "shipment", "address", "identifier"}
    assert kinds["e-alpha"] == kinds["e-gamma"] == "entity"
    # Both spellings of the Pune address are one node, shared by Alpha and Beta.
    address = [n for n, k in kinds.items() if k == "address" and "mill" in n]
    assert address == ["address:12 mill rd pune"]
    index = _by_name(graph)
    neighbours = {graph.vs[u]["name"] for u in graph.neighbors(index[address[0]])}
    assert neighbours == {"e-alpha", "e-beta"}
    assert graph.vs[index["shipment:IN-CBIC:S3"]]["flagged"] == 1
    assert graph.vs[index["e-beta"]]["first_seen"] == "2026-02-07"
    assert graph.vs[index["e-beta"]]["last_seen"] == "2026-03-01"


def test_projection_ties_entities_by_what_they_share() -> None:
    rows = _rows()
    graph = build_graph(rows, _parties(rows), flagged_shipments={"S3"})
    entities = project(graph)
    index = _by_name(entities)
    assert set(entities.vs["name"]) == {"e-alpha", "e-beta", "e-gamma", "e-delta"}
    tie = entities.es[entities.get_eid(index["e-alpha"], index["e-beta"])]
    # The shared address and the shared exporter id (both rows carry GOOD's id).
    assert set(tie["kinds"].split(";")) == {"address", "identifier"}
    assert tie["weight"] == pytest.approx(2.0)
    trade = entities.es[entities.get_eid(index["e-beta"], index["e-delta"])]
    assert trade["kinds"] == "trade" and trade["weight"] == pytest.approx(0.5)
    assert entities.vs[index["e-delta"]]["flagged"] == 1
    assert entities.vs[index["e-alpha"]]["flagged"] == 0
    assert entities.vs[index["e-beta"]]["shipments"] == 2


def test_common_details_tie_no_one() -> None:
    rows = pa.Table.from_pylist([
        row(shipment_id=f"S{i}", exporter_name=f"Firm {i}", exporter_address="1 Agent St",
            exporter_id="", importer_name=f"Buyer {i}") for i in range(5)])
    entities = project(build_graph(rows, Parties({})), max_share=3)
    assert all("address" not in k for k in entities.es["kinds"])


def test_incidents_link_their_parties_and_mark_shipments_flagged() -> None:
    rows = _rows()
    firm = model.make_entity("Company")
    firm.id = "inc1-firm"
    firm.add("name", "Alpha Chem")
    firm.add("phone", "+91 98200 12345")
    person = model.make_entity("Person")
    person.id = "inc1-person"
    person.add("name", "R. Mehta")
    person.add("phone", "+919820012345")
    directorship = model.make_entity("Directorship")
    directorship.id = "inc1-dir"
    directorship.add("director", "inc1-person")
    directorship.add("organization", "inc1-firm")
    event = model.make_entity("Event")
    event.id = "inc1"
    event.add("name", "Seizure at Mundra")
    event.add("involved", "inc1-firm")
    event.add("recordId", "S1")
    event.add("keywords", "seizure")
    parties = Parties({**_parties(rows).entity_of, "inc1-firm": "e-alpha"})
    graph = build_graph(rows, parties, entities=[firm, person, directorship, event])
    index = _by_name(graph)
    assert graph.vs[index["inc1"]]["kind"] == "incident"
    assert graph.vs[index["shipment:IN-CBIC:S1"]]["flagged"] == 1
    # One phone written two ways: one node, tying the firm and its director.
    phone = index["phone:+919820012345"]
    assert {graph.vs[u]["name"] for u in graph.neighbors(phone)} == {"e-alpha",
                                                                     "inc1-person"}
    entities = project(graph)
    names = _by_name(entities)
    tie = entities.es[entities.get_eid(names["e-alpha"], names["inc1-person"])]
    assert set(tie["kinds"].split(";")) == {"director", "phone"}
    assert entities.vs[names["e-alpha"]]["flagged"] == 2  # the seized S1 and the incident


def test_edges_table_to_graph_adds_repeated_weights() -> None:
    table = pa.table({"source": ["a", "b", "a", "c"], "target": ["b", "a", "c", "c"],
                      "weight": ["1", "2.5", "", "1"]})
    graph = graph_from_edges(table)
    assert graph.vcount() == 3 and graph.ecount() == 2
    index = _by_name(graph)
    assert graph.es[graph.get_eid(index["a"], index["b"])]["weight"] == pytest.approx(3.5)


@pytest.mark.parametrize(("table", "message"), [
    (pa.table({"source": ["a"]}), "missing: target"),
    (pa.table({"source": ["a", ""], "target": ["b", "c"]}), "edges.csv:2: source: empty"),
    (pa.table({"source": ["a"], "target": ["b"], "weight": ["x"]}),
     "edges.csv:1: weight: not a number"),
    (pa.table({"source": ["a"], "target": ["b"], "weight": ["-1"]}),
     "edges.csv:1: weight: a weight must be a positive number"),
])
def test_bad_edges_name_file_row_and_field(table: pa.Table, message: str) -> None:
    with pytest.raises(InputError, match=message):
        graph_from_edges(table, file="edges.csv")


def test_repeated_trade_adds_up_logarithmically() -> None:
    rows = pa.Table.from_pylist([
        row(shipment_id=f"S{i}", exporter_name="Alpha Chem", exporter_address="",
            exporter_id="", importer_name="Gamma LLC", importer_address="")
        for i in range(4)])
    entities = project(build_graph(rows, _parties(rows)))
    assert entities.ecount() == 1
    assert entities.es[0]["weight"] == pytest.approx(0.5 * math.log2(5))
    assert entities.es[0]["shared"] == 4
