"""Reads for training pages and for monitoring. Joins and counts are done up front, so each page
costs a fixed number of queries whatever the number of trainings or people."""

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sopeli.core.models import Lag, Settlement
from sopeli.trainings import rules
from sopeli.trainings.models import (
    AgeBand,
    Certificate,
    Feedback,
    Gender,
    Material,
    Registration,
    RegistrationStatus,
    TargetGroup,
    Training,
    TrainingStatus,
)

CONFIRMED, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING
ACTIVE_REGISTRATION = (CONFIRMED, WAITING)


def _with_counts(qs):
    return qs.annotate(
        n_confirmed=Count("registrations", filter=Q(registrations__status=CONFIRMED), distinct=True),
        n_waiting=Count("registrations", filter=Q(registrations__status=WAITING), distinct=True),
        n_attended=Count("registrations", filter=Q(registrations__attended=True), distinct=True),
    )


def decorate(trainings):
    """Add ``fill_rate`` and ``seats_left`` to annotated trainings (no queries)."""
    for t in trainings:
        t.fill_rate = rules.fill_rate(t.n_confirmed, t.capacity)
        t.seats_left = max(0, t.capacity - t.n_confirmed)
    return trainings


# --- public --------------------------------------------------------------------------------------


def upcoming_trainings(lag: Lag):
    """Trainings not yet over (cancelled ones too, so people who planned to come see it), soonest first."""
    qs = Training.objects.filter(lag=lag, ends_at__gte=timezone.now()).exclude(status=TrainingStatus.HELD)
    return decorate(list(_with_counts(qs.select_related("village")).order_by("starts_at", "id")))


def past_trainings(lag: Lag):
    """Trainings that took place (or whose time has passed), latest first; paginate the result."""
    qs = Training.objects.filter(lag=lag).filter(Q(status=TrainingStatus.HELD) | Q(ends_at__lt=timezone.now()))
    qs = qs.exclude(status=TrainingStatus.CANCELLED)
    return _with_counts(qs.select_related("village")).order_by("-starts_at", "-id")


def training_public(lag: Lag, training_id: int) -> Training:
    qs = _with_counts(Training.objects.filter(lag=lag).select_related("village", "lag"))
    qs = qs.prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("uploaded_at", "id")))
    training = get_object_or_404(qs, pk=training_id)
    decorate([training])
    return training


def scoped_training(lag: Lag, training_id: int) -> Training:
    return get_object_or_404(Training.objects.filter(lag=lag).select_related("lag", "village"), pk=training_id)


def _position_subquery():
    """1-based place on the waiting list, as a subquery on a registration row."""
    ahead = Registration.objects.filter(training=OuterRef("training"), status=WAITING).filter(
        Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), id__lt=OuterRef("id"))
    ).order_by().values("training").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1


def registration_of(training: Training, user):
    """The user's registration for the training (any status) with its waiting position, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(training=training, user=user)
        .select_related("village", "certificate", "feedback")
        .annotate(position=_position_subquery())
        .first()
    )


def certificate_public(lag: Lag, code: str):
    """The certificate with this number in this LAG, or None. Load only what the public page shows."""
    code = (code or "").strip().upper()
    if len(code) > 20:
        return None
    return (
        Certificate.objects.filter(code=code, registration__training__lag=lag)
        .select_related("registration", "registration__training")
        .only(
            "code", "issued_at", "registration__id", "registration__full_name", "registration__status",
            "registration__attended", "registration__training__id", "registration__training__topic",
            "registration__training__topic_ka", "registration__training__topic_en",
            "registration__training__starts_at", "registration__training__ends_at",
            "registration__training__lag_id",
        )
        .first()
    )


# --- a person's own ------------------------------------------------------------------------------


def my_registrations(lag: Lag, user):
    """The user's registrations in this LAG, newest training first, with waiting positions."""
    feedback_given = Feedback.objects.filter(registration=OuterRef("pk"))
    return (
        Registration.objects.filter(training__lag=lag, user=user)
        .select_related("training", "training__village", "certificate")
        .annotate(position=_position_subquery(), has_feedback=Exists(feedback_given))
        .order_by("-training__starts_at", "-id")
    )


def my_registration_scoped(lag: Lag, user, registration_id: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(training__lag=lag, user=user).select_related("training", "training__lag", "certificate"),
        pk=registration_id,
    )


# --- staff ---------------------------------------------------------------------------------------


def manage_trainings(lag: Lag):
    return _with_counts(Training.objects.filter(lag=lag).select_related("village")).order_by("-starts_at", "-id")


def staff_registrations(training: Training):
    """Everyone registered, with village, certificate and whether feedback was given: one query."""
    return list(
        Registration.objects.filter(training=training)
        .select_related("village", "certificate", "user")
        .annotate(has_feedback=Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
        .order_by("queued_at", "id")
    )


def staff_registration_scoped(training: Training, registration_id: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(training=training).select_related("training", "training__lag", "certificate"),
        pk=registration_id,
    )


def feedback_summary(training: Training) -> dict:
    """Averages (to a tenth) and the comments, without names."""
    rows = Feedback.objects.filter(registration__training=training)
    agg = rows.aggregate(n=Count("id"), usefulness=Avg("usefulness"), trainer=Avg("trainer"), organisation=Avg("organisation"))

    def tenth(value):
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))

    comments = list(rows.exclude(comment="").order_by("created_at", "id").values_list("comment", flat=True))
    return {
        "count": agg["n"], "usefulness": tenth(agg["usefulness"]), "trainer": tenth(agg["trainer"]),
        "organisation": tenth(agg["organisation"]), "comments": comments,
    }


def attendance_rows(training: Training):
    """Rows of the staff CSV export: no phone, no e-mail (personal data never leaves in exports)."""
    return (
        Registration.objects.filter(training=training).exclude(status=RegistrationStatus.CANCELLED)
        .select_related("village", "certificate").order_by("status", "full_name", "id")
    )


# --- monitoring ----------------------------------------------------------------------------------


def _period(qs, prefix: str, date_from: datetime.date | None, date_to: datetime.date | None):
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(**{f"{prefix}starts_at__gte": datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)})
    if date_to:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{prefix}starts_at__lt": end})
    return qs


def training_participation(lag: Lag, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict:
    """Participation in the LAG's trainings that start within the period (local dates, inclusive).

    Cancelled trainings are left out. ``registrations`` counts people registered or on a waiting
    list (not cancelled), walk-ins included; ``attendees`` counts people marked as attended.
    ``trainings_held``, ``hours_held`` and ``attendee_hours`` count trainings whose attendance was
    taken. Six queries
    whatever the data size. Shape::

        {"date_from": date | None, "date_to": date | None,
         "trainings": int, "trainings_held": int,
         "hours_held": Decimal,       # hours of the trainings held, to a tenth each
         "attendee_hours": Decimal,   # the same weighted by who attended (person-hours of training)
         "registrations": int, "attendees": int,
         "by_village":      [{"key": settlement id | None, "label": str, "registrations": int, "attendees": int}, ...],
         "by_gender":       [{"key": "female" | "male" | "other", "label": str, ...}, ...],   # every choice, zeros too
         "by_age_band":     [{"key": "under_18" | "18_29" | ..., "label": str, ...}, ...],  # every choice, zeros too
         "by_target_group": [{"key": code, "label": str, "trainings": int, "trainings_held": int,
                              "registrations": int, "attendees": int}, ...]}              # every choice, zeros too
    """
    trainings = _period(Training.objects.filter(lag=lag).exclude(status=TrainingStatus.CANCELLED), "", date_from, date_to)
    regs = _period(
        Registration.objects.filter(training__lag=lag).exclude(training__status=TrainingStatus.CANCELLED),
        "training__", date_from, date_to,
    ).order_by()
    counts = {
        "registrations": Count("id", filter=Q(status__in=ACTIVE_REGISTRATION)),
        "attendees": Count("id", filter=Q(status=CONFIRMED, attended=True)),
    }

    def breakdown(field: str) -> dict:
        return {row[field]: row for row in regs.values(field).annotate(**counts)}

    by_gender_rows = breakdown("gender")
    by_age_rows = breakdown("age_band")
    by_group_rows = breakdown("training__target_group")
    by_village_rows = breakdown("village")
    names = {s.pk: s.name for s in Settlement.objects.filter(lag=lag)}

    held_hours = attendee_hours = Decimal("0.0")
    per_group: dict[str, dict[str, int]] = {}
    n_trainings = n_held = 0
    rows = trainings.order_by().annotate(
        n_att=Count("registrations", filter=Q(registrations__status=CONFIRMED, registrations__attended=True))
    ).values_list("target_group", "status", "starts_at", "ends_at", "n_att")
    for target_group, status, starts, ends, n_att in rows:
        g = per_group.setdefault(target_group, {"trainings": 0, "trainings_held": 0})
        g["trainings"] += 1
        n_trainings += 1
        if status == TrainingStatus.HELD:
            g["trainings_held"] += 1
            n_held += 1
            hours = rules.duration_hours(starts, ends)
            held_hours += hours
            attendee_hours += hours * n_att

    def row(key, label, source, **extra):
        found = source.get(key) or {}
        return {"key": key, "label": str(label), **extra,
                "registrations": found.get("registrations", 0), "attendees": found.get("attendees", 0)}

    by_village = [row(k, names.get(k, "") if k else "", by_village_rows) for k in by_village_rows]
    by_village.sort(key=lambda r: (r["key"] is None, r["label"]))
    return {
        "date_from": date_from,
        "date_to": date_to,
        "trainings": n_trainings,
        "trainings_held": n_held,
        "hours_held": held_hours,
        "attendee_hours": attendee_hours,
        "registrations": sum(r["registrations"] for r in by_gender_rows.values()),
        "attendees": sum(r["attendees"] for r in by_gender_rows.values()),
        "by_village": by_village,
        "by_gender": [row(k, label, by_gender_rows) for k, label in Gender.choices],
        "by_age_band": [row(k, label, by_age_rows) for k, label in AgeBand.choices],
        "by_target_group": [
            row(k, label, by_group_rows, **per_group.get(k, {"trainings": 0, "trainings_held": 0}))
            for k, label in TargetGroup.choices
        ],
    }
