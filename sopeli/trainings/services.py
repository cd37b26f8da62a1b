"""Every write in trainings. Keyword-only, one transaction, one audit event each; messages through the outbox.

Seats are counted under a row lock on the training (``select_for_update``; on SQLite the
``IMMEDIATE`` transactions serialise writers), so two people clicking the last seat at the same
moment cannot both get it, and a double click or a retried request changes nothing.
"""

import os
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.core.audit import audit_record
from sopeli.core.models import Lag, Settlement
from sopeli.notifications.services import Recipient, notify
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

MATERIAL_EXTENSIONS = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp", ".jpg", ".jpeg", ".png", ".txt", ".zip"}
MATERIAL_MAX_BYTES = 20 * 1024 * 1024

TRAINING_FIELDS = (
    "topic_ka", "topic_en", "description_ka", "description_en", "target_group", "trainer", "starts_at", "ends_at",
    "online", "village", "address", "online_url", "capacity", "registration_deadline",
)


def _tell(training: Training, registrations, name: str, *, page: str = "detail") -> None:
    """Queue the trainings message ``name`` to the people of ``registrations`` who have an account
    (walk-ins have none), in this transaction. The phone given at registration reaches someone whose
    account has none."""
    people = [
        Recipient(email=r.user.email or "", phone=r.user.phone or r.phone or "", language=r.user.language, user=r.user)
        for r in registrations if r.user_id
    ]
    if not people:
        return
    args = [training.lag.slug] if page == "my" else [training.lag.slug, training.pk]
    notify(kind="trainings.registration", lag=training.lag, recipients=people,
           template=f"trainings/messages/{name}", context={"training": training, "when": _when(training)},
           link=reverse(f"trainings:{page}", args=args))


def _locked(training: Training) -> Training:
    return Training.objects.select_for_update(of=("self",)).select_related("lag").get(pk=training.pk)


def _counts(training: Training) -> tuple[int, int]:
    rows = Registration.objects.filter(training=training)
    return (rows.filter(status=RegistrationStatus.CONFIRMED).count(), rows.filter(status=RegistrationStatus.WAITING).count())


def _when(training: Training) -> str:
    local = timezone.localtime(training.starts_at)
    return local.strftime("%d.%m.%Y %H:%M")


def _public_fact(training: Training) -> dict:
    return {
        "training": training.pk, "topic_ka": training.topic_ka, "topic_en": training.topic_en,
        "target_group": training.target_group, "starts_at": training.starts_at.isoformat(),
        "ends_at": training.ends_at.isoformat(), "status": training.status, "capacity": training.capacity,
        "village": training.village.name if training.village_id else "", "online": training.online,
    }


# --- trainings -----------------------------------------------------------------------------------


def _check_training(lag: Lag, fields: dict) -> None:
    errors = {}
    if not (fields.get("topic_ka") or "").strip() and not (fields.get("topic_en") or "").strip():
        errors["topic_ka"] = _("Enter the topic, at least in Georgian.")
    if fields.get("target_group") not in TargetGroup.values:
        errors["target_group"] = _("Choose for whom the training is.")
    if not (fields.get("trainer") or "").strip():
        errors["trainer"] = _("Enter the trainer's name.")
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        errors["starts_at"] = _("Enter when the training starts and ends.")
    elif ends <= starts:
        errors["ends_at"] = _("The training must end after it starts.")
    deadline = fields.get("registration_deadline")
    if isinstance(deadline, datetime) and isinstance(starts, datetime) and deadline > starts:
        errors["registration_deadline"] = _("Registration must close before the training starts.")
    capacity = fields.get("capacity")
    if not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = _("A training needs at least one seat.")
    elif capacity > 10000:
        errors["capacity"] = _("Enter a number of seats up to 10,000.")
    if fields.get("online"):
        if not (fields.get("online_url") or "").strip():
            errors["online_url"] = _("An online training needs the link people join with.")
        fields["village"] = None
    else:
        village = fields.get("village")
        if village is None:
            errors["village"] = _("Choose the village where the training takes place, or mark it as online.")
        elif village.lag_id != lag.pk:
            errors["village"] = _("Choose a village of this LAG.")
        fields["online_url"] = ""
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_create(*, actor, lag: Lag, **fields) -> Training:
    fields = {k: fields.get(k) for k in TRAINING_FIELDS}
    fields["online"] = bool(fields["online"])
    fields["address"] = fields["address"] or ""
    fields["online_url"] = fields["online_url"] or ""
    fields["description_ka"] = fields["description_ka"] or ""
    fields["description_en"] = fields["description_en"] or ""
    if fields["registration_deadline"] is None:
        fields["registration_deadline"] = fields["starts_at"]
    _check_training(lag, fields)
    training = Training.objects.create(lag=lag, status=TrainingStatus.PLANNED, **fields)
    audit_record(actor=actor, lag=lag, action="training.create", target=training,
                 summary=f"Training announced: {training.topic}", data=_public_fact(training), public=True)
    return training


@transaction.atomic
def training_update(*, actor, training: Training, **fields) -> Training:
    training = _locked(training)
    if training.status in (TrainingStatus.CANCELLED,):
        raise ValidationError(_("A cancelled training cannot be changed."))
    values = {k: fields.get(k, getattr(training, k)) for k in TRAINING_FIELDS}
    values["online"] = bool(values["online"])
    values["address"] = values["address"] or ""
    values["online_url"] = values["online_url"] or ""
    values["description_ka"] = values["description_ka"] or ""
    values["description_en"] = values["description_en"] or ""
    if values["registration_deadline"] is None:
        values["registration_deadline"] = values["starts_at"]
    _check_training(training.lag, values)
    for key, value in values.items():
        setattr(training, key, value)
    training.save()
    promoted = _fill_seats(training)
    audit_record(actor=actor, lag=training.lag, action="training.update", target=training,
                 summary=f"Training changed: {training.topic}",
                 data={**_public_fact(training), "promoted": len(promoted)}, public=True)
    return training


@transaction.atomic
def training_set_status(*, actor, training: Training, status: str) -> Training:
    """The manager opens or closes registration, or cancels the training (everyone is told)."""
    training = _locked(training)
    if status not in rules.MANAGER_TARGETS or not rules.can_move(training.status, status, "manager"):
        raise ValidationError(
            _("A training that is “%(current)s” cannot be set to “%(target)s”.")
            % {"current": training.get_status_display(), "target": TrainingStatus(status).label if status in TrainingStatus.values else status}
        )
    if status == TrainingStatus.OPEN and training.starts_at <= timezone.now():
        raise ValidationError(_("This training has already started; registration cannot be opened."))
    previous = training.status
    training.status = status
    training.save(update_fields=["status", "updated_at"])
    if status == TrainingStatus.OPEN:
        _sync_status(training)
    if status == TrainingStatus.CANCELLED:
        people = Registration.objects.filter(training=training).exclude(status=RegistrationStatus.CANCELLED).select_related("user")
        _tell(training, people, "cancelled")
    audit_record(actor=actor, lag=training.lag, action="training.status", target=training,
                 summary=f"Training {previous} → {training.status}: {training.topic}",
                 data={**_public_fact(training), "from": previous}, public=True)
    return training


def _sync_status(training: Training) -> None:
    confirmed, _waiting = _counts(training)
    new = rules.seat_status(training.status, confirmed, training.capacity)
    if new != training.status:
        training.status = new
        training.save(update_fields=["status", "updated_at"])


def _fill_seats(training: Training) -> list[Registration]:
    """Promote people from the front of the waiting list while seats are free; tell them after commit."""
    promoted: list[Registration] = []
    if training.status in rules.ACTIVE:
        confirmed, waiting = _counts(training)
        n = rules.promotions(confirmed, training.capacity, waiting)
        if n:
            promoted = list(
                Registration.objects.filter(training=training, status=RegistrationStatus.WAITING)
                .select_related("user").order_by("queued_at", "id")[:n]
            )
            Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(status=RegistrationStatus.CONFIRMED)
            for r in promoted:
                r.status = RegistrationStatus.CONFIRMED
            _tell(training, promoted, "promoted")
    _sync_status(training)
    return promoted


# --- registrations -------------------------------------------------------------------------------


def _check_person(training: Training, *, full_name: str, village: Settlement | None, gender: str, age_band: str, phone: str) -> dict:
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = _("Enter the name.")
    if village is not None and village.lag_id != training.lag_id:
        errors["village"] = _("Choose a village of this LAG.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose a gender (or “other / not stated”).")
    if age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age group.")
    phone = (phone or "").strip()
    if phone:
        from sopeli.accounts.models import phone_validator

        try:
            phone_validator(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {"full_name": full_name.strip()[:150], "village": village, "gender": gender, "age_band": age_band, "phone": phone}


@transaction.atomic
def registration_register(
    *, actor, training: Training, full_name: str, village: Settlement | None, gender: str, age_band: str, phone: str = ""
) -> Registration:
    """Register ``actor`` (a logged-in person) for a seat, or for the waiting list when full.

    Registering again while registered returns the existing registration unchanged.
    """
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in to register."))
    training = _locked(training)
    existing = Registration.objects.filter(training=training, user=actor).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing
    if training.status not in rules.REGISTRATION_OPEN:
        raise ValidationError(_("Registration for this training is not open."))
    if timezone.now() >= training.registration_deadline:
        raise ValidationError(_("Registration for this training has closed."))
    person = _check_person(training, full_name=full_name, village=village, gender=gender, age_band=age_band, phone=phone)
    confirmed, _waiting = _counts(training)
    status = rules.new_registration_status(confirmed, training.capacity)
    now = timezone.now()
    if existing is not None:
        for key, value in person.items():
            setattr(existing, key, value)
        existing.status, existing.queued_at, existing.cancelled_at, existing.attended = status, now, None, None
        existing.save()
        registration = existing
    else:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(training=training, user=actor, status=status, queued_at=now, **person)
        except IntegrityError:
            # The same person's other request got there first: theirs stands.
            return Registration.objects.get(training=training, user=actor)
    _sync_status(training)
    _tell(training, [registration], "registered" if status == RegistrationStatus.CONFIRMED else "waiting")
    audit_record(actor=actor, lag=training.lag, action="training.register", target=registration,
                 summary=f"Registered ({status}) for training {training.pk}",
                 data={"training": training.pk, "status": status})
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration) -> list[Registration]:
    """Cancel a registration (by the person or by staff); the first on the waiting list gets the seat.

    Returns the people promoted. Cancelling an already cancelled registration changes nothing.
    """
    training = _locked(registration.training)
    registration = Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    if training.status not in rules.ACTIVE:
        raise ValidationError(_("This training has already taken place or been cancelled; registrations can no longer change."))
    was = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.attended = None
    registration.save(update_fields=["status", "cancelled_at", "attended"])
    promoted = _fill_seats(training) if was == RegistrationStatus.CONFIRMED else []
    _sync_status(training)
    if registration.user_id and registration.user_id != getattr(actor, "pk", None):
        _tell(training, [registration], "staff_cancelled")
    audit_record(actor=actor, lag=training.lag, action="training.cancel_registration", target=registration,
                 summary=f"Registration cancelled for training {training.pk}",
                 data={"training": training.pk, "was": was, "promoted": [r.pk for r in promoted]})
    return promoted


@transaction.atomic
def walk_in_add(
    *, actor, training: Training, full_name: str, village: Settlement | None, gender: str, age_band: str, phone: str = ""
) -> Registration:
    """Staff enter someone who came without registering (no account needed).

    A walk-in always gets a seat, even beyond the capacity: the person is in the room. If the
    training has started they are marked as attended.
    """
    training = _locked(training)
    if training.status == TrainingStatus.CANCELLED:
        raise ValidationError(_("This training has been cancelled."))
    person = _check_person(training, full_name=full_name, village=village, gender=gender, age_band=age_band, phone=phone)
    now = timezone.now()
    registration = Registration.objects.create(
        training=training, user=None, walk_in=True, status=RegistrationStatus.CONFIRMED, queued_at=now,
        attended=True if training.starts_at <= now else None, **person,
    )
    _sync_status(training)
    audit_record(actor=actor, lag=training.lag, action="training.walk_in", target=registration,
                 summary=f"Walk-in added to training {training.pk}", data={"training": training.pk})
    return registration


@transaction.atomic
def attendance_record(*, actor, training: Training, attended_ids) -> dict:
    """Staff tick who came: every registered person is marked present or absent; the training is held."""
    training = _locked(training)
    if training.status == TrainingStatus.CANCELLED:
        raise ValidationError(_("This training has been cancelled."))
    if training.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be taken once the training has started."))
    confirmed = Registration.objects.filter(training=training, status=RegistrationStatus.CONFIRMED)
    ids = {int(i) for i in attended_ids}
    unknown = ids - set(confirmed.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(_("Some of the people ticked are not registered for this training. Reload the page and try again."))
    present = confirmed.filter(pk__in=ids).update(attended=True)
    absent = confirmed.exclude(pk__in=ids).update(attended=False)
    previous = training.status
    training.status = TrainingStatus.HELD
    training.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, lag=training.lag, action="training.attendance", target=training,
                 summary=f"Attendance taken: {present} present, {absent} absent",
                 data={**_public_fact(training), "from": previous, "attended": present}, public=True)
    return {"present": present, "absent": absent}


@transaction.atomic
def certificates_issue(*, actor, training: Training) -> int:
    """A certificate for each person who attended and has none yet. Returns how many were issued."""
    training = _locked(training)
    if training.status != TrainingStatus.HELD:
        raise ValidationError(_("Certificates are issued after attendance has been taken."))
    todo = list(Registration.objects.filter(
        training=training, status=RegistrationStatus.CONFIRMED, attended=True, certificate__isnull=True
    ).select_related("user"))
    for r in todo:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    Certificate.objects.create(registration=r, code=rules.certificate_code())
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 5 collisions of a 50-bit code
            raise ValidationError(_("Could not issue a certificate number; please try again."))
    _tell(training, todo, "certificate", page="my")
    audit_record(actor=actor, lag=training.lag, action="training.certificates", target=training,
                 summary=f"{len(todo)} certificates issued", data={"training": training.pk, "issued": len(todo)}, public=True)
    return len(todo)


# --- feedback ------------------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *, actor, registration: Registration, usefulness: int, trainer: int, organisation: int, comment: str = ""
) -> Feedback:
    """The person who attended rates the training once, after it ended."""
    registration = Registration.objects.select_related("training", "training__lag").get(pk=registration.pk)
    training = registration.training
    if not getattr(actor, "is_authenticated", False) or registration.user_id != actor.pk:
        raise ValidationError(_("Only the person who attended can give this feedback."))
    if registration.status != RegistrationStatus.CONFIRMED or registration.attended is not True:
        raise ValidationError(_("Feedback is for people who attended the training."))
    if training.ends_at > timezone.now():
        raise ValidationError(_("Feedback opens when the training has ended."))
    errors = {}
    for name, value in (("usefulness", usefulness), ("trainer", trainer), ("organisation", organisation)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("Choose a rating from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                registration=registration, usefulness=usefulness, trainer=trainer, organisation=organisation,
                comment=(comment or "").strip()[:2000],
            )
    except IntegrityError:
        raise ValidationError(_("You have already given feedback on this training. Thank you!")) from None
    audit_record(actor=actor, lag=training.lag, action="training.feedback", target=training,
                 summary=f"Feedback on training {training.pk}", data={"training": training.pk})
    return feedback


# --- materials -----------------------------------------------------------------------------------


@transaction.atomic
def material_add(*, actor, training: Training, title_ka: str, title_en: str = "", file, is_public: bool = False) -> Material:
    errors = {}
    if not (title_ka or "").strip() and not (title_en or "").strip():
        errors["title_ka"] = _("Enter a title.")
    if file is None:
        errors["file"] = _("Choose a file.")
    else:
        ext = os.path.splitext(file.name)[1].lower()
        if ext not in MATERIAL_EXTENSIONS:
            errors["file"] = _("This kind of file cannot be uploaded. Use PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, text or ZIP.")
        elif file.size > MATERIAL_MAX_BYTES:
            errors["file"] = _("The file is larger than 20 MB.")
        elif file.size == 0:
            errors["file"] = _("The file is empty.")
    if errors:
        raise ValidationError(errors)
    material = Material(training=training, title_ka=(title_ka or "").strip(), title_en=(title_en or "").strip(),
                        is_public=bool(is_public), size=file.size)
    material.file.save(os.path.basename(file.name), file, save=False)
    material.save()
    audit_record(actor=actor, lag=training.lag, action="training.material_add", target=material,
                 summary=f"Material added to training {training.pk}",
                 data={"training": training.pk, "title": material.title, "public": material.is_public}, public=material.is_public)
    return material


@transaction.atomic
def material_delete(*, actor, material: Material) -> None:
    training = material.training
    name, pk = material.file.name, material.pk
    material.delete()
    storage = material.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    audit_record(actor=actor, lag=training.lag, action="training.material_delete", target=training,
                 summary=f"Material {pk} removed from training {training.pk}", data={"training": training.pk, "material": pk})
