"""Read settings from the environment; every variable documents itself.

`config()` registers each variable with its default and help text, so
`manage.py settings_env` (and docs/configuration.md) can list them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: Any
    help: str


REGISTRY: dict[str, EnvVar] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def to_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def config[T](name: str, default: T, *, help: str, cast: Callable[[str], T] | None = None) -> T:
    """Return environment variable `name` cast to the type of `default`."""
    REGISTRY[name] = EnvVar(name, default, help)
    raw = os.environ.get(name)
    if raw is None:
        return default
    if cast is not None:
        return cast(raw)
    if isinstance(default, bool):
        return to_bool(raw)  # type: ignore[return-value]
    if isinstance(default, int):
        return int(raw)  # type: ignore[return-value]
    if isinstance(default, list):
        return to_list(raw)  # type: ignore[return-value]
    return raw  # type: ignore[return-value]
