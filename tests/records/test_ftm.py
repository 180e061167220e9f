"""FollowTheMoney JSON lines: the shipped watch-list fixture, and every kind of bad line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from precursorwatch.exceptions import InputError, RowErrors
from precursorwatch.records import read_entities

FIXTURE = Path(__file__).parent.parent / "fixtures" / "watchlist.ftm.jsonl"


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode("utf-8")
                                for x in lines) + b"\n")
    return path


def entity(schema: str = "Company", entity_id: str = "c1", **props: list[str]) -> str:
    return json.dumps({"id": entity_id, "schema": schema, "properties": props},
                      ensure_ascii=False)


def test_reads_the_watch_list_fixture_in_file_order() -> None:
    entities = read_entities(FIXTURE)
    assert [e.schema.name for e in entities] == [
        "Company", "Company", "Company", "Person", "Organization", "Company", "Company",
        "Company", "Person", "Company", "Company", "Company", "Address", "Event"]
    first = entities[0]
    assert first.id == "in-ncb-0001"
    assert "श्री गणेश केमिकल्स" in first.get("alias")
    assert first.get("taxNumber") == ["27AAKCS4821M1ZW"]
    assert first.context["datasets"] == ["in_ncb_watch"]


def test_values_are_cleaned_by_followthemoney(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.jsonl", [entity(name=["Acme Ltd"], country=["India"],
                                                     incorporationDate=["not a date"])])
    (acme,) = read_entities(path)
    assert acme.get("country") == ["in"]
    assert acme.get("incorporationDate") == []


def test_blank_lines_are_skipped_and_still_counted(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.jsonl", [entity(entity_id="a", name=["A"]), "", "   ",
                                              entity(entity_id="b", name=["B"]), "{"])
    with pytest.raises(RowErrors) as caught:
        read_entities(path)
    assert [e.row for e in caught.value.errors] == [5]


def test_a_byte_order_mark_is_not_an_error(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.jsonl", [b"\xef\xbb\xbf" + entity(name=["A"]).encode()])
    assert [e.id for e in read_entities(path)] == ["c1"]


def test_fragments_of_one_id_are_merged(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.jsonl", [
        entity("LegalEntity", "x", name=["Acme Ltd"]),
        entity("Person", "p", name=["A. Person"]),
        entity("Company", "x", alias=["ACME LIMITED"], registrationNumber=["U24100MH"]),
    ])
    merged, person = read_entities(path)
    assert merged.schema.name == "Company"
    assert merged.get("name") == ["Acme Ltd"]
    assert merged.get("alias") == ["ACME LIMITED"]
    assert person.id == "p"


def test_a_property_the_schema_lacks_is_left_out(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "w.jsonl", [entity(name=["Acme"], notAProperty=["x"])])
    (acme,) = read_entities(path)
    assert acme.get("name") == ["Acme"]
    assert "notAProperty" not in acme.properties


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_returned(
        tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [
        entity(entity_id="good", name=["Fine Chemicals Ltd"]),         # 1
        '{"id": "x", "schema": "Company", "properties": ',             # 2
        '["Company", "x"]',                                            # 3
        entity("Firm", "y", name=["Y"]),                               # 4
        json.dumps({"schema": "Company", "properties": {}}),           # 5
        json.dumps({"id": "z", "properties": {}}),                     # 6
        json.dumps({"id": "z", "schema": "Company", "properties": []}),  # 7
        json.dumps({"id": "z", "schema": "Company",
                    "properties": {"name": [{"en": "Z"}]}}),           # 8
        b'{"id": "z", "schema": "Company", "properties": {"name": ["\xff"]}}',  # 9
        entity("Person", "good", name=["Fine Chemicals"]),             # 10
    ])
    with pytest.raises(RowErrors) as caught:
        read_entities(path)
    where = str(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{where}:2: not JSON: Expecting value at column 48",
        f"{where}:3: not a JSON object but list",
        f"{where}:4: schema: unknown schema 'Firm'",
        f"{where}:5: id: missing: every entity needs an id",
        f"{where}:6: schema: missing: every entity names its schema",
        f"{where}:7: properties: not an object of property name to list of values",
        f"{where}:8: name: not a list of text values",
        f"{where}:9: is not valid UTF-8 text (check the file's encoding)",
        f"{where}:10: schema: id good is a Company on line 1; it cannot also be a Person",
    ]
    assert str(caught.value).count("\n") == 8


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_entities(tmp_path / "absent.jsonl")
