"""Writes of the monitoring app: research studies (baseline and endline surveys).

Surveys, questions and answers are created with the consultation app's survey services, so the
same engine (validation, paper entry, counts) serves consultations and household research.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sopeli.consultation import services as survey_services
from sopeli.consultation.models import Survey
from sopeli.core.audit import audit_record
from sopeli.core.models import Lag
from sopeli.monitoring.models import ResearchStudy


@transaction.atomic
def study_create(*, actor, lag: Lag, title_ka: str, title_en: str = "", baseline: Survey) -> ResearchStudy:
    if baseline.lag_id != lag.pk or baseline.consultation_id is not None:
        raise ValidationError(_("Choose a household survey of this LAG (not one of a consultation)."))
    if ResearchStudy.objects.filter(baseline=baseline).exists() or ResearchStudy.objects.filter(endline=baseline).exists():
        raise ValidationError(_("This survey is already part of a study."))
    if not (title_ka or "").strip():
        raise ValidationError(_("Give the study a title."))
    study = ResearchStudy.objects.create(lag=lag, title_ka=title_ka.strip(), title_en=(title_en or title_ka).strip(), baseline=baseline)
    audit_record(actor=actor, lag=lag, action="monitoring.study_create", target=study, summary=f"Research study: {study.title_ka}",
                 public=True)
    return study


@transaction.atomic
def baseline_create(*, actor, lag: Lag, title_ka: str, title_en: str, opens_at: datetime.datetime, closes_at: datetime.datetime,
                    questions: list[dict]) -> ResearchStudy:
    """A new household survey (through the consultation engine) and the study around it.

    ``questions``: [{"kind", "text_ka", "text_en", "choices": [(ka, en), ...]}].
    """
    survey = survey_services.survey_create(actor=actor, lag=lag, data={
        "title_ka": title_ka, "title_en": title_en or title_ka, "opens_at": opens_at, "closes_at": closes_at})
    for order, q in enumerate(questions, start=1):
        survey_services.question_add(actor=actor, survey=survey, data={
            "kind": q["kind"], "text_ka": q["text_ka"], "text_en": q.get("text_en") or q["text_ka"], "order": order,
            "required": q.get("required", False)}, choices=q.get("choices", ()))
    return study_create(actor=actor, lag=lag, title_ka=title_ka, title_en=title_en, baseline=survey)


@transaction.atomic
def endline_create(*, actor, study: ResearchStudy, opens_at: datetime.datetime, closes_at: datetime.datetime) -> ResearchStudy:
    """The endline survey: the baseline's questions and choices, copied, so answers compare one to one."""
    study = ResearchStudy.objects.select_for_update().get(pk=study.pk)
    if study.endline_id:
        raise ValidationError(_("This study already has its endline survey."))
    if closes_at <= opens_at:
        raise ValidationError(_("The closing must come after the opening."))
    base = study.baseline
    survey = survey_services.survey_create(actor=actor, lag=study.lag, data={
        "title_ka": f"{base.title_ka} — endline"[:200], "title_en": f"{base.title_en or base.title_ka} — endline"[:200],
        "opens_at": opens_at, "closes_at": closes_at})
    for q in base.questions.prefetch_related("choices").order_by("order", "id"):
        survey_services.question_add(actor=actor, survey=survey, data={
            "kind": q.kind, "text_ka": q.text_ka, "text_en": q.text_en, "help_text_ka": q.help_text_ka or "",
            "help_text_en": q.help_text_en or "", "order": q.order, "required": q.required},
            choices=[(c.text_ka, c.text_en or "") for c in q.choices.all()])
    study.endline = survey
    study.save(update_fields=["endline"])
    audit_record(actor=actor, lag=study.lag, action="monitoring.endline_create", target=study,
                 summary=f"Endline survey for {study.title_ka}", public=True)
    return study
