"""Research studies: a baseline and an endline household survey, compared side by side.

The questionnaires, answers and counts are the consultation app's survey engine
(``consultation.Survey`` without a consultation, with its own dates); this model only pairs them.
The endline is created as a copy of the baseline's questions so the answers compare question by
question.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ResearchStudy(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="research_studies")
    title = models.CharField(_("title"), max_length=200)
    baseline = models.OneToOneField("consultation.Survey", verbose_name=_("baseline survey"), on_delete=models.PROTECT,
                                    related_name="baseline_of")
    endline = models.OneToOneField("consultation.Survey", verbose_name=_("endline survey"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="endline_of")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(endline__isnull=True) | ~Q(endline=F("baseline")), name="researchstudy_two_surveys"),
        ]
        verbose_name = _("research study")
        verbose_name_plural = _("research studies")

    def __str__(self) -> str:
        return self.title
