"""Receipt codes: how an anonymous reporter follows a report without revealing who they are.

A code is 16 characters from Crockford's base32 alphabet (no I, L, O or U, so nothing looks
alike), written in four groups: ``K7QF-3MXR-9TWD-HP2C``. That is 80 random bits: guessing one
is hopeless, and guessing is rate-limited besides.

Only a slow hash of the code is stored. The hash must also find the report, so it cannot
use a random salt per row; instead it is scrypt with a secret pepper (`RECEIPT_CODE_PEPPER`,
by default derived from SECRET_KEY). Someone holding a database copy but not the pepper
cannot test codes at all; with the pepper each guess still costs a full scrypt round.
See docs/decisions/0008-receipt-codes.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 4
GROUP_LENGTH = 4
CODE_LENGTH = GROUPS * GROUP_LENGTH
# Crockford decoding: letters people confuse are read as the digit they resemble.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# scrypt cost: 1 MiB of memory and about 2 ms per hash on one core of the benchmark machine.
# The 80 random bits carry the security; the cost is defence in depth (decision 0008).
# Changing it makes every stored hash unfindable: it needs a lookup that also tries the
# old parameters until the old codes have expired.
SCRYPT_N = 2**10
SCRYPT_R = 8
SCRYPT_P = 1


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, CODE_LENGTH, GROUP_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The canonical form of what someone typed, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def _pepper() -> bytes:
    configured: str = getattr(settings, "RECEIPT_CODE_PEPPER", "")
    if configured:
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"weerbaar.reports.receipt-code", hashlib.sha256
    ).digest()


def hash_code(code: str) -> str:
    """The stored form of a (normalised or typed) code."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError("not a receipt code")
    digest = hashlib.scrypt(
        canonical.encode(), salt=_pepper(), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return digest.hex()
