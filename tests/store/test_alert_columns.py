"""The alerts' indexed columns: filled on upload, backfilled by migration 0005 from alerts
stored at 0004 (the same values either way), and used by the queue's and the party
history's queries through their indexes on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select, text

from precursorwatch.exchange.notifications import default_nation_rules
from precursorwatch.exchange.policy import Caller, Marking, Role
from precursorwatch.store import alerts, identity
from precursorwatch.store.models import Agency, Alert, User
from precursorwatch.store.session import Store, downgrade, migrate

#: Rows as `screen --publish` sends them, and odd ones a hand-made upload could hold.
ROWS: list[dict[str, Any]] = [
    {"export_country": "IN", "import_country": "US", "cas_number": "108-24-7",
     "exporter_name": "Acme Chemicals", "importer_name": "Bharat Pharma"},
    # Lower case and padded countries, a CAS number with leading zeros and no hyphens.
    {"export_country": " in", "import_country": "us ", "cas_number": "0000108247",
     "exporter_name": "Acme Chemicals", "importer_name": "Bharat Pharma"},
    # Nothing to index: missing fields, wrong types, a three-letter country, a bad CAS.
    {"export_country": "IND", "import_country": 7, "cas_number": "acetic anhydride",
     "exporter_name": "", "importer_name": None},
    {},
    # A party name longer than the key keeps.
    {"exporter_name": "Ltd " * 80, "importer_name": "B" * 200, "cas_number": "299-42-3"},
]
EXPECTED = [
    {"cas_number": "108-24-7", "export_country": "IN", "import_country": "US",
     "exporter_key": "Acme Chemicals", "importer_key": "Bharat Pharma"},
    {"cas_number": "108-24-7", "export_country": "IN", "import_country": "US",
     "exporter_key": "Acme Chemicals", "importer_key": "Bharat Pharma"},
    {"cas_number": None, "export_country": None, "import_country": None,
     "exporter_key": None, "importer_key": None},
    {"cas_number": None, "export_country": None, "import_country": None,
     "exporter_key": None, "importer_key": None},
    {"cas_number": "299-42-3", "export_country": None, "import_country": None,
     "exporter_key": ("Ltd " * 80)[:200], "importer_key": "B" * 200},
]
COLUMNS = ("cas_number", "export_country", "import_country", "exporter_key", "importer_key")
#: The 0004 alerts table, as the rows were written before the columns existed.
OLD_ALERTS = sa.table("alerts", *(sa.column(name) for name in (
    "owner_agency_id", "marking", "shipment_id", "score", "reasons", "row", "created_by",
    "created_at")))


def _seed_people(store: Store) -> tuple[int, int]:
    rules = default_nation_rules()
    with store.write() as session:
        identity.add_nation(session, rules["US"])
        identity.add_agency(session, "DEA", "Drug Enforcement Administration", "US")
        identity.add_user(session, "dea_analyst", "DEA", [Role.ANALYST])
        agency = session.scalar(select(Agency.id).where(Agency.code == "DEA"))
        user = session.scalar(select(User.id).where(User.username == "dea_analyst"))
    assert agency is not None and user is not None
    return agency, user


def _columns(store: Store) -> list[dict[str, Any]]:
    with store.read() as session:
        return [{name: getattr(row, name) for name in COLUMNS}
                for row in session.scalars(select(Alert).order_by(Alert.id))]


def test_upload_fills_the_columns_from_the_row(db_url: str) -> None:
    store = Store(db_url, pool_size=1)
    try:
        migrate(store.engine)
        _, user = _seed_people(store)
        caller = Caller(user_id=user, username="dea_analyst", agency="DEA", nation="US",
                        roles=frozenset({Role.ANALYST}))
        with store.write() as session:
            alerts.upload(session, caller, [{"shipment_id": f"S{i}", "score": 0.5,
                                             "row": row} for i, row in enumerate(ROWS)],
                          Marking.AMBER)
        assert _columns(store) == EXPECTED
    finally:
        store.dispose()


def test_migration_0005_backfills_alerts_stored_at_0004(db_url: str) -> None:
    store = Store(db_url, pool_size=1)
    try:
        downgrade(store.engine)
        migrate(store.engine, "0004")
        agency, user = _seed_people(store)
        now = datetime.now(UTC).replace(tzinfo=None)
        # More than one batch of the migration (5,000), so the batches join up.
        count = 5000 + len(ROWS) * 3
        with store.engine.begin() as connection:
            connection.execute(OLD_ALERTS.insert(), [
                {"owner_agency_id": agency, "marking": "TLP:AMBER", "shipment_id": f"S{i}",
                 "score": 0.5, "reasons": "[]",
                 "row": json.dumps(ROWS[i % len(ROWS)], sort_keys=True),
                 "created_by": user, "created_at": now} for i in range(count)])
        migrate(store.engine)
        found = _columns(store)
        assert len(found) == count
        assert found == [EXPECTED[i % len(ROWS)] for i in range(count)]
        # And they are what an upload of the same rows fills in today.
        assert [alerts.indexed_fields(row) for row in ROWS] == EXPECTED
        downgrade(store.engine, "0004")
        assert not {"cas_number", "exporter_key"} & {
            column["name"] for column in sa.inspect(store.engine).get_columns("alerts")}
        migrate(store.engine)
    finally:
        store.dispose()


def _plan(store: Store, statement: Any) -> str:
    """The database's plan for a statement as the store runs it (ANALYZEd table; on
    PostgreSQL with sequential scans priced out, so a usable index is always chosen: the
    test asks whether the query as written can use one, not what a tiny table costs)."""
    sql = str(statement.compile(dialect=store.engine.dialect,
                                compile_kwargs={"literal_binds": True}))
    with store.engine.begin() as connection:
        if store.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
            return "\n".join(str(row[-1]) for row in rows)
        connection.execute(text("ANALYZE alerts"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))


def test_filters_and_party_history_use_their_indexes(db_url: str) -> None:
    store = Store(db_url, pool_size=1)
    try:
        migrate(store.engine)
        _, user = _seed_people(store)
        caller = Caller(user_id=user, username="dea_analyst", agency="DEA", nation="US",
                        roles=frozenset({Role.ANALYST}))
        nations = ["IN", "US", "CN", "MX", "NL", "AE", "DE"]
        with store.write() as session:
            alerts.upload(session, caller, [{"shipment_id": f"S{i}", "score": i % 100 / 100,
                                             "row": {"export_country": nations[i % 7],
                                                     "import_country": nations[i % 5],
                                                     "cas_number": f"{100 + i % 50}-24-7",
                                                     "exporter_name": f"Exporter {i % 97}",
                                                     "importer_name": f"Importer {i % 89}"}}
                                            for i in range(3000)], Marking.AMBER)
        wanted = {
            "ix_alerts_lane": alerts.queue_query(caller, alerts.QueueFilter(lane="CN-US")),
            "ix_alerts_cas_number": alerts.queue_query(
                caller, alerts.QueueFilter(substance="108-24-7")),
            "ix_alerts_exporter_key": alerts.party_query(caller, "exporter_name",
                                                         "Exporter 7", exclude=1, limit=20),
            "ix_alerts_importer_key": alerts.party_query(caller, "importer_name",
                                                         "Importer 7", exclude=1, limit=20),
        }
        for index, statement in wanted.items():
            assert index in _plan(store, statement), index
        # Either end of the lane: one index for each column.
        either = _plan(store, alerts.queue_query(caller, alerts.QueueFilter(nation="MX")))
        assert "ix_alerts_lane" in either and "ix_alerts_import_country" in either
    finally:
        store.dispose()
