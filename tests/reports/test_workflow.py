"""The workflow table: every state reachable, final states final, needs as promised."""

from __future__ import annotations

from weerbaar.reports.models import ReportStatus as S
from weerbaar.reports.workflow import (
    FINAL_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Needs,
    Party,
    find_transition,
    transitions_from,
)


def test_every_state_is_reachable_from_received() -> None:
    reached = {S.RECEIVED}
    frontier = [S.RECEIVED]
    while frontier:
        state = frontier.pop()
        for transition in TRANSITIONS:
            if state in transition.source and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached | {S.FORWARDED} == set(S)  # forwarded is reached by forward_report


def test_resolving_needs_feedback_and_only_handlers_resolve() -> None:
    transition = find_transition(S.IN_PROGRESS, S.RESOLVED, Party.HANDLER)
    assert transition is not None
    assert transition.needs == Needs.FEEDBACK
    assert find_transition(S.IN_PROGRESS, S.RESOLVED, Party.REPORTER) is None


def test_cancelled_and_duplicate_are_final() -> None:
    for state in (S.CANCELLED, S.DUPLICATE):
        assert state in FINAL_STATES
        for party in Party:
            assert transitions_from(state, party) == []


def test_reporter_can_only_answer_close_and_reopen() -> None:
    targets = {t.target for t in TRANSITIONS if Party.REPORTER in t.parties}
    assert targets == {S.IN_PROGRESS, S.CLOSED, S.REOPENED}
    assert find_transition(S.CLOSED, S.REOPENED, Party.REPORTER) is not None
    assert find_transition(S.RECEIVED, S.REOPENED, Party.REPORTER) is None


def test_open_and_final_states_do_not_overlap() -> None:
    assert not OPEN_STATES & FINAL_STATES
    assert S.RESOLVED not in OPEN_STATES
    assert S.RESOLVED not in FINAL_STATES
