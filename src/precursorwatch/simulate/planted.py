"""Planted rows and the scene they are planted in.

Typologies (diversion schemes) and hard negatives (legitimate rows that look suspicious)
are small functions that each write one *event*: a handful of consignments with one story,
one label and, for diversion, maybe one ring. They share :class:`Scene`, which knows the firms,
the catalogue, the legitimate trade lines and the rings, and writes a :class:`Planted` row
the way ordinary trade is written (same sources, name spellings, HS formats, prices), so a
planted row differs from ordinary trade only in what its typology plants.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from precursorwatch.simulate import documents
from precursorwatch.simulate.firms import Firm, FirmFactory
from precursorwatch.simulate.population import Population
from precursorwatch.simulate.products import Catalogue, Description, Product
from precursorwatch.simulate.rings import Ring
from precursorwatch.simulate.trade import Lines, lane_of, transport_for

__all__ = ["VAGUE_END_USES", "Event", "Planted", "Scene"]

#: End uses declared by buyers who do not want to say what the goods are for.
VAGUE_END_USES: tuple[str, ...] = (
    "trading", "research", "further sale", "industrial use", "pharmaceutical intermediate",
    "research and development", "stock",
)
# Price of one row unit in units of the product's catalogue unit.
_UNIT_FACTORS = {("t", "kg"): 1000.0, ("g", "kg"): 0.001, ("kg", "g"): 1000.0,
                 ("mL", "L"): 0.001, ("L", "mL"): 1000.0}


@dataclass(frozen=True)
class Event:
    """One planted story: its typology, true label, first day, ring, and the analyst's
    decision on its rows should they fall in history (``review``: diverted, legitimate or
    empty for never reviewed). ``importer`` fixes the receiving party when the driver needs a
    particular one (a ring's front before it is burned)."""

    id: int
    typology: str
    label: str
    day: int
    ring: Ring | None
    review: str
    importer: Firm | None = None


@dataclass(frozen=True)
class Planted:
    """One planted consignment: the contract fields and the truth about it."""

    day: int
    source: str
    export_country: str
    import_country: str
    transit_countries: str
    exporter_name: str
    exporter_address: str
    exporter_id: str
    importer_name: str
    importer_address: str
    importer_id: str
    consignee_name: str
    hs_code: str
    product_description: str
    cas_number: str
    quantity: float
    unit: str
    concentration_pct: float | None
    declared_value: float
    currency: str
    transport_mode: str
    payment_method: str
    end_use: str
    pen_reference: str
    review: str
    event: int
    label: str
    typology: str
    ring_id: str
    substance: str
    exporter_party: str
    importer_party: str
    consignee_party: str


@dataclass
class Scene:
    """Everything planting needs, and the firms and events planting creates.

    Mutable on purpose: typologies add the lone front companies they invent to ``firms`` and
    every event to ``events``, so that the incidents written afterwards know them.
    """

    r: random.Random
    catalogue: Catalogue
    population: Population
    lines: Lines
    rings: tuple[Ring, ...]
    factory: FirmFactory
    firms: dict[str, Firm] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    _busy: dict[bool, list[int]] = field(default_factory=dict)
    _described: dict[str, tuple[Description, ...]] = field(default_factory=dict)

    # --- events --------------------------------------------------------------------------

    def event(self, typology: str, label: str, day: int, ring: Ring | None, *,
              review: str | None = None, importer: Firm | None = None) -> Event:
        """A new event; its review is drawn unless given.

        Analysts review most diversion that reaches them (65% caught, 5% wrongly cleared,
        30% never looked at) and about half of the legitimate oddities that alert them.
        """
        if review is None:
            u = self.r.random()
            if label == "diverted":
                review = "diverted" if u < 0.65 else "legitimate" if u < 0.70 else ""
            else:
                review = "legitimate" if u < 0.5 else ""
        found = Event(len(self.events), typology, label, day, ring, review, importer)
        self.events.append(found)
        return found

    def detach(self, event: Event) -> Event:
        """The event as a lone buyer's, when its ring has no part that fits the typology."""
        lone = Event(event.id, event.typology, event.label, event.day, None, event.review,
                     event.importer)
        self.events[event.id] = lone
        return lone

    # --- parties -------------------------------------------------------------------------

    def lone_front(self, country: str, sector: str = "chemical") -> Firm:
        """A front company with no ring, made up for one event."""
        firm = self.factory.firm(country, "front", "pharma" if sector == "pharma" else
                                 "chemical", founded=self.r.choice((2024, 2025)),
                                 free_mail=True, size=0.5)
        self.firms[firm.id] = firm
        return firm

    def front(self, event: Event, country: str, sector: str = "chemical") -> Firm:
        """The receiving party of a diversion event: the event's own, a ring front (the
        burned one only before it is burned), or a lone front in ``country``."""
        if event.importer is not None:
            return event.importer
        ring = event.ring
        if ring is None:
            return self.lone_front(country, sector)
        fronts = [f for f in ring.fronts if f is not ring.burned or event.day < ring.burn_day]
        local = [f for f in fronts if f.country == country]
        return self.r.choice(local or fronts or list(ring.fronts))

    def exporter(self, event: Event, product: Product, origin: str) -> Firm:
        """The shipping party: a ring broker, or (as often) a legitimate manufacturer or
        trader that sells to whoever pays."""
        ring = event.ring
        if ring is not None and ring.scheme.origin == origin and self.r.random() < 0.5:
            return self.r.choice(ring.brokers)
        sector = product.sector if product.sector in ("pharma", "chemical") else "chemical"
        return self.population.firms[self.population.exporter(origin, sector, self.r)]

    def legit_parties(self, product: Product) -> tuple[Firm, Firm, str, str]:
        """An exporter and importer that ordinarily trade a product, on one of its lanes."""
        r = self.r
        lanes = product.lanes or {"IN>US": 1.0}
        lane = r.choices(list(lanes), weights=list(lanes.values()))[0]
        origin, destination = lane.split(">")
        if destination == "XX":
            destination = r.choice(product.markets or ("GB", "DE"))
        sector = product.sector if product.sector in ("pharma", "chemical") else "chemical"
        firms = self.population.firms
        return (firms[self.population.exporter(origin, sector, r)],
                firms[self.population.importer(destination, sector, r)], origin, destination)

    def product(self, keys: tuple[str, ...]) -> Product:
        """One of the catalogue products named by ``keys``."""
        return self.catalogue[self.r.choice(keys)]

    def usual_quantity(self, product: Product, scale: float = 1.0) -> float:
        """A customer's usual consignment of a product (log-uniform over its range), times
        ``scale``, in whole packs."""
        low, high = product.quantity
        quantity = math.exp(self.r.uniform(math.log(low), math.log(high))) * scale
        return max(product.pack, round(quantity / product.pack) * product.pack)

    def days(self, start: int, count: int, spread: int) -> list[int]:
        """``count`` working days from ``start`` over ``spread`` days, in order."""
        days = np.asarray(sorted(min(documents.DAYS - 1, start + self.r.randrange(spread + 1))
                                 for _ in range(count)), dtype=np.int64)
        return [int(d) for d in documents.working_day(days)]

    # --- rows ----------------------------------------------------------------------------

    def _variant(self, options: tuple[str, ...]) -> str:
        u = self.r.random()
        return options[min(int(len(options) * u * u), len(options) - 1)]

    def _identifier(self, firm: Firm, keep: float) -> str:
        if self.r.random() >= keep:
            return ""
        return firm.ids[0] if len(firm.ids) == 1 or self.r.random() < 0.65 else firm.ids[1]

    def description(self, product: Product) -> Description:
        """A description of the goods as an exporter writes it (from a set made once per
        product, as ordinary trade repeats its descriptions)."""
        if product.key not in self._described:
            self._described[product.key] = self.catalogue.descriptions(product, self.r, 8)
        return self.r.choice(self._described[product.key])

    def row(
        self,
        event: Event,
        *,
        day: int,
        product: Product,
        exporter: Firm,
        importer: Firm,
        quantity: float,
        unit: str | None = None,
        consignee: Firm | None = None,
        export_country: str | None = None,
        import_country: str | None = None,
        transit: str = "",
        payment: str | None = None,
        transport: str | None = None,
        description: Description | None = None,
        declare_cas: float = 0.6,
        hs: str | None = None,
        price: float | None = None,
        pen: float = 0.5,
        end_use: str | None = None,
        importer_id: float = 0.6,
    ) -> Planted:
        """One consignment of an event, written as ordinary trade is, with the typology's
        choices passed in (``declare_cas`` and ``pen`` are probabilities)."""
        r = self.r
        origin = export_country or exporter.country
        destination = import_country or importer.country
        unit = unit or product.unit
        for firm in (exporter, importer, consignee):
            if firm is not None:
                self.firms.setdefault(firm.id, firm)
        source = documents.source_of(origin, destination, product.controlled, r.random())
        hs_code = documents.hs_formats(hs or product.hs)[documents.hs_style(source, r.random())]
        described = description or self.description(product)
        per_unit = (product.price if price is None else price) * _UNIT_FACTORS.get(
            (unit, product.unit), 1.0)
        currency = "EUR" if destination in documents.EUROZONE and r.random() < 0.7 else "USD"
        value = quantity * per_unit * r.lognormvariate(0, 0.1) * documents.RATES[currency]
        if transport is None:
            transport = transport_for(product, (origin, destination), value, r)
        if payment is None:
            payment = "letter_of_credit" if r.random() < 0.3 else "wire"
        if end_use is None:
            end_use = r.choice(product.end_uses) if product.end_uses and r.random() < 0.8 \
                else ""
        concentration = None
        if product.concentration:
            concentration = round(r.uniform(*product.concentration), 1)
        pen_reference = ""
        if product.pen and r.random() < pen:
            pen_reference = documents.pen_reference(origin, r.randrange(100000, 999999))
        return Planted(
            day=day,
            source=source,
            export_country=origin,
            import_country=destination,
            transit_countries=transit,
            exporter_name=self._variant(exporter.names),
            exporter_address=self._variant(exporter.addresses) if r.random() < 0.9 else "",
            exporter_id=self._identifier(exporter, 0.85),
            importer_name=self._variant(importer.names),
            importer_address=self._variant(importer.addresses) if r.random() < 0.9 else "",
            importer_id=self._identifier(importer, importer_id),
            consignee_name=self._variant(consignee.names) if consignee else "",
            hs_code=hs_code,
            product_description=described.text,
            cas_number=described.cas if described.cas and r.random() < declare_cas else "",
            quantity=round(quantity, 3),
            unit=unit,
            concentration_pct=concentration,
            declared_value=round(value, 2),
            currency=currency,
            transport_mode=transport,
            payment_method=payment,
            end_use=end_use,
            pen_reference=pen_reference,
            review=event.review,
            event=event.id,
            label=event.label,
            typology=event.typology,
            ring_id=event.ring.id if event.ring else "",
            substance=product.substance,
            exporter_party=exporter.id,
            importer_party=importer.id,
            consignee_party=consignee.id if consignee else "",
        )

    # --- legitimate trade lines ----------------------------------------------------------

    def busy_lines(self, controlled: bool = True) -> list[int]:
        """Lines with an established history (from January, in the busiest quarter), of
        controlled goods unless told otherwise."""
        if controlled not in self._busy:
            lines = self.lines
            threshold = float(np.quantile(lines.weight, 0.75)) if len(lines) else 0.0
            flags = np.asarray([p.controlled for p in self.catalogue.products])[lines.product]
            chosen = np.nonzero((lines.weight >= threshold) & (lines.start == 0)
                                & (flags == controlled))[0]
            self._busy[controlled] = [int(i) for i in chosen]
        return self._busy[controlled]

    def line_parties(self, index: int) -> tuple[Product, Firm, Firm, str, str]:
        """A line's product, exporter, importer and lane."""
        lines = self.lines
        firms = self.population.firms
        origin, destination = lane_of(lines, index)
        return (self.catalogue.products[int(lines.product[index])],
                firms[int(lines.exporter[index])], firms[int(lines.importer[index])],
                origin, destination)
