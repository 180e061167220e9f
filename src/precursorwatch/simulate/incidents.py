"""Incident reports as FollowTheMoney entities: seizures, stopped shipments and suspicious
orders, naming the parties with their phones, e-mails, addresses and bank accounts.

Each report describes its parties afresh, as a separate agency would: its own Company and
Person entities, with the spelling of the name that agency saw and the details it happened to
record. The same firm in two reports is two entities that share a phone, an address, an
account or a director; finding that they are one firm is entity resolution's job, and
finding the ring behind them is network analysis's. ``parties`` (one row per party entity)
is the truth both are scored against: which firm or person an entity is, and its ring.

Only what analysts caught before ``new`` begins is reported (events reviewed as diverted, with
rows in history), plus a few suspicious-order reports about legitimate trade that were
cleared, so that not every reported firm is a criminal one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from followthemoney import EntityProxy, model

from precursorwatch.simulate import documents
from precursorwatch.simulate.firms import Account, Firm, Person
from precursorwatch.simulate.planted import Event, Scene
from precursorwatch.simulate.rings import Ring

__all__ = ["PARTY_COLUMNS", "Shipment", "incident_entities"]

#: Columns of the parties table: the truth about every party entity of the incidents.
PARTY_COLUMNS: tuple[str, ...] = ("entity_id", "schema", "party_id", "ring_id", "role",
                                  "incident_id")

_KIND = {
    "front_company": "stopped shipment", "above_need": "stopped shipment",
    "irregular_payment": "stopped shipment", "renamed_offender": "stopped shipment",
    "misdeclared": "seizure", "transshipment": "seizure", "designer_precursor": "seizure",
    "forwarder_consignee": "seizure", "split_orders": "suspicious order",
    "above_history": "suspicious order", "hard_negative": "suspicious order",
}
_PORTS = {
    ("IN", "sea"): ("Mundra Port", "Nhava Sheva (JNPT)", "Chennai Port", "Kolkata Port"),
    ("IN", "air"): ("Mumbai Air Cargo Complex", "Delhi Air Cargo Terminal",
                    "Hyderabad Air Cargo"),
    ("IN", "courier"): ("Foreign Post Office, Mumbai", "Courier Terminal, New Delhi"),
    ("US", "sea"): ("Port of Newark", "Port of Houston", "Port of Long Beach", "PortMiami"),
    ("US", "air"): ("JFK International Air Cargo", "Memphis air cargo hub",
                    "Louisville air cargo hub", "Cincinnati air cargo hub"),
    ("US", "courier"): ("International Mail Facility, JFK", "Chicago International Mail"),
    ("US", "road"): ("Laredo port of entry", "Otay Mesa port of entry"),
}
_AGENCIES = {"IN": ("IN-NCB", "IN-DRI", "IN-CBIC"), "US": ("US-DEA", "US-CBP", "US-HSI")}
_TOPIC = "crime.traffick.drug"


@dataclass(frozen=True)
class Shipment:
    """What an incident report needs of one planted consignment."""

    shipment_id: str
    source: str
    day: int
    event: int
    export_country: str
    import_country: str
    product_description: str
    quantity: float
    unit: str
    declared_value: float
    currency: str
    transport_mode: str
    payment_method: str
    exporter_party: str
    importer_party: str
    consignee_party: str


class _Writer:
    """Collects entities and the parties truth table for one run."""

    def __init__(self, r: random.Random, membership: dict[str, str]) -> None:
        self.r = r
        self.membership = membership
        self.entities: dict[str, EntityProxy] = {}
        self.parties: dict[str, list[str]] = {c: [] for c in PARTY_COLUMNS}

    def entity(self, schema: str, entity_id: str, **props: object) -> EntityProxy:
        """An entity whose values are already clean (generated in canonical form); one
        report names a person or an account once, however many of its firms they serve."""
        if entity_id in self.entities:
            return self.entities[entity_id]
        proxy = model.make_entity(schema)
        proxy.id = entity_id
        for name, value in props.items():
            values = value if isinstance(value, list | tuple) else [value]
            for v in values:
                if v is not None and v != "":
                    proxy.add(name, str(v), cleaned=True)
        self.entities[entity_id] = proxy
        return proxy

    def truth(self, proxy: EntityProxy, party: str, role: str, incident: str) -> None:
        """The party behind an entity, and its ring: by membership, not by incident (a
        legitimate exporter that sold to a front is in the incident but not the ring)."""
        ring = self.membership.get(party, "")
        for column, value in zip(PARTY_COLUMNS, (proxy.id, proxy.schema.name, party, ring,
                                                 role, incident), strict=True):
            self.parties[column].append(str(value))

    def some(self, values: Sequence[str], keep: float) -> list[str]:
        """Each value with probability ``keep``, at least the first."""
        kept = [v for v in values if self.r.random() < keep]
        return kept or list(values[:1])

    def account(self, account: Account, prefix: str) -> EntityProxy:
        return self.entity("BankAccount", f"{prefix}-acct-{account.id}",
                           accountNumber=account.number, iban=account.iban, bic=account.bic,
                           bankName=account.bank, country=account.country.lower())

    def person(self, person: Person, prefix: str, incident: str, role: str) -> EntityProxy:
        r = self.r
        if f"{prefix}-{person.id}" in self.entities:
            return self.entities[f"{prefix}-{person.id}"]
        proxy = self.entity(
            "Person", f"{prefix}-{person.id}",
            name=r.choice(person.names), nationality=person.country.lower(),
            phone=self.some(person.phones, 0.8), email=self.some(person.emails, 0.5)
            if r.random() < 0.7 else [],
            address=person.address if r.random() < 0.4 else "",
        )
        self.truth(proxy, person.id, role, incident)
        return proxy

    def firm(self, firm: Firm, prefix: str, incident: str, role: str) -> EntityProxy:
        """A report's entity for a firm, with what that report happened to record."""
        r = self.r
        entity_id = f"{prefix}-{firm.id}"
        props: dict[str, object] = {
            "name": r.choice(firm.names),
            "alias": r.choice(firm.names) if r.random() < 0.3 else "",
            "country": firm.country.lower(),
            "phone": self.some(firm.phones, 0.7) if r.random() < 0.8 else [],
            "email": self.some(firm.emails, 0.6) if r.random() < 0.6 else [],
            "incorporationDate": str(firm.founded) if r.random() < 0.3 else "",
        }
        for value, kind in zip(firm.ids, firm.id_kinds, strict=True):
            if r.random() < 0.5:
                prop = {"GSTIN": "taxNumber", "EIN": "taxNumber", "DEA": "licenseNumber"}.get(
                    kind, "registrationNumber")
                props[prop] = value
        if r.random() < 0.85:
            full = r.choice(firm.addresses)
            place = firm.place
            address = self.entity("Address", f"{entity_id}-addr", full=full,
                                  city=place.city, postalCode=place.postal,
                                  country=firm.country.lower())
            props["address"] = full
            props["addressEntity"] = address.id
        proxy = self.entity("Company", entity_id, **props)
        self.truth(proxy, firm.id, role, incident)
        if firm.accounts and r.random() < 0.6:
            account = self.account(r.choice(firm.accounts), entity_id)
            self.entity("Ownership", f"{entity_id}-own", owner=proxy.id, asset=account.id,
                        role="account holder")
        if firm.directors and r.random() < 0.6:
            director = r.choice(firm.directors)
            person = self.person(director, prefix, incident, "director")
            self.entity("Directorship", f"{entity_id}-dir-{director.id}", director=person.id,
                        organization=proxy.id, role="director")
        return proxy


def _where(shipment: Shipment, kind: str) -> str:
    """The country whose agency reports: the exporter's for suspicious orders, else where
    the goods were stopped (the US at entry, otherwise the exporting country)."""
    if kind == "suspicious order":
        return shipment.export_country
    if shipment.import_country == "US":
        return "US"
    return shipment.export_country if shipment.export_country in ("IN", "US") else "IN"


def _incident(w: _Writer, number: int, event: Event, shipments: Sequence[Shipment],
              firms: dict[str, Firm]) -> None:
    r = w.r
    kind = _KIND[event.typology]
    cleared = event.label == "legitimate"
    ring = event.ring
    incident_id = f"pw-inc-{number:05d}"
    first = shipments[0]
    country = _where(first, kind)
    involved: list[str] = []
    seen: set[str] = set()
    roles = (("exporter", "exporter_party"), ("importer", "importer_party"),
             ("consignee", "consignee_party"))
    parties: dict[str, str] = {}
    for shipment in shipments:
        for role, column in roles:
            party = getattr(shipment, column)
            if party and party not in seen:
                seen.add(party)
                proxy = w.firm(firms[party], incident_id, incident_id, role)
                involved.append(str(proxy.id))
                parties[role] = str(proxy.id)
    if ring is not None:
        _ring_money(w, ring, incident_id, shipments, parties, involved)
    transport = first.transport_mode if first.transport_mode in ("sea", "air", "courier",
                                                                  "road") else "sea"
    ports = _PORTS.get((country, transport)) or _PORTS.get((country, "sea"))
    location = r.choice(ports) if ports else ""
    if kind == "suspicious order":
        location = firms[first.exporter_party].place.city
    what = first.product_description
    amount = sum(s.quantity for s in shipments)
    title = {"seizure": "Seizure", "stopped shipment": "Shipment stopped",
             "suspicious order": "Suspicious order report"}[kind]
    summary = (f"{title}: {amount:g} {first.unit} declared as \"{what}\", "
               f"{first.export_country} to {first.import_country}"
               + (f", at {location}" if kind != "suspicious order" else ""))
    description = (
        "Cleared after verification of the end use and the buyer's registration."
        if cleared else
        f"{len(shipments)} consignment(s) under investigation; parties named as declared."
    )
    day = min(documents.NEW_FROM - 1, first.day + r.randrange(0, 15))
    w.entity(
        "Event", incident_id,
        name=summary[:180], summary=summary, description=description,
        date=documents.to_date(day).isoformat(), country=country.lower(), location=location,
        involved=involved, recordId=[s.shipment_id for s in shipments],
        keywords=[kind, "cleared" if cleared else "open"],
        publisher=r.choice(_AGENCIES.get(country, ("IN-NCB",))),
        topics=_TOPIC if not cleared else "",
    )


def _ring_money(w: _Writer, ring: Ring, prefix: str, shipments: Sequence[Shipment],
                parties: dict[str, str], involved: list[str]) -> None:
    """Who paid: an offshore payer for third-party payments, a controller's wallet for
    crypto; each recorded as the report's own entities and a Payment."""
    r = w.r
    paid = {s.payment_method for s in shipments}
    exporter = parties.get("exporter")
    if "third_party" in paid and ring.payers:
        payer_firm = r.choice(ring.payers)
        payer = w.firm(payer_firm, prefix, prefix, "payer")
        involved.append(str(payer.id))
        account = w.account(r.choice(payer_firm.accounts), f"{prefix}-{payer_firm.id}")
        shipment = next(s for s in shipments if s.payment_method == "third_party")
        w.entity("Payment", f"{prefix}-pay", payer=payer.id, beneficiary=exporter,
                 payerAccount=account.id, amount=f"{shipment.declared_value:.2f}",
                 currency=shipment.currency, date=documents.to_date(shipment.day).isoformat(),
                 purpose=f"Invoice for {shipment.shipment_id}")
    if "crypto" in paid:
        controller = r.choice(ring.controllers)
        holder = w.person(controller, prefix, prefix, "controller")
        involved.append(str(holder.id))
        w.entity("CryptoWallet", f"{prefix}-wallet", publicKey=ring.wallet, currency="USDT",
                 holder=holder.id)


def incident_entities(scene: Scene, shipments: Sequence[Shipment]
                      ) -> tuple[list[EntityProxy], pa.Table]:
    """Incident entities for the events analysts caught in history, and the parties table.

    ``shipments`` are the planted rows with their final shipment ids.
    """
    membership = {member: ring.id for ring in scene.rings for member in ring.members}
    w = _Writer(scene.r, membership)
    by_event: dict[int, list[Shipment]] = {}
    for shipment in shipments:
        if shipment.day < documents.NEW_FROM:
            by_event.setdefault(shipment.event, []).append(shipment)
    number = 0
    for event in scene.events:
        rows = by_event.get(event.id)
        if not rows or event.review == "":
            continue
        if event.label == "diverted" and event.review != "diverted":
            continue
        if event.label == "legitimate" and scene.r.random() >= 0.15:
            continue
        number += 1
        _incident(w, number, event, rows, scene.firms)
    parties = pa.table({c: pa.array(v, pa.string()) for c, v in w.parties.items()})
    return list(w.entities.values()), parties
