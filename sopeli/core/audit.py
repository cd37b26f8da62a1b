"""The one audit path: every service records who did what, and whether the fact is public.

Call ``audit_record`` inside the service's ``transaction.atomic`` block so the event and the
change commit or roll back together. Public events are what the LAG's public activity shows,
and each public event of a LAG is also appended to that LAG's hash chain
(``sopeli.core.ledger``) in the same transaction: the fact is the event's action, target, time
and ``data`` (minus any private key, see ``sopeli.core.privacy.scrub``). Put in ``data`` what the
public record must prove (ids, names of members and organisations, amounts, results) and never
phones, ID numbers, addresses or e-mail addresses.
"""

from typing import Any

from django.db import models, transaction

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
    with transaction.atomic():
        event = AuditEvent.objects.create(
            lag=lag,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            summary=str(summary)[:300],
            data=data or {},
            is_public=public,
        )
        if public and lag is not None:
            from sopeli.core.ledger import ledger_append, make_fact

            target_ref = f"{event.target_type}:{event.target_id}" if event.target_type else ""
            ledger_append(
                lag=lag,
                fact=make_fact(action=action, target=target_ref, at=event.created_at, data=event.data),
                event=event,
            )
    return event
