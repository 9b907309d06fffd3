"""CM.com Business Messaging (CM Telecom, Breda): the SMS gateway for production.

One JSON POST per message to https://gw.messaging.cm.com/v1.0/message with the product token
in the X-CM-PRODUCTTOKEN header (never in the body, so a logged request holds no secret),
SMS only (`allowedChannels`), encoding detected by CM (`"type": "auto"`: GSM-7 when every
character allows it, else UCS-2) and at most MAX_PARTS concatenated parts.

CM answers 200 when it accepted the message and 400 when it accepted nothing, both with
{"details", "errorCode", "messages": [{"to", "status", "reference", "parts",
"messageDetails", "messageErrorCode"}]}. Acceptance is not delivery: delivery is reported
later through CM's status report webhook (not used here). `interpret_answer()` maps every
answer to a reference or one of the gateway errors; an answer in any other shape is
"garbage" and temporary, never an unhandled exception. Recorded answers are in
tests/sms/responses/.

A read timeout is ambiguous: CM may have accepted the message before the answer was lost,
so retrying it can send it twice. That is the outbox's at-least-once promise; the reference
(the same on every attempt) lets CM's reports show the duplicate.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import requests
from django.core.exceptions import ImproperlyConfigured

from weerbaar.contrib.sms.gateway import (
    SmsGatewayError,
    SmsGatewayUnavailableError,
    SmsRejectedError,
    validate_sender,
)
from weerbaar.contrib.sms.phone import mask_phone
from weerbaar.contrib.sms.text import MAX_PARTS

DEFAULT_URL = "https://gw.messaging.cm.com/v1.0/message"
MAX_ANSWER_BYTES = 64 * 1024  # CM's answer to one message is a few hundred bytes
_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_REFERENCE_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")

# CM's errorCode / messageErrorCode values (JSON gateway), by what they mean for us.
_UNAVAILABLE = {
    101: "authentication failed",
    102: "insufficient balance",
    103: "product token incorrect",
    202: "request malformed",
    203: "message array incorrect",
    301: "sender (from) refused",
}
_REJECTED = {
    302: "recipient (to) invalid",
    303: "phone number invalid",
    304: "message body invalid",
    305: "field invalid",
    401: "spam filtered",
    402: "number blacklisted",
    403: "message rejected",
}
_TEMPORARY = {
    201: "the message for this number is missing from the answer",
    500: "internal server error",
    999: "unknown error",
}


def cm_number(to: str) -> str:
    """E.164 as CM asks for it: 00, country code, number ("+31612345678" → "0031612345678")."""
    if not _E164_RE.match(to):
        raise SmsRejectedError("not a phone number in international format")
    return "00" + to[1:]


class CmSmsGateway:
    def __init__(
        self,
        *,
        product_token: str,
        sender: str,
        timeout: float,
        url: str = DEFAULT_URL,
        session: requests.Session | None = None,
    ) -> None:
        if not product_token.strip():
            raise ImproperlyConfigured("SMS_GATEWAY is 'cm' but SMS_CM_PRODUCT_TOKEN is empty.")
        self.url = url
        self.product_token = product_token.strip()
        self.sender = validate_sender(sender)
        self.timeout = timeout
        self.session = session or requests.Session()

    def payload(self, to: str, text: str, reference: str) -> dict[str, Any]:
        """The request body for one message (without the token, which goes in a header)."""
        if not _REFERENCE_RE.match(reference):
            raise ValueError(f"a CM reference is 1 to 32 letters and digits, not {reference!r}")
        return {
            "messages": {
                "msg": [
                    {
                        "allowedChannels": ["SMS"],
                        "from": self.sender,
                        "to": [{"number": cm_number(to)}],
                        "body": {"type": "auto", "content": text},
                        "reference": reference,
                        "minimumNumberOfMessageParts": 1,
                        "maximumNumberOfMessageParts": MAX_PARTS,
                    }
                ]
            }
        }

    def send(self, to: str, text: str, reference: str) -> str:
        payload = self.payload(to, text, reference)
        try:
            response = self.session.post(
                self.url,
                json=payload,
                headers={
                    "Accept": "application/json",
                    "X-CM-PRODUCTTOKEN": self.product_token,
                },
                timeout=(self.timeout, self.timeout),
                stream=True,
            )
            try:
                body = _read_limited(response)
            finally:
                response.close()
        except requests.ConnectTimeout as error:
            raise SmsGatewayUnavailableError(
                f"CM gateway: no connection within {self.timeout:g}s"
            ) from error
        except requests.ConnectionError as error:
            # str(error) names the host and port only, no token and no number.
            raise SmsGatewayUnavailableError(
                f"CM gateway unreachable: {type(error).__name__}"
            ) from error
        except requests.Timeout as error:
            raise SmsGatewayError(
                f"CM gateway: no answer within {self.timeout:g}s (the message may have been "
                "accepted)"
            ) from error
        except requests.RequestException as error:
            raise SmsGatewayError(f"CM gateway: {type(error).__name__}") from error
        return interpret_answer(response.status_code, body, to=to, reference=reference)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing must not raise; nothing to recover
            self.session.close()


def _read_limited(response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(chunk_size=8192):
        body.extend(chunk)
        if len(body) > MAX_ANSWER_BYTES:
            raise SmsGatewayError(
                f"CM gateway answered HTTP {response.status_code} with more than "
                f"{MAX_ANSWER_BYTES // 1024} KB, not the expected JSON"
            )
    return bytes(body)


def interpret_answer(status: int, body: bytes, *, to: str, reference: str) -> str:
    """What CM's answer (HTTP `status`, `body`) to the message for `to` with `reference`
    means: the reference when CM accepted it, else the matching gateway error."""
    if status in (401, 403):
        raise SmsGatewayUnavailableError(f"CM gateway refused the product token (HTTP {status})")
    if status in (404, 405):
        raise SmsGatewayUnavailableError(f"CM gateway answered HTTP {status}: check SMS_CM_URL")
    if status in (408, 429) or status >= 500:
        raise SmsGatewayError(f"CM gateway answered HTTP {status}; try again later")
    if status not in (200, 400):
        raise SmsGatewayError(f"CM gateway answered an unexpected HTTP {status}")

    data = _json_object(body, status, to)
    error_code = _code(data.get("errorCode"))
    messages = data.get("messages")
    if error_code is None or not isinstance(messages, list):
        raise _garbage(status, body, to)
    entry = _entry_for(messages, cm_number(to), reference)
    if entry is not None:
        state = str(entry.get("status") or "").lower()
        code = _code(entry.get("messageErrorCode"))
        details = _redact(_text(entry.get("messageDetails")), to)
        if status == 200 and state == "accepted" and code in (0, None):
            return _text(entry.get("reference")) or reference
        if state == "rejected" and code:
            raise _error_for(code, details)
        raise _garbage(status, body, to)
    if error_code == 0:
        raise _garbage(status, body, to)
    raise _error_for(error_code, _redact(_text(data.get("details")), to))


def _json_object(body: bytes, status: int, to: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
        raise _garbage(status, body, to) from None
    if not isinstance(data, dict):
        raise _garbage(status, body, to)
    return data


def _entry_for(messages: list[Any], number: str, reference: str) -> dict[str, Any] | None:
    """The answer's entry for our message: the one with our reference or number, or the only
    one (we send one message per request)."""
    entries = [entry for entry in messages if isinstance(entry, dict)]
    for entry in entries:
        if entry.get("reference") == reference or entry.get("to") == number:
            return entry
    return entries[0] if len(entries) == 1 and len(messages) == 1 else None


def _code(value: Any) -> int | None:
    """An error code as CM writes it: a number, sometimes as a string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    return " ".join(value.split())[:200] if isinstance(value, str) else ""


def _redact(text: str, to: str) -> str:
    """Provider text with the recipient's number masked, for logs and the delivery's error."""
    masked = mask_phone(to)
    for form in (cm_number(to), to, to[1:]):
        text = text.replace(form, masked)
    return text


def _error_for(code: int, details: str) -> SmsGatewayError | SmsRejectedError:
    suffix = f": {details}" if details else ""
    if code in _UNAVAILABLE:
        return SmsGatewayUnavailableError(f"CM error {code} ({_UNAVAILABLE[code]}){suffix}")
    if code in _REJECTED:
        return SmsRejectedError(f"CM error {code} ({_REJECTED[code]}){suffix}")
    meaning = _TEMPORARY.get(code, "unknown error code")
    return SmsGatewayError(f"CM error {code} ({meaning}){suffix}")


def _garbage(status: int, body: bytes, to: str) -> SmsGatewayError:
    snippet = _redact(" ".join(body[:80].decode("utf-8", "replace").split()), to)
    return SmsGatewayError(
        f"CM gateway answered HTTP {status} with something that is not the expected JSON: "
        f"{snippet!r}"
    )
