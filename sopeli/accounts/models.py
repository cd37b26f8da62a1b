"""People who log in, and the roles they hold in each LAG."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{6,20}$", _("Enter a phone number such as +995 555 12 34 56.")
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **extra):
        if not email and not extra.get("phone"):
            raise ValueError("An e-mail address or a phone number is required")
        user = self.model(email=self.normalize_email(email).lower() if email else None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a login: an e-mail address and password, or a verified phone number and SMS codes
    (residents without e-mail). The phone is private either way."""

    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    village = models.ForeignKey(
        "core.Settlement", verbose_name=_("village"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    phone = models.CharField(_("phone (private)"), max_length=20, blank=True, validators=[phone_validator])
    # Set once the person proved, with an SMS code, that the phone is theirs: only then may it log in.
    phone_verified = models.BooleanField(default=False, editable=False)
    # The language messages reach them in (the interface follows the address: /ka/, /en/).
    language = models.CharField(_("language of messages"), max_length=10, default="ka")
    # In-app notices not yet read, kept by sopeli.notifications so the header shows it with no query.
    unread_notices = models.PositiveIntegerField(default=0, editable=False)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One account per verified phone: it is a login.
            models.UniqueConstraint(fields=["phone"], condition=Q(phone_verified=True), name="user_verified_phone_once"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else (self.email or self.phone)


class Role(models.TextChoices):
    MANAGER = "manager", _("manager")
    BOARD = "board", _("board member")
    EVALUATOR = "evaluator", _("evaluator")
    MEMBER = "member", _("member")
    APPLICANT = "applicant", _("applicant")
    NETWORK_OFFICER = "network_officer", _("network officer")


# Roles that can change decisions or see unpublished scores must log in with a second factor.
PRIVILEGED_ROLES = {Role.MANAGER, Role.BOARD, Role.EVALUATOR}


class RoleGrant(models.Model):
    """A role a person holds in one LAG. A network officer's grant has no LAG: it reads across all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    lag = models.ForeignKey("core.Lag", null=True, blank=True, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lag", "role"], name="rolegrant_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(lag__isnull=True), name="rolegrant_unique_networkwide"
            ),
            models.CheckConstraint(
                condition=Q(lag__isnull=True, role="network_officer") | Q(lag__isnull=False) & ~Q(role="network_officer"),
                name="rolegrant_network_officer_has_no_lag",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.lag or '—'}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to log in (or sign up) with a phone number. Only its hash is kept."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.phone[:6]}…"


class LoginLink(models.Model):
    """A one-time login that LAG staff hand to a resident they registered at the office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_links")
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=128, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login link for {self.user_id}"
