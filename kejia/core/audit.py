"""Writing audit events. Called inside the service's transaction so the event and the change
commit or roll back together."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from kejia.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, JSON-ready (foreign keys as their id)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _plain(getattr(obj, attname))
    return data


def changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, as (old, new)."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def record_event(
    *,
    actor,
    action: str,
    obj: models.Model,
    organization=None,
    old: dict | None = None,
    new: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        organization_id=getattr(organization, "pk", None),
        org_path=getattr(organization, "path", "") or "",
        old={k: _plain(v) for k, v in (old or {}).items()},
        new={k: _plain(v) for k, v in (new or {}).items()},
        ip=ip,
    )
