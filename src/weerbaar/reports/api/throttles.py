"""Throttling of the public report intake.

The client is told apart by its IP address, taken the way the login protection (axes) takes
it, so one setting (`AXES_CLIENT_IP_CALLABLE`) decides for the whole site how a reverse
proxy's headers are trusted. DRF's own `get_ident` would believe any X-Forwarded-For a
client sends. The address only ever becomes part of a cache key, and then as a hash: it is
never stored with a report nor logged.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from weerbaar.core import ratelimit


def client_key(request: Request | HttpRequest) -> str:
    """The client's IP address, for rate limits only (kept in the cache at most, hashed)."""
    django_request = request._request if isinstance(request, Request) else request
    return get_client_ip_address(django_request) or "unknown"


class ReportIntakeThrottle(BaseThrottle):
    """Public submissions per client and period: `REPORT_INTAKE_RATE` (read per request, so
    a changed setting applies without a restart).

    A fixed-window counter in the shared cache (`core.ratelimit`): one increment per request,
    whatever the rate. DRF's SimpleRateThrottle keeps a list of every request time in the
    window and rewrites it on each request, which grows with the rate.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        limit, self.window = _parse_rate(settings.REPORT_INTAKE_RATE)
        return ratelimit.hit(
            "report-intake", client_key(request), limit=limit, window_seconds=self.window
        )

    def wait(self) -> float | None:
        return float(getattr(self, "window", 0)) or None


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]
    return int(count), seconds
