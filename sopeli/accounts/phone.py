"""Phone-first accounts: a resident signs up and logs in with a mobile number and a one-time SMS code,
no e-mail address needed; LAG staff register a resident at the office and hand over a one-time login.

Why not allauth's own phone login: Sopeli keeps e-mail + password + TOTP for staff exactly as allauth
runs it, and adds this narrow path beside it for residents only. Managers, board members and
evaluators (and site administrators) cannot log in by phone: their second factor is the authenticator
app, and a path without it would be a side door.

Codes: six digits, valid 10 minutes, 5 tries each, at most 3 per number per quarter hour; only an HMAC
of the code is stored. The answer to "send me a code" is the same whether the number has an account
or not (nobody learns who is registered).
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from sopeli.accounts.models import PRIVILEGED_ROLES, LoginLink, PhoneCode, User
from sopeli.accounts.rules import normalise_phone
from sopeli.core.audit import audit_record
from sopeli.notifications.services import Recipient, notify

CODE_VALID = timedelta(minutes=10)
CODE_TRIES = 5
CODES_PER_WINDOW, CODE_WINDOW = 3, timedelta(minutes=15)
LINK_VALID = timedelta(hours=24)


def masked_phone(phone: str) -> str:
    return phone[:-4] + "••" + phone[-2:] if len(phone) > 6 else "••"


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac("sopeli.phone-code", f"{phone}:{code}").hexdigest()


def phone_or_error(text: str) -> str:
    phone = normalise_phone(text)
    if phone is None:
        raise ValidationError(_("Enter a mobile number such as 555 12 34 56 (or with +995)."))
    return phone


def may_log_in_by_phone(user: User) -> bool:
    """Staff and anyone who must use an authenticator app log in with e-mail, password and code."""
    from allauth.mfa.models import Authenticator

    if user.is_staff or user.is_superuser or not user.is_active:
        return False
    if user.role_grants.filter(role__in=PRIVILEGED_ROLES).exists():
        return False
    return not Authenticator.objects.filter(user=user).exists()


@transaction.atomic
def phone_code_send(*, phone_text: str, language: str, now=None) -> str:
    """Text a login code to the number; returns it normalised. Raises ValidationError with a plain reason."""
    now = now or timezone.now()
    phone = phone_or_error(phone_text)
    if PhoneCode.objects.filter(phone=phone, created_at__gte=now - CODE_WINDOW).count() >= CODES_PER_WINDOW:
        raise ValidationError(_("Several codes were already sent to this number. Wait a quarter of an hour, then ask again."))
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(phone=phone, code_hash=_code_hash(phone, code), created_at=now)
    notify(kind="accounts.login_code", recipients=[Recipient(phone=phone, language=language)],
           template="accounts/messages/login_code", context={"code": code})
    audit_record(actor=None, lag=None, action="account.phone_code_sent", summary=masked_phone(phone))
    return phone


def phone_code_check(*, phone: str, code: str, now=None) -> bool:
    """Whether ``code`` is the number's latest valid code; every try counts, even a wrong one."""
    now = now or timezone.now()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with transaction.atomic():
        latest = (PhoneCode.objects.select_for_update().filter(phone=phone, used_at__isnull=True,
                                                              created_at__gte=now - CODE_VALID)
                  .order_by("-created_at").first())
        if latest is None or latest.attempts >= CODE_TRIES:
            return False
        latest.attempts += 1
        right = len(code) == 6 and constant_time_compare(latest.code_hash, _code_hash(phone, code))
        if right:
            latest.used_at = now
        latest.save(update_fields=["attempts", "used_at"])
    return right


def account_for_phone(phone: str) -> User | None:
    """The account this verified number logs into: one whose phone is verified, or else a phone-only
    account (registered at the office, no e-mail) that now proves its number."""
    user = User.objects.filter(phone=phone, phone_verified=True).first()
    if user is not None:
        return user
    candidates = list(User.objects.filter(phone=phone, email__isnull=True)[:2])
    return candidates[0] if len(candidates) == 1 else None


@transaction.atomic
def phone_login(*, phone: str) -> User | None:
    """After a right code: the account, its number marked verified; None when there is none yet."""
    user = account_for_phone(phone)
    if user is None:
        return None
    if not may_log_in_by_phone(user):
        raise ValidationError(_("This account belongs to LAG staff, a board member or an evaluator: log in with your "
                                "e-mail, password and authenticator app."))
    if not user.phone_verified:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])
    audit_record(actor=user, lag=None, action="account.phone_login", target=user, summary=masked_phone(phone))
    return user


@transaction.atomic
def phone_signup(*, phone: str, full_name: str, village=None, language: str = "ka") -> User:
    """A new account for a number that just proved itself with a code."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError(_("Write your name, as the LAG should address you."))
    if User.objects.filter(phone=phone, phone_verified=True).exists():
        raise ValidationError(_("This number already has an account: log in with it."))
    user = User.objects.create_user(None, phone=phone, phone_verified=True, full_name=full_name[:150],
                                    village=village, language=language)
    audit_record(actor=user, lag=None, action="account.phone_signup", target=user, summary=full_name)
    return user


@transaction.atomic
def resident_register(*, actor: User, lag, full_name: str, phone_text: str, email: str = "", village=None,
                      language: str = "ka") -> tuple[User, str]:
    """Staff register a resident who came to the office; returns the account and a one-time login token
    (show it once: only its hash is kept)."""
    phone = phone_or_error(phone_text)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError(_("Write the person's name."))
    email = (email or "").strip().lower() or None
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Someone already has an account with this e-mail address."))
    if User.objects.filter(phone=phone, phone_verified=True).exists() or (
            email is None and User.objects.filter(phone=phone, email__isnull=True).exists()):
        raise ValidationError(_("Someone already has an account with this phone number."))
    user = User.objects.create_user(email, phone=phone, full_name=full_name[:150], village=village, language=language)
    if email is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    token = login_link_create(actor=actor, lag=lag, user=user)
    audit_record(actor=actor, lag=lag, action="account.resident_registered", target=user,
                 summary=_("Resident registered at the office: %(name)s") % {"name": full_name})
    return user, token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def login_link_create(*, actor: User, lag, user: User, now=None) -> str:
    now = now or timezone.now()
    if not may_log_in_by_phone(user):
        raise ValidationError(_("Staff, board members and evaluators log in with their authenticator app, not a one-time link."))
    token = secrets.token_urlsafe(24)
    LoginLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)  # one valid link at a time
    LoginLink.objects.create(user=user, lag=lag, token_hash=_token_hash(token), created_by=actor, created_at=now,
                             expires_at=now + LINK_VALID)
    audit_record(actor=actor, lag=lag, action="account.login_link_created", target=user,
                 summary=_("One-time login handed over"))
    return token


def login_link_find(token: str, now=None) -> LoginLink | None:
    now = now or timezone.now()
    return (LoginLink.objects.select_related("user", "lag")
            .filter(token_hash=_token_hash(token or ""), used_at__isnull=True, expires_at__gt=now).first())


@transaction.atomic
def login_link_use(*, token: str, now=None) -> User:
    now = now or timezone.now()
    link = LoginLink.objects.select_for_update().filter(token_hash=_token_hash(token or "")).select_related("user").first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise ValidationError(_("This login link has been used or has expired. Ask the LAG office for a new one, "
                                "or log in with your phone number."))
    if not may_log_in_by_phone(link.user):
        raise ValidationError(_("This account logs in with its authenticator app."))
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit_record(actor=link.user, lag=link.lag, action="account.login_link_used", target=link.user,
                 summary=_("Logged in with a one-time link"))
    return link.user


def login_traces_forget(*, now=None) -> dict[str, int]:
    """Forget spent login codes after a day and used or expired login links after 30 days: a phone
    number that never became an account should not stay in the database (a scheduled duty)."""
    now = now or timezone.now()
    codes = PhoneCode.objects.filter(created_at__lt=now - timedelta(days=1)).delete()[0]
    links = LoginLink.objects.filter(expires_at__lt=now - timedelta(days=30)).delete()[0]
    return {"codes_forgotten": codes, "links_forgotten": links}
