"""What each kind of public-ledger entry means, in words a resident reads, in both languages.

The chain itself keeps the technical kind (``grants.call_publish``) and the canonical fact: those
are what anyone verifies and must never change. The public page shows, beside them, a translated
label and the fact's own identifying details (a call's code, a contract's number, an amount), so
the record reads in Georgian without touching what was hashed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    # members and bodies
    "membership.approved": _("New member approved"),
    "membership.resigned": _("A member resigned"),
    "membership.group_created": _("Interest group created"),
    "membership.group_renamed": _("Interest group renamed"),
    "membership.body_created": _("Body created"),
    "membership.body_updated": _("Body changed"),
    "membership.election_recorded": _("Election recorded"),
    "membership.seat_assigned": _("Seat filled"),
    "membership.seat_ended": _("Seat ended"),
    # decisions
    "procedure.opened": _("Written procedure opened"),
    "procedure.closed": _("Written procedure closed, with its decision"),
    "meeting.minutes_published": _("Minutes published, with every decision"),
    # strategy and consultation
    "strategy.create": _("Strategy started"),
    "strategy.version_submit": _("Strategy version submitted for approval"),
    "strategy.version_approve": _("Strategy version approved"),
    "strategy.version_amend": _("Strategy amendment started"),
    "strategy.version_reopen": _("Strategy version reopened"),
    "consultation.create": _("Public consultation opened"),
    "consultation.phase_create": _("Consultation phase added"),
    "consultation.phase_update": _("Consultation phase changed"),
    "consultation.idea_post": _("Idea published"),
    "consultation.idea_answer": _("Idea answered"),
    "consultation.idea_hide": _("Idea hidden, with the reason"),
    "consultation.idea_unhide": _("Idea shown again"),
    "consultation.idea_merge": _("Ideas merged"),
    "consultation.comment_post": _("Comment published"),
    "consultation.comment_answer": _("Comment answered"),
    "consultation.comment_hide": _("Comment hidden, with the reason"),
    "consultation.comment_unhide": _("Comment shown again"),
    "consultation.meeting_record": _("Village meeting recorded"),
    "consultation.survey_create": _("Survey created"),
    # competitions
    "grants.call_publish": _("Call published"),
    "grants.call_amend": _("Call amended"),
    "grants.call_close": _("Call closed for applications"),
    "grants.received_list_publish": _("List of received applications published"),
    "grants.evaluation_finish": _("Evaluation finished"),
    "grants.selection_to_board": _("Ranking sent to the board"),
    "grants.selection_decide": _("Board's selection recorded"),
    "grants.results_publish": _("Results published"),
    "grants.reserve_activate": _("Reserve project funded"),
    "grants.application_withdraw": _("Application withdrawn"),
    "grants.appeal_file": _("Appeal filed"),
    "grants.appeal_reject": _("Appeal rejected"),
    "grants.appeal_reevaluation": _("Re-evaluation ordered on appeal"),
    "grants.appeal_resolve": _("Appeal decided after re-evaluation"),
    # projects and money
    "projects.contract_check": _("Final eligibility check of the accountable body"),
    "projects.contract_sign": _("Grant contract signed"),
    "projects.contract_amend": _("Grant contract amended"),
    "projects.contract_settle": _("Project settled"),
    "projects.payment_record": _("Payment made"),
    "projects.recovery_receive": _("Money paid back"),
    "projects.report_review": _("Project report reviewed"),
    "projects.story_save": _("Project story published"),
    # monitoring, trainings, news
    "monitoring.study_create": _("Baseline study started"),
    "monitoring.endline_create": _("Endline study started"),
    "training.create": _("Training announced"),
    "training.update": _("Training changed"),
    "training.status": _("Training status changed"),
    "training.attendance": _("Training attendance recorded"),
    "training.certificates": _("Training certificates issued"),
    "training.material_add": _("Training material published"),
    "news.published": _("News published"),
    "news.updated": _("News changed"),
    "news.unpublished": _("News withdrawn"),
}

# Fact fields that name what an entry is about, in the order they are shown.
SUBJECT_FIELDS = ("code", "reference", "contract", "title", "topic", "project", "name")
AMOUNT_FIELDS = ("amount", "grant", "total_funded", "entitlement")


def label(kind: str) -> str:
    """The entry's meaning in the current language; an unknown kind shows as itself."""
    return str(KIND_LABELS.get(kind, kind))


def _text(value, lang: str) -> str:
    if isinstance(value, dict):  # {"ka": ..., "en": ...}
        return str(value.get(lang) or value.get("ka") or value.get("en") or "")
    return value if isinstance(value, str) else ""


def _money(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    return intcomma(f"{amount:.2f}")


def subject(fact: dict, currency: str = "GEL") -> list[str]:
    """The identifying details the fact itself carries (never more than what was hashed)."""
    data = fact.get("data") if isinstance(fact, dict) else None
    if not isinstance(data, dict):
        return []
    lang = (get_language() or "ka")[:2]
    parts = []
    for field in SUBJECT_FIELDS:
        text = _text(data.get(f"{field}_{lang}"), lang) or _text(data.get(field), lang)
        if text and text not in parts:
            parts.append(text)
    for field in AMOUNT_FIELDS:
        if data.get(field) not in (None, ""):
            money = _money(data[field])
            if money:
                parts.append(f"{money} {currency}")
            break
    return parts
