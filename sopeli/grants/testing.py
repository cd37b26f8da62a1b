"""Factories for grants tests (calls, applications), usable by every grants module's tests.

``CallFactory`` makes a *draft* call with one measure (budget 100,000), aid rates (person and
business 80%, NGO 90%), two scored criteria, a checklist line, a question and a required document,
under an approved strategy version created on the fly. ``published_call(lag)`` publishes one through
the service, so it carries a real snapshot.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from sopeli.governance.models import AgendaItem, ItemStatus, Meeting
from sopeli.grants.models import (
    Application,
    Call,
    CallAidRate,
    CallDocument,
    CallMeasure,
    CallQuestion,
    ChecklistItem,
    Criterion,
)
from sopeli.membership.models import Body, BodyKind
from sopeli.strategy.models import ApplicantType, Measure, Strategy, StrategyVersion, VersionStatus
from sopeli.testing.factories import LagFactory, SettlementFactory, UserFactory


def approved_version(lag) -> StrategyVersion:
    """The LAG's approved strategy version, created (with its assembly decision) if missing."""
    found = StrategyVersion.objects.filter(lag=lag, status=VersionStatus.APPROVED).first()
    if found:
        return found
    strategy, _ = Strategy.objects.get_or_create(lag=lag, defaults={"title_ka": "სტრატეგია", "title_en": "Strategy"})
    body, _ = Body.objects.get_or_create(
        lag=lag, kind=BodyKind.ASSEMBLY, defaults={"name_ka": "საერთო კრება", "name_en": "General assembly"}
    )
    meeting = Meeting.objects.create(lag=lag, body=body, title_ka="კრება", title_en="Assembly", starts_at=timezone.now(), place="სტეფანწმინდა")
    item = AgendaItem.objects.create(
        lag=lag, body=body, meeting=meeting, code="GA-S", title_ka="სტრატეგია", title_en="Strategy",
        status=ItemStatus.APPROVED, decided_at=timezone.now(),
    )
    return StrategyVersion.objects.create(
        lag=lag, strategy=strategy, number=1, status=VersionStatus.APPROVED,
        approved_at=timezone.now(), approved_by_item=item,
    )


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    version = factory.LazyFunction(lambda: approved_version(LagFactory(slug="kazbegi")))
    code = factory.Sequence(lambda n: f"M{n + 1}")
    title_ka = factory.Sequence(lambda n: f"ტურიზმის განვითარება {n}")
    title_en = factory.Sequence(lambda n: f"Tourism development {n}")
    min_grant = Decimal("1000.00")
    max_grant = Decimal("40000.00")
    budget = Decimal("100000.00")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    lag = factory.SubFactory(LagFactory, slug="kazbegi")
    strategy_version = factory.LazyAttribute(lambda o: approved_version(o.lag))
    code = factory.Sequence(lambda n: f"2026/{n + 1}")
    title_ka = "მცირე გრანტები სოფლის ტურიზმისთვის"
    title_en = "Small grants for rural tourism"
    summary_ka = "ვაფინანსებთ საოჯახო სასტუმროებს და ტურისტულ მომსახურებას."
    summary_en = "We fund guesthouses and services for visitors."
    who_can_apply_ka = "ყაზბეგის მუნიციპალიტეტის მცხოვრებლები და ორგანიზაციები."
    who_can_apply_en = "Residents and organisations of Kazbegi municipality."
    min_grant = Decimal("1000.00")
    max_grant = Decimal("40000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=10))
    min_total = Decimal("50.00")

    @factory.post_generation
    def parts(call, create, extracted, **kwargs):
        """``parts=False`` for a bare call."""
        if not create or extracted is False:
            return
        measure = MeasureFactory(version=call.strategy_version)
        CallMeasure.objects.create(call=call, measure=measure, budget=Decimal("100000.00"))
        for kind, rate in ((ApplicantType.PERSON, 80), (ApplicantType.BUSINESS, 80), (ApplicantType.NGO, 90)):
            CallAidRate.objects.create(call=call, applicant_type=kind, max_rate=Decimal(rate))
        Criterion.objects.create(call=call, code="C1", title_ka="სტრატეგიასთან კავშირი", title_en="Fit with the strategy", max_points=60, order=1)
        Criterion.objects.create(call=call, code="C2", title_ka="მდგრადობა", title_en="Sustainability", max_points=40, order=2)
        Criterion.objects.create(call=call, code="E1", kind="pass_fail", title_ka="ტერიტორიაზეა", title_en="In the territory", order=0)
        ChecklistItem.objects.create(call=call, text_ka="ყველა დოკუმენტი წარმოდგენილია", text_en="All documents are attached")
        CallQuestion.objects.create(call=call, kind="long_text", label_ka="რა პრობლემას წყვეტს პროექტი?", label_en="What problem does the project solve?", order=1)
        CallDocument.objects.create(call=call, name_ka="ამონაწერი საჯარო რეესტრიდან", name_en="Land registry extract", required=True)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application; give ``status``/``number``/``submitted_at`` together for other states."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    lag = factory.SelfAttribute("call.lag")
    measure = factory.LazyAttribute(lambda o: o.call.call_measures.first())
    applicant = factory.SubFactory(UserFactory)
    applicant_type = ApplicantType.BUSINESS
    applicant_name = factory.Sequence(lambda n: f"Guesthouse {n}")
    settlement = factory.SubFactory(SettlementFactory, lag=factory.SelfAttribute("..call.lag"))
    title = factory.Sequence(lambda n: f"Guesthouse rooms {n}")
    summary = "Two new rooms for visitors."
    total_budget = Decimal("50000.00")
    requested_grant = Decimal("40000.00")
    own_contribution = Decimal("10000.00")


def published_call(lag=None, *, actor=None, **kwargs) -> Call:
    """A complete call published through the service (with its snapshot)."""
    from sopeli.grants.services.calls import call_publish

    call = CallFactory(**({"lag": lag} if lag is not None else {}), **kwargs)
    return call_publish(actor=actor, call=call)


def ready_application(call: Call, user=None, *, requested=Decimal("40000.00"), total=Decimal("50000.00"), **kwargs) -> Application:
    """A draft that passes every check of ``application_problems`` (answers, document, budget)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sopeli.grants.services import applications as svc

    user = user or UserFactory()
    app = ApplicationFactory(call=call, applicant=user, total_budget=0, requested_grant=0, own_contribution=0,
                             duration_months=12, **kwargs)
    answers = {q.pk: "Visitors have nowhere to stay in the village." for q in call.questions.all() if q.kind != "file"}
    svc.application_answers_save(actor=user, application=app, answers=answers)
    svc.application_budget_save(actor=user, application=app, lines=[("Two rooms", total)], requested_grant=requested)
    for doc in call.documents.all():
        svc.attachment_add(actor=user, application=app, document=doc,
                           upload=SimpleUploadedFile("extract.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
    app.refresh_from_db()
    return app
