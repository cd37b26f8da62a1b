from datetime import timedelta

import pytest
from django.utils import timezone

from sopeli.consultation import services
from sopeli.consultation.models import PhaseKind, QuestionKind
from sopeli.testing.factories import InterestGroupFactory, SettlementFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Run in English, the source language the assertions are written in (the Georgian catalogue
    translates the messages), whatever a request in another test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def villages(lag):
    return [
        SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno"),
        SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta"),
        SettlementFactory(lag=lag, name_ka="გერგეტი", name_en="Gergeti"),
    ]


@pytest.fixture
def themes(lag):
    return [
        InterestGroupFactory(lag=lag, code="tourism", name_ka="ტურიზმი", name_en="Tourism"),
        InterestGroupFactory(lag=lag, code="agriculture", name_ka="სოფლის მეურნეობა", name_en="Agriculture"),
    ]


def window(days_before=1, days_after=10):
    now = timezone.now()
    return now - timedelta(days=days_before), now + timedelta(days=days_after)


@pytest.fixture
def version(lag):
    from sopeli.strategy import services as strategy_services
    from sopeli.strategy.tests.conftest import fill_version

    v = strategy_services.strategy_create(actor=None, lag=lag, title_ka="ყაზბეგის სტრატეგია", title_en="Kazbegi strategy")
    return strategy_services.strategy_version_submit(actor=None, version=fill_version(v))  # public: under consultation


@pytest.fixture
def consultation(lag, villages, themes, version):
    """An open consultation: ideas, comments and a survey phase, all open now."""
    c = services.consultation_create(actor=None, lag=lag, data={
        "title_ka": "სტრატეგიის საჯარო განხილვა", "title_en": "Public consultation on the strategy", "version": version,
    })
    for kind in (PhaseKind.IDEAS, PhaseKind.COMMENTS, PhaseKind.SURVEY):
        opens, closes = window()
        services.phase_create(actor=None, consultation=c, data={"kind": kind, "opens_at": opens, "closes_at": closes})
    return c


@pytest.fixture
def make_survey(consultation):
    def make(*, signed=False):
        phase = consultation.phases.get(kind=PhaseKind.SURVEY)
        s = services.survey_create(actor=None, lag=consultation.lag, consultation=consultation, data={
            "title_ka": "კითხვარი", "title_en": "Survey", "signed": signed, "phase": phase,
        })
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.SINGLE, "text_ka": "რა არის მთავარი?", "text_en": "What matters most?", "required": True},
                              choices=[("ტურიზმი", "Tourism"), ("მეურნეობა", "Farming"), ("გზები", "Roads")])
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.MULTIPLE, "text_ka": "რა გჭირდებათ?", "text_en": "What do you need?"},
                              choices=[("ტრენინგი", "Training"), ("გრანტი", "Grant"), ("ბაზარი", "Market")])
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.SCALE, "text_ka": "რამდენად კმაყოფილი ხართ?", "text_en": "How satisfied are you?"})
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.SHORT, "text_ka": "ერთი სიტყვით", "text_en": "In one word"})
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.LONG, "text_ka": "სხვა", "text_en": "Anything else"})
        services.question_add(actor=None, survey=s, data={"kind": QuestionKind.VILLAGE, "text_ka": "სად?", "text_en": "Where?"})
        return s

    return make


@pytest.fixture
def resident(lag, villages):
    user = UserFactory(email="resident@example.ge", full_name="ნინო გიგაური")
    user.village = villages[0]
    user.save()
    return user


def post_idea(consultation, actor, title="სათამაშო მოედანი სნოში", **kw):
    kw.setdefault("text", "ბავშვებს სჭირდებათ სათამაშო მოედანი.")
    kw.setdefault("village", consultation.lag.settlements.first())
    if not getattr(actor, "is_authenticated", False):
        kw.setdefault("author_name", "გიორგი")
    return services.idea_post(actor=actor, consultation=consultation, title=title, **kw)
