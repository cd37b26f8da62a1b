"""Demo projects for the Kazbegi LAG: contracts at every stage, indicator values, a baseline
household survey and two public stories.

- The contracts come from an earlier round, call "2016/1", run on paper before the LAG used Sopeli
  and entered afterwards from the paper record: its funded applications and published results
  (scores, ranks, amounts per measure) are written **directly through the grants models**, as a
  LAG's data migration would. Everything after selection goes through ``sopeli.projects.services``.
  (The grants demo's own closed call 2026/1 funds three projects, fewer than the five stages shown
  here, and its contracts are left for a visitor to generate.)
- Stages: advance paid; interim report approved and paid; S3 finished and settled (verified
  45,000 GEL → entitlement 36,000, final payment 0; jobs 1.5 FTE of 2.0); settled with a recovery
  (verified 42,000 → 2,400 recovered); one draft waiting for the final eligibility check.
- Idempotent: a run after the first changes nothing (contracts exist → stop).
- Requires the Kazbegi LAG and its approved strategy (``seed_demo`` runs the strategy demo first).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sopeli.core.models import Lag, Settlement
from sopeli.grants.models import Application, BudgetLine, Call, CallAidRate, CallMeasure
from sopeli.grants.workflow import ApplicationStatus
from sopeli.monitoring.models import ResearchStudy
from sopeli.projects import services
from sopeli.projects.models import Contract, ReportKind
from sopeli.strategy.models import Indicator, Measure, StrategyVersion, VersionStatus

D = Decimal
PDF = b"%PDF-1.4 demo scan\n%%EOF"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00"
       b"\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

# title ka, title en, applicant name, village, measure code, total budget, requested, awarded, type
# (the 2016/1 round's funded projects; their scores from the paper record are in PAPER_SCORES)
PROJECTS = [
    ("საოჯახო სასტუმრო ჯუთაში", "Family guesthouse in Juta", "მარიამ გუდუშაური", "Juta", "M1", "50000.00", "42000.00", "40000.00", "business"),
    ("ცხენით ტურები სნოდან", "Horse tours from Sno", "დავით სუჯაშვილი", "Sno", "M2", "15000.00", "10500.00", "10500.00", "person"),
    ("ყველის საწარმო გერგეტში", "Cheese dairy in Gergeti", "გერგეტის ფერმერთა კოოპერატივი", "Gergeti", "M3", "50000.00", "40000.00", "40000.00", "business"),
    ("სასტუმრო არშაში", "Guesthouse in Arsha", "სოფო ჭკარეული", "Arsha", "M1", "30000.00", "18000.00", "18000.00", "business"),
    ("სათივე ტექნიკა სიონში", "Hay-making machines in Sioni", "გოჩა მინდიაშვილი", "Sioni", "M4", "20000.00", "12000.00", "12000.00", "person"),
]
PAPER_SCORES = ["84.50", "81.00", "77.50", "72.00", "69.50"]
AMOUNT_REASON = ("საბჭომ გრანტი 40 000 ლარამდე შეამცირა: აღჭურვილობის ნაწილი არ იყო აუცილებელი. / "
                 "The board lowered the grant to 40,000 GEL: part of the equipment was not needed.")


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG if name.endswith(".png") else PDF)


class Command(BaseCommand):
    help = "Load demo contracts, payments, reports, indicator values, a baseline survey and stories for Kazbegi."

    def handle(self, *args, **options):
        lag = Lag.objects.filter(slug="kazbegi").first()
        if lag is None:
            self.stdout.write("No Kazbegi LAG: run seed_demo first.")
            return
        if Contract.objects.filter(lag=lag).exists():
            self.stdout.write("Projects demo already loaded.")
            return
        version = StrategyVersion.objects.filter(lag=lag, status=VersionStatus.APPROVED).first()
        if version is None:
            self.stdout.write("Kazbegi has no approved strategy: run seed_strategy_demo first.")
            return
        with transaction.atomic():
            apps = self.funded_applications(lag, version)
            self.contracts(lag, apps)
            self.baseline(lag)
        self.stdout.write(self.style.SUCCESS(f"Projects demo loaded: {Contract.objects.filter(lag=lag).count()} contracts."))

    # --- funded applications (minimum, directly through the grants models) --------------------------

    def funded_applications(self, lag, version) -> list[Application]:
        existing = list(Application.objects.filter(lag=lag, status=ApplicationStatus.FUNDED, awarded_grant__isnull=False)
                        .order_by("call__code", "number")[:5])
        if len(existing) >= 5:
            return existing
        from sopeli.accounts.models import Role, RoleGrant
        from sopeli.core.demo.seed import make_user

        now = timezone.now().replace(microsecond=0)
        opens = now - datetime.timedelta(days=420)
        call, _created = Call.objects.get_or_create(lag=lag, code="2016/1", defaults={
            "strategy_version": version, "title_ka": "მცირე გრანტები: პირველი რაუნდი", "title_en": "Small grants: first round",
            "summary_ka": "წინა რაუნდი, ჩატარებული ქაღალდზე. შედეგები შეტანილია ქაღალდის ჩანაწერიდან.",
            "summary_en": "The previous round, run on paper. Its results were entered from the paper record.",
            "min_grant": D("2000.00"), "max_grant": D("40000.00"), "opens_at": opens, "closes_at": opens + datetime.timedelta(days=45),
            "status": "results_published", "published_at": opens, "results_published_at": opens + datetime.timedelta(days=90)})
        measures = {m.code: m for m in Measure.objects.filter(version=version)}
        villages = {s.name_en: s for s in Settlement.objects.filter(lag=lag)}
        apps = []
        for number, (tka, ten, name, village, mcode, total, requested, awarded, kind) in enumerate(PROJECTS, start=1):
            measure = measures.get(mcode) or next(iter(measures.values()))
            cm, _c = CallMeasure.objects.get_or_create(call=call, measure=measure, defaults={"budget": measure.budget or D("100000.00")})
            CallAidRate.objects.get_or_create(call=call, applicant_type=kind, defaults={"max_rate": D("80.00")})
            email = "applicant@kazbegi.example" if number == 1 else f"grantee{number}@kazbegi.example"
            user = make_user(email, name, village=villages.get(village))
            RoleGrant.objects.get_or_create(user=user, lag=lag, role=Role.APPLICANT)
            app, _c = Application.objects.get_or_create(call=call, number=number, defaults={
                "lag": lag, "measure": cm, "applicant": user, "applicant_type": kind, "applicant_name": name,
                "settlement": villages.get(village), "title": tka, "summary": ten,
                "duration_months": 12, "total_budget": D(total), "requested_grant": D(requested),
                "own_contribution": D(total) - D(requested), "status": ApplicationStatus.FUNDED,
                "submitted_at": opens + datetime.timedelta(days=40 - number), "decided_at": opens + datetime.timedelta(days=80),
                "awarded_grant": D(awarded)})
            if not app.budget_lines.exists():
                BudgetLine.objects.create(application=app, description="სამშენებლო სამუშაოები / Building works",
                                          amount=D(total) * 3 / 5, order=0)
                BudgetLine.objects.create(application=app, description="აღჭურვილობა / Equipment", amount=D(total) * 2 / 5, order=1)
            apps.append(app)
        self.paper_results(call, apps)
        return apps

    def paper_results(self, call, apps) -> None:
        """The round's published results per measure (rank, score, amounts), so its results page is complete."""
        from sopeli.grants.models import Outcome, RankingResult, Selection

        if Selection.objects.filter(call=call).exists():
            return
        scored = sorted(zip(apps, PAPER_SCORES, strict=True), key=lambda pair: -D(pair[1]))
        by_measure: dict = {}
        for app, score in scored:
            by_measure.setdefault(app.measure, []).append((app, score))
        for call_measure, rows in by_measure.items():
            selection = Selection.objects.create(
                call=call, call_measure=call_measure, budget=call_measure.budget,
                rules_used={"source": "paper record"}, total_funded=sum(a.awarded_grant for a, _s in rows),
                decided_at=call.results_published_at, published_at=call.results_published_at)
            RankingResult.objects.bulk_create([
                RankingResult(selection=selection, application=app, rank=rank, score=D(score), outcome=Outcome.FUNDED,
                              requested=app.requested_grant, proposed_amount=app.requested_grant,
                              awarded_amount=app.awarded_grant,
                              amount_reason=AMOUNT_REASON if app.awarded_grant < app.requested_grant else "")
                for rank, (app, score) in enumerate(rows, start=1)])

    # --- contracts at every stage ----------------------------------------------------------------

    def contracts(self, lag, apps):
        from sopeli.accounts.models import Role, RoleGrant

        manager = next((g.user for g in RoleGrant.objects.filter(lag=lag, role=Role.MANAGER).select_related("user")), None)
        today = timezone.localdate()
        start = today - datetime.timedelta(days=330)
        made = []
        for app in apps:
            c = services.contract_generate(actor=manager, application=app, starts_on=start, ends_on=start + datetime.timedelta(days=300),
                                           interim_due_on=start + datetime.timedelta(days=150),
                                           final_due_on=start + datetime.timedelta(days=330))
            made.append(c)
        fte = {i.pk: i for i in Indicator.objects.filter(version__lag=lag, version__status=VersionStatus.APPROVED)}
        for c in made[:4]:
            choices = list(services.indicator_choices(c))
            planned = {}
            for ind in choices:
                if services.is_fte(ind) or ind.measure_id:
                    planned[ind.pk] = "2.0" if services.is_fte(ind) else "1"
            services.planned_indicators_save(actor=manager, contract=c, values=planned)
            services.contract_eligibility_check(actor=manager, contract=c, eligible=True,
                                                note="საბოლოო შემოწმება: ყველა დოკუმენტი წესრიგშია.")
            services.contract_sign(actor=manager, contract=c, grantee_on=start - datetime.timedelta(days=3),
                                   lag_on=start - datetime.timedelta(days=2), scan=_file("signed-contract.pdf"), today=today)
            self.pay(manager, c, 1, start)
        # 1: S3 finished and settled (45,000 verified → entitlement 36,000, nothing more to pay)
        self.run_to_end(manager, made[0], start, verified=(made[0].total_budget * D("0.90")).quantize(D("0.01")), fte=fte)
        # 2: interim approved and paid
        self.interim(manager, made[1], start, fte=fte)
        self.pay(manager, made[1], 2, start + datetime.timedelta(days=170))
        # 3: settled with a recovery (S3's second case: 42,000 verified → 2,400 back)
        self.run_to_end(manager, made[2], start, verified=(made[2].total_budget * D("0.84")).quantize(D("0.01")), fte=fte)
        for r in made[2].recoveries.all():
            services.recovery_receive(actor=manager, recovery=r, received_on=today, reference="BOG-RET-2016-01", today=today)
        # 4: advance paid only (made[3]); 5: draft waiting for the final eligibility check (made[4])
        for c, (ka, en, body_ka, body_en) in zip((made[0], made[2]), STORIES, strict=True):
            c.refresh_from_db()
            services.story_save(actor=manager, contract=c, data={"title_ka": ka, "title_en": en, "body_ka": body_ka, "body_en": body_en},
                                photos=[_file("story.png")], publish=True)

    def pay(self, manager, contract, number, on):
        contract.refresh_from_db()
        tranche = contract.tranches.get(number=number)
        amount = services.payable(contract, tranche)
        if amount > 0:
            services.payment_record(actor=manager, tranche=tranche, paid_on=on, amount=amount,
                                    reference=f"BOG-{contract.number}-{number}")
            contract.refresh_from_db()

    def values(self, contract, fte, share: str):
        out = []
        for ind in services.indicator_choices(contract):
            if ind.measure_id and not services.is_fte(ind):
                out.append({"indicator": ind, "value": share, "evidence": "ფოტოები და ინვოისები / photos and invoices"})
                out.append({"indicator": ind, "gender": "female", "value": share})
        return out

    def interim(self, manager, contract, start, *, fte):
        r = contract.reports.get(kind=ReportKind.INTERIM)
        services.report_save(actor=contract.grantee, report=r, narrative="სამუშაოების ნახევარი შესრულებულია. / Half of the works are done.",
                             values=self.values(contract, fte, "0"), jobs=[{"description": "მზარეული / Cook", "gender": "female",
                                                                          "age_band": "under_30", "months": "6"}],
                             photos=[_file("works.png")], submit=True)
        services.report_review(actor=manager, report=r, approve=True)

    def run_to_end(self, manager, contract, start, *, verified, fte):
        self.interim(manager, contract, start, fte=fte)
        self.pay(manager, contract, 2, start + datetime.timedelta(days=165))
        materials = (verified * 3 / 5).quantize(D("0.01"))
        lines = [{"description": "სამშენებლო მასალა / Building materials", "supplier": "შპს მთის მასალები", "amount": materials,
                  "receipt": _file("invoice-1.pdf")},
                 {"description": "აღჭურვილობა / Equipment", "supplier": "შპს ტექნიკა", "amount": verified - materials,
                  "receipt": _file("invoice-2.pdf")}]
        claim = services.claim_submit(actor=contract.grantee, contract=contract, lines=lines)
        services.claim_verify(actor=manager, claim=claim, eligible={line.pk: line.amount for line in claim.lines.all()})
        r = contract.reports.get(kind=ReportKind.FINAL)
        services.report_save(actor=contract.grantee, report=r, narrative="პროექტი დასრულდა. / The project is finished.",
                             values=self.values(contract, fte, "1"),
                             jobs=[{"description": "მზარეული / Cook", "gender": "female", "age_band": "under_30"},
                                   {"description": "გიდი / Guide", "gender": "male", "age_band": "30_64", "months": "6"}],
                             photos=[_file("finished.png")], submit=True)
        services.report_review(actor=manager, report=r, approve=True)
        services.site_visit_record(actor=manager, contract=contract, visited_on=timezone.localdate() - datetime.timedelta(days=5),
                                   checklist=[{"item": i, "ok": True} for i in services.VISIT_CHECKLIST],
                                   notes="ყველაფერი შეთანხმების მიხედვითაა. / Everything as agreed.", photos=[_file("visit.png")])
        contract = services.contract_settle(actor=manager, contract=contract)
        self.pay(manager, contract, 3, timezone.localdate())

    # --- research --------------------------------------------------------------------------------

    def baseline(self, lag):
        from sopeli.accounts.models import Role, RoleGrant
        from sopeli.consultation.services import response_submit
        from sopeli.monitoring.services import baseline_create

        if ResearchStudy.objects.filter(lag=lag).exists():
            return
        manager = next((g.user for g in RoleGrant.objects.filter(lag=lag, role=Role.MANAGER).select_related("user")), None)
        now = timezone.now()
        study = baseline_create(actor=manager, lag=lag, title_ka="შინამეურნეობების საბაზისო კვლევა", title_en="Household baseline survey",
                                opens_at=now - datetime.timedelta(days=400), closes_at=now - datetime.timedelta(days=370), questions=[
            {"kind": "single", "text_ka": "ოჯახის შემოსავლის მთავარი წყარო", "text_en": "Main source of household income",
             "choices": [("ტურიზმი", "tourism"), ("მეცხოველეობა", "livestock"), ("ხელფასი", "wages"), ("პენსია", "pension")]},
            {"kind": "single", "text_ka": "ვინმე ოჯახიდან იღებს მონაწილეობას ადგილობრივ ინიციატივებში?",
             "text_en": "Does anyone in the household take part in local initiatives?", "choices": [("დიახ", "yes"), ("არა", "no")]},
            {"kind": "scale", "text_ka": "რამდენად კმაყოფილი ხართ სოფლის სერვისებით?", "text_en": "How satisfied are you with village services?"},
            {"kind": "village", "text_ka": "სოფელი", "text_en": "Village"},
        ])
        questions = list(study.baseline.questions.prefetch_related("choices").order_by("order"))
        villages = list(Settlement.objects.filter(lag=lag).order_by("name"))
        for i in range(30):
            income = list(questions[0].choices.all())[i % 4]
            part = list(questions[1].choices.all())[0 if i % 3 == 0 else 1]
            answers = {questions[0].pk: income.pk, questions[1].pk: part.pk, questions[2].pk: 1 + (i * 7) % 5}
            if villages:
                answers[questions[3].pk] = villages[i % len(villages)].pk
            response_submit(actor=manager, survey=study.baseline, answers=answers, gender="female" if i % 2 else "male",
                            age_band=["18_29", "30_44", "45_64", "65_plus"][i % 4], paper_reference=f"ფორმა {i + 1}")


STORIES = [
    ("ჯუთის სასტუმრო ზამთარშიც ღიაა", "The Juta guesthouse now stays open in winter",
     "მარიამმა გრანტით ოთახები და გათბობა მოაწყო. ახლა სასტუმრო მთელი წლის განმავლობაში იღებს სტუმრებს და ორ ადამიანს ასაქმებს.",
     "With the grant Mariam built rooms and heating. The guesthouse now welcomes visitors all year and employs two people."),
    ("გერგეტის ყველი ბაზარზე", "Gergeti cheese reaches the market",
     "ფერმერთა კოოპერატივმა პატარა საწარმო მოაწყო, რომელიც სანიტარიულ მოთხოვნებს აკმაყოფილებს. ყველი ახლა სტეფანწმინდის მაღაზიებშიც იყიდება.",
     "The farmers' cooperative set up a small dairy that meets hygiene standards. Its cheese is now sold in Stepantsminda's shops."),
]
