from django.db import transaction

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.core.audit import audit_record


@transaction.atomic
def profile_update(*, user: User, full_name: str, village, phone: str) -> User:
    if phone != user.phone:
        user.phone_verified = False  # a new number logs in only once it proves itself with a code
    user.full_name, user.village, user.phone = full_name, village, phone
    user.save(update_fields=["full_name", "village", "phone", "phone_verified"])
    audit_record(actor=user, lag=None, action="account.profile_updated", target=user, summary=user.full_name)
    return user


@transaction.atomic
def profile_language_set(*, user: User, language: str) -> User:
    """The language the person's messages are written in."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit_record(actor=user, lag=None, action="account.language_set", target=user, summary=language)
    return user


@transaction.atomic
def role_grant(*, actor, user: User, lag, role: Role) -> RoleGrant:
    grant, created = RoleGrant.objects.get_or_create(user=user, lag=lag, role=role)
    if created:
        audit_record(
            actor=actor, lag=lag, action="account.role_granted", target=user,
            summary=f"{user} · {role.label}", data={"role": str(role)},
        )
    return grant


@transaction.atomic
def role_revoke(*, actor, user: User, lag, role: Role) -> None:
    deleted, _ = RoleGrant.objects.filter(user=user, lag=lag, role=role).delete()
    if deleted:
        audit_record(
            actor=actor, lag=lag, action="account.role_revoked", target=user,
            summary=f"{user} · {role.label}", data={"role": str(role)},
        )
