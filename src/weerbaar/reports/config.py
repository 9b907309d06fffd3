"""The intake configuration, kept in memory: category tree, routing rules, settings per
municipality, and the active municipalities themselves.

Every submission needs them, administrators change them rarely, and intake is the busiest
write of the platform. So each process keeps a snapshot and checks one version number in
the shared cache (Redis in production) at most once a second. Saving or deleting any of
these rows (or an organisation, whose name the routing shows) bumps the version: the
process that made the change reloads at once, every other app server within a second. A
bulk `QuerySet.update()` sends no signals: call `configuration_changed()` after one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from weerbaar.core.calendar import WorkingDayCalendar
from weerbaar.network.models import Municipality
from weerbaar.reports.models import MunicipalityReportSettings, ReportCategory, RoutingRule

VERSION_KEY = "reports:configuration-version"


@dataclass(frozen=True)
class IntakeConfiguration:
    version: int
    categories: dict[int, ReportCategory]
    categories_by_code: dict[str, ReportCategory]
    # Active categories without active children: what a reporter may choose.
    selectable_ids: frozenset[int]
    rules: tuple[RoutingRule, ...]
    settings: dict[int, MunicipalityReportSettings]
    # Active municipalities by slug, for intake through the API.
    municipalities: dict[str, Municipality]
    _calendars: dict[int, WorkingDayCalendar] = field(default_factory=dict)

    def rules_for(self, municipality_id: int) -> list[RoutingRule]:
        """The rules that can apply in a municipality, in the order they are tried."""
        return [rule for rule in self.rules if rule.municipality_id in (None, municipality_id)]

    def settings_for(self, municipality_id: int) -> MunicipalityReportSettings:
        """The municipality's settings; the model's defaults (unsaved) when it has none."""
        saved = self.settings.get(municipality_id)
        return saved or MunicipalityReportSettings(municipality_id=municipality_id)

    def calendar_for(self, municipality_id: int) -> WorkingDayCalendar:
        calendar = self._calendars.get(municipality_id)
        if calendar is None:
            calendar = WorkingDayCalendar.with_closed_days(
                self.settings_for(municipality_id).closed_dates()
            )
            self._calendars[municipality_id] = calendar
        return calendar

    def selectable(self) -> list[ReportCategory]:
        return [c for c in self.categories.values() if c.pk in self.selectable_ids]


_lock = threading.Lock()
_snapshot: IntakeConfiguration | None = None
_checked_at = float("-inf")


def current() -> IntakeConfiguration:
    """The configuration as of now: a change made anywhere is seen within CHECK_INTERVAL."""
    global _snapshot, _checked_at
    snapshot = _snapshot
    now = time.monotonic()
    # How long a process trusts its snapshot before it looks at the shared version again
    # (the test settings make it 0: every test starts from its own database state).
    interval: float = getattr(settings, "REPORT_CONFIGURATION_CHECK_SECONDS", 1.0)
    if snapshot is not None and now - _checked_at < interval:
        return snapshot
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    _checked_at = now
    if snapshot is not None and snapshot.version == version:
        return snapshot
    with _lock:
        _snapshot = _load(version)
        return _snapshot


def configuration_changed(**_kwargs: Any) -> None:
    """Make every process reload the configuration (connected to the models' signals).
    This process reloads at its next use; others within CHECK_INTERVAL."""
    global _checked_at
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    _checked_at = float("-inf")


def _load(version: int) -> IntakeConfiguration:
    categories = {
        c.pk: c for c in ReportCategory.objects.select_related("parent").order_by("sort_order")
    }
    with_active_children = {
        c.parent_id for c in categories.values() if c.is_active and c.parent_id is not None
    }
    return IntakeConfiguration(
        version=version,
        categories=categories,
        categories_by_code={c.code: c for c in categories.values()},
        selectable_ids=frozenset(
            pk for pk, c in categories.items() if c.is_active and pk not in with_active_children
        ),
        rules=tuple(
            RoutingRule.objects.filter(is_active=True)
            .select_related("organisation")
            .order_by("priority", "id")
        ),
        settings={s.municipality_id: s for s in MunicipalityReportSettings.objects.all()},
        municipalities={m.slug: m for m in Municipality.objects.filter(is_active=True)},
    )
