"""Record audit entries. Every service write calls `record()` inside its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from weerbaar.core.models import AuditEntry

if TYPE_CHECKING:
    from weerbaar.accounts.models import User


def record(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry. `actor` None means the system (import, task, command)."""
    label = actor.email if actor is not None and actor.pk else "system"
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def changed_fields(instance: models.Model, before: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from `before`, as {field: [old, new]} (JSON-safe)."""
    diff: dict[str, Any] = {}
    for name, old in before.items():
        new = getattr(instance, name)
        if old != new:
            diff[name] = [_json_safe(old), _json_safe(new)]
    return diff


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
