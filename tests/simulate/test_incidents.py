"""Incident reports: valid FollowTheMoney, linked to the trade and to the planted rings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from followthemoney import model

from precursorwatch.simulate import PARTY_COLUMNS, Simulation
from precursorwatch.simulate.documents import NEW_FROM, to_date

Rows = list[dict[str, Any]]


def test_entities_parse_back_and_every_reference_resolves(sim: Simulation) -> None:
    assert sim.incidents
    ids = [e.id for e in sim.incidents]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for entity in sim.incidents:
        data = entity.to_dict()
        # Parsing with cleaning keeps every value: nothing was written that FtM would reject.
        parsed = model.get_proxy(data, cleaned=False)
        assert parsed.to_dict()["properties"] == data["properties"], data["id"]
        for prop in parsed.iterprops():
            if prop.type.name == "entity":
                assert set(parsed.get(prop)) <= known, (data["id"], prop.name)


def test_incidents_report_caught_history_rows(sim: Simulation, rows: Rows) -> None:
    by_id = {r["shipment_id"]: r for r in rows}
    events = [e for e in sim.incidents if e.schema.name == "Event"]
    assert len(events) >= 10
    kinds = set()
    for event in events:
        assert event.get("date")[0] < to_date(NEW_FROM).isoformat()
        kinds.update(event.get("keywords"))
        for shipment_id in event.get("recordId"):
            row = by_id[shipment_id]
            assert row["split"] == "history"
            if "cleared" in event.get("keywords"):
                assert row["label"] == "legitimate"
            else:
                assert row["label"] == "diverted" and row["outcome"] == "diverted"
        assert event.get("involved")
    assert {"seizure", "stopped shipment", "suspicious order"} <= kinds


def test_parties_name_phones_emails_addresses_and_accounts(sim: Simulation) -> None:
    schemata = {e.schema.name for e in sim.incidents}
    assert {"Company", "Person", "Address", "BankAccount", "Ownership", "Directorship",
            "Event"} <= schemata
    companies = [e for e in sim.incidents if e.schema.name == "Company"]
    assert sum(bool(c.get("phone")) for c in companies) > 0.5 * len(companies)
    assert sum(bool(c.get("email")) for c in companies) > 0.3 * len(companies)
    assert sum(bool(c.get("addressEntity")) for c in companies) > 0.6 * len(companies)


def test_parties_table_is_the_truth_about_every_party_entity(sim: Simulation) -> None:
    assert sim.parties.column_names == list(PARTY_COLUMNS)
    entities = {e.id: e for e in sim.incidents}
    members = {m["member_id"]: m["ring_id"] for m in sim.rings.to_pylist()}
    for party in sim.parties.to_pylist():
        entity = entities[party["entity_id"]]
        assert entity.schema.name == party["schema"] in ("Company", "Person")
        assert party["ring_id"] == members.get(party["party_id"], "")


def test_ring_members_are_linked_across_reports(sim: Simulation) -> None:
    """Two reports about one ring share what its members share: a phone, an e-mail, an
    address, an account number or a director, so that the ring can be found from them."""
    entities = {e.id: e for e in sim.incidents}
    parties = sim.parties.to_pylist()
    rings = {p["ring_id"] for p in parties if p["ring_id"]}
    assert rings == {m["ring_id"] for m in sim.rings.to_pylist()}
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    reports: dict[str, set[str]] = defaultdict(set)
    for p in parties:
        if not p["ring_id"]:
            continue
        reports[p["ring_id"]].add(p["incident_id"])
        entity = entities[p["entity_id"]]
        for prop in ("phone", "email", "address"):
            for value in entity.get(prop):
                links[p["ring_id"]][value].add(p["incident_id"])
    linked = {ring for ring, values in links.items()
              if any(len(incidents) >= 2 for incidents in values.values())}
    often_reported = {ring for ring, incidents in reports.items() if len(incidents) >= 3}
    assert often_reported and often_reported <= linked
