"""Issue 3's consultation journey on a phone, in real Chromium, through Sopeli's own pages:

a resident without an account posts an idea (quick entry) → another resident logs in and supports
it (a second tap changes nothing) → the manager answers it and links it to a measure → the public
report counts it as taken up; the survey and its results read well on a phone.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sopeli.accounts.models import Role
from sopeli.consultation import services
from sopeli.consultation.models import Idea, PhaseKind, QuestionKind, Support
from sopeli.testing.factories import (
    InterestGroupFactory,
    SettlementFactory,
    UserFactory,
    give_totp,
    grant_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


@pytest.fixture
def open_consultation(lag):
    from sopeli.strategy import services as strategy_services
    from sopeli.strategy.tests.conftest import fill_version

    SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta")
    InterestGroupFactory(lag=lag, code="tourism", name_ka="ტურიზმი", name_en="Tourism")
    version = fill_version(strategy_services.strategy_create(actor=None, lag=lag, title_ka="სტრატეგია", title_en="Strategy"))
    strategy_services.strategy_version_submit(actor=None, version=version)
    c = services.consultation_create(actor=None, lag=lag, data={
        "title_ka": "სტრატეგიის განხილვა", "title_en": "Consultation on the strategy", "version": version})
    now = timezone.now()
    for kind in (PhaseKind.IDEAS, PhaseKind.COMMENTS, PhaseKind.SURVEY):
        services.phase_create(actor=None, consultation=c, data={"kind": kind, "opens_at": now - timedelta(days=1),
                                                                "closes_at": now + timedelta(days=10)})
    survey = services.survey_create(actor=None, lag=lag, consultation=c, data={
        "title_ka": "გამოკითხვა", "title_en": "Residents' survey", "phase": c.phases.get(kind=PhaseKind.SURVEY)})
    services.question_add(actor=None, survey=survey, data={"kind": QuestionKind.SINGLE, "text_ka": "რა არის მთავარი?",
                                                           "text_en": "What matters most?", "required": True},
                          choices=[("ტურიზმი", "Tourism"), ("მეურნეობა", "Farming")])
    services.question_add(actor=None, survey=survey, data={"kind": QuestionKind.SCALE, "text_ka": "კმაყოფილება",
                                                           "text_en": "How satisfied are you?"})
    return c, survey


def test_idea_from_a_phone_to_the_report(live_server, page, lag, log_in, screenshot, open_consultation):
    consultation, survey = open_consultation
    base = f"{live_server.url}/en/{lag.slug}/consultation/{consultation.pk}"

    # 1. A resident without an account posts an idea from a phone (plain form, no JavaScript needed).
    page.goto(f"{base}/ideas/new/")
    page.get_by_label("Title").fill("Ski rental in Sno")
    page.get_by_label("Your idea or need").fill("ზამთარში სნოში თხილამურების გაქირავება გვჭირდება.")
    page.get_by_label("Village").select_option(label="Sno")
    page.get_by_label("Theme").select_option(label="Tourism")
    page.get_by_label("Your name").fill("Eka")
    page.get_by_label("Phone (optional, private)").fill("+995 599 11 22 33")
    no_sideways_scroll(page)
    screenshot(page, "consultation-1-post-idea-phone")
    page.get_by_role("button", name="Publish my idea").click()
    expect(page.get_by_text("not yet confirmed").first).to_be_visible()
    expect(page.get_by_text("+995 599 11 22 33")).to_have_count(0)
    idea = Idea.objects.get()
    assert idea.author_name == "Eka" and not idea.confirmed

    # 2. An anonymous visitor is asked to log in to support; a resident logs in and supports it once.
    expect(page.get_by_role("link", name="Log in to support this idea")).to_be_visible()
    resident = UserFactory(email="nino@example.ge", full_name="Nino")
    log_in(page, resident)
    page.goto(f"{base}/ideas/{idea.pk}/")
    page.get_by_role("button", name="I support this idea").click()
    expect(page.get_by_text("You support this idea.")).to_be_visible()
    expect(page.get_by_text("1 supporter")).to_be_visible()
    assert Support.objects.filter(idea=idea).count() == 1

    # 3. The resident answers the survey on the phone and sees the results as bars.
    page.goto(f"{base}/surveys/{survey.pk}/")
    page.get_by_label("Tourism").check()
    page.get_by_label("4").check()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    expect(page.get_by_text("1 response")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "consultation-2-results-phone")

    # 4. The manager confirms the quick entry and answers it: taken up by measure M1.
    manager = grant_role(UserFactory(email="manager@example.ge", full_name="Natia"), lag, Role.MANAGER)
    give_totp(manager)
    log_in(page, manager)
    page.goto(f"{live_server.url}/en/{lag.slug}/manage/consultation/{consultation.pk}/ideas/{idea.pk}/")
    expect(page.get_by_text("+995 599 11 22 33")).to_be_visible()  # staff see the private phone
    page.get_by_role("button", name="Confirm this quick entry").click()
    page.get_by_label("taken up", exact=True).check()
    page.get_by_label("Measure that carries it").select_option(label="M1 Measure 1")
    page.get_by_label("Reply, or the reason it is not taken up").fill("ზამთრის სერვისები ფინანსდება M1-ით.")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("Answer saved.")).to_be_visible()
    screenshot(page, "consultation-3-answer-phone")

    # 5. The public report counts it.
    page.context.clear_cookies()
    page.goto(f"{base}/report/")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Taken up")
    expect(facts.locator("dt:text-is('Taken up') + dd")).to_have_text("1 (100%)")
    expect(page.get_by_role("link", name="Ski rental in Sno")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "consultation-4-report-phone")
