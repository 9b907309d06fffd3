"""base64url and P-256 keys as web push uses them: the browser's subscription keys and our
VAPID key pair.

Browsers hand over keys in unpadded base64url (RFC 4648 §5); VAPID keys are kept in the same
form in the environment: the public key as an uncompressed point (65 bytes, 87 characters),
the private key as its raw 32-byte scalar (43 characters).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

UNCOMPRESSED_POINT_BYTES = 65  # 0x04, then x and y of 32 bytes each
PRIVATE_KEY_BYTES = 32

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    """Decode base64url with or without padding; ValueError for anything else (standard
    base64's + and /, spaces, a length no encoder produces)."""
    if not _BASE64URL.match(value):
        raise ValueError("not base64url")
    unpadded = value.rstrip("=")
    if len(unpadded) % 4 == 1:
        raise ValueError("not a base64url length")
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def is_p256_public_key(raw: bytes) -> bool:
    """Is `raw` an uncompressed point on P-256 (what a browser's p256dh key must be)?"""
    if len(raw) != UNCOMPRESSED_POINT_BYTES or raw[0] != 0x04:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class VapidKeyPair:
    public_key: str
    private_key: str


def generate_vapid_key_pair() -> VapidKeyPair:
    private = ec.generate_private_key(ec.SECP256R1())
    return VapidKeyPair(
        public_key=_public_key_text(private.public_key()),
        private_key=b64url_encode(private.private_numbers().private_value.to_bytes(32, "big")),
    )


def vapid_public_key_for(private_key: str) -> str:
    """The public key that belongs to `private_key`; ValueError when it is not a P-256 key."""
    raw = b64url_decode(private_key)
    if len(raw) != PRIVATE_KEY_BYTES:
        raise ValueError(f"a VAPID private key is {PRIVATE_KEY_BYTES} bytes, not {len(raw)}")
    private = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    return _public_key_text(private.public_key())


def _public_key_text(public: ec.EllipticCurvePublicKey) -> str:
    return b64url_encode(
        public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
