"""Every write of the consultation: keyword-only, one transaction, one audit event each.

Services refuse, with a plain translated ``ValidationError``, anything a user got wrong: posting
when the phase is closed (server clock, to the second), supporting twice (harmless: nothing
changes), merging an idea into itself, an answer without its objective/measure or reason, a
second response to a signed survey, a paper response without its source.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sopeli.accounts.permissions import can_manage
from sopeli.consultation import rules
from sopeli.consultation.models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    AnswerStatus,
    AnswerValue,
    Choice,
    Comment,
    Consultation,
    Idea,
    Phase,
    PhaseKind,
    Question,
    QuestionKind,
    Response,
    Source,
    Support,
    Survey,
    VillageMeeting,
)
from sopeli.core.audit import audit_record
from sopeli.core.models import Lag, Settlement

# --- Consultations and phases -------------------------------------------------------------------


@transaction.atomic
def consultation_create(*, actor, lag: Lag, data: dict) -> Consultation:
    version = data.get("version")
    if version is not None and version.lag_id != lag.pk:
        raise ValidationError(_("Choose a strategy version of this LAG."))
    consultation = Consultation.objects.create(lag=lag, **data)
    audit_record(actor=actor, lag=lag, action="consultation.create", target=consultation,
                 summary=f"Consultation opened: {consultation.title}", public=True)
    return consultation


@transaction.atomic
def consultation_update(*, actor, consultation: Consultation, data: dict) -> Consultation:
    version = data.get("version")
    if version is not None and version.lag_id != consultation.lag_id:
        raise ValidationError(_("Choose a strategy version of this LAG."))
    for key, value in data.items():
        setattr(consultation, key, value)
    consultation.save()
    audit_record(actor=actor, lag=consultation.lag, action="consultation.update", target=consultation,
                 summary=f"Consultation updated: {consultation.title}")
    return consultation


@transaction.atomic
def phase_create(*, actor, consultation: Consultation, data: dict) -> Phase:
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens is None or closes is None or closes <= opens:
        raise ValidationError(_("A phase must close after it opens."))
    if data.get("kind") == PhaseKind.COMMENTS and consultation.version_id is None:
        raise ValidationError(_("Link the consultation to a strategy version before opening comments on the draft."))
    phase = Phase.objects.create(consultation=consultation, **data)
    audit_record(actor=actor, lag=consultation.lag, action="consultation.phase_create", target=phase,
                 summary=f"Phase {phase.get_kind_display()}: {phase.opens_at:%Y-%m-%d %H:%M} – {phase.closes_at:%Y-%m-%d %H:%M}",
                 public=True)
    return phase


@transaction.atomic
def phase_update(*, actor, phase: Phase, data: dict) -> Phase:
    for key, value in data.items():
        setattr(phase, key, value)
    if phase.closes_at <= phase.opens_at:
        raise ValidationError(_("A phase must close after it opens."))
    phase.save()
    audit_record(actor=actor, lag=phase.consultation.lag, action="consultation.phase_update", target=phase,
                 summary=f"Phase changed: {phase.opens_at:%Y-%m-%d %H:%M} – {phase.closes_at:%Y-%m-%d %H:%M}", public=True)
    return phase


def _open_phase(consultation: Consultation, kind: str, now=None) -> Phase | None:
    now = now or timezone.now()
    return consultation.phases.filter(kind=kind, opens_at__lte=now, closes_at__gt=now).first()


def _require_open(consultation: Consultation, kind: str, *, staff: bool = False) -> None:
    """Residents post only while a phase of ``kind`` is open; staff may record offline input any time."""
    if staff:
        return
    if _open_phase(consultation, kind) is None:
        if kind == PhaseKind.IDEAS:
            raise ValidationError(_("Ideas are not being collected now: this phase is closed."))
        raise ValidationError(_("Comments on the draft are not being collected now: this phase is closed."))


def _village(lag: Lag, village: Settlement | None) -> Settlement | None:
    if village is not None and village.lag_id != lag.pk:
        raise ValidationError(_("Choose a village of this LAG."))
    return village


# --- Ideas ----------------------------------------------------------------------------------------


@transaction.atomic
def idea_post(
    *, actor, consultation: Consultation, title: str, text: str, village: Settlement | None = None, theme=None,
    author_name: str = "", contact_phone: str = "", contact_email: str = "", gender: str = "", age_band: str = "",
    source: str | None = None, meeting: VillageMeeting | None = None, submission_key: uuid.UUID | None = None,
) -> Idea:
    """Post an idea. With an account it is the author's; without, it is a quick entry (name and
    village required) shown as not yet confirmed. Staff record ideas from meetings or paper forms.

    A repeated ``submission_key`` (double click, retry) returns the idea already posted.
    """
    lag = consultation.lag
    if submission_key is not None:
        existing = Idea.objects.filter(submission_key=submission_key, consultation=consultation).first()
        if existing is not None:
            return existing
    is_user = getattr(actor, "is_authenticated", False)
    staff = is_user and can_manage(actor, lag) and source in (Source.MEETING, Source.PAPER, Source.OFFICE)
    _require_open(consultation, PhaseKind.IDEAS, staff=staff)
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise ValidationError(_("Give your idea a title and describe it."))
    _village(lag, village)
    if theme is not None and theme.lag_id != lag.pk:
        raise ValidationError(_("Choose a theme of this LAG."))
    if meeting is not None and meeting.consultation_id != consultation.pk:
        raise ValidationError(_("Choose a meeting of this consultation."))
    fields = {"gender": gender or "", "age_band": age_band or "", "submission_key": submission_key}
    if staff:
        if not author_name.strip():
            raise ValidationError(_("Write the name of the person who gave the idea."))
        if source == Source.MEETING and meeting is None:
            raise ValidationError(_("Choose the village meeting where the idea was collected."))
        fields.update(author_name=author_name.strip(), source=source, meeting=meeting if source == Source.MEETING else None,
                      entered_by=actor, confirmed=True, village=village or (meeting.village if meeting else None))
    elif is_user:
        fields.update(author=actor, author_name=actor.full_name or actor.get_short_name(), source=Source.ONLINE,
                      confirmed=True, village=village or actor.village)
    else:
        if not author_name.strip() or village is None:
            raise ValidationError(_("Without an account, write your name and choose your village."))
        fields.update(author_name=author_name.strip(), village=village, source=Source.QUICK, confirmed=False,
                      contact_phone=contact_phone.strip(), contact_email=contact_email.strip())
    try:
        with transaction.atomic():
            idea = Idea.objects.create(consultation=consultation, lag=lag, title=title, text=text, theme=theme, **fields)
    except IntegrityError:
        existing = Idea.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    audit_record(actor=actor, lag=lag, action="consultation.idea_post", target=idea,
                 summary=f"Idea {idea.pk} posted ({idea.source})", data={"source": idea.source}, public=True)
    return idea


@transaction.atomic
def idea_confirm(*, actor, idea: Idea) -> Idea:
    if not idea.confirmed:
        idea.confirmed = True
        idea.save(update_fields=["confirmed"])
    audit_record(actor=actor, lag=idea.lag, action="consultation.idea_confirm", target=idea, summary=f"Quick entry {idea.pk} confirmed")
    return idea


def _hide(obj, actor, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write the reason for hiding it; the public sees the reason instead of the text."))
    obj.hidden_reason, obj.hidden_at, obj.hidden_by = reason[:300], timezone.now(), actor
    obj.save(update_fields=["hidden_reason", "hidden_at", "hidden_by"])


def _unhide(obj) -> None:
    obj.hidden_reason, obj.hidden_at, obj.hidden_by = "", None, None
    obj.save(update_fields=["hidden_reason", "hidden_at", "hidden_by"])


@transaction.atomic
def idea_hide(*, actor, idea: Idea, reason: str) -> Idea:
    _hide(idea, actor, reason)
    audit_record(actor=actor, lag=idea.lag, action="consultation.idea_hide", target=idea,
                 summary=f"Idea {idea.pk} hidden by the moderator: {idea.hidden_reason}", public=True)
    return idea


@transaction.atomic
def idea_unhide(*, actor, idea: Idea) -> Idea:
    _unhide(idea)
    audit_record(actor=actor, lag=idea.lag, action="consultation.idea_unhide", target=idea, summary=f"Idea {idea.pk} shown again", public=True)
    return idea


@transaction.atomic
def supports_recount(*, actor, consultation: Consultation) -> int:
    """Set every idea's ``support_count`` from its Support rows (after bulk loads); returns ideas updated."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counts = Support.objects.filter(idea=OuterRef("pk")).order_by().values("idea").annotate(n=Count("id")).values("n")
    updated = Idea.objects.filter(consultation=consultation).update(support_count=Coalesce(Subquery(counts), 0))
    audit_record(actor=actor, lag=consultation.lag, action="consultation.supports_recount", target=consultation,
                 summary=f"Support counts recomputed for {updated} ideas")
    return updated


def kept_idea(idea: Idea) -> Idea:
    """Follow ``merged_into`` to the idea that was kept (merges never form chains, but be safe)."""
    seen = set()
    while idea.merged_into_id and idea.pk not in seen:
        seen.add(idea.pk)
        idea = idea.merged_into
    return idea


@transaction.atomic
def idea_support(*, actor, idea: Idea) -> tuple[Idea, bool]:
    """Support an idea once. Returns (the idea supported, whether a support was added).

    A merged idea's support goes to the kept idea. A second support (double click, a second tab,
    two requests at once) changes nothing: the unique constraint decides, not a prior read.
    """
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in to support an idea."))
    idea = kept_idea(idea)
    if idea.is_hidden:
        raise ValidationError(_("This idea was hidden by the moderator and cannot be supported."))
    if idea.author_id == actor.pk:
        raise ValidationError(_("You posted this idea; ask others to support it."))
    _require_open(idea.consultation, PhaseKind.IDEAS)
    try:
        with transaction.atomic():
            Support.objects.create(idea=idea, user=actor)
    except IntegrityError:
        return idea, False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    audit_record(actor=actor, lag=idea.lag, action="consultation.idea_support", target=idea, summary=f"Idea {idea.pk} supported")
    return idea, True


@transaction.atomic
def idea_merge(*, actor, duplicate: Idea, kept: Idea) -> Idea:
    """Merge ``duplicate`` into ``kept``: it points to the kept idea, is answered "merged", and its
    supports move over without counting anyone twice (``rules.supports_to_move``)."""
    duplicate = Idea.objects.select_for_update().get(pk=duplicate.pk)
    kept = Idea.objects.select_for_update().get(pk=kept.pk)
    if duplicate.pk == kept.pk:
        raise ValidationError(_("An idea cannot be merged into itself."))
    if duplicate.consultation_id != kept.consultation_id:
        raise ValidationError(_("Only ideas of the same consultation can be merged."))
    if kept.merged_into_id:
        raise ValidationError(_("The idea to keep was itself merged into another; merge into that one."))
    if duplicate.merged_into_id:
        raise ValidationError(_("This idea is already merged."))
    kept_supporters = set(Support.objects.filter(idea=kept).values_list("user_id", flat=True))
    dup_supporters = set(Support.objects.filter(idea=duplicate).values_list("user_id", flat=True))
    # The duplicate's author agreed with the kept idea: count them as a supporter too.
    if duplicate.author_id:
        dup_supporters.add(duplicate.author_id)
    moving = rules.supports_to_move(kept_supporters, dup_supporters, kept.author_id)
    Support.objects.bulk_create([Support(idea=kept, user_id=u) for u in sorted(moving)], ignore_conflicts=True)
    Support.objects.filter(idea=duplicate).delete()
    Idea.objects.filter(pk=kept.pk).update(support_count=Support.objects.filter(idea=kept).count())
    duplicate.support_count = 0
    # Ideas merged earlier into the duplicate now point at the kept idea (no chains).
    Idea.objects.filter(merged_into=duplicate).update(merged_into=kept)
    duplicate.merged_into = kept
    duplicate.answer_status = AnswerStatus.MERGED
    duplicate.answer_text = duplicate.answer_text or ""
    duplicate.answered_at, duplicate.answered_by = timezone.now(), actor
    duplicate.save(update_fields=["merged_into", "answer_status", "answer_text", "answered_at", "answered_by", "support_count"])
    audit_record(actor=actor, lag=kept.lag, action="consultation.idea_merge", target=duplicate,
                 summary=f"Idea {duplicate.pk} merged into idea {kept.pk}", data={"kept": kept.pk, "moved_supports": len(moving)},
                 public=True)
    return kept


def _answer(obj, *, actor, status: str, text: str, objective, measure, allowed_version) -> None:
    text = (text or "").strip()
    if status == AnswerStatus.MERGED:
        raise ValidationError(_("To merge, use the merge form and choose the idea to keep."))
    problem = rules.answer_problem(status, has_target=bool(objective or measure), reason=text)
    if problem == "needs_target":
        raise ValidationError(_("Taken up: choose the objective or measure that carries it."))
    if problem == "needs_reason":
        raise ValidationError(_("Not taken up: write the reason; the person who gave it will read it."))
    if problem:
        raise ValidationError(_("Choose an answer."))
    for item in (objective, measure):
        if item is not None and item.version.lag_id != obj.lag_id:
            raise ValidationError(_("Choose an objective or measure of this LAG's strategy."))
    if status != AnswerStatus.TAKEN_UP:
        objective = measure = None
    obj.answer_status, obj.answer_text = status, text
    obj.answer_objective, obj.answer_measure = objective, measure
    obj.answered_at, obj.answered_by = (timezone.now(), actor) if status != AnswerStatus.PENDING else (None, None)
    obj.save(update_fields=["answer_status", "answer_text", "answer_objective", "answer_measure", "answered_at", "answered_by"])


@transaction.atomic
def idea_answer(*, actor, idea: Idea, status: str, text: str = "", objective=None, measure=None) -> Idea:
    if idea.merged_into_id:
        raise ValidationError(_("This idea was merged; answer the idea it was merged into."))
    _answer(idea, actor=actor, status=status, text=text, objective=objective, measure=measure, allowed_version=None)
    audit_record(actor=actor, lag=idea.lag, action="consultation.idea_answer", target=idea,
                 summary=f"Idea {idea.pk}: {idea.get_answer_status_display()}", public=True)
    return idea


# --- Comments on the draft -----------------------------------------------------------------------


@transaction.atomic
def comment_post(
    *, actor, consultation: Consultation, section: str, text: str, gender: str = "", age_band: str = "",
    village: Settlement | None = None, submission_key: uuid.UUID | None = None,
    author_name: str = "", source: str | None = None,
) -> Comment:
    """A comment on one section of the consultation's draft. Residents need an account; staff may
    record a comment given at a meeting or on paper, with the person's name."""
    from sopeli.strategy.models import StrategySection

    lag = consultation.lag
    if submission_key is not None:
        existing = Comment.objects.filter(submission_key=submission_key, consultation=consultation).first()
        if existing is not None:
            return existing
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in to comment on the draft."))
    staff = can_manage(actor, lag) and source in (Source.MEETING, Source.PAPER, Source.OFFICE)
    if consultation.version_id is None:
        raise ValidationError(_("This consultation has no draft to comment on."))
    _require_open(consultation, PhaseKind.COMMENTS, staff=staff)
    if not staff and not consultation.version.is_public:
        raise ValidationError(_("The draft is not published yet; comments open when the LAG publishes it."))
    if section not in StrategySection.values or section == StrategySection.INVOLVEMENT:
        raise ValidationError(_("Choose a section of the draft."))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write your comment."))
    _village(lag, village)
    if staff:
        if not author_name.strip():
            raise ValidationError(_("Write the name of the person who gave the comment."))
        who = {"author_name": author_name.strip(), "source": source}
    else:
        who = {"author": actor, "author_name": actor.full_name or actor.get_short_name(), "source": Source.ONLINE}
        village = village or actor.village
    comment = Comment.objects.create(
        consultation=consultation, lag=lag, section=section, text=text, village=village, gender=gender or "",
        age_band=age_band or "", submission_key=submission_key, **who,
    )
    audit_record(actor=actor, lag=lag, action="consultation.comment_post", target=comment,
                 summary=f"Comment on {comment.get_section_display()}", public=True)
    return comment


@transaction.atomic
def comment_hide(*, actor, comment: Comment, reason: str) -> Comment:
    _hide(comment, actor, reason)
    audit_record(actor=actor, lag=comment.lag, action="consultation.comment_hide", target=comment,
                 summary=f"Comment {comment.pk} hidden by the moderator: {comment.hidden_reason}", public=True)
    return comment


@transaction.atomic
def comment_unhide(*, actor, comment: Comment) -> Comment:
    _unhide(comment)
    audit_record(actor=actor, lag=comment.lag, action="consultation.comment_unhide", target=comment,
                 summary=f"Comment {comment.pk} shown again", public=True)
    return comment


@transaction.atomic
def comment_answer(*, actor, comment: Comment, status: str, text: str = "", objective=None, measure=None) -> Comment:
    _answer(comment, actor=actor, status=status, text=text, objective=objective, measure=measure, allowed_version=None)
    audit_record(actor=actor, lag=comment.lag, action="consultation.comment_answer", target=comment,
                 summary=f"Comment {comment.pk}: {comment.get_answer_status_display()}", public=True)
    return comment


# --- Village meetings -----------------------------------------------------------------------------


@transaction.atomic
def meeting_record(*, actor, consultation: Consultation, data: dict) -> VillageMeeting:
    _village(consultation.lag, data.get("village"))
    if data.get("village") is None:
        raise ValidationError(_("Choose the village."))
    if (data.get("women") or 0) < 0 or (data.get("men") or 0) < 0:
        raise ValidationError(_("Attendance cannot be negative."))
    meeting = VillageMeeting.objects.create(consultation=consultation, lag=consultation.lag, recorded_by=actor, **data)
    audit_record(actor=actor, lag=consultation.lag, action="consultation.meeting_record", target=meeting,
                 summary=f"Village meeting in {meeting.village}: {meeting.women} women, {meeting.men} men", public=True)
    return meeting


# --- Surveys ----------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, actor, lag: Lag, data: dict, consultation: Consultation | None = None) -> Survey:
    phase = data.get("phase")
    if phase is not None and (consultation is None or phase.consultation_id != consultation.pk):
        raise ValidationError(_("Choose a phase of this consultation."))
    if phase is None:
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens is None or closes is None or closes <= opens:
            raise ValidationError(_("Choose the survey's phase, or give dates with the closing after the opening."))
    survey = Survey.objects.create(lag=lag, consultation=consultation, **data)
    audit_record(actor=actor, lag=lag, action="consultation.survey_create", target=survey, summary=f"Survey: {survey.title}", public=True)
    return survey


@transaction.atomic
def question_add(*, actor, survey: Survey, data: dict, choices: Iterable[tuple[str, str]] = ()) -> Question:
    """Add a question; ``choices`` are (Georgian, English) pairs for single and multiple choice."""
    if survey.responses.exists():
        raise ValidationError(_("People have already answered this survey; its questions can no longer change."))
    choices = [(ka.strip(), en.strip()) for ka, en in choices if ka.strip()]
    if data.get("kind") in CHOICE_KINDS and len(choices) < 2:
        raise ValidationError(_("A choice question needs at least two choices, one per line."))
    if data.get("kind") not in QuestionKind.values:
        raise ValidationError(_("Choose the kind of question."))
    if "order" not in data or data["order"] is None:
        data = {**data, "order": survey.questions.count() + 1}
    question = Question.objects.create(survey=survey, **data)
    if question.kind in CHOICE_KINDS:
        Choice.objects.bulk_create([Choice(question=question, order=i, text_ka=ka, text_en=en or ka)
                                    for i, (ka, en) in enumerate(choices, start=1)])
    audit_record(actor=actor, lag=survey.lag, action="consultation.question_add", target=question, summary=f"Question added to {survey}")
    return question


def _clean_values(survey: Survey, questions: list[Question], answers: dict) -> list[AnswerValue]:
    """Check ``answers`` ({question_id: value}) against the questions and build the rows.

    Values: single → choice id; multiple → list of choice ids; scale → 1..5; short/long → str;
    village → Settlement id (of the LAG).
    """
    rows: list[AnswerValue] = []
    villages = set(survey.lag.settlements.values_list("pk", flat=True)) if any(q.kind == QuestionKind.VILLAGE for q in questions) else set()
    for q in questions:
        raw = answers.get(q.pk)
        empty = raw in (None, "", [], ())
        if empty:
            if q.required:
                raise ValidationError(_("Please answer: %(question)s") % {"question": q.text})
            continue
        choice_ids = {c.pk for c in q.choices.all()}
        try:
            if q.kind == QuestionKind.SINGLE:
                cid = int(raw)
                if cid not in choice_ids:
                    raise ValueError
                rows.append(AnswerValue(question=q, choice_id=cid))
            elif q.kind == QuestionKind.MULTIPLE:
                ids = {int(v) for v in (raw if isinstance(raw, list | tuple | set) else [raw])}
                if not ids <= choice_ids:
                    raise ValueError
                rows += [AnswerValue(question=q, choice_id=cid) for cid in sorted(ids)]
            elif q.kind == QuestionKind.SCALE:
                n = int(raw)
                if not rules.scale_is_valid(n):
                    raise ValueError
                rows.append(AnswerValue(question=q, number=n))
            elif q.kind in TEXT_KINDS:
                text = str(raw).strip()[: (200 if q.kind == QuestionKind.SHORT else 4000)]
                if text:
                    rows.append(AnswerValue(question=q, text=text))
                elif q.required:
                    raise ValidationError(_("Please answer: %(question)s") % {"question": q.text})
            elif q.kind == QuestionKind.VILLAGE:
                vid = int(raw)
                if vid not in villages:
                    raise ValueError
                rows.append(AnswerValue(question=q, village_id=vid))
        except (TypeError, ValueError):
            raise ValidationError(_("This answer is not one of the choices: %(question)s") % {"question": q.text}) from None
    return rows


@transaction.atomic
def response_submit(
    *, actor, survey: Survey, answers: dict, village: Settlement | None = None, gender: str = "", age_band: str = "",
    submission_key: uuid.UUID | None = None, paper_reference: str = "",
) -> Response:
    """Record one response. Online: while the survey is open; signed surveys need a login and take
    one response per person. Paper (``paper_reference`` given): entered by a manager, any time,
    with the source of the form recorded; it has no respondent account."""
    lag = survey.lag
    if submission_key is not None:
        existing = Response.objects.filter(submission_key=submission_key, survey=survey).first()
        if existing is not None:
            return existing
    paper = bool(paper_reference.strip())
    is_user = getattr(actor, "is_authenticated", False)
    if paper:
        if not (is_user and can_manage(actor, lag)):
            raise ValidationError(_("Only the LAG's staff enter paper responses."))
    else:
        if not survey.is_open:
            raise ValidationError(_("This survey is not open now."))
        if survey.signed and not is_user:
            raise ValidationError(_("Log in to answer this survey: each person answers once."))
        if survey.signed and Response.objects.filter(survey=survey, respondent=actor).exists():
            raise ValidationError(_("You have already answered this survey."))
    _village(lag, village)
    questions = list(survey.questions.prefetch_related("choices"))
    rows = _clean_values(survey, questions, answers)
    if not rows:
        raise ValidationError(_("The response is empty: answer at least one question."))
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey, lag=lag, village=village, gender=gender or "", age_band=age_band or "",
                respondent=actor if (survey.signed and is_user and not paper) else None,
                source=Source.PAPER if paper else Source.ONLINE, paper_reference=paper_reference.strip()[:200],
                entered_by=actor if paper else None, submission_key=submission_key,
            )
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    for row in rows:
        row.response = response
    AnswerValue.objects.bulk_create(rows)
    audit_record(actor=actor, lag=lag, action="consultation.response_submit", target=response,
                 summary=f"Survey response to {survey.pk} ({response.get_source_display()})",
                 data={"paper_reference": response.paper_reference} if paper else {})
    return response
