import pytest

from precursorwatch.ids import hs


@pytest.mark.parametrize(("text", "digits"), [
    ("2939.41", None),  # 6 digits once the dot is removed: valid
    ("2939 42 00", "29394200"),
    ("29394100", "29394100"),
    ("0902.10", None),
])
def test_removes_dots_and_spaces(text: str, digits: str | None) -> None:
    expected = digits or text.replace(".", "").replace(" ", "")
    assert hs.normalize(text) == expected


def test_keeps_leading_zero_and_gives_subheading() -> None:
    assert hs.subheading("0902.10.10") == "090210"


@pytest.mark.parametrize("text", ["2939", "29A941", "29394100001", ""])
def test_rejects_malformed(text: str) -> None:
    assert hs.normalize(text) is None
