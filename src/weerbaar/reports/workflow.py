"""The report workflow as data: every allowed transition, who may take it, what it needs.

`TRANSITIONS` is the single table the services, the staff pages and the API read. A
transition not in the table does not exist. Who: `HANDLER` is staff allowed to handle the
report (policy action HANDLE_REPORT on it); `REPORTER` the reporter (logged in, or holding
the receipt code); `SYSTEM` a scheduled task.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weerbaar.reports.models import ReportStatus

S = ReportStatus


class Party(StrEnum):
    HANDLER = "handler"
    REPORTER = "reporter"
    SYSTEM = "system"


class Needs(StrEnum):
    """What a transition requires besides permission."""

    NOTHING = "nothing"
    FEEDBACK = "feedback"  # text for the reporter (resolving)
    QUESTION = "question"  # a question the reporter should answer
    REASON = "reason"  # internal reason (cancelling)
    DUPLICATE_OF = "duplicate_of"  # the original report


@dataclass(frozen=True)
class Transition:
    source: frozenset[ReportStatus]
    target: ReportStatus
    parties: frozenset[Party]
    needs: Needs = Needs.NOTHING
    label: str | Promise = ""


OPEN_STATES = frozenset(
    {
        S.RECEIVED,
        S.TRIAGE,
        S.IN_PROGRESS,
        S.FORWARDED,
        S.WAITING_FOR_REPORTER,
        S.REOPENED,
    }
)
FINAL_STATES = frozenset({S.CLOSED, S.CANCELLED, S.DUPLICATE})
_WORKING = frozenset({S.RECEIVED, S.TRIAGE, S.IN_PROGRESS, S.FORWARDED, S.REOPENED})
_H = frozenset({Party.HANDLER})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(frozenset({S.RECEIVED, S.REOPENED}), S.TRIAGE, _H, label=_("Start assessment")),
    Transition(
        frozenset({S.RECEIVED, S.TRIAGE, S.FORWARDED, S.REOPENED}),
        S.IN_PROGRESS,
        _H,
        label=_("Take into handling"),
    ),
    Transition(
        _WORKING | {S.WAITING_FOR_REPORTER},
        S.WAITING_FOR_REPORTER,
        _H,
        Needs.QUESTION,
        label=_("Ask the reporter a question"),
    ),
    # The reporter's answer moves the report back to the handler; a handler may also
    # stop waiting.
    Transition(
        frozenset({S.WAITING_FOR_REPORTER}),
        S.IN_PROGRESS,
        frozenset({Party.HANDLER, Party.REPORTER}),
        label=_("Continue handling"),
    ),
    Transition(
        _WORKING | {S.WAITING_FOR_REPORTER},
        S.RESOLVED,
        _H,
        Needs.FEEDBACK,
        label=_("Resolve with feedback"),
    ),
    Transition(
        frozenset({S.RESOLVED}),
        S.CLOSED,
        frozenset({Party.HANDLER, Party.REPORTER, Party.SYSTEM}),
        label=_("Close"),
    ),
    Transition(
        frozenset({S.RESOLVED, S.CLOSED}),
        S.REOPENED,
        frozenset({Party.HANDLER, Party.REPORTER}),
        label=_("Reopen"),
    ),
    Transition(
        _WORKING | {S.WAITING_FOR_REPORTER},
        S.CANCELLED,
        _H,
        Needs.REASON,
        label=_("Cancel"),
    ),
    Transition(
        _WORKING | {S.WAITING_FOR_REPORTER},
        S.DUPLICATE,
        _H,
        Needs.DUPLICATE_OF,
        label=_("Mark as duplicate"),
    ),
)

# Forwarding changes the handling organisation and has its own service
# (`forward_report`); it is reachable from these states.
FORWARDABLE_STATES = _WORKING | {S.WAITING_FOR_REPORTER}


def find_transition(
    source: ReportStatus | str, target: ReportStatus | str, party: Party
) -> Transition | None:
    for transition in TRANSITIONS:
        if (
            transition.target == target
            and source in transition.source
            and party in (transition.parties)
        ):
            return transition
    return None


def transitions_from(source: ReportStatus | str, party: Party) -> list[Transition]:
    return [t for t in TRANSITIONS if source in t.source and party in t.parties]
