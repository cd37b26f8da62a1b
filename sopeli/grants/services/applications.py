"""Every write an applicant (or staff entering a paper application) makes to an application.

Drafts are saved at every step (``application_update``, ``application_answers_save``,
``application_budget_save``, ``attachment_add``) and can be left and resumed. ``application_submit``
is the one moment that matters:

- the deadline is judged at the request's **arrival** (``now=``: the view passes
  ``request.arrived_at``, stamped by ``sopeli.core.arrival`` before the request waited for anything),
  to the second (``rules.is_on_time``). Under a rush a request may wait for a server thread and for
  the numbering lock; that wait must not turn an on-time submission into a late one;
- a late request, and a repeat of one already submitted, are answered **before any lock** is taken:
  a late one is refused with a clear message whatever else is wrong with it, a double click or a
  retry after a lost response returns the same submission;
- then, in one short transaction: the application row is locked (its twin from a double click waits
  here and then finds it submitted), its completeness checked again, and only the last statements
  lock the call's numbering counter (``CallCounter``, a row nobody else locks): number, conditional
  update on ``status='draft'``, audit event, commit. Numbers are unique and gapless per call (a
  database constraint backs this up), and one applicant's submission never waits for another's
  checks.

Locks, in the one order every grants service keeps (see the package README): call → selection →
appeal → application → call counter → LAG (the ledger, last). Drafts lock only their application.

Aid rate and limits (``projects.rules.check_aid``): shown while typing, and enforced at submission —
an applicant cannot submit a request above the call's aid rate or grant limits; the message says
the largest grant allowed. A paper application entered by staff (``application_assisted_submit``)
is accepted as written, with the flags stored in ``aid_check``, so the LAG can fix the grant at
the suggested amount when it selects (scenario S3: 42,000 of 50,000 asked, fixed at 40,000).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.accounts.permissions import can_manage
from sopeli.core.audit import audit_record
from sopeli.core.models import Lag, Settlement
from sopeli.grants import rules, workflow
from sopeli.grants.models import (
    Answer,
    Application,
    Attachment,
    AttachmentPurpose,
    BudgetLine,
    Call,
    CallAidRate,
    CallCounter,
    CallDocument,
    CallMeasure,
    CallQuestion,
    QuestionKind,
    QuestionStage,
    Stage,
)
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.projects import rules as project_rules

MAX_UPLOAD_BYTES = getattr(settings, "GRANTS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_BUDGET_LINES = 50
# Extension → (content type we serve it as, how the file must start).
ALLOWED_UPLOADS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}
EDITABLE_FIELDS = ("measure", "applicant_type", "applicant_name", "settlement", "title", "summary", "partners", "duration_months")


def local(dt: datetime) -> str:
    """A time as people read it: Tbilisi, to the second."""
    return date_format(timezone.localtime(dt), "j E Y, H:i:s")


# --- guards --------------------------------------------------------------------------------------


def _ensure_author(actor: User | None, app: Application) -> None:
    if actor is None or (app.applicant_id != actor.pk and not (app.assisted_by_id and can_manage(actor, app.lag))):
        raise ValidationError(_("Only the applicant can change this application."), code="not_author")


def _ensure_editable(app: Application) -> None:
    if app.status not in workflow.EDITABLE_STATUSES:
        raise ValidationError(_("This application has been submitted and can no longer be changed."), code="not_editable")


def _locked(app: Application) -> Application:
    """The application, locked (its row only).

    Editing a draft, attaching a file or withdrawing needs no other lock: nothing an applicant does
    to their own application should wait for, or make wait, the call or the LAG (a lock on the call
    here made every draft save and submission of a call queue behind each other under a rush).
    """
    return Application.objects.select_for_update(of=("self",)).select_related("call", "lag").get(pk=app.pk)


def stage_questions(call: Call, stage: str):
    allowed = (QuestionStage.BOTH, QuestionStage.IDEA if stage == Stage.IDEA else QuestionStage.FULL)
    return [q for q in call.questions.all() if q.stage in allowed]


def stage_documents(call: Call, stage: str):
    allowed = (QuestionStage.BOTH, QuestionStage.IDEA if stage == Stage.IDEA else QuestionStage.FULL)
    return [d for d in call.documents.all() if d.stage in allowed]


def call_accepts(call: Call, stage: str, now: datetime) -> None:
    """Raise a clear message unless ``call`` takes ``stage`` applications at ``now``."""
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("This call is not open for applications."), code="not_open")
    if now < call.opens_at:
        raise ValidationError(_("This call opens on %(when)s (Tbilisi time).") % {"when": local(call.opens_at)}, code="not_yet")
    if stage == Stage.IDEA and not call.has_idea_stage:
        raise ValidationError(_("This call has no stage for project ideas."), code="no_idea_stage")
    deadline = call.deadline_for(stage)
    if not rules.is_on_time(now, deadline):
        raise ValidationError(
            _("The deadline was %(deadline)s (Tbilisi time). It is now %(now)s: applications can no longer be accepted.")
            % {"deadline": local(deadline), "now": local(now)},
            code="late",
        )


# --- aid rate and limits -------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitCheck:
    """``check_aid`` plus the call's context, for the live check and the submission."""

    aid: project_rules.AidCheck | None
    max_rate: Decimal | None  # percent
    messages: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.messages)


def check_limits(*, call: Call, applicant_type: str, total_budget: Decimal, requested: Decimal,
                 rates: dict[str, Decimal] | None = None) -> LimitCheck:
    """The call's aid rate for the applicant type and its grant limits, in plain messages."""
    if rates is None:
        rates = {r.applicant_type: r.max_rate for r in CallAidRate.objects.filter(call=call)}
    rate = rates.get(applicant_type)
    if rate is None:
        return LimitCheck(None, None, (_("This type of applicant cannot apply to this call."),))
    if total_budget is None or total_budget <= 0:
        return LimitCheck(None, rate, (_("Enter the costs of the project: the total budget is zero."),))
    limits = project_rules.GrantLimits(max_aid_rate=rate / 100, min_grant=call.min_grant, max_grant=call.max_grant)
    try:
        aid = project_rules.check_aid(total_budget=total_budget, requested=requested, limits=limits)
    except ValueError:
        return LimitCheck(None, rate, (_("Amounts must be positive numbers with at most two decimals."),))
    messages = []
    if requested > total_budget:
        messages.append(_("The requested grant cannot be more than the total budget."))
    elif aid.rate_exceeded:
        messages.append(
            _("You ask for %(asked)s%% of the costs; this call pays at most %(rate)s%% for your type of applicant. "
              "The largest grant for this budget is %(largest)s.")
            % {"asked": (aid.requested_rate * 100).quantize(Decimal("0.01")), "rate": rate, "largest": aid.largest_allowed_grant}
        )
    if aid.above_max_grant:
        messages.append(_("The largest grant of this call is %(max)s.") % {"max": call.max_grant})
    if aid.below_min_grant:
        messages.append(_("The smallest grant of this call is %(min)s.") % {"min": call.min_grant})
    return LimitCheck(aid, rate, tuple(messages))


def _aid_record(check: LimitCheck) -> dict[str, Any]:
    if check.aid is None:
        return {"flags": list(check.messages)}
    a = check.aid
    return {
        "total_budget": str(a.total_budget), "requested": str(a.requested), "requested_rate": str(a.requested_rate),
        "max_rate": str(check.max_rate), "rate_exceeded": a.rate_exceeded, "above_max_grant": a.above_max_grant,
        "below_min_grant": a.below_min_grant, "largest_allowed_grant": str(a.largest_allowed_grant),
        "suggested_grant": str(a.suggested_grant) if a.suggested_grant is not None else None,
        "flagged": a.flagged or bool(check.messages), "flags": list(check.messages),
    }


# --- drafts --------------------------------------------------------------------------------------


def _grant_applicant_role(user: User, lag: Lag) -> None:
    RoleGrant.objects.get_or_create(user=user, lag=lag, role=Role.APPLICANT)


@transaction.atomic
def application_start(*, actor: User, call: Call, stage: str = Stage.FULL, idea: Application | None = None,
                      now: datetime | None = None) -> Application:
    """A new draft for ``actor``; grants the applicant role in the LAG on the first application."""
    now = now or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise ValidationError(_("Log in or create an account to apply."))
    call_accepts(call, stage, now)
    if stage == Stage.FULL and call.has_idea_stage:
        if idea is None or idea.call_id != call.pk or idea.applicant_id != actor.pk or idea.stage != Stage.IDEA \
                or idea.status != ApplicationStatus.ELIGIBLE:
            raise ValidationError(_("In this call, full applications are invited from the project ideas selected in the first stage."))
    measure = call.call_measures.order_by("order", "id").first()
    if measure is None:
        raise ValidationError(_("This call has no measure to apply to."))
    rates = list(call.aid_rates.values_list("applicant_type", flat=True))
    eligible = list(call.eligible_settlements.all())
    village = actor.village if actor.village_id and (not eligible or actor.village in eligible) else None
    app = Application.objects.create(
        lag=call.lag, call=call, measure=(idea.measure if idea else measure), stage=stage, idea=idea, applicant=actor,
        applicant_type=(idea.applicant_type if idea else (rates[0] if rates else "")),
        applicant_name=(idea.applicant_name if idea else actor.full_name),
        settlement=(idea.settlement if idea else village),
        title=(idea.title if idea else ""), summary=(idea.summary if idea else ""),
        status_changed_at=now,
    )
    _grant_applicant_role(actor, call.lag)
    audit_record(actor=actor, lag=call.lag, action="grants.application_start", target=app,
                 summary=f"Draft application for call {call.code}", data={"call": call.pk, "application": app.pk})
    return app


@transaction.atomic
def application_update(*, actor: User | None, application: Application, data: dict[str, Any], step: int | None = None) -> Application:
    """Save the project's basic facts (a step of the form)."""
    app = _locked(application)
    _ensure_author(actor, app)
    _ensure_editable(app)
    call = app.call
    errors: dict[str, str] = {}
    if "measure" in data:
        m = data["measure"]
        if not isinstance(m, CallMeasure) or m.call_id != call.pk:
            errors["measure"] = _("Choose one of the call's measures.")
    if "applicant_type" in data and not call.aid_rates.filter(applicant_type=data["applicant_type"]).exists():
        errors["applicant_type"] = _("This type of applicant cannot apply to this call.")
    if data.get("settlement") is not None:
        s = data["settlement"]
        eligible = call.eligible_settlements.all()
        if not isinstance(s, Settlement) or s.lag_id != call.lag_id or (eligible.exists() and not eligible.filter(pk=s.pk).exists()):
            errors["settlement"] = _("The project must take place in one of the call's villages.")
    duration = data.get("duration_months")
    if duration is not None and (
        (call.min_duration_months and duration < call.min_duration_months)
        or (call.max_duration_months and duration > call.max_duration_months)
    ):
        errors["duration_months"] = _("The project must last between %(min)s and %(max)s months.") % {
            "min": call.min_duration_months or 1, "max": call.max_duration_months or "—"}
    if errors:
        raise ValidationError(errors)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(app, name, data[name])
    if step:
        app.step = max(app.step, step)
    app.full_clean(exclude=["lag", "call", "applicant", "idea", "assisted_by", "settlement", "measure", "number", "submitted_at"])
    app.save()
    audit_record(actor=actor, lag=app.lag, action="grants.application_update", target=app,
                 summary="Draft application saved", data={"application": app.pk, "fields": sorted(set(data) & set(EDITABLE_FIELDS))})
    return app


def _answer_value(question: CallQuestion, raw: Any) -> dict[str, Any]:
    raw = "" if raw is None else str(raw).strip()
    if question.kind == QuestionKind.NUMBER:
        if raw == "":
            return {"number": None}
        try:
            number = Decimal(raw.replace(",", ".").replace(" ", ""))
        except InvalidOperation as exc:
            raise ValidationError({f"q{question.pk}": _("Enter a number.")}) from exc
        if not number.is_finite() or abs(number) >= Decimal("1e14") or number != number.quantize(Decimal("0.01")):
            raise ValidationError({f"q{question.pk}": _("Enter a number with at most two decimals.")})
        return {"number": number}
    if question.kind == QuestionKind.CHOICE:
        values = {c.get("value") for c in question.choices}
        if raw and raw not in values:
            raise ValidationError({f"q{question.pk}": _("Choose one of the options.")})
        return {"choice": raw}
    if question.max_length and len(raw) > question.max_length:
        raise ValidationError({f"q{question.pk}": _("Keep the answer under %(n)s characters.") % {"n": question.max_length}})
    if len(raw) > 20000:
        raise ValidationError({f"q{question.pk}": _("The answer is too long.")})
    return {"text": raw}


@transaction.atomic
def application_answers_save(*, actor: User | None, application: Application, answers: dict[int, Any], step: int | None = None) -> Application:
    """Save answers to the call's questions (file questions go through ``attachment_add``)."""
    app = _locked(application)
    _ensure_author(actor, app)
    _ensure_editable(app)
    questions = {q.pk: q for q in stage_questions(app.call, app.stage) if q.kind != QuestionKind.FILE}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(_("The form was changed on the way; reload the page and try again."), code="tampered")
    errors: dict[str, Any] = {}
    values = {}
    for pk, raw in answers.items():
        try:
            values[pk] = _answer_value(questions[pk], raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for pk, value in values.items():
        Answer.objects.update_or_create(application=app, question_id=pk, defaults={"text": "", "number": None, "choice": "", **value})
    if step:
        app.step = max(app.step, step)
        app.save(update_fields=["step", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.application_answers_save", target=app,
                 summary="Answers saved", data={"application": app.pk, "questions": sorted(values)})
    return app


def _money(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount such as 1500 or 1500.50.")}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("Amounts cannot be negative.")})
    if number >= Decimal("1e12"):
        raise ValidationError({field: _("This amount is too large.")})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Amounts have at most two decimals (tetri).")})
    return number


@transaction.atomic
def application_budget_save(*, actor: User | None, application: Application, lines: list[tuple[str, Any]],
                            requested_grant: Any, step: int | None = None) -> Application:
    """Replace the cost lines and the requested grant; total and own contribution follow from them."""
    app = _locked(application)
    _ensure_author(actor, app)
    _ensure_editable(app)
    cleaned = []
    for n, (description, amount) in enumerate(lines, 1):
        description = (description or "").strip()
        if not description and (amount in (None, "") or str(amount).strip() == ""):
            continue  # an empty row of the form
        if not description:
            raise ValidationError({f"line_{n}": _("Say what the cost on line %(n)s is for.") % {"n": n}})
        if len(description) > 200:
            raise ValidationError({f"line_{n}": _("Keep the description of line %(n)s short (200 characters).") % {"n": n}})
        cleaned.append((description, _money(amount, f"line_{n}")))
    if len(cleaned) > MAX_BUDGET_LINES:
        raise ValidationError(_("At most %(n)s cost lines.") % {"n": MAX_BUDGET_LINES})
    requested = _money(requested_grant if requested_grant not in (None, "") else "0", "requested_grant")
    total = sum((amount for _d, amount in cleaned), Decimal("0.00"))
    if requested > total:
        raise ValidationError({"requested_grant": _("The requested grant (%(requested)s) cannot be more than the total budget (%(total)s).")
                               % {"requested": requested, "total": total}})
    app.budget_lines.all().delete()
    BudgetLine.objects.bulk_create([
        BudgetLine(application=app, description=d, amount=a, order=i) for i, (d, a) in enumerate(cleaned, 1)
    ])
    app.total_budget = total
    app.requested_grant = requested
    app.own_contribution = total - requested
    if step:
        app.step = max(app.step, step)
    app.save(update_fields=["total_budget", "requested_grant", "own_contribution", "step", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.application_budget_save", target=app,
                 summary="Budget saved", data={"application": app.pk, "total": str(total), "requested": str(requested)})
    return app


# --- attachments ---------------------------------------------------------------------------------


def validate_upload(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of an allowed file, or a clear ValidationError."""
    name = upload.name or ""
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(_("This kind of file is not accepted. Send a PDF, a photo (JPG, PNG) or a document (DOCX, XLSX, ODT)."),
                              code="file_type")
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is too large: at most %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="file_size")
    content_type, signatures = ALLOWED_UPLOADS[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(_("The file's content does not match its name (%(ext)s). Send the original file.") % {"ext": ext},
                              code="file_content")
    return ext, content_type


def _store(app: Application, upload: UploadedFile, *, actor, purpose, document=None, question=None, appeal=None) -> Attachment:
    _ext, content_type = validate_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = PurePath(upload.name).name[-200:]
    att = Attachment(application=app, purpose=purpose, document=document, question=question, appeal=appeal,
                     original_name=original, content_type=content_type, size=upload.size,
                     sha256=digest.hexdigest(), uploaded_by=actor)
    att.file.save(upload.name, upload, save=False)
    att.save()
    return att


@transaction.atomic
def attachment_add(*, actor: User | None, application: Application, upload: UploadedFile,
                   document: CallDocument | None = None, question: CallQuestion | None = None) -> Attachment:
    """Attach a required document, a file answer or another document to an editable application."""
    app = _locked(application)
    _ensure_author(actor, app)
    _ensure_editable(app)
    if document is not None and document.call_id != app.call_id:
        raise ValidationError(_("The form was changed on the way; reload the page and try again."), code="tampered")
    if question is not None and (question.call_id != app.call_id or question.kind != QuestionKind.FILE):
        raise ValidationError(_("The form was changed on the way; reload the page and try again."), code="tampered")
    if app.attachments.count() >= 30:
        raise ValidationError(_("At most 30 files per application."))
    purpose = AttachmentPurpose.DOCUMENT if document else AttachmentPurpose.ANSWER if question else (
        AttachmentPurpose.FIX if app.status == ApplicationStatus.NEEDS_FIXES else AttachmentPurpose.OTHER)
    att = _store(app, upload, actor=actor, purpose=purpose, document=document, question=question)
    audit_record(actor=actor, lag=app.lag, action="grants.attachment_add", target=app,
                 summary=f"File attached ({att.size} bytes)", data={"application": app.pk, "attachment": att.pk, "purpose": purpose})
    return att


@transaction.atomic
def attachment_remove(*, actor: User | None, attachment: Attachment) -> None:
    app = _locked(attachment.application)
    _ensure_author(actor, app)
    _ensure_editable(app)
    if attachment.purpose == AttachmentPurpose.SCAN:
        raise ValidationError(_("The scan of a paper application stays on record."))
    pk, name = attachment.pk, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(name))
    audit_record(actor=actor, lag=app.lag, action="grants.attachment_remove", target=app,
                 summary="File removed", data={"application": app.pk, "attachment": pk})


# --- submission ----------------------------------------------------------------------------------


def application_problems(app: Application, *, assisted: bool = False) -> list[str]:
    """Everything that stops the application from being submitted, in plain words (empty: ready)."""
    call = app.call
    problems: list[str] = []
    if not app.title.strip():
        problems.append(_("Give the project a title."))
    if not assisted and not app.summary.strip():
        problems.append(_("Describe the project in a few sentences."))
    if not app.applicant_name.strip():
        problems.append(_("Say who applies (your name or your organisation's)."))
    if app.settlement_id is None:
        problems.append(_("Choose the village where the project takes place."))
    rates = {r.applicant_type: r.max_rate for r in call.aid_rates.all()}
    if app.applicant_type not in rates:
        problems.append(_("This type of applicant cannot apply to this call."))
    if not assisted:
        if app.duration_months is None and (call.min_duration_months or call.max_duration_months):
            problems.append(_("Say how many months the project will take."))
        answers = {a.question_id: a for a in app.answers.all()}
        files = {att.question_id for att in app.attachments.all() if att.question_id}
        docs = {att.document_id for att in app.attachments.all() if att.document_id}
        for q in stage_questions(call, app.stage):
            if not q.required:
                continue
            if q.kind == QuestionKind.FILE:
                missing = q.pk not in files
            else:
                a = answers.get(q.pk)
                missing = a is None or (a.text == "" and a.number is None and a.choice == "")
            if missing:
                problems.append(_("Answer the question: %(label)s") % {"label": q.label})
        for d in stage_documents(call, app.stage):
            if d.required and d.pk not in docs:
                problems.append(_("Attach the document: %(name)s") % {"name": d.name})
    if app.stage == Stage.FULL or app.total_budget > 0:
        if app.total_budget <= 0:
            problems.append(_("Fill in the budget: the total is zero."))
        elif app.applicant_type in rates and not assisted:
            check = check_limits(call=call, applicant_type=app.applicant_type, total_budget=app.total_budget,
                                 requested=app.requested_grant, rates=rates)
            problems.extend(check.messages)
    return problems


def application_submit(*, actor: User | None, application: Application, now: datetime | None = None) -> Application:
    """Submit once, before the deadline by the server clock at arrival; a repeat returns the same submission.

    ``now`` is when the request arrived (the view passes ``request.arrived_at``); the default, the
    clock now, is for callers without a request.
    """
    now = now or timezone.now()
    # 1. No lock yet: who, already submitted, late.
    app = Application.objects.select_related("call", "lag").get(pk=application.pk)
    _ensure_author(actor, app)
    if _already_submitted(app):
        return app  # a double click or a retry: nothing more to do
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "submit")
    call_accepts(app.call, app.stage, now)
    # 2. One short transaction: this application, then (briefly) the call's counter.
    with transaction.atomic():
        app = _locked(app)
        if _already_submitted(app):
            return app  # its twin got here first
        move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "submit")
        problems = application_problems(app)
        if problems:
            raise ValidationError(problems, code="incomplete")
        return _finish_submission(actor=actor, app=app, now=now, move=move, assisted=False)


def _already_submitted(app: Application) -> bool:
    return app.status != ApplicationStatus.DRAFT and app.number is not None and app.status != ApplicationStatus.WITHDRAWN


def _next_number(call_id: int) -> int:
    """The call's next reference number; locks its counter row until the transaction ends."""
    counter = CallCounter.objects.filter(call_id=call_id)
    if not counter.update(last_number=F("last_number") + 1):
        # A call published before counters existed, or made without ``call_publish`` (tests).
        CallCounter.objects.bulk_create([CallCounter(call_id=call_id)], ignore_conflicts=True)
        counter.update(last_number=F("last_number") + 1)
    return counter.values_list("last_number", flat=True).get()


def _finish_submission(*, actor, app: Application, now: datetime, move, assisted: bool) -> Application:
    """Number and submit ``app`` (locked by the caller, still a draft). Keep the counter's lock short:
    everything that can be computed before taking it is."""
    check = _aid_record(check_limits(call=app.call, applicant_type=app.applicant_type, total_budget=app.total_budget,
                                     requested=app.requested_grant))
    number = _next_number(app.call_id)
    updated = Application.objects.filter(pk=app.pk, status=ApplicationStatus.DRAFT).update(
        status=move.target, number=number, submitted_at=now, status_changed_at=now, aid_check=check,
    )
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable; kept as the last guard
        raise ValidationError(_("This application was submitted already."))
    app.status, app.number, app.submitted_at, app.status_changed_at, app.aid_check = move.target, number, now, now, check
    audit_record(
        actor=actor, lag=app.lag, action="grants.application_submit", target=app,
        summary=f"Application {app.reference} submitted" + (" (paper, entered by staff)" if assisted else ""),
        data={"application": app.pk, "call": app.call_id, "number": number, "submitted_at": now.isoformat(),
              "assisted": assisted, "aid_flagged": bool(check.get("flagged"))},
    )
    from sopeli.grants import notify

    notify.application_event(app, "submitted")  # the receipt's PDF is rendered by the worker
    return app


@transaction.atomic
def application_withdraw(*, actor: User | None, application: Application, reason: str = "", now: datetime | None = None) -> Application:
    """The applicant (or staff on their written request) withdraws, before a contract is signed.

    A funded or reserve application leaves its measure's decided selection: the money it frees goes
    down the reserve list in rank order at once, while the list is valid (``selection.application_left``).
    Locks in the grants order: that selection first, then the application.
    """
    from sopeli.grants.services import selection as selection_services
    from sopeli.projects.selectors import application_has_contract

    now = now or timezone.now()
    decided = (ApplicationStatus.FUNDED, ApplicationStatus.RESERVE)
    seen = Application.objects.only("status", "measure_id").get(pk=application.pk)
    selection = selection_services.decided_selection(seen.measure_id, lock=True) if seen.status in decided else None
    app = _locked(application)
    _ensure_author_or_manager(actor, app)
    if app.status == ApplicationStatus.WITHDRAWN:
        return app
    was = app.status
    if was in decided and selection is None:
        # Decided between our first look and the lock; taking the selection's lock now would break the order.
        raise ValidationError(_("The results of this call changed a moment ago; reload the page and try again."), code="retry")
    if was in decided and application_has_contract(app):
        raise ValidationError(_("The grant contract for this project is signed: it can no longer be withdrawn here. "
                                "Contact the LAG to end the contract."), code="contract")
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "withdraw")
    app.status = move.target
    app.withdrawn_at = now
    app.status_changed_at = now
    app.withdrawal_reason = (reason or "").strip()[:2000]
    app.save(update_fields=["status", "withdrawn_at", "status_changed_at", "withdrawal_reason", "updated_at"])
    if was == ApplicationStatus.FUNDED:
        from sopeli.projects.services import contracts_cancel_unsigned

        contracts_cancel_unsigned(actor=actor, application=app)  # a contract still being prepared ends with it
    # Withdrawing a funded or reserve project changes public results.
    public = was in decided
    audit_record(actor=actor, lag=app.lag, action="grants.application_withdraw", target=app, public=public,
                 summary=f"Application {app.reference} withdrawn",
                 data={"application": app.pk, "call": app.call_id, "number": app.number, "was": was})
    if public:
        selection_services.application_left(actor=actor, selection=selection, application=app, now=now)
    return app


def _ensure_author_or_manager(actor, app: Application) -> None:
    if actor is None or (app.applicant_id != actor.pk and not can_manage(actor, app.lag)):
        raise ValidationError(_("Only the applicant can change this application."), code="not_author")


@transaction.atomic
def application_resubmit(*, actor: User | None, application: Application, now: datetime | None = None) -> Application:
    """Send the application back after fixing the missing items, before the fix deadline."""
    now = now or timezone.now()
    app = _locked(application)
    _ensure_author(actor, app)
    if app.status == ApplicationStatus.SUBMITTED:
        return app  # repeat
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "resubmit")
    fix = app.eligibility.fix_requests.filter(fixed_at__isnull=True).order_by("-requested_at").first()
    if fix is not None and not rules.is_on_time(now, fix.deadline.replace(microsecond=0)):
        raise ValidationError(_("The deadline to fix the missing items was %(deadline)s (Tbilisi time).") % {"deadline": local(fix.deadline)},
                              code="late")
    if fix is not None:
        fix.fixed_at = now
        fix.save(update_fields=["fixed_at"])
    app.status = move.target
    app.status_changed_at = now
    app.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(actor=actor, lag=app.lag, action="grants.application_resubmit", target=app,
                 summary=f"Application {app.reference} sent back with the missing items", data={"application": app.pk})
    return app


# --- paper applications entered by staff ---------------------------------------------------------


@transaction.atomic
def application_assisted_submit(
    *,
    actor: User,
    call: Call,
    resident_name: str,
    resident_email: str = "",
    village: Settlement | None,
    data: dict[str, Any],
    lines: list[tuple[str, Any]],
    requested_grant: Any,
    scan: UploadedFile,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> Application:
    """Staff enter a paper application for a resident, marked as such, with the scan attached.

    ``received_at`` is when the paper reached the office (default: now); it must not lie in the
    future and must be on time. The resident gets an account without a password (they can set one
    through "forgot password" if they have an e-mail address).
    """
    now = now or timezone.now()
    received_at = received_at or now
    if not can_manage(actor, call.lag):
        raise ValidationError(_("Only the LAG's staff can enter paper applications."))
    if received_at > now:
        raise ValidationError({"received_at": _("The time the paper arrived cannot be in the future.")})
    call = Call.objects.select_related("lag").get(pk=call.pk)  # fresh; the number comes from the call's counter
    resident_name = (resident_name or "").strip()
    if not resident_name:
        raise ValidationError({"resident_name": _("Give the resident's name.")})
    email = (resident_email or "").strip().lower()
    user = User.objects.filter(email=email).first() if email else None
    if user is None:
        user = User.objects.create_user(email or f"paper-{uuid.uuid4().hex[:12]}@{call.lag.slug}.invalid", None,
                                        full_name=resident_name, village=village)
    if not scan:
        raise ValidationError({"scan": _("Attach the scan of the paper application.")})
    validate_upload(scan)
    stage = Stage.IDEA if call.has_idea_stage and rules.is_on_time(received_at, call.ideas_close_at) else Stage.FULL
    call_accepts(call, stage, received_at)
    app = Application.objects.create(
        lag=call.lag, call=call, measure=data.get("measure") or call.call_measures.first(), stage=stage, applicant=user,
        applicant_type=data.get("applicant_type", ""), applicant_name=data.get("applicant_name") or resident_name,
        settlement=village, title=data.get("title", ""), summary=data.get("summary", ""),
        partners=data.get("partners", ""), duration_months=data.get("duration_months"), assisted_by=actor,
    )
    _grant_applicant_role(user, call.lag)
    application_update(actor=actor, application=app, data={k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    application_budget_save(actor=actor, application=app, lines=lines, requested_grant=requested_grant)
    app.refresh_from_db()
    _store(app, scan, actor=actor, purpose=AttachmentPurpose.SCAN)
    problems = application_problems(app, assisted=True)
    if problems:
        raise ValidationError(problems)
    move = workflow.transition(workflow.APPLICATION_TRANSITIONS, app.status, "submit")
    return _finish_submission(actor=actor, app=_locked(app), now=received_at, move=move, assisted=True)
