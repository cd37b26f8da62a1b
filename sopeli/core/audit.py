"""The one audit path: every service records who did what, and whether the fact is public.

Call ``audit_record`` inside the service's ``transaction.atomic`` block so the event and the
change commit or roll back together. Public events are what the LAG's public activity shows.
"""

from typing import Any

from django.db import models

from sopeli.core.models import AuditEvent, Lag


def audit_record(
    *,
    actor,
    lag: Lag | None,
    action: str,
    target: models.Model | None = None,
    summary: str,
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> AuditEvent:
    return AuditEvent.objects.create(
        lag=lag,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=str(summary)[:300],
        data=data or {},
        is_public=public,
    )
