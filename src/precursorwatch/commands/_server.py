"""Talking to an exchange server from the command line: publishing alerts, fetching
decisions. The token comes from --token or $PRECURSORWATCH_TOKEN."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import httpx
import pyarrow as pa
import typer

from precursorwatch.exceptions import PrecursorwatchError, UsageError

__all__ = ["TOKEN_ENV", "TokenOption", "fetch_decided", "publish"]

TOKEN_ENV = "PRECURSORWATCH_TOKEN"

TokenOption = Annotated[str | None, typer.Option(
    "--token", envvar=TOKEN_ENV, help=f"Bearer token for the exchange server (from "
    f"`admin token issue`). Default: ${TOKEN_ENV}.")]

#: Alerts per request: one request stays well under the server's limit of 10,000.
_BATCH = 1000


def _plain(value: Any) -> str | float | int | bool | None:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _client(url: str, token: str | None) -> httpx.Client:
    if not token:
        raise UsageError(f"give --token or set {TOKEN_ENV} to talk to {url}")
    return httpx.Client(base_url=url.rstrip("/"), timeout=60,
                        headers={"Authorization": f"Bearer {token}"})


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise PrecursorwatchError(f"the server answered {response.status_code}: {detail}")
    return response.json()


def publish(url: str, token: str | None, rows: pa.Table, scored: pa.Table) -> int:
    """Send the flagged consignments to the server as alerts; how many were sent."""
    contract = {row["shipment_id"]: row for row in rows.to_pylist()}
    alerts = []
    for item in scored.filter(scored.column("flagged")).to_pylist():
        row = contract.get(item["shipment_id"], {})
        alerts.append({
            "shipment_id": str(item["shipment_id"]), "source": item.get("source"),
            "score": max(0.0, min(1.0, float(item["score"]))),
            "reasons": [r for r in str(item.get("reasons") or "").split(";") if r][:100],
            "row": {k: _plain(v) for k, v in row.items()}})
    try:
        with _client(url, token) as http:
            for start in range(0, len(alerts), _BATCH):
                _check(http.post("/alerts", json={"alerts": alerts[start:start + _BATCH]}))
    except httpx.HTTPError as error:
        raise PrecursorwatchError(f"cannot reach {url}: {error}") from error
    return len(alerts)


def fetch_decided(url: str, token: str | None) -> list[tuple[str, dict[str, Any]]]:
    """Every decided alert the token's user may see: (decision, contract row)."""
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        with _client(url, token) as http:
            offset = 0
            while True:
                page = _check(http.get("/alerts", params={"decided": "true", "limit": 5000,
                                                          "offset": offset}))
                found += [(item["decision"], item["row"]) for item in page]
                if len(page) < 5000:
                    return found
                offset += len(page)
    except httpx.HTTPError as error:
        raise PrecursorwatchError(f"cannot reach {url}: {error}") from error
