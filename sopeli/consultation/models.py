"""The public consultation on a LAG's strategy: phases, ideas and supports, comments on the draft,
surveys (a small engine reusable for baseline and endline surveys), village meetings, and the
LAG's answer to every input ("you said, we did").

Decisions worth knowing:
- The server clock decides what is open: a phase is open from ``opens_at`` (inclusive) to
  ``closes_at`` (exclusive), see ``rules.phase_state``.
- Quick entries (an idea posted without an account, with a name and a village) are shown at once,
  marked "not yet confirmed", so that nobody waits to be heard; staff confirm them after a call
  and hide abuse. Their phone and e-mail are private (staff pages only, never public or exported).
- A hidden idea or comment keeps its row (the record stays whole); every public page and export
  shows only "hidden by the moderator: <reason>", never its text.
- A merged idea points to the kept one (``merged_into``); its supports move to the kept idea,
  each person at most once (``rules.supports_to_move``).
- Signed surveys take one response per person (a unique constraint); anonymous surveys store no
  respondent. Every web form carries a one-time ``submission_key`` so a double click or a retry
  records nothing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sopeli.consultation import rules
from sopeli.membership.models import Gender
from sopeli.strategy.models import StrategySection


class PhaseKind(models.TextChoices):
    IDEAS = "ideas", _("Ideas and needs")
    COMMENTS = "comments", _("Comments on the draft")
    SURVEY = "survey", _("Survey")
    MEETINGS = "meetings", _("Village meetings")


class Source(models.TextChoices):
    ONLINE = "online", _("online")
    QUICK = "quick", _("online, without an account")
    MEETING = "meeting", _("village meeting")
    PAPER = "paper", _("paper form")
    OFFICE = "office", _("at the LAG office")


class AnswerStatus(models.TextChoices):
    PENDING = rules.PENDING, _("awaiting an answer")
    TAKEN_UP = rules.TAKEN_UP, _("taken up")
    MERGED = rules.MERGED, _("merged")
    NOT_TAKEN_UP = rules.NOT_TAKEN_UP, _("not taken up")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("under 18")
    A18_29 = "18_29", _("18–29")
    A30_44 = "30_44", _("30–44")
    A45_64 = "45_64", _("45–64")
    A65_PLUS = "65_plus", _("65 and over")


class Consultation(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="consultations")
    version = models.ForeignKey(
        "strategy.StrategyVersion", verbose_name=_("strategy version"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="consultations",
        help_text=_("The draft people comment on, and whose objectives and measures answers link to."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=12, choices=PhaseKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        ordering = ["opens_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="phase_closes_after_opening",
                violation_error_message=_("A phase must close after it opens."),
            ),
        ]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    def state(self, now=None) -> str:
        return rules.phase_state(self.opens_at, self.closes_at, now or timezone.now())

    @property
    def is_open(self) -> bool:
        return self.state() == rules.OPEN


class Participant(models.Model):
    """Who gave an input, as far as they told us (for participation figures, never public)."""

    village = models.ForeignKey(
        "core.Settlement", verbose_name=_("village"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)

    class Meta:
        abstract = True


class Answered(models.Model):
    """The LAG's answer to an input: taken up (with the objective or measure), merged, or not (why).

    "Taken up needs an objective or a measure" is checked by the services, not the database: a
    measure deleted from a draft strategy version must not make the strategy's delete fail, so the
    link is set to NULL and the answer keeps its status and reply.
    """

    answer_status = models.CharField(
        _("answer"), max_length=14, choices=AnswerStatus.choices, default=AnswerStatus.PENDING
    )
    answer_text = models.TextField(_("the LAG's reply"), blank=True)
    answer_objective = models.ForeignKey(
        "strategy.Objective", verbose_name=_("objective"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_measure = models.ForeignKey(
        "strategy.Measure", verbose_name=_("measure"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Moderated(models.Model):
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class VillageMeeting(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="meetings")
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey("core.Settlement", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    women = models.PositiveIntegerField(_("women attending"), default=0)
    men = models.PositiveIntegerField(_("men attending"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("village meeting")
        verbose_name_plural = _("village meetings")

    def __str__(self) -> str:
        return f"{self.village} {self.held_at:%Y-%m-%d}"

    @property
    def attendance(self) -> int:
        return self.women + self.men


class Idea(Participant, Answered, Moderated):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="ideas")
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    text = models.TextField(_("your idea or need"), max_length=4000)
    theme = models.ForeignKey(
        "membership.InterestGroup", verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultation_ideas"
    )
    author_name = models.CharField(_("name"), max_length=150)
    # Private: for staff to confirm a quick entry. Never on a public page or in an export.
    contact_phone = models.CharField(_("phone (private)"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail (private)"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    meeting = models.ForeignKey(
        VillageMeeting, verbose_name=_("village meeting"), null=True, blank=True, on_delete=models.RESTRICT, related_name="ideas"
    )
    confirmed = models.BooleanField(_("confirmed"), default=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.RESTRICT, related_name="merged_ideas"
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept equal to the number of Support rows by the services (support, merge), so the list sorts
    # by support on an index instead of counting 10,000 ideas' supports per page view.
    support_count = models.PositiveIntegerField(_("supporters"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["consultation", "merged_into", "-created_at"]),
            models.Index(fields=["consultation", "merged_into", "-support_count", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="idea_not_merged_into_itself"),
            models.CheckConstraint(
                condition=~Q(answer_status="merged") | Q(merged_into__isnull=False), name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(answer_status="not_taken_up") | ~Q(answer_text=""), name="idea_not_taken_up_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(source="meeting") | Q(meeting__isnull=False), name="idea_meeting_source_has_meeting",
            ),
        ]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """One person supports one idea once."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_supports")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="support_once_per_person")]
        verbose_name = _("support")
        verbose_name_plural = _("supports")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"


class Comment(Participant, Answered, Moderated):
    """A comment on one section of the draft strategy version."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="+")
    section = models.CharField(_("section"), max_length=20, choices=StrategySection.choices)
    text = models.TextField(_("comment"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultation_comments"
    )
    author_name = models.CharField(_("name"), max_length=150)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer_status="not_taken_up") | ~Q(answer_text=""), name="comment_not_taken_up_has_reason",
            ),
            models.CheckConstraint(condition=~Q(answer_status="merged"), name="comment_is_never_merged"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.text[:40]}"


# --- Surveys ------------------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    SCALE = "scale", _("scale 1–5")
    SHORT = "short", _("short text")
    LONG = "long", _("long text")
    VILLAGE = "village", _("village")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
TEXT_KINDS = (QuestionKind.SHORT, QuestionKind.LONG)


class Survey(models.Model):
    """A questionnaire. In a consultation it is open while its phase is; a survey without a phase
    (a baseline or endline household survey, later) has its own dates."""

    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="surveys")
    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys")
    # RESTRICT: a phase with a survey cannot be deleted alone; deleting the consultation removes both.
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.RESTRICT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    signed = models.BooleanField(
        _("signed"), default=False,
        help_text=_("Signed: respondents log in and answer once each. Anonymous: no name is kept."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__isnull=False) | Q(opens_at__isnull=False, closes_at__gt=F("opens_at")),
                name="survey_has_a_window",
                violation_error_message=_("A survey needs a phase, or dates with the closing after the opening."),
            ),
        ]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def window(self):
        if self.phase_id:
            return self.phase.opens_at, self.phase.closes_at
        return self.opens_at, self.closes_at

    def state(self, now=None) -> str:
        opens, closes = self.window()
        return rules.phase_state(opens, closes, now or timezone.now())

    @property
    def is_open(self) -> bool:
        return self.state() == rules.OPEN


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("choice"), max_length=200)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Response(Participant):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    paper_reference = models.CharField(
        _("where the paper form came from"), max_length=200, blank=True,
        help_text=_("E.g. 'Sno village meeting, form 14' — recorded with every paper response."),
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], condition=Q(respondent__isnull=False), name="response_once_per_person",
                violation_error_message=_("You have already answered this survey."),
            ),
            models.CheckConstraint(
                condition=~Q(source="paper") | ~Q(paper_reference=""), name="response_paper_has_reference",
            ),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class AnswerValue(models.Model):
    """One answer: a choice (one row per ticked choice), a 1–5 number, a text or a village."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="values")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="values")
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="values")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    village = models.ForeignKey("core.Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=rules.SCALE_MIN, number__lte=rules.SCALE_MAX),
                name="answervalue_scale_1_5",
            ),
        ]
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
