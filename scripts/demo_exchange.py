"""The demo's exchange store: the screening alerts, the resolved entities with their
shipments and ties, a few notifications, an incident and a case, with demo users of both
nations, so that ``make serve`` shows the reviewers' pages.

Run by ``scripts/demo.py`` after screening, resolving and building the network;
``python scripts/demo_exchange.py OUT`` runs it alone on an existing ``OUT/screened.csv``,
``OUT/simulated/new.csv``, ``OUT/entities.ftm.jsonl``, ``OUT/entities.graphml`` and
``OUT/typed.graphml``.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.csv as pa_csv

from precursorwatch.api.routes.entities import upload_entities
from precursorwatch.api.schemas import EntitiesIn
from precursorwatch.commands._entity_upload import entity_payload
from precursorwatch.exchange.notifications import default_nation_rules
from precursorwatch.exchange.policy import Caller, Marking, Role
from precursorwatch.store import alerts, audit, cases, entities, identity, records
from precursorwatch.store.session import Store, migrate

#: Demo users: name -> (agency, role). Each one's password is "demo-" + the user name:
#: a demonstration only; a real deployment issues tokens or sets passwords with `admin`.
USERS = {
    "dea.analyst": ("DEA", Role.ANALYST), "dea.supervisor": ("DEA", Role.SUPERVISOR),
    "cbp.analyst": ("CBP", Role.ANALYST), "ncb.analyst": ("NCB", Role.ANALYST),
    "ncb.supervisor": ("NCB", Role.SUPERVISOR), "cbn.viewer": ("CBN", Role.VIEWER),
}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def seed(out: Path) -> Path:
    """Build ``OUT/exchange.db`` afresh; returns its path."""
    path = out / "exchange.db"
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}", pool_size=1)
    migrate(store.engine)
    rules = default_nation_rules()
    with store.write() as session:
        identity.add_nation(session, rules["US"])
        identity.add_nation(session, rules["IN"])
        identity.add_agency(session, "DEA", "Drug Enforcement Administration", "US")
        identity.add_agency(session, "CBP", "Customs and Border Protection", "US")
        identity.add_agency(session, "NCB", "Narcotics Control Bureau", "IN",
                            Marking.AMBER_STRICT)
        identity.add_agency(session, "CBN", "Central Bureau of Narcotics", "IN")
        for name, (agency, role) in USERS.items():
            identity.add_user(session, name, agency, [role], password=f"demo-{name}")
        tokens = {name: identity.issue_token(session, name, "demo") for name in USERS}
    callers: dict[str, Caller] = {}
    with store.read() as session:
        for name, token in tokens.items():
            caller = identity.caller_for_token(session, token)
            assert caller is not None
            callers[name] = caller

    contract = {(r["source"], r["shipment_id"]): r
                for r in pa_csv.read_csv(out / "simulated" / "new.csv").to_pylist()}
    by_nation: dict[str, list[dict[str, Any]]] = {"US": [], "IN": []}
    for item in pa_csv.read_csv(out / "screened.csv").to_pylist():
        if not item["flagged"]:
            continue
        row = contract.get((item["source"], item["shipment_id"]), {})
        nation = "IN" if str(item["source"]).startswith("IN") else "US"
        by_nation[nation].append({
            "shipment_id": str(item["shipment_id"]), "source": item["source"],
            "score": float(item["score"]),
            "reasons": [r for r in str(item["reasons"] or "").split(";") if r][:100],
            "row": {k: _plain(v) for k, v in row.items()}})
    with store.write() as session:
        alerts.upload(session, callers["dea.analyst"], by_nation["US"], Marking.AMBER)
        alerts.upload(session, callers["ncb.analyst"], by_nation["IN"], Marking.AMBER)

    # The resolved entities as `network publish` sends them: DEA's, marked AMBER, and
    # released to India by a DEA supervisor, so both nations' reviewers see them.
    payload = entity_payload(out / "entities.ftm.jsonl", out / "entities.graphml",
                             out / "typed.graphml")
    uploaded = upload_entities(store, callers["dea.analyst"], EntitiesIn.model_validate(
        {**payload, "marking": Marking.AMBER.value}))
    with store.write() as session:
        for item in uploaded:
            entities.release_entity(session, callers["dea.supervisor"], item.id, "IN",
                                    "resolved from the joint trade data")
            audit.append(session, caller=callers["dea.supervisor"], action="release",
                         outcome="ok", record_kind=entities.ENTITY, record_id=item.id,
                         detail="to IN: resolved from the joint trade data")
    # The incident names the importer of India's highest-scored alert, so that its
    # consignment and its entity page show it.
    top = max(by_nation["IN"], key=lambda a: a["score"], default=None)
    suspect = str(top["row"].get("importer_name") or "") if top else ""

    with store.write() as session:
        for substance, cas, kg in (("acetic anhydride", "108-24-7", 2000.0),
                                   ("pseudoephedrine", "90-82-4", 150.0)):
            made = records.create_notification(
                session, callers["dea.analyst"], importing_nation="IN",
                exporter="Keystone Specialty Chemicals Inc.", importer="Unnati Chem Industries",
                substance=substance, cas_number=cas, quantity_kg=kg, shipment_id=None,
                planned_export_date=date.today() + timedelta(days=30), marking=Marking.AMBER,
                screening=None)
            records.release_record(session, callers["dea.supervisor"], records.NOTIFICATION,
                                   made.row.id, "IN", "pre-export notification")
        records.create_incident(
            session, callers["ncb.analyst"], kind="seizure", occurred_on=date.today()
            - timedelta(days=20), place="Mundra port, Gujarat",
            substances=[{"substance": "acetic anhydride", "cas_number": "108-24-7",
                         "quantity_kg": 800.0}], route="AE → IN", modus_operandi=
            "declared as glacial acetic acid",
            parties=[{"name": suspect, "role": "importer"}] if suspect else [],
            summary="800 kg seized in drums "
            "declared as acetic acid", marking=Marking.AMBER)
        case = cases.create_case(session, callers["ncb.analyst"], title="Acetic anhydride "
                                 "through Mundra", summary="Follow the importer's suppliers",
                                 marking=Marking.AMBER)
        cases.add_action(session, callers["ncb.analyst"], case.row.id, "Ask the bank for "
                         "the importer's payments", "NCB", date.today() - timedelta(days=3))
        cases.add_action(session, callers["ncb.analyst"], case.row.id, "Trace the drums' "
                         "manufacturer", "CBN", date.today() + timedelta(days=14))
    store.dispose()
    return path


if __name__ == "__main__":
    print(seed(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output")))
