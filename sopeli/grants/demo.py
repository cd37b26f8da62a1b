"""Demo data for grants: an open Kazbegi call a visitor can apply to (``seed_grants_demo``).

The closed call with its full history (scores, decision, appeal) belongs to the evaluation and
selection module, which can build on ``open_call`` here. Limits and aid rates are taken from the
approved strategy's measures, so the call is always within them.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sopeli.core.models import Lag
from sopeli.grants.models import Call
from sopeli.grants.services import calls
from sopeli.strategy.selectors import measures_for_calls

CODE = "2026/2"


@transaction.atomic
def open_call(lag: Lag, *, measure_codes=("M1", "M2"), code: str = CODE) -> Call | None:
    """Publish an open tourism call for ``lag`` (idempotent: returns the existing one)."""
    existing = Call.objects.filter(lag=lag, code=code).first()
    if existing is not None:
        return existing
    measures = [m for m in measures_for_calls(lag) if m.code in measure_codes]
    if not measures:
        return None
    now = timezone.now().replace(microsecond=0)
    deadline = timezone.localtime(now + timedelta(days=45)).replace(hour=17, minute=30, second=0)
    rates: dict[str, Decimal] = {}
    for m in measures:
        for r in m.aid_rates.all():
            rates[r.applicant_type] = min(rates.get(r.applicant_type, r.max_rate), r.max_rate)
    if not rates:  # a strategy without aid rates: the usual Georgian programme rates
        rates = {"person": Decimal(80), "business": Decimal(80), "cooperative": Decimal(80), "ngo": Decimal(90)}
    call = calls.call_save_draft(
        actor=None, lag=lag, call=None,
        data={
            "code": code,
            "title_ka": "მცირე გრანტები ტურიზმისთვის: საოჯახო სასტუმროები და ახალი მომსახურება",
            "title_en": "Small grants for tourism: family guesthouses and new services",
            "summary_ka": "ვაფინანსებთ საოჯახო სასტუმროების გაუმჯობესებას (ოთახები, სველი წერტილები, გათბობა) და "
                          "ახალ ტურისტულ მომსახურებას: გიდები, ცხენით ტურები, ადგილობრივი კერძები სტუმრებისთვის.",
            "summary_en": "We fund better family guesthouses (rooms, bathrooms, heating) and new services for "
                          "visitors: guiding, horse tours, local food for guests.",
            "who_can_apply_ka": "ყაზბეგის მუნიციპალიტეტის მცხოვრებლები, მეწარმეები, კოოპერატივები და არასამთავრობო "
                                "ორგანიზაციები. პროექტი მუნიციპალიტეტის ტერიტორიაზე უნდა განხორციელდეს.",
            "who_can_apply_en": "Residents, businesses, cooperatives and NGOs of Kazbegi municipality. The project "
                                "must take place in the municipality.",
            "how_to_apply_ka": "შეავსეთ განაცხადი ონლაინ ან მოიტანეთ ქაღალდზე ასჯ-ის ოფისში სტეფანწმინდაში. "
                               "კონსულტაციები: ყოველ სამშაბათს 11:00–15:00.",
            "how_to_apply_en": "Apply online or bring a paper application to the LAG office in Stepantsminda. "
                               "Advice: every Tuesday 11:00–15:00.",
            "contact_ka": "ასჯ-ის ოფისი, სტეფანწმინდა", "contact_en": "LAG office, Stepantsminda",
            "opens_at": now - timedelta(days=5), "closes_at": deadline,
            "min_grant": max(m.min_grant for m in measures), "max_grant": min(m.max_grant for m in measures),
            "min_duration_months": 3, "max_duration_months": 18,
            "min_total": Decimal("50.00"), "evaluators_per_application": 2, "divergence_share": Decimal("0.30"),
            "aggregation": "closest_pair", "tie_breaks": [{"kind": "lower_amount"}, {"kind": "earlier_submission"}],
            "budget_variant": "strict", "reserve_valid_days": 180, "appeal_days": 14, "received_list_days": 5,
        },
        budgets={m.pk: min(m.budget, Decimal("100000.00")) for m in measures},
        rates=rates, settlements=[],
    )
    parts = [
        ("criteria", {"code": "E1", "kind": "pass_fail", "title_ka": "პროექტი მუნიციპალიტეტის ტერიტორიაზეა",
                      "title_en": "The project is in the municipality", "order": 0}),
        ("criteria", {"code": "C1", "kind": "scored", "title_ka": "კავშირი სტრატეგიის მიზნებთან", "title_en": "Fit with the strategy's objectives",
                      "max_points": Decimal(30), "min_points": Decimal(10), "order": 1}),
        ("criteria", {"code": "C2", "kind": "scored", "title_ka": "ახალი სამუშაო ადგილები", "title_en": "New jobs",
                      "max_points": Decimal(25), "order": 2}),
        ("criteria", {"code": "C3", "kind": "scored", "title_ka": "მდგრადობა და თანადაფინანსება", "title_en": "Sustainability and co-financing",
                      "max_points": Decimal(25), "order": 3}),
        ("criteria", {"code": "C4", "kind": "scored", "title_ka": "ქალები და ახალგაზრდები", "title_en": "Women and young people",
                      "max_points": Decimal(20), "order": 4}),
        ("questions", {"kind": "long_text", "label_ka": "რა პრობლემას წყვეტს პროექტი?", "label_en": "What problem does the project solve?",
                       "required": True, "order": 1, "max_length": 3000}),
        ("questions", {"kind": "number", "label_ka": "რამდენი ახალი სამუშაო ადგილი შეიქმნება?", "label_en": "How many new jobs will it create?",
                       "required": True, "order": 2}),
        ("questions", {"kind": "choice", "label_ka": "ხართ თუ არა ასჯ-ის წევრი?", "label_en": "Are you a member of the LAG?",
                       "required": True, "order": 3, "choices": [{"value": "1", "label_ka": "კი", "label_en": "Yes"},
                                                                   {"value": "2", "label_ka": "არა", "label_en": "No"}]}),
        ("documents", {"name_ka": "პირადობის მოწმობის ან რეგისტრაციის ამონაწერის ასლი", "name_en": "Copy of ID or registration extract",
                       "required": True, "order": 1}),
        ("documents", {"name_ka": "ხარჯთაღრიცხვა ან ფასების შეთავაზებები", "name_en": "Quotes for the main costs", "required": True, "order": 2}),
        ("documents", {"name_ka": "ფოტოები ადგილიდან", "name_en": "Photos of the site", "required": False, "order": 3}),
        ("checklist", {"text_ka": "განაცხადი ვადაში შემოვიდა", "text_en": "The application arrived on time", "order": 1}),
        ("checklist", {"text_ka": "ყველა სავალდებულო დოკუმენტი თანდართულია", "text_en": "All required documents are attached", "order": 2}),
        ("checklist", {"text_ka": "განმცხადებელი უფლებამოსილია", "text_en": "The applicant is eligible", "order": 3}),
        ("checklist", {"text_ka": "თანადაფინანსება საკმარისია", "text_en": "The own contribution is sufficient", "order": 4}),
    ]
    for kind, data in parts:
        calls.call_part_save(actor=None, call=call, kind=kind, data=data)
    return calls.call_publish(actor=None, call=call)
