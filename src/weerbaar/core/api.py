"""API helpers: errors as application/problem+json (RFC 9457), per the NL API Design Rules."""

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    title = getattr(exc, "default_detail", "") or status.HTTP_400_BAD_REQUEST
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(title),
        "status": response.status_code,
    }
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        body["detail"] = str(data["detail"])
    elif data is not None:
        body["detail"] = str(title)
        body["invalid_params"] = _invalid_params(data)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _invalid_params(data: Any, prefix: str = "") -> list[dict[str, str]]:
    params: list[dict[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            params.extend(_invalid_params(value, name))
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict | list):
                params.extend(_invalid_params(item, prefix))
            else:
                params.append({"name": prefix or "non_field_errors", "reason": str(item)})
    else:
        params.append({"name": prefix or "non_field_errors", "reason": str(data)})
    return params
