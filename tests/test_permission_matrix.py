# ruff: noqa: E501  (the matrix is a table: one row per line)
"""The whole permission matrix: every role × every staff page, portal page and API endpoint.

The expected answers are written out by hand, row by row, so that a change to the policy
that alters who may see what makes this test fail until the table is changed on purpose.
Codes: 200 allowed (or 302 for a successful POST), 403 role not allowed, 404 object outside
the caller's scope, 302 anonymous sent to the login page (HTML) / 403 problem+json (API).
API writes: 201 created, 200 updated; 400 when the body names something outside the caller's
scope (a reference that does not exist for them).

Adding a page: add a `row(...)` per object the page can be about (one inside and one outside
the callers' scope), with `kwargs` naming the URL arguments in the world fixture and, for
writes, `method` and `body` (a key into the world's request bodies).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from tests.factories import (
    AmbassadorFactory,
    AreaContactFactory,
    AreaFactory,
    BusinessFactory,
    BusinessPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import login_verified
from tests.reports.factories import ReportFactory, RoutingRuleFactory, category
from weerbaar.accounts.models import OrganisationKind, Role
from weerbaar.accounts.policy import actor_for
from weerbaar.network.models import BusinessImport
from weerbaar.reports.models import ReportAttachment, ReportChannel
from weerbaar.reports.services import ReportIntake, submit_report

ROLES = ("anonymous", "entrepreneur", "ambassador", "partner", "police", "staff", "admin")


@dataclass(frozen=True)
class Row:
    """One page or endpoint: URL name, how to build its arguments, and the expected codes."""

    name: str
    expected: str  # "anonymous=302 entrepreneur=403 ..." in the order of ROLES
    kwargs: str = ""  # key into the world's URL arguments
    method: str = "get"
    query: str = ""
    body: str = ""  # key into the world's request bodies (form data; JSON for the API)

    def codes(self) -> dict[str, int]:
        pairs = dict(item.split("=") for item in self.expected.split())
        assert tuple(pairs) == ROLES, f"{self.name}: roles must be listed as {ROLES}"
        return {role: int(code) for role, code in pairs.items()}


def row(name: str, *codes: int, **options: str) -> Row:
    return Row(name, " ".join(f"{r}={c}" for r, c in zip(ROLES, codes, strict=True)), **options)


# fmt: off
#                                          anon  ent  amb  partner police staff admin
TABLE: list[Row] = [
    row("core:back_office", 302, 403, 403, 200, 200, 200, 200),
    row("core:audit_log", 302, 403, 403, 403, 403, 403, 200),
    # Network registry back office (namespace "staff").
    row("staff:municipality_list",          302, 403, 403, 200, 200, 200, 200),
    row("staff:municipality_create",        302, 403, 403, 403, 403, 403, 200),
    row("staff:municipality_detail",        302, 403, 403, 200, 200, 200, 200, kwargs="municipality_pk_a"),
    row("staff:municipality_detail",        302, 403, 403, 404, 404, 404, 200, kwargs="municipality_pk_b"),
    row("staff:municipality_edit",          302, 403, 403, 403, 403, 403, 200, kwargs="municipality_pk_a"),
    row("staff:area_list",                  302, 403, 403, 200, 200, 200, 200),
    row("staff:area_create",                302, 403, 403, 403, 403, 200, 200),
    row("staff:area_detail",                302, 403, 403, 200, 200, 200, 200, kwargs="area_a1"),
    row("staff:area_detail",                302, 403, 403, 200, 404, 200, 200, kwargs="area_a2"),
    row("staff:area_detail",                302, 403, 403, 404, 404, 404, 200, kwargs="area_b"),
    row("staff:area_edit",                  302, 403, 403, 403, 403, 200, 200, kwargs="area_a1"),
    row("staff:area_edit",                  302, 403, 403, 403, 403, 404, 200, kwargs="area_b"),
    row("staff:ambassador_appoint",         302, 403, 403, 403, 403, 200, 200, kwargs="area_a1"),
    row("staff:ambassador_appoint",         302, 403, 403, 403, 403, 404, 200, kwargs="area_b"),
    row("staff:ambassador_end",             302, 403, 403, 403, 403, 302, 302, kwargs="ambassador_a1", method="post"),
    row("staff:ambassador_end",             302, 403, 403, 403, 403, 404, 302, kwargs="ambassador_b", method="post"),
    row("staff:area_contact_create",        302, 403, 403, 403, 403, 200, 200, kwargs="area_a1"),
    row("staff:area_contact_create",        302, 403, 403, 403, 403, 404, 200, kwargs="area_b"),
    row("staff:area_contact_edit",          302, 403, 403, 403, 403, 200, 200, kwargs="contact_a1"),
    row("staff:area_contact_edit",          302, 403, 403, 403, 403, 404, 200, kwargs="contact_b"),
    row("staff:area_contact_delete",        302, 403, 403, 403, 403, 302, 302, kwargs="contact_a1", method="post"),
    row("staff:area_contact_delete",        302, 403, 403, 403, 403, 404, 302, kwargs="contact_b", method="post"),
    row("staff:business_list",              302, 403, 403, 403, 200, 200, 200),
    row("staff:business_create",            302, 403, 403, 403, 403, 200, 200),
    row("staff:business_detail",            302, 403, 403, 403, 200, 200, 200, kwargs="business_a1"),
    row("staff:business_detail",            302, 403, 403, 403, 404, 200, 200, kwargs="business_a2"),
    row("staff:business_detail",            302, 403, 403, 403, 404, 404, 200, kwargs="business_b"),
    row("staff:business_edit",              302, 403, 403, 403, 403, 200, 200, kwargs="business_a1"),
    row("staff:business_edit",              302, 403, 403, 403, 403, 404, 200, kwargs="business_b"),
    row("staff:business_deactivate",        302, 403, 403, 403, 403, 302, 302, kwargs="business_a1", method="post"),
    row("staff:business_deactivate",        302, 403, 403, 403, 403, 404, 302, kwargs="business_b", method="post"),
    row("staff:business_link_person",       302, 403, 403, 403, 403, 200, 200, kwargs="business_a1"),
    row("staff:business_link_person",       302, 403, 403, 403, 403, 404, 200, kwargs="business_b"),
    row("staff:person_list",                302, 403, 403, 403, 200, 200, 200),
    row("staff:person_detail",              302, 403, 403, 403, 200, 200, 200, kwargs="person_a1"),
    row("staff:person_detail",              302, 403, 403, 403, 404, 404, 200, kwargs="person_b"),
    row("staff:person_link_business",       302, 403, 403, 403, 403, 200, 200, kwargs="person_a1"),
    row("staff:person_link_business",       302, 403, 403, 403, 403, 404, 200, kwargs="person_b"),
    row("staff:person_unlink",              302, 403, 403, 403, 403, 400, 400, kwargs="person_a1", method="post"),
    row("staff:person_unlink",              302, 403, 403, 403, 403, 302, 302, kwargs="person_a1", method="post", body="unlink_a1"),
    row("staff:person_unlink",              302, 403, 403, 403, 403, 404, 400, kwargs="person_b", method="post"),
    row("staff:organisation_list",          302, 403, 403, 200, 200, 200, 200),
    row("staff:organisation_create",        302, 403, 403, 403, 403, 403, 200),
    row("staff:organisation_detail",        302, 403, 403, 200, 200, 200, 200, kwargs="organisation_a"),
    row("staff:organisation_detail",        302, 403, 403, 404, 404, 404, 200, kwargs="organisation_b"),
    row("staff:organisation_edit",          302, 403, 403, 403, 403, 403, 200, kwargs="organisation_a"),
    # Entrepreneur portal: entrepreneurs and ambassadors, their own businesses only.
    row("portal:dashboard",                 302, 200, 200, 403, 403, 403, 403),
    row("portal:profile",                   302, 200, 200, 403, 403, 403, 403),
    row("portal:consents",                  302, 200, 200, 403, 403, 403, 403),
    row("portal:business_edit",             302, 200, 404, 403, 403, 403, 403, kwargs="business_a1"),
    row("portal:business_edit",             302, 404, 404, 403, 403, 403, 403, kwargs="business_b"),
    row("portal:ambassador_area",           302, 403, 200, 403, 403, 403, 403),
    # CSV import: municipal staff and platform administrators, within their scope.
    row("staff_import:upload", 302, 403, 403, 403, 403, 200, 200),
    row("staff_import:sample", 302, 403, 403, 403, 403, 200, 200),
    row("staff_import:kvk_lookup", 302, 403, 403, 403, 403, 200, 200, query="kvk=90412345"),
    row("staff_import:preview", 302, 403, 403, 403, 403, 200, 200, kwargs="import_a"),
    row("staff_import:preview", 302, 403, 403, 403, 403, 404, 200, kwargs="import_b"),
    row(
        "staff_import:discard", 302, 403, 403, 403, 403, 302, 302, kwargs="import_a", method="post"
    ),
    row(
        "staff_import:discard", 302, 403, 403, 403, 403, 404, 302, kwargs="import_b", method="post"
    ),
    row(
        "staff_import:confirm", 302, 403, 403, 403, 403, 400, 400, kwargs="import_a", method="post"
    ),
    # API: staff roles per action; anonymous gets a problem+json 403 (session authentication).
    row("api:municipality-list", 403, 403, 403, 200, 200, 200, 200),
    row("api:municipality-detail", 403, 403, 403, 200, 200, 200, 200, kwargs="municipality_a"),
    row("api:municipality-detail", 403, 403, 403, 404, 404, 404, 200, kwargs="municipality_b"),
    row("api:area-list", 403, 403, 403, 200, 200, 200, 200),
    row("api:area-detail", 403, 403, 403, 200, 200, 200, 200, kwargs="area_a1"),
    row("api:area-detail", 403, 403, 403, 200, 404, 200, 200, kwargs="area_a2"),
    row("api:area-detail", 403, 403, 403, 404, 404, 404, 200, kwargs="area_b"),
    row("api:business-list", 403, 403, 403, 403, 200, 200, 200),
    row("api:business-detail", 403, 403, 403, 403, 200, 200, 200, kwargs="business_a1"),
    row("api:business-detail", 403, 403, 403, 403, 404, 200, 200, kwargs="business_a2"),
    row("api:business-detail", 403, 403, 403, 403, 404, 404, 200, kwargs="business_b"),
    # API writes go through the registry services: same roles and scopes as the back office.
    row("api:municipality-list",   403, 403, 403, 403, 403, 403, 201, method="post", body="new_municipality"),
    row("api:municipality-detail", 403, 403, 403, 403, 403, 403, 200, kwargs="municipality_a", method="patch", body="rename"),
    row("api:area-list",           403, 403, 403, 403, 403, 201, 201, method="post", body="new_area_a"),
    row("api:area-list",           403, 403, 403, 403, 403, 400, 201, method="post", body="new_area_b"),
    row("api:area-detail",         403, 403, 403, 403, 403, 200, 200, kwargs="area_a1", method="patch", body="rename"),
    row("api:area-detail",         403, 403, 403, 403, 403, 404, 200, kwargs="area_b", method="patch", body="rename"),
    row("api:business-list",       403, 403, 403, 403, 403, 201, 201, method="post", body="new_business_a"),
    row("api:business-list",       403, 403, 403, 403, 403, 400, 201, method="post", body="new_business_b"),
    row("api:business-detail",     403, 403, 403, 403, 403, 200, 200, kwargs="business_a1", method="patch", body="rename"),
    row("api:business-detail",     403, 403, 403, 403, 403, 404, 200, kwargs="business_b", method="patch", body="rename"),
    row("api:business-detail",     403, 403, 403, 403, 403, 200, 200, kwargs="business_a1", method="put", body="new_business_a"),
    # Reports back office: police and municipal staff within scope; confidential reports only
    # for designated people (nobody in this world), so even the administrator gets 404.
    row("reports_staff:queue",              302, 403, 403, 403, 200, 200, 200),
    row("reports_staff:new",                302, 403, 403, 403, 200, 200, 200),
    row("reports_staff:detail",             302, 403, 403, 403, 200, 200, 200, kwargs="report_a1"),
    row("reports_staff:detail",             302, 403, 403, 403, 404, 200, 200, kwargs="report_a2"),
    row("reports_staff:detail",             302, 403, 403, 403, 404, 404, 200, kwargs="report_b"),
    row("reports_staff:detail",             302, 403, 403, 403, 404, 404, 404, kwargs="report_confidential"),
    row("reports_staff:transition",         302, 403, 403, 403, 302, 302, 302, kwargs="report_a1", method="post", body="to_triage"),
    row("reports_staff:transition",         302, 403, 403, 403, 404, 404, 302, kwargs="report_b", method="post", body="to_triage"),
    row("reports_staff:transition",         302, 403, 403, 403, 404, 404, 404, kwargs="report_confidential", method="post", body="to_triage"),
    row("reports_staff:message",            302, 403, 403, 403, 302, 302, 302, kwargs="report_a1", method="post", body="message"),
    row("reports_staff:message",            302, 403, 403, 403, 404, 404, 302, kwargs="report_b", method="post", body="message"),
    row("reports_staff:note",               302, 403, 403, 403, 302, 302, 302, kwargs="report_a1", method="post", body="note"),
    row("reports_staff:note",               302, 403, 403, 403, 404, 404, 404, kwargs="report_confidential", method="post", body="note"),
    row("reports_staff:assign",             302, 403, 403, 403, 302, 302, 302, kwargs="report_a1", method="post", body="unassign"),
    row("reports_staff:assign",             302, 403, 403, 403, 404, 404, 302, kwargs="report_b", method="post", body="unassign"),
    row("reports_staff:forward",            302, 403, 403, 403, 400, 400, 400, kwargs="report_a1", method="post"),
    row("reports_staff:forward",            302, 403, 403, 403, 404, 404, 400, kwargs="report_b", method="post"),
    row("reports_staff:attachment",         302, 403, 403, 403, 200, 200, 200, kwargs="attachment_a1"),
    row("reports_staff:attachment",         302, 403, 403, 403, 404, 404, 200, kwargs="attachment_b"),
    # Report configuration: routing rules and settings for administrators and for municipal
    # staff of their own municipality; rules for every municipality and the category tree
    # for administrators only.
    row("reports_staff:rule_list",          302, 403, 403, 403, 403, 200, 200),
    row("reports_staff:rule_test",          302, 403, 403, 403, 403, 200, 200),
    row("reports_staff:rule_create",        302, 403, 403, 403, 403, 200, 200),
    row("reports_staff:rule_create",        302, 403, 403, 403, 403, 302, 302, method="post", body="new_rule_a"),
    row("reports_staff:rule_create",        302, 403, 403, 403, 403, 400, 302, method="post", body="new_rule_everywhere"),
    row("reports_staff:rule_edit",          302, 403, 403, 403, 403, 200, 200, kwargs="rule_a"),
    row("reports_staff:rule_edit",          302, 403, 403, 403, 403, 404, 200, kwargs="rule_b"),
    row("reports_staff:rule_edit",          302, 403, 403, 403, 403, 404, 200, kwargs="rule_everywhere"),
    row("reports_staff:rule_edit",          302, 403, 403, 403, 403, 302, 302, kwargs="rule_a", method="post", body="new_rule_a"),
    row("reports_staff:rule_edit",          302, 403, 403, 403, 403, 404, 302, kwargs="rule_b", method="post", body="new_rule_b"),
    row("reports_staff:rule_delete",        302, 403, 403, 403, 403, 200, 200, kwargs="rule_a"),
    row("reports_staff:rule_delete",        302, 403, 403, 403, 403, 404, 200, kwargs="rule_everywhere"),
    row("reports_staff:rule_delete",        302, 403, 403, 403, 403, 302, 302, kwargs="rule_a", method="post"),
    row("reports_staff:rule_delete",        302, 403, 403, 403, 403, 404, 302, kwargs="rule_b", method="post"),
    row("reports_staff:rule_delete",        302, 403, 403, 403, 403, 404, 302, kwargs="rule_everywhere", method="post"),
    row("reports_staff:rule_reorder",       302, 403, 403, 403, 403, 400, 400, method="post"),
    row("reports_staff:rule_reorder",       302, 403, 403, 403, 403, 302, 302, method="post", body="reorder_a"),
    row("reports_staff:rule_reorder",       302, 403, 403, 403, 403, 404, 302, method="post", body="reorder_b"),
    row("reports_staff:rule_reorder",       302, 403, 403, 403, 403, 404, 302, method="post", body="reorder_everywhere"),
    row("reports_staff:category_list",      302, 403, 403, 403, 403, 403, 200),
    row("reports_staff:category_create",    302, 403, 403, 403, 403, 403, 200),
    row("reports_staff:category_edit",      302, 403, 403, 403, 403, 403, 200, kwargs="category"),
    row("reports_staff:category_edit",      302, 403, 403, 403, 403, 403, 302, kwargs="category", method="post", body="category"),
    row("reports_staff:settings_list",      302, 403, 403, 403, 403, 200, 200),
    row("reports_staff:settings_edit",      302, 403, 403, 403, 403, 200, 200, kwargs="municipality_pk_a"),
    row("reports_staff:settings_edit",      302, 403, 403, 403, 403, 404, 200, kwargs="municipality_pk_b"),
    row("reports_staff:settings_edit",      302, 403, 403, 403, 403, 302, 302, kwargs="municipality_pk_a", method="post", body="settings"),
    row("reports_staff:settings_edit",      302, 403, 403, 403, 403, 404, 302, kwargs="municipality_pk_b", method="post", body="settings"),
    # Alerts back office: staff in scope; the alert's scope is its municipality or a target area.
    row("alerts_staff:list",                302, 403, 403, 403, 200, 200, 200),
    row("alerts_staff:create",              302, 403, 403, 403, 200, 200, 200),
    row("alerts_staff:create",              302, 403, 403, 403, 302, 302, 302, method="post", body="alert_a1"),
    row("alerts_staff:create",              302, 403, 403, 403, 400, 400, 302, method="post", body="alert_b"),
    row("alerts_staff:settings",            302, 403, 403, 403, 403, 200, 200),
    row("alerts_staff:settings",            302, 403, 403, 403, 403, 302, 302, method="post", body="four_eyes_a"),
    row("alerts_staff:settings",            302, 403, 403, 403, 403, 404, 302, method="post", body="four_eyes_b"),
    row("alerts_staff:detail",              302, 403, 403, 403, 200, 200, 200, kwargs="alert_draft_a"),
    row("alerts_staff:detail",              302, 403, 403, 403, 404, 404, 200, kwargs="alert_draft_b"),
    row("alerts_staff:edit",                302, 403, 403, 403, 200, 200, 200, kwargs="alert_draft_a"),
    row("alerts_staff:edit",                302, 403, 403, 403, 404, 404, 200, kwargs="alert_draft_b"),
    row("alerts_staff:send",                302, 403, 403, 403, 302, 302, 302, kwargs="alert_draft_a", method="post"),
    row("alerts_staff:send",                302, 403, 403, 403, 404, 404, 400, kwargs="alert_draft_b", method="post"),
    row("alerts_staff:approve",             302, 403, 403, 403, 302, 302, 302, kwargs="alert_waiting_a", method="post"),
    row("alerts_staff:send_back",           302, 403, 403, 403, 302, 302, 302, kwargs="alert_waiting_a", method="post", body="send_back"),
    row("alerts_staff:withdraw",            302, 403, 403, 403, 302, 302, 302, kwargs="alert_published_a", method="post"),
    row("alerts_staff:withdraw",            302, 403, 403, 403, 404, 404, 400, kwargs="alert_draft_b", method="post"),
    row("alerts_staff:update",              302, 403, 403, 403, 302, 302, 302, kwargs="alert_published_a", method="post", body="alert_update"),
    row("alerts_staff:update",              302, 403, 403, 403, 404, 404, 400, kwargs="alert_draft_b", method="post", body="alert_update"),
    row("alerts_staff:retry",               302, 403, 403, 403, 302, 302, 302, kwargs="alert_published_a", method="post"),
    # Newsletters: municipal staff and administrators, in the scope of the segment's municipality.
    row("newsletters_staff:list",            302, 403, 403, 403, 403, 200, 200),
    row("newsletters_staff:create",          302, 403, 403, 403, 403, 200, 200),
    row("newsletters_staff:create",          302, 403, 403, 403, 403, 302, 302, method="post", body="newsletter_a"),
    row("newsletters_staff:create",          302, 403, 403, 403, 403, 400, 302, method="post", body="newsletter_b"),
    row("newsletters_staff:segments",        302, 403, 403, 403, 403, 200, 200),
    row("newsletters_staff:segment_create",  302, 403, 403, 403, 403, 200, 200),
    row("newsletters_staff:segment_create",  302, 403, 403, 403, 403, 302, 302, method="post", body="segment_a"),
    row("newsletters_staff:segment_create",  302, 403, 403, 403, 403, 400, 302, method="post", body="segment_b"),
    row("newsletters_staff:segment_edit",    302, 403, 403, 403, 403, 200, 200, kwargs="segment_a"),
    row("newsletters_staff:segment_edit",    302, 403, 403, 403, 403, 404, 200, kwargs="segment_b"),
    row("newsletters_staff:segment_edit",    302, 403, 403, 403, 403, 302, 302, kwargs="segment_a", method="post", body="segment_a"),
    row("newsletters_staff:segment_delete",  302, 403, 403, 403, 403, 302, 302, kwargs="segment_unused_a", method="post"),
    row("newsletters_staff:segment_delete",  302, 403, 403, 403, 403, 404, 400, kwargs="segment_b", method="post"),
    row("newsletters_staff:detail",          302, 403, 403, 403, 403, 200, 200, kwargs="newsletter_draft_a"),
    row("newsletters_staff:detail",          302, 403, 403, 403, 403, 404, 200, kwargs="newsletter_draft_b"),
    row("newsletters_staff:edit",            302, 403, 403, 403, 403, 200, 200, kwargs="newsletter_draft_a"),
    row("newsletters_staff:edit",            302, 403, 403, 403, 403, 404, 200, kwargs="newsletter_draft_b"),
    row("newsletters_staff:preview",         302, 403, 403, 403, 403, 200, 200, kwargs="newsletter_draft_a"),
    row("newsletters_staff:preview",         302, 403, 403, 403, 403, 404, 200, kwargs="newsletter_draft_b"),
    row("newsletters_staff:block_add",       302, 403, 403, 403, 403, 200, 200, kwargs="newsletter_text_a"),
    row("newsletters_staff:block_add",       302, 403, 403, 403, 403, 404, 200, kwargs="newsletter_text_b"),
    row("newsletters_staff:block_add",       302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_text_a", method="post", body="text_block"),
    row("newsletters_staff:block_edit",      302, 403, 403, 403, 403, 200, 200, kwargs="newsletter_block_a"),
    row("newsletters_staff:block_edit",      302, 403, 403, 403, 403, 404, 200, kwargs="newsletter_block_b"),
    row("newsletters_staff:block_remove",    302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_block_a", method="post"),
    row("newsletters_staff:block_remove",    302, 403, 403, 403, 403, 404, 302, kwargs="newsletter_block_b", method="post"),
    row("newsletters_staff:block_up",        302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_block_a", method="post"),
    row("newsletters_staff:block_down",      302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_block_a", method="post"),
    row("newsletters_staff:test",            302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_draft_a", method="post", body="test_send"),
    row("newsletters_staff:test",            302, 403, 403, 403, 403, 404, 302, kwargs="newsletter_draft_b", method="post", body="test_send"),
    row("newsletters_staff:schedule",        302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_draft_a", method="post", body="schedule"),
    row("newsletters_staff:schedule",        302, 403, 403, 403, 403, 404, 400, kwargs="newsletter_draft_b", method="post", body="schedule"),
    row("newsletters_staff:unschedule",      302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_scheduled_a", method="post"),
    row("newsletters_staff:unschedule",      302, 403, 403, 403, 403, 404, 400, kwargs="newsletter_draft_b", method="post"),
    row("newsletters_staff:send",            302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_draft_a", method="post"),
    row("newsletters_staff:send",            302, 403, 403, 403, 403, 404, 400, kwargs="newsletter_draft_b", method="post"),
    row("newsletters_staff:retry",           302, 403, 403, 403, 403, 302, 302, kwargs="newsletter_draft_a", method="post"),
    # The web version: public once sent, for anyone with the link; nothing before.
    row("newsletters_public:web_version",    200, 200, 200, 200, 200, 200, 200, kwargs="newsletter_sent_a"),
    row("newsletters_public:web_version",    404, 404, 404, 404, 404, 404, 404, kwargs="newsletter_public_draft_a"),
    # Alerts in the portal: own messages only; the alert page for those it reached.
    row("alerts_portal:inbox",              302, 200, 200, 403, 403, 403, 403),
    row("alerts_portal:message",            302, 200, 404, 403, 403, 403, 403, kwargs="inbox_own"),
    row("alerts_portal:detail",             302, 200, 404, 403, 403, 403, 403, kwargs="alert_published_a"),
    row("alerts_portal:preferences",        302, 200, 200, 403, 403, 403, 403),
    row("alerts_portal:ambassador_new",     302, 403, 200, 403, 403, 403, 403),
    # Reporter's portal pages: only the reporter's own reports.
    row("reports_portal:list",              302, 200, 200, 403, 403, 403, 403),
    row("reports_portal:new",               302, 200, 200, 403, 403, 403, 403),
    row("reports_portal:detail",            302, 200, 404, 403, 403, 403, 403, kwargs="report_own"),
    row("reports_portal:detail",            302, 404, 404, 403, 403, 403, 403, kwargs="report_a1"),
    # Reports API: submitting and following are public; the rest as the back office.
    row("reports_api:report-list",          403, 403, 403, 403, 200, 200, 200),
    row("reports_api:report-list",          201, 201, 201, 201, 201, 201, 201, method="post", body="new_report"),
    row("reports_api:follow",               200, 200, 200, 200, 200, 200, 200, method="post", body="receipt"),
    row("reports_api:follow-message",       200, 200, 200, 200, 200, 200, 200, method="post", body="receipt_message"),
    row("reports_api:follow-verdict",       400, 400, 400, 400, 400, 400, 400, method="post", body="receipt_verdict"),
    row("reports_api:follow-reopen",        400, 400, 400, 400, 400, 400, 400, method="post", body="receipt_reopen"),
    row("reports_api:report-detail",        403, 403, 403, 403, 200, 200, 200, kwargs="report_a1"),
    row("reports_api:report-detail",        403, 403, 403, 403, 404, 200, 200, kwargs="report_a2"),
    row("reports_api:report-detail",        403, 403, 403, 403, 404, 404, 200, kwargs="report_b"),
    row("reports_api:report-detail",        403, 403, 403, 403, 404, 404, 404, kwargs="report_confidential"),
    row("reports_api:report-status",        403, 403, 403, 403, 200, 200, 200, kwargs="report_a1", method="post", body="api_to_triage"),
    row("reports_api:report-status",        403, 403, 403, 403, 404, 404, 200, kwargs="report_b", method="post", body="api_to_triage"),
    row("reports_api:report-message",       403, 403, 403, 403, 200, 200, 200, kwargs="report_a1", method="post", body="api_message"),
    row("reports_api:report-message",       403, 403, 403, 403, 404, 404, 404, kwargs="report_confidential", method="post", body="api_message"),
    row("reports_api:report-note",          403, 403, 403, 403, 200, 200, 200, kwargs="report_a1", method="post", body="note"),
    row("reports_api:report-note",          403, 403, 403, 403, 404, 404, 200, kwargs="report_b", method="post", body="note"),
    row("reports_api:report-assign",        403, 403, 403, 403, 200, 200, 200, kwargs="report_a1", method="post", body="api_unassign"),
    row("reports_api:report-assign",        403, 403, 403, 403, 404, 404, 404, kwargs="report_confidential", method="post", body="api_unassign"),
    row("reports_api:report-forward",       403, 403, 403, 403, 400, 400, 400, kwargs="report_a1", method="post", body="note"),
    row("reports_api:report-forward",       403, 403, 403, 403, 404, 404, 400, kwargs="report_b", method="post", body="note"),
]
# fmt: on

# Pages that are not staff pages although they live in a checked namespace.
NOT_IN_MATRIX: set[str] = set()


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    breda = MunicipalityFactory(name="Breda", slug="breda")
    delft = MunicipalityFactory(name="Delft", slug="delft")
    area_a1 = AreaFactory(municipality=breda, name="Binnenstad", slug="binnenstad")
    area_a2 = AreaFactory(municipality=breda, name="Hazeldonk", slug="hazeldonk")
    area_b = AreaFactory(municipality=delft, name="Centrum", slug="centrum")
    business_a1 = BusinessFactory(area=area_a1)
    business_a2 = BusinessFactory(area=area_a2)
    business_b = BusinessFactory(area=area_b)
    entrepreneur = BusinessPersonFactory(business=business_a1).person
    ambassador = AmbassadorFactory(area=area_a1).person
    BusinessPersonFactory(person=ambassador, business=BusinessFactory(area=area_a1))
    police_org = OrganisationFactory(name="Politie", kind=OrganisationKind.POLICE)
    contact_a1 = AreaContactFactory(area=area_a1, organisation=police_org)
    contact_b = AreaContactFactory(area=area_b)
    users = {
        "anonymous": None,
        "entrepreneur": entrepreneur,
        "ambassador": ambassador,
        "partner": MembershipFactory(role=Role.PARTNER_EXPERT, municipalities=[breda]).user,
        "police": MembershipFactory(
            role=Role.POLICE, organisation=police_org, areas=[area_a1]
        ).user,
        "staff": MembershipFactory(role=Role.MUNICIPAL_STAFF, municipalities=[breda]).user,
        "admin": MembershipFactory(role=Role.PLATFORM_ADMIN).user,
    }
    import_a = BusinessImport.objects.create(municipality=breda, file_name="a.csv", rows=[])
    import_b = BusinessImport.objects.create(municipality=delft, file_name="b.csv", rows=[])
    person_a1 = entrepreneur
    person_b = BusinessPersonFactory(business=business_b).person
    org_b = OrganisationFactory(name="Gemeente Delft", kind=OrganisationKind.MUNICIPALITY)
    org_b.municipality = delft
    org_b.save()
    reports = _reports_world(breda, delft, area_a1, area_a2, area_b, entrepreneur)
    alerts = _alerts_world(breda, delft, area_a1, area_b, entrepreneur, users)
    newsletters = _newsletters_world(breda, delft, area_a1, area_b, entrepreneur)
    configuration = _configuration_world(breda, delft, area_a1, police_org, org_b)
    return {
        "users": users,
        "kwargs": {
            **reports["kwargs"],
            **configuration["kwargs"],
            **alerts["kwargs"],
            **newsletters["kwargs"],
            "": {},
            "municipality_a": {"slug": breda.slug},
            "municipality_b": {"slug": delft.slug},
            "municipality_pk_a": {"pk": breda.pk},
            "municipality_pk_b": {"pk": delft.pk},
            "area_a1": {"pk": area_a1.pk},
            "area_a2": {"pk": area_a2.pk},
            "area_b": {"pk": area_b.pk},
            "business_a1": {"pk": business_a1.pk},
            "business_a2": {"pk": business_a2.pk},
            "business_b": {"pk": business_b.pk},
            "person_a1": {"pk": person_a1.pk},
            "person_b": {"pk": person_b.pk},
            "contact_a1": {"pk": contact_a1.pk},
            "ambassador_a1": {"pk": AmbassadorFactory(area=area_a1).pk},
            "ambassador_b": {"pk": AmbassadorFactory(area=area_b).pk},
            "contact_b": {"pk": contact_b.pk},
            "organisation_a": {"pk": police_org.pk},
            "organisation_b": {"pk": org_b.pk},
            "import_a": {"pk": import_a.pk},
            "import_b": {"pk": import_b.pk},
        },
        "bodies": {
            **reports["bodies"],
            **configuration["bodies"],
            **alerts["bodies"],
            **newsletters["bodies"],
            "unlink_a1": {"business": business_a1.pk},
            "rename": {"name": "Nieuwe naam"},
            "new_municipality": {"name": "Tilburg"},
            "new_area_a": {"name": "Ginneken", "kind": "district", "municipality": breda.slug},
            "new_area_b": {"name": "Hof", "kind": "district", "municipality": delft.slug},
            "new_business_a": _new_business(breda.slug, area_a1.pk),
            "new_business_b": _new_business(delft.slug, area_b.pk),
        },
        "other_user": UserFactory(),
    }


def _reports_world(
    breda: Any, delft: Any, area_a1: Any, area_a2: Any, area_b: Any, entrepreneur: Any
) -> dict[str, Any]:
    """Reports in and out of every caller's scope, a confidential one, an attachment each."""

    def report(municipality: Any, area: Any, code: str = "shoplifting", **extra: Any) -> Any:
        return ReportFactory(municipality=municipality, area=area, category=category(code), **extra)

    report_a1 = report(breda, area_a1)
    report_b = report(delft, area_b)
    attachments = {
        name: ReportAttachment.objects.create(
            report=owner,
            file=ContentFile(b"%PDF-1.4 test", name="bewijs.pdf"),
            file_name="bewijs.pdf",
            content_type="application/pdf",
            size=13,
            sha256="0" * 64,
        )
        for name, owner in (("attachment_a1", report_a1), ("attachment_b", report_b))
    }
    anonymous = submit_report(
        actor_for(AnonymousUser()),
        ReportIntake(
            municipality=breda,
            category=category("graffiti"),
            description="Nieuwe graffiti op de gevel van de bibliotheek.",
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            channel=ReportChannel.API,
            location_text="Molenstraat 2",
            is_anonymous=True,
        ),
    )
    code = anonymous.receipt_code
    references = {
        "report_a1": report_a1,
        "report_a2": report(breda, area_a2),
        "report_b": report_b,
        "report_confidential": report(breda, area_a1, "cannabis_farm"),
        "report_own": report(breda, area_a1, reporter=entrepreneur, reporter_email=""),
    }
    return {
        "kwargs": {
            **{name: {"reference": r.reference} for name, r in references.items()},
            **{
                name: {"reference": a.report.reference, "pk": a.pk}
                for name, a in attachments.items()
            },
        },
        "bodies": {
            "to_triage": {"target": "triage", "status": "triage", "version": 1},
            "message": {"text": "Dank voor uw melding.", "version": 1},
            "note": {"text": "Bekend adres."},
            "unassign": {"assignee": "", "version": 1},
            "api_to_triage": {"status": "triage", "version": 1},
            "api_message": {"text": "Dank voor uw melding.", "version": 1},
            "api_unassign": {"assignee": None, "version": 1},
            "new_report": {
                "municipality": breda.slug,
                "category": "graffiti",
                "description": "Tags op de rolluiken van de winkels.",
                "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
                "location_text": "Grote Markt 5",
                "anonymous": True,
            },
            "receipt": {"receipt_code": code},
            "receipt_message": {"receipt_code": code, "text": "Het is weer gebeurd."},
            "receipt_verdict": {"receipt_code": code, "satisfied": True},
            "receipt_reopen": {"receipt_code": code, "reason": "Opnieuw."},
        },
    }


def _alerts_world(
    breda: Any, delft: Any, area_a1: Any, area_b: Any, entrepreneur: Any, users: dict[str, Any]
) -> dict[str, Any]:
    """Alerts in Breda (area A1) and Delft: drafts, one awaiting approval, one published that
    reached the entrepreneur (inbox and email)."""
    from weerbaar.alerts.models import Alert, AlertStatus
    from weerbaar.alerts.services import alerts as alert_services
    from weerbaar.core.models import Delivery
    from weerbaar.network.models import Consent, ConsentPurpose

    for purpose in (ConsentPurpose.NETWORK_MEMBERSHIP, ConsentPurpose.ALERTS):
        Consent.objects.create(person=entrepreneur, purpose=purpose)
    expires = timezone.now() + datetime.timedelta(days=2)

    def alert(area: Any, author: Any, status: str = AlertStatus.DRAFT) -> Any:
        created = Alert.objects.create(
            municipality=area.municipality,
            title="Inbraken",
            message="Drie inbraken vannacht.",
            category="burglary",
            expires_at=expires,
            created_by=author,
            status=status,
        )
        created.target_areas.set([area])
        return created

    published = alert(area_a1, users["staff"], AlertStatus.PUBLISHED)
    alert_services.fan_out(published.pk)
    draft_body = {
        "title": "Vals geld",
        "severity": "warning",
        "category": "counterfeit_money",
        "message": "Valse biljetten van 10 euro.",
        "expires_at": timezone.localtime(expires).strftime("%Y-%m-%dT%H:%M"),
        "sectors": "",
    }
    return {
        "kwargs": {
            "alert_draft_a": {"pk": alert(area_a1, users["staff"]).pk},
            "alert_draft_b": {"pk": alert(area_b, users["admin"]).pk},
            "alert_waiting_a": {
                "pk": alert(area_a1, users["ambassador"], AlertStatus.AWAITING_APPROVAL).pk
            },
            "alert_published_a": {"pk": published.pk},
            "inbox_own": {"pk": Delivery.objects.get(recipient=entrepreneur, channel="inbox").pk},
        },
        "bodies": {
            "alert_a1": draft_body | {"areas": [area_a1.pk]},
            "alert_b": draft_body | {"areas": [area_b.pk]},
            "four_eyes_a": {"municipality": breda.pk, "requires_approval": "1"},
            "four_eyes_b": {"municipality": delft.pk, "requires_approval": "1"},
            "send_back": {"reason": "Noem geen namen."},
            "alert_update": {"kind": "all_clear", "text": "Alles is weer veilig."},
        },
    }


def _newsletters_world(
    breda: Any, delft: Any, area_a1: Any, area_b: Any, entrepreneur: Any
) -> dict[str, Any]:
    """Segments and newsletters of Breda (area A1, which reaches the entrepreneur) and Delft
    (nobody asked for newsletters there): drafts with a block, one scheduled, one sent."""
    from weerbaar.network.models import Consent, ConsentPurpose
    from weerbaar.newsletters.models import Newsletter, NewsletterBlock, NewsletterStatus, Segment

    Consent.objects.create(person=entrepreneur, purpose=ConsentPurpose.NEWSLETTER)

    def segment(area: Any, name: str) -> Any:
        created = Segment.objects.create(name=name, municipality=area.municipality)
        created.areas.set([area])
        return created

    segment_a, segment_b = segment(area_a1, "Binnenstad"), segment(area_b, "Centrum")

    def newsletter(segment: Any, status: str = NewsletterStatus.DRAFT, **fields: Any) -> Any:
        created = Newsletter.objects.create(
            title="Nieuwsbrief",
            segment=segment,
            municipality=segment.municipality,
            status=status,
            **fields,
        )
        NewsletterBlock.objects.create(
            newsletter=created,
            kind="text",
            position=1,
            data={"heading": "", "paragraphs": ["Hallo."]},
        )
        return created

    draft_a, draft_b = newsletter(segment_a), newsletter(segment_b)
    block_a, block_b = draft_a.blocks.get(), draft_b.blocks.get()
    scheduled_a = newsletter(
        segment_a,
        NewsletterStatus.SCHEDULED,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
    )
    sent_a = newsletter(segment_a, NewsletterStatus.SENT, sent_at=timezone.now())
    later = timezone.localtime() + datetime.timedelta(days=1)
    return {
        "kwargs": {
            "segment_a": {"pk": segment_a.pk},
            "segment_b": {"pk": segment_b.pk},
            "segment_unused_a": {"pk": segment(area_a1, "Ongebruikt").pk},
            "newsletter_draft_a": {"pk": draft_a.pk},
            "newsletter_draft_b": {"pk": draft_b.pk},
            "newsletter_scheduled_a": {"pk": scheduled_a.pk},
            "newsletter_text_a": {"pk": draft_a.pk, "kind": "text"},
            "newsletter_text_b": {"pk": draft_b.pk, "kind": "text"},
            "newsletter_block_a": {"pk": draft_a.pk, "block_pk": block_a.pk},
            "newsletter_block_b": {"pk": draft_b.pk, "block_pk": block_b.pk},
            "newsletter_sent_a": {"public_id": sent_a.public_id},
            "newsletter_public_draft_a": {"public_id": draft_a.public_id},
        },
        "bodies": {
            "newsletter_a": {"title": "December", "intro": "", "segment": segment_a.pk},
            "newsletter_b": {"title": "December", "intro": "", "segment": segment_b.pk},
            "segment_a": {"name": "Binnenstad A", "areas": [area_a1.pk], "sectors": ""},
            "segment_b": {"name": "Centrum B", "areas": [area_b.pk], "sectors": ""},
            "text_block": {"block-heading": "Kop", "block-body": "Tekst."},
            "test_send": {"addresses": "test@example.nl"},
            "schedule": {"scheduled_for": later.strftime("%Y-%m-%dT%H:%M")},
        },
    }


def _configuration_world(
    breda: Any, delft: Any, area_a1: Any, police_org: Any, org_b: Any
) -> dict[str, Any]:
    """Routing rules in Breda, in Delft and for every municipality; form bodies for them."""
    rule_a = RoutingRuleFactory(priority=100, municipality=breda, organisation=police_org)
    rule_b = RoutingRuleFactory(priority=100, municipality=delft, organisation=org_b)
    everywhere = RoutingRuleFactory(
        priority=10, category=category("undermining"), organisation=police_org
    )
    shoplifting = category("shoplifting")
    rule_body = {"priority": 50, "category": "shoplifting", "team": "OOV", "is_active": "on"}
    return {
        "kwargs": {
            "rule_a": {"pk": rule_a.pk},
            "rule_b": {"pk": rule_b.pk},
            "rule_everywhere": {"pk": everywhere.pk},
            "category": {"pk": shoplifting.pk},
        },
        "bodies": {
            "new_rule_a": rule_body
            | {"municipality": breda.pk, "area": area_a1.pk, "organisation": police_org.pk},
            "new_rule_b": rule_body | {"municipality": delft.pk, "organisation": org_b.pk},
            "new_rule_everywhere": rule_body | {"organisation": police_org.pk},
            "reorder_a": {f"priority_{rule_a.pk}": 5},
            "reorder_b": {f"priority_{rule_b.pk}": 5},
            "reorder_everywhere": {f"priority_{everywhere.pk}": 5},
            "category": {
                "name": shoplifting.name,
                "name_en": shoplifting.name_en,
                "first_response_days": 2,
                "feedback_days": 10,
                "sort_order": 0,
                "is_active": "on",
            },
            "settings": {
                "retention_days": 365,
                "retention_mode": "anonymise",
                "reopen_window_days": 30,
                "close_resolved_after_days": 14,
                "closed_days": "2026-12-24",
            },
        },
    }


def _new_business(municipality_slug: str, area_pk: int) -> dict[str, Any]:
    return {
        "name": "Fietsenmaker Spaak",
        "kvk_number": "87654321",
        "establishment_number": "000087654321",
        "street": "Ginnekenweg",
        "house_number": "10",
        "postal_code": "4818 JB",
        "city": "Breda",
        "municipality": municipality_slug,
        "area": area_pk,
    }


def _client_for(role: str, world: dict[str, Any]) -> Client:
    client = Client()
    user = world["users"][role]
    if user is not None:
        login_verified(client, user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entry", TABLE, ids=lambda r: f"{r.method}:{r.name}:{r.kwargs}")
def test_matrix(entry: Row, role: str, world: dict[str, Any]) -> None:
    client = _client_for(role, world)
    url = reverse(entry.name, kwargs=world["kwargs"][entry.kwargs])
    if entry.query:
        url = f"{url}?{entry.query}"
    send = getattr(client, entry.method)
    body = world["bodies"][entry.body] if entry.body else None
    if body is None:
        response = send(url)
    elif entry.name.split(":")[0] in ("api", "reports_api"):
        response = send(url, body, content_type="application/json")
    else:
        response = send(url, body)
    expected = entry.codes()[role]
    assert response.status_code == expected, (
        f"{role} {entry.method.upper()} {url}: expected {expected}, got {response.status_code}"
    )
    if role == "anonymous" and expected == 302:
        assert reverse("accounts:login") in response["Location"]


CHECKED_NAMESPACES = (
    "staff",
    "staff_import",
    "api",
    "portal",
    "reports_staff",
    "reports_portal",
    "reports_api",
    "alerts_staff",
    "alerts_portal",
    "newsletters_staff",
    "newsletters_public",
)


def _url_names_in(namespace: str) -> set[str]:
    resolver = get_resolver()
    _, sub_resolver = resolver.namespace_dict[namespace]
    return {
        f"{namespace}:{name}"
        for name in sub_resolver.reverse_dict
        if isinstance(name, str) and not name.endswith("-root")
    }


def test_every_staff_page_and_endpoint_is_in_the_matrix() -> None:
    in_table = {entry.name for entry in TABLE}
    missing = set()
    for namespace in CHECKED_NAMESPACES:
        missing |= _url_names_in(namespace) - in_table - NOT_IN_MATRIX
    assert not missing, f"add these pages to the permission matrix: {sorted(missing)}"
