"""The site's URLs plus a page with the device toggle, for the browser test (the portal's
preferences page will include the toggle; until then this page stands in for it)."""

from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path

PAGE = Template(
    '{% extends "core/base.html" %}{% block content %}'
    '{% include "webpush/_device_toggle.html" %}{% endblock %}'
)


def toggle_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render(RequestContext(request)))


urlpatterns = [
    path("push-toggle/", toggle_page),
    path("", include("weerbaar.urls")),
]
