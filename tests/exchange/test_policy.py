"""The sharing rules as pure functions: markings, agencies, nations, roles."""

from __future__ import annotations

from precursorwatch.exchange.policy import (
    Caller,
    Marking,
    RecordAccess,
    Role,
    can_read,
    can_release,
)


def caller(agency: str, nation: str, *roles: Role) -> Caller:
    return Caller(user_id=1, username="u", agency=agency, nation=nation, roles=frozenset(roles))


def record(marking: Marking, *released: str) -> RecordAccess:
    return RecordAccess("DEA", "US", marking, frozenset(released))


def test_no_marking_crosses_the_border_without_a_release() -> None:
    indian = caller("NCB", "IN", Role.SUPERVISOR)
    for marking in Marking:
        assert not can_read(indian, record(marking)), marking
    for marking in (Marking.AMBER, Marking.GREEN, Marking.CLEAR):
        assert can_read(indian, record(marking, "IN")), marking
    for marking in (Marking.RED, Marking.AMBER_STRICT):
        assert not can_read(indian, record(marking, "IN")), marking


def test_red_is_for_the_owner_agencys_analysts_and_supervisors() -> None:
    assert can_read(caller("DEA", "US", Role.ANALYST), record(Marking.RED))
    assert not can_read(caller("DEA", "US", Role.VIEWER), record(Marking.RED))
    assert not can_read(caller("CBP", "US", Role.SUPERVISOR), record(Marking.RED))
    assert can_read(caller("DEA", "US", Role.VIEWER), record(Marking.AMBER_STRICT))
    assert not can_read(caller("CBP", "US", Role.SUPERVISOR), record(Marking.AMBER_STRICT))
    assert can_read(caller("CBP", "US", Role.VIEWER), record(Marking.AMBER))


def test_a_user_without_roles_reads_nothing() -> None:
    assert not can_read(caller("DEA", "US"), record(Marking.CLEAR))


def test_only_supervisors_of_the_owner_nation_release_shareable_markings() -> None:
    assert can_release(caller("CBP", "US", Role.SUPERVISOR), record(Marking.CLEAR), "IN")
    assert not can_release(caller("DEA", "US", Role.ANALYST), record(Marking.CLEAR), "IN")
    assert not can_release(caller("NCB", "IN", Role.SUPERVISOR), record(Marking.CLEAR, "IN"),
                           "IN")
    assert not can_release(caller("DEA", "US", Role.SUPERVISOR), record(Marking.RED), "IN")
    assert not can_release(caller("DEA", "US", Role.SUPERVISOR), record(Marking.GREEN), "US")
