"""The shapes of request and response bodies; kept apart from the store's tables so the
API can stay stable while the schema changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from precursorwatch.exchange.notifications import Answer, Status
from precursorwatch.exchange.policy import Marking, Role

__all__ = [
    "ActionIn",
    "ActionOut",
    "AlertIn",
    "AlertOut",
    "AlertsIn",
    "AnswerIn",
    "CaseIn",
    "CaseOut",
    "DecisionIn",
    "EntitiesIn",
    "EntityIn",
    "EntityLinkIn",
    "EntityOut",
    "EntityShipmentIn",
    "EntityShipmentOut",
    "EntitySummary",
    "EntityTieOut",
    "EventOut",
    "IncidentIn",
    "IncidentOut",
    "InformationIn",
    "LinkIn",
    "LinkOut",
    "Me",
    "NotificationIn",
    "NotificationOut",
    "Overview",
    "Party",
    "Problem",
    "ProblemItem",
    "ReleaseIn",
    "ReleaseOut",
    "ScreeningAttachment",
    "SubstanceQuantity",
]

#: No NUL characters: PostgreSQL text cannot hold them, so they are refused as input.
_NO_NUL = r"^[^\x00]*$"
NationCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 code",
                                  examples=["IN"])]
Name = Annotated[str, Field(min_length=1, max_length=300, pattern=_NO_NUL)]
Text = Annotated[str, Field(min_length=1, max_length=10_000, pattern=_NO_NUL)]
Cas = Annotated[str, Field(pattern=r"^[0-9]{2,7}-[0-9]{2}-[0-9]$", examples=["108-24-7"])]
Kilograms = Annotated[float, Field(gt=0, le=1e9, description="net quantity in kilograms")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemItem(BaseModel):
    field: str | None = None
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem; ``errors`` lists each bad field of a rejected request."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemItem] = []


class Me(BaseModel):
    username: str
    agency: str
    nation: str
    roles: list[Role]


class ScreeningAttachment(_In):
    """Screening output for the consignment, as `precursorwatch screen` writes it."""

    score: float = Field(ge=0, le=1, description="diversion-risk score, 0 to 1")
    reasons: list[Annotated[str, Field(max_length=1000, pattern=_NO_NUL)]] = Field(
        default=[], max_length=100)
    model: Annotated[str, Field(max_length=200, pattern=_NO_NUL)] | None = None


class NotificationIn(_In):
    importing_nation: NationCode
    exporter: Name
    importer: Name
    substance: Name
    cas_number: Cas | None = None
    quantity_kg: Kilograms
    shipment_id: Annotated[str, Field(min_length=1, max_length=100, pattern=_NO_NUL)] | None = None
    planned_export_date: date | None = None
    marking: Marking | None = Field(
        None, description="TLP 2.0 marking; default: the owner agency's default marking")
    screening: ScreeningAttachment | None = None


class EventOut(BaseModel):
    at: datetime
    from_status: Status | None
    to_status: Status
    reason: str | None


class ReleaseOut(BaseModel):
    nation: str
    released_by: int
    released_at: datetime
    reason: str


class NotificationOut(BaseModel):
    id: int
    owner_agency: str
    owner_nation: str
    marking: Marking
    released_to: list[str]
    exporting_nation: str
    importing_nation: str
    exporter: str
    importer: str
    substance: str
    cas_number: str | None
    quantity_kg: float
    shipment_id: str | None
    planned_export_date: date | None
    screening: ScreeningAttachment | None
    status: Status
    sent_at: datetime | None
    due_at: datetime | None
    version: int
    history: list[EventOut]
    releases: list[ReleaseOut]


class AnswerIn(_In):
    answer: Answer
    reason: Annotated[str, Field(max_length=10_000, pattern=_NO_NUL)] | None = Field(
        None, description="required for an objection or a request for information")
    version: int | None = Field(None, ge=1, description="the version the reviewer saw; a "
                                "stale one gets 409")


class InformationIn(_In):
    information: Text


class ReleaseIn(_In):
    nation: NationCode
    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=_NO_NUL)]


class SubstanceQuantity(_In):
    substance: Name
    cas_number: Cas | None = None
    quantity_kg: Kilograms | None = None


class Party(_In):
    name: Name
    role: Annotated[str, Field(min_length=1, max_length=100, pattern=_NO_NUL)]
    country: NationCode | None = None


class IncidentIn(_In):
    kind: Literal["seizure", "stopped_shipment", "suspicious_order", "theft"]
    occurred_on: date
    place: Name
    substances: list[SubstanceQuantity] = Field(min_length=1, max_length=100)
    route: Annotated[str, Field(max_length=2000, pattern=_NO_NUL)] | None = None
    modus_operandi: Annotated[str, Field(max_length=10_000, pattern=_NO_NUL)] | None = None
    parties: list[Party] = Field(default=[], max_length=200)
    summary: Text
    marking: Marking | None = None


class IncidentOut(BaseModel):
    id: int
    owner_agency: str
    owner_nation: str
    marking: Marking
    released_to: list[str]
    kind: str
    occurred_on: date
    place: str
    substances: list[SubstanceQuantity]
    route: str | None
    modus_operandi: str | None
    parties: list[Party]
    summary: str
    releases: list[ReleaseOut]


class CaseIn(_In):
    title: Name
    summary: Text
    marking: Marking | None = None


class LinkIn(_In):
    kind: Literal["notification", "incident", "shipment", "entity"]
    ref: Annotated[str, Field(min_length=1, max_length=200, pattern=_NO_NUL,
                              description="a notification or incident id, a shipment id "
                              "or an FtM entity id")]


class LinkOut(BaseModel):
    kind: str
    ref: str
    added_at: datetime


class ActionIn(_In):
    description: Text
    owner_agency: Annotated[str, Field(min_length=1, max_length=40, pattern=_NO_NUL)]
    due_on: date


class ActionOut(BaseModel):
    id: int
    description: str
    owner_agency: str
    due_on: date
    status: Literal["open", "done"]
    done_at: datetime | None


class CaseOut(BaseModel):
    id: int
    owner_agency: str
    owner_nation: str
    marking: Marking
    released_to: list[str]
    title: str
    summary: str
    status: str
    links: list[LinkOut]
    actions: list[ActionOut]
    releases: list[ReleaseOut]


class Overview(BaseModel):
    """Counts and times over the records the caller may see."""

    notifications_by_status: dict[str, int]
    incidents_by_kind: dict[str, int]
    cases_by_status: dict[str, int]
    median_turnaround_days_by_importing_nation: dict[str, float]
    open_actions_by_agency: dict[str, int]
    overdue_actions_by_agency: dict[str, int]


RowValue = str | float | int | bool | None


class AlertIn(_In):
    """One flagged consignment from `precursorwatch screen --publish`."""

    shipment_id: Annotated[str, Field(min_length=1, max_length=100, pattern=_NO_NUL)]
    source: Annotated[str, Field(max_length=100, pattern=_NO_NUL)] | None = None
    score: float = Field(ge=0, le=1)
    reasons: list[Annotated[str, Field(max_length=1000, pattern=_NO_NUL)]] = Field(
        default=[], max_length=100)
    row: dict[Annotated[str, Field(max_length=100, pattern=_NO_NUL)],
              Annotated[RowValue, Field(union_mode="left_to_right")]] = Field(
        default={}, max_length=200, description="the consignment's contract row")


class AlertsIn(_In):
    alerts: list[AlertIn] = Field(min_length=1, max_length=10_000)
    marking: Marking | None = None


class DecisionIn(_In):
    decision: Literal["cleared", "referred", "stopped"]
    note: Annotated[str, Field(max_length=10_000, pattern=_NO_NUL)] | None = None


class AlertOut(BaseModel):
    id: int
    owner_agency: str
    marking: Marking
    shipment_id: str
    source: str | None
    score: float
    reasons: list[str]
    row: dict[str, RowValue]
    decision: Literal["cleared", "referred", "stopped"] | None
    decision_note: str | None
    decided_at: datetime | None


_Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00\s]+$",
                            description="the entity's FtM id from `precursorwatch resolve`",
                            examples=["pw-entity-437239c85c5caa26"])]
_Value = Annotated[str, Field(max_length=1000, pattern=_NO_NUL)]


class EntityShipmentIn(_In):
    shipment_id: Annotated[str, Field(min_length=1, max_length=100, pattern=_NO_NUL)]
    source: Annotated[str, Field(max_length=100, pattern=_NO_NUL)] | None = None
    role: Annotated[str, Field(min_length=1, max_length=20, pattern=_NO_NUL,
                               examples=["exporter"])]


class EntityIn(_In):
    """One line of `resolve --out` (a FollowTheMoney entity), with its shipments."""

    id: _Key
    schema_: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z]+$",
                                  alias="schema", examples=["Company"])]
    properties: dict[Annotated[str, Field(min_length=1, max_length=50,
                                          pattern=r"^[A-Za-z]+$")],
                     list[_Value]] = Field(max_length=50)
    shipments: list[EntityShipmentIn] = Field(default=[], max_length=50_000)


class EntityLinkIn(_In):
    """One tie of the entity graph from `network build --out`."""

    source: _Key
    target: _Key
    weight: float = Field(ge=-1e6, le=1e6)
    kinds: Annotated[str, Field(max_length=200, pattern=_NO_NUL)] = ""
    shared: int = Field(default=1, ge=0, le=2**31 - 1)


class EntitiesIn(_In):
    entities: list[EntityIn] = Field(min_length=1, max_length=20_000)
    links: list[EntityLinkIn] = Field(default=[], max_length=200_000)
    marking: Marking | None = None


class EntityShipmentOut(BaseModel):
    shipment_id: str
    source: str | None
    role: str


class EntityTieOut(BaseModel):
    entity: int
    name: str
    weight: float
    kinds: str
    shared: int


class EntityOut(BaseModel):
    id: int
    key: str
    owner_agency: str
    owner_nation: str
    marking: Marking
    released_to: list[str]
    schema_: str = Field(serialization_alias="schema")
    name: str
    properties: dict[str, list[str]]
    shipment_count: int
    shipments: list[EntityShipmentOut]
    ties: list[EntityTieOut]
    releases: list[ReleaseOut]


class EntitySummary(BaseModel):
    id: int
    key: str
    owner_agency: str
    marking: Marking
    schema_: str = Field(serialization_alias="schema")
    name: str
