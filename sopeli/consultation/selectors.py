"""Reads for the consultation pages, each a fixed number of queries whatever the number of rows.

For other apps:
- ``involvement_summary(lag, version)`` → ``sopeli.strategy.selectors.InvolvementSummary``: how the
  community was involved in ``version`` (consultations held on it or on the version it amends).
- ``participation_figures(lag, consultation=None)`` → ``ParticipationFigures``: participation by
  village, gender and age band, for monitoring.
- ``consultation_report(consultation)`` → ``Report``: the public "you said, we did" counts.

How people are counted (shown on the report page too): each account counts once whatever it did
(posted, commented, supported, answered a signed survey); an entry without an account counts once
per name and village; each anonymous or paper survey response counts as one person; everyone
attending a village meeting counts as one. It is an upper estimate: someone who came to a meeting
and also posted online is counted twice. Women and men: the gender people stated plus the
meetings' attendance by gender. Hidden posts are not counted as inputs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from sopeli.consultation import rules
from sopeli.consultation.models import (
    AgeBand,
    AnswerStatus,
    AnswerValue,
    Choice,
    Comment,
    Consultation,
    Idea,
    Phase,
    QuestionKind,
    Response,
    Support,
    Survey,
    VillageMeeting,
)
from sopeli.core.models import Lag, Settlement
from sopeli.membership.models import Gender

# --- Consultations ---------------------------------------------------------------------------------


def consultations_for_lag(lag: Lag) -> dict:
    """Current (open or upcoming) and past consultations, with their phases: 2 queries."""
    now = timezone.now()
    items = list(
        Consultation.objects.filter(lag=lag)
        .annotate(idea_count=Count("ideas", filter=Q(ideas__merged_into__isnull=True, ideas__hidden_at__isnull=True)))
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "id")))
    )
    current, past = [], []
    for c in items:
        phases = list(c.phases.all())
        c.state = rules.consultation_state([(p.opens_at, p.closes_at) for p in phases], now)
        for p in phases:
            p.current_state = p.state(now)
        c.phase_list = phases
        (past if c.state == rules.CLOSED else current).append(c)
    return {"current": current, "past": past, "consultations": items}


def consultation_for(lag: Lag, pk: int) -> Consultation:
    """The consultation ``pk`` of ``lag`` (404 otherwise), with phases and surveys attached."""
    consultation = get_object_or_404(Consultation.objects.select_related("version", "lag"), lag=lag, pk=pk)
    now = timezone.now()
    phases = list(consultation.phases.order_by("opens_at", "id"))
    for p in phases:
        p.current_state = p.state(now)
    consultation.phase_list = phases
    consultation.state = rules.consultation_state([(p.opens_at, p.closes_at) for p in phases], now)
    consultation.open_kinds = {p.kind for p in phases if p.current_state == rules.OPEN}
    surveys = list(consultation.surveys.select_related("phase").annotate(response_count=Count("responses")))
    for s in surveys:
        s.current_state = s.state(now)
    consultation.survey_list = surveys
    return consultation


def survey_for(consultation: Consultation, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("phase", "lag"), consultation=consultation, pk=pk)


# --- Ideas ------------------------------------------------------------------------------------------

SORTS = {"support": ("-support_count", "-created_at", "-id"), "new": ("-created_at", "-id"), "old": ("created_at", "id")}


def ideas_list(consultation: Consultation, *, village: int | None = None, theme: int | None = None,
               sort: str = "support", include_merged: bool = False, answer: str | None = None):
    """Ideas of a consultation (merged ones left out), each with ``support_count``; filterable by
    village and theme, sorted by support (default) or date. One query per page of results."""
    qs = (
        Idea.objects.filter(consultation=consultation)
        .select_related("village", "theme", "answer_objective", "answer_measure")
    )
    if not include_merged and answer != AnswerStatus.MERGED:
        qs = qs.filter(merged_into__isnull=True)
    if village:
        qs = qs.filter(village_id=village)
    if theme:
        qs = qs.filter(theme_id=theme)
    if answer in AnswerStatus.values:
        qs = qs.filter(answer_status=answer)
    return qs.order_by(*SORTS.get(sort, SORTS["support"]))


def idea_for(consultation: Consultation, pk: int) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("village", "theme", "merged_into", "meeting", "answer_objective", "answer_measure"),
        consultation=consultation, pk=pk,
    )


def idea_page(consultation: Consultation, idea: Idea, user) -> dict:
    merged = list(idea.merged_ideas.select_related("village").order_by("created_at"))
    supported = (
        getattr(user, "is_authenticated", False) and Support.objects.filter(idea=idea, user=user).exists()
    )
    return {"idea": idea, "merged": merged, "supported": supported}


def filter_choices(consultation: Consultation) -> dict:
    from sopeli.membership.models import InterestGroup

    return {
        "villages": list(Settlement.objects.filter(lag=consultation.lag)),
        "themes": list(InterestGroup.objects.filter(lag=consultation.lag)),
    }


# --- Comments on the draft --------------------------------------------------------------------------


def comments_by_section(consultation: Consultation, *, include_hidden_text: bool = False) -> list[dict]:
    """The draft's sections in reading order, each with its comments and the LAG's replies (1 query)."""
    from sopeli.strategy.models import StrategySection

    comments = list(
        Comment.objects.filter(consultation=consultation)
        .select_related("village", "answer_objective", "answer_measure").order_by("created_at", "id")
    )
    by_section = defaultdict(list)
    for c in comments:
        by_section[c.section].append(c)
    return [
        {"key": key, "label": label, "comments": by_section.get(key, [])}
        for key, label in StrategySection.choices if key != StrategySection.INVOLVEMENT
    ]


# --- Village meetings ---------------------------------------------------------------------------------


def meetings_list(consultation: Consultation):
    return (
        VillageMeeting.objects.filter(consultation=consultation)
        .select_related("village")
        .annotate(idea_count=Count("ideas"))
        .order_by("-held_at", "-id")
    )


# --- Surveys ------------------------------------------------------------------------------------------


def survey_questions(survey: Survey) -> list:
    return list(survey.questions.prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))))


@dataclass
class Bar:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: object
    answered: int
    bars: list[Bar] = field(default_factory=list)
    mean: str | None = None  # scale: "3.7"
    is_text: bool = False


def survey_results(survey: Survey) -> dict:
    """Counts per choice, scale value and village, and how many answered each text question.
    Six queries whatever the number of responses. Texts themselves are not shown publicly."""
    questions = survey_questions(survey)
    total = Response.objects.filter(survey=survey).count()
    base = AnswerValue.objects.filter(question__survey=survey)
    answered = dict(base.values("question").annotate(n=Count("response", distinct=True)).values_list("question", "n"))
    by_choice = dict(base.filter(choice__isnull=False).values("choice").annotate(n=Count("id")).values_list("choice", "n"))
    by_number = defaultdict(dict)
    for qid, number, n in base.filter(number__isnull=False).values("question", "number").annotate(n=Count("id")).values_list("question", "number", "n"):
        by_number[qid][number] = n
    by_village = defaultdict(dict)
    for qid, vid, n in base.filter(village__isnull=False).values("question", "village").annotate(n=Count("id")).values_list("question", "village", "n"):
        by_village[qid][vid] = n
    has_village = any(q.kind == QuestionKind.VILLAGE for q in questions)
    villages = {v.pk: v for v in Settlement.objects.filter(lag=survey.lag)} if has_village else {}
    results = []
    for q in questions:
        n = answered.get(q.pk, 0)
        r = QuestionResult(question=q, answered=n)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            r.bars = [Bar(c.text, by_choice.get(c.pk, 0), rules.share_percent(by_choice.get(c.pk, 0), n)) for c in q.choices.all()]
        elif q.kind == QuestionKind.SCALE:
            counts = by_number.get(q.pk, {})
            r.bars = [Bar(str(v), counts.get(v, 0), rules.share_percent(counts.get(v, 0), n))
                      for v in range(rules.SCALE_MIN, rules.SCALE_MAX + 1)]
            s = rules.scale_summary(counts)
            r.mean = None if s.mean_tenths is None else f"{s.mean_tenths // 10}.{s.mean_tenths % 10}"
        elif q.kind == QuestionKind.VILLAGE:
            counts = by_village.get(q.pk, {})
            r.bars = sorted((Bar(str(villages[vid]), c, rules.share_percent(c, n)) for vid, c in counts.items() if vid in villages),
                            key=lambda b: (-b.count, b.label))
        else:
            r.is_text = True
        results.append(r)
    return {"survey": survey, "total": total, "results": results}


def export_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """One row per response, one column per question (choices joined with "; "), for CSV/XLSX.

    No account, name or e-mail is exported: only the response number, date, source, paper
    reference, village, gender and age band the person gave, and the answers. Five queries.
    """
    from sopeli.consultation.models import Source

    questions = survey_questions(survey)
    responses = list(Response.objects.filter(survey=survey).select_related("village").order_by("submitted_at", "id"))
    values = AnswerValue.objects.filter(response__survey=survey).select_related("choice", "village").order_by("id")
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    for v in values:
        if v.choice_id:
            text = v.choice.text
        elif v.number is not None:
            text = str(v.number)
        elif v.village_id:
            text = str(v.village)
        else:
            text = v.text
        cells[(v.response_id, v.question_id)].append(text)
    header = ["response", "submitted_at", "source", "paper_reference", "village", "gender", "age_band"] + [
        f"Q{i}. {q.text}" for i, q in enumerate(questions, start=1)
    ]
    tz = timezone.get_current_timezone()
    rows = []
    for n, r in enumerate(responses, start=1):
        rows.append([
            n, r.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), Source(r.source).label, r.paper_reference,
            str(r.village) if r.village_id else "", Gender(r.gender).label if r.gender else "",
            AgeBand(r.age_band).label if r.age_band else "",
        ] + ["; ".join(cells.get((r.pk, q.pk), [])) for q in questions])
    return [str(h) for h in header], [[str(c) for c in row] for row in rows]


def inputs_export_rows(consultation: Consultation, hidden_label: str) -> tuple[list[str], list[list[str]]]:
    """Every idea and comment with its answer, for the manager's export. Hidden posts appear only as
    ``hidden_label`` with the reason; phones and e-mails are never exported."""
    header = ["kind", "id", "date", "source", "confirmed", "village", "theme_or_section", "title", "text", "supports",
              "answer", "reply_or_reason", "objective", "measure", "merged_into"]
    tz = timezone.get_current_timezone()
    rows = []
    for i in ideas_list(consultation, sort="old", include_merged=True).select_related("merged_into"):
        hidden = f"{hidden_label}: {i.hidden_reason}" if i.is_hidden else ""
        rows.append(["idea", i.pk, i.created_at.astimezone(tz).strftime("%Y-%m-%d"), i.get_source_display(),
                     "yes" if i.confirmed else "no", i.village or "", i.theme or "", hidden or i.title, hidden or i.text,
                     i.support_count, i.get_answer_status_display(), i.answer_text,
                     i.answer_objective.code if i.answer_objective_id else "", i.answer_measure.code if i.answer_measure_id else "",
                     i.merged_into_id or ""])
    for c in Comment.objects.filter(consultation=consultation).select_related("village", "answer_objective", "answer_measure").order_by("created_at", "id"):
        hidden = f"{hidden_label}: {c.hidden_reason}" if c.is_hidden else ""
        rows.append(["comment", c.pk, c.created_at.astimezone(tz).strftime("%Y-%m-%d"), c.get_source_display(), "yes",
                     c.village or "", c.get_section_display(), "", hidden or c.text, "", c.get_answer_status_display(),
                     c.answer_text, c.answer_objective.code if c.answer_objective_id else "",
                     c.answer_measure.code if c.answer_measure_id else "", ""])
    return header, [[str(x) for x in row] for row in rows]


# --- Manager's inputs list -------------------------------------------------------------------------


def manage_inputs(consultation: Consultation, *, status: str | None = None) -> dict:
    ideas = ideas_list(consultation, sort="old", include_merged=True).select_related("merged_into")
    comments = Comment.objects.filter(consultation=consultation).select_related("village", "answer_objective", "answer_measure")
    if status in AnswerStatus.values:
        ideas, comments = ideas.filter(answer_status=status), comments.filter(answer_status=status)
    elif status == "hidden":
        ideas, comments = ideas.filter(hidden_at__isnull=False), comments.filter(hidden_at__isnull=False)
    elif status == "unconfirmed":
        ideas, comments = ideas.filter(confirmed=False), comments.none()
    return {"ideas": list(ideas), "comments": list(comments.order_by("created_at", "id"))}


# --- People, report, participation ------------------------------------------------------------------


@dataclass
class People:
    """Distinct people behind the inputs (see the module doc), with what they told us."""

    persons: dict = field(default_factory=dict)  # key → {"gender", "age_band", "village"}
    meeting_women: int = 0
    meeting_men: int = 0
    meeting_villages: set = field(default_factory=set)
    meeting_rows: list = field(default_factory=list)

    def add(self, key, gender="", age_band="", village=None):
        p = self.persons.setdefault(key, {"gender": "", "age_band": "", "village": None})
        p["gender"] = p["gender"] or gender or ""
        p["age_band"] = p["age_band"] or age_band or ""
        p["village"] = p["village"] or village

    @property
    def count(self) -> int:
        return len(self.persons) + self.meeting_women + self.meeting_men

    def gender_count(self, gender: str) -> int:
        extra = {Gender.FEMALE: self.meeting_women, Gender.MALE: self.meeting_men}.get(gender, 0)
        return sum(1 for p in self.persons.values() if p["gender"] == gender) + extra

    @property
    def villages(self) -> set:
        return {p["village"] for p in self.persons.values() if p["village"]} | self.meeting_villages


def _people(**where) -> tuple[People, dict]:
    """Collect people and per-input rows for the consultations matching ``where`` (lookups on
    ``consultation``, e.g. ``consultation=c``). Five queries."""
    people = People()
    ideas = list(Idea.objects.filter(**where).values_list(
        "author_id", "author_name", "village_id", "gender", "age_band", "hidden_at", "answer_status", "merged_into_id"))
    comments = list(Comment.objects.filter(**where).values_list(
        "author_id", "author_name", "village_id", "gender", "age_band", "hidden_at", "answer_status"))
    supporters = list(Support.objects.filter(**{f"idea__{k}": v for k, v in where.items()}).values_list("user_id", flat=True))
    responses = list(Response.objects.filter(**{f"survey__{k}": v for k, v in where.items()}).values_list(
        "pk", "respondent_id", "village_id", "gender", "age_band"))
    meetings = list(VillageMeeting.objects.filter(**where).values_list("village_id", "women", "men"))
    for author, name, village, gender, age, hidden_at, *_rest in ideas + comments:
        if hidden_at is not None:
            continue
        key = ("u", author) if author else ("n", name.strip().casefold(), village)
        people.add(key, gender, age, village)
    for user in supporters:
        people.add(("u", user))
    for pk, respondent, village, gender, age in responses:
        people.add(("u", respondent) if respondent else ("r", pk), gender, age, village)
    for village, women, men in meetings:
        people.meeting_women += women
        people.meeting_men += men
        people.meeting_villages.add(village)
    people.meeting_rows = meetings
    return people, {"ideas": ideas, "comments": comments, "responses": responses, "meetings": meetings}


@dataclass
class Report:
    inputs: int
    ideas: int
    comments: int
    survey_responses: int
    meetings: int
    people: int
    villages: int
    women: int
    men: int
    taken_up: int
    merged: int
    not_taken_up: int
    pending: int
    hidden: int
    taken_up_percent: int
    answered_percent: int


def _report(people: People, rows: dict) -> Report:
    visible_ideas = [r for r in rows["ideas"] if r[5] is None]
    visible_comments = [r for r in rows["comments"] if r[5] is None]
    statuses = Counter(r[6] for r in visible_ideas + visible_comments)
    inputs = len(visible_ideas) + len(visible_comments)
    hidden = len(rows["ideas"]) + len(rows["comments"]) - inputs
    return Report(
        inputs=inputs, ideas=len(visible_ideas), comments=len(visible_comments),
        survey_responses=len(rows["responses"]), meetings=len(rows["meetings"]), people=people.count,
        villages=len(people.villages), women=people.gender_count(Gender.FEMALE), men=people.gender_count(Gender.MALE),
        taken_up=statuses[AnswerStatus.TAKEN_UP], merged=statuses[AnswerStatus.MERGED],
        not_taken_up=statuses[AnswerStatus.NOT_TAKEN_UP], pending=statuses[AnswerStatus.PENDING], hidden=hidden,
        taken_up_percent=rules.share_percent(statuses[AnswerStatus.TAKEN_UP], inputs),
        answered_percent=rules.share_percent(inputs - statuses[AnswerStatus.PENDING], inputs),
    )


def consultation_report(consultation: Consultation) -> Report:
    """The "you said, we did" counts of one consultation (six queries)."""
    people, rows = _people(consultation=consultation)
    return _report(people, rows)


REPORT_LIST_LIMIT = 50


def report_answers(consultation: Consultation, *, limit: int = REPORT_LIST_LIMIT) -> dict:
    """The answered inputs for the report: per answer, the first ``limit`` ideas (most supported
    first) and comments, and what was taken up counted by objective and measure. Hidden posts are
    left out. Eleven queries whatever the number of inputs."""
    ideas = (Idea.objects.filter(consultation=consultation, hidden_at__isnull=True)
             .select_related("merged_into", "answer_objective", "answer_measure").order_by("-support_count", "created_at", "id"))
    comments = (Comment.objects.filter(consultation=consultation, hidden_at__isnull=True)
                .select_related("answer_objective", "answer_measure").order_by("created_at", "id"))
    out = {}
    for status in (AnswerStatus.TAKEN_UP, AnswerStatus.NOT_TAKEN_UP, AnswerStatus.MERGED, AnswerStatus.PENDING):
        items = list(ideas.filter(answer_status=status)[:limit])
        if status != AnswerStatus.MERGED:
            items += list(comments.filter(answer_status=status)[:limit])
        out[status.value] = items
    targets = Counter()
    labels = {}
    lang = "en" if (get_language() or "ka").startswith("en") else "ka"
    fields = [f"answer_{owner}__{name}" for owner in ("measure", "objective") for name in ("code", "title_ka", "title_en")]
    for model in (Idea, Comment):
        rows = (model.objects.filter(consultation=consultation, hidden_at__isnull=True, answer_status=AnswerStatus.TAKEN_UP)
                .values(*fields).annotate(n=Count("id")).order_by())
        for r in rows:
            owner = "measure" if r["answer_measure__code"] else "objective"
            key = (owner[0].upper(), r[f"answer_{owner}__code"] or "")
            targets[key] += r["n"]
            labels[key] = r[f"answer_{owner}__title_{lang}"] or r[f"answer_{owner}__title_ka"] or ""
    out["by_target"] = [{"code": code, "title": labels[(kind, code)], "count": n, "is_measure": kind == "M"}
                        for (kind, code), n in sorted(targets.items(), key=lambda kv: (kv[0][0] != "O", kv[0][1]))]
    out["limit"] = limit
    return out


@dataclass
class ParticipationFigures:
    """Participation for monitoring: by village, gender and age band (people counted as in the module doc)."""

    people: int
    by_village: list[dict]  # {"village", "ideas", "comments", "responses", "attendance", "people"}
    by_gender: list[tuple[str, int, int]]  # (label, count, percent)
    by_age_band: list[tuple[str, int, int]]
    women: int
    men: int


def participation_figures(lag: Lag, consultation: Consultation | None = None) -> ParticipationFigures:
    """Participation in ``lag``'s consultations (or one of them) by village, gender and age band.
    Seven queries whatever the data size."""
    where = {"consultation": consultation} if consultation is not None else {"consultation__lag": lag}
    people, rows = _people(**where)
    return _figures(lag, people, rows)


def report_page(consultation: Consultation) -> dict:
    """Everything the public report shows, reading the record once (about 18 queries)."""
    people, rows = _people(consultation=consultation)
    return {"report": _report(people, rows), "figures": _figures(consultation.lag, people, rows),
            "answers": report_answers(consultation)}


def _figures(lag, people: People, rows: dict) -> ParticipationFigures:
    villages = list(Settlement.objects.filter(lag=lag))
    table = {v.pk: {"village": v, "ideas": 0, "comments": 0, "responses": 0, "attendance": 0, "people": 0} for v in villages}
    for r in rows["ideas"]:
        if r[2] in table and r[5] is None:
            table[r[2]]["ideas"] += 1
    for r in rows["comments"]:
        if r[2] in table and r[5] is None:
            table[r[2]]["comments"] += 1
    for r in rows["responses"]:
        if r[2] in table:
            table[r[2]]["responses"] += 1
    for village, women, men in rows["meetings"]:
        if village in table:
            table[village]["attendance"] += women + men
            table[village]["people"] += women + men
    for p in people.persons.values():
        if p["village"] in table:
            table[p["village"]]["people"] += 1
    total = people.count
    women, men = people.gender_count(Gender.FEMALE), people.gender_count(Gender.MALE)
    genders = [(str(Gender.FEMALE.label), women, rules.share_percent(women, total)),
               (str(Gender.MALE.label), men, rules.share_percent(men, total)),
               (str(Gender.OTHER.label), total - women - men, rules.share_percent(total - women - men, total))]
    ages = Counter(p["age_band"] for p in people.persons.values())
    bands = [(str(label), ages[value], rules.share_percent(ages[value], total)) for value, label in AgeBand.choices]
    unknown_age = total - sum(ages[v] for v in AgeBand.values)
    bands.append((str(_not_stated()), unknown_age, rules.share_percent(unknown_age, total)))
    return ParticipationFigures(
        people=total, by_village=[table[v.pk] for v in villages], by_gender=genders, by_age_band=bands,
        women=people.gender_count(Gender.FEMALE), men=people.gender_count(Gender.MALE),
    )


def _not_stated():
    from django.utils.translation import gettext_lazy as _

    return _("not stated")


def involvement_summary(lag: Lag, version):
    """For the strategy's "How the community was involved" section (``strategy.selectors`` hook):
    the consultations held on ``version`` or on the version it amends, with their counts."""
    from sopeli.strategy.selectors import InvolvementSummary

    version_ids = [version.pk] + ([version.based_on_id] if getattr(version, "based_on_id", None) else [])
    consultations = list(Consultation.objects.filter(lag=lag, version_id__in=version_ids).order_by("created_at", "id"))
    if not consultations:
        return InvolvementSummary()
    people, rows = _people(consultation__in=[c.pk for c in consultations])
    report = _report(people, rows)
    return InvolvementSummary(
        inputs=report.inputs, people=report.people, villages=report.villages, women=report.women, men=report.men,
        taken_up=report.taken_up, meetings=report.meetings, survey_responses=report.survey_responses,
        consultations=consultations,
    )


def open_phase_kinds(consultation: Consultation) -> set[str]:
    now = timezone.now()
    return set(consultation.phases.filter(opens_at__lte=now, closes_at__gt=now).values_list("kind", flat=True))

