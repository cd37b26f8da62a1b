"""Issue 3's strategy journey on a phone, in real Chromium, through Sopeli's own pages:

a draft version is under public consultation with an ideas phase open → a resident posts an idea
tagged with a village and a theme → two other residents support it (a double tap counts once) →
the manager answers "taken up" and links it to a measure of the draft → the general assembly
approves the version by written procedure (the manager opens it, the members vote from their
phones, the deadline passes, the manager closes it) → the manager records that decision as the
strategy's approval → the public strategy page shows the measure → the consultation's public
report counts the idea as taken up.

The starting data (the draft, the consultation, the assembly's members) is built with factories
and services; everything after that is done by clicking through the pages. The only shortcut is
moving the vote's deadline into the past instead of waiting for it.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sopeli.accounts.models import Role
from sopeli.consultation import services as consultation_services
from sopeli.consultation.models import AnswerStatus, Idea, PhaseKind, Support
from sopeli.governance.models import AgendaItem, ItemStatus, Procedure, Vote
from sopeli.membership.models import Body, BodyKind, Gender, Sector
from sopeli.strategy import services as strategy_services
from sopeli.strategy.models import ApplicantType, StrategyVersion, VersionStatus
from sopeli.strategy.tests.conftest import fill_version
from sopeli.testing.factories import (
    InterestGroupFactory,
    MemberFactory,
    SettlementFactory,
    UserFactory,
    give_totp,
    grant_role,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE_EN = "Winter tourism services in the villages"
MEASURE_KA = "ზამთრის ტურიზმის მომსახურება სოფლებში"
IDEA = "Ski rental in Sno"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def as_user(page, log_in, user):
    page.context.clear_cookies()
    log_in(page, user)


@pytest.fixture
def starting_point(lag):
    """Kazbegi with three villages, four themes, a manager, a general assembly of five members
    (no sector or interest group above 49%), and strategy version 1 under public consultation with
    its ideas phase open. Version 1 has measures M1, M2 and M3, the winter tourism measure."""
    sno = SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    juta = SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta")
    gergeti = SettlementFactory(lag=lag, name_ka="გერგეტი", name_en="Gergeti")
    themes = {
        code: InterestGroupFactory(lag=lag, code=code, name_ka=ka, name_en=en)
        for code, ka, en in [
            ("tourism", "ტურიზმი", "Tourism"),
            ("agriculture", "სოფლის მეურნეობა", "Agriculture"),
            ("community", "თემი", "Community"),
            ("environment", "გარემო", "Environment"),
        ]
    }

    manager = grant_role(UserFactory(email="manager@example.ge", full_name="Natia Sujashvili"), lag, Role.MANAGER)
    give_totp(manager)

    Body.objects.create(lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly",
                        all_members_sit=True)
    assembly = {}
    for name, sector, theme, village, gender in [
        ("Tamar Kazbegi", Sector.PUBLIC, "community", sno, Gender.FEMALE),
        ("Levan Sujashvili", Sector.BUSINESS, "tourism", sno, Gender.MALE),
        ("Maia Chkareuli", Sector.BUSINESS, "agriculture", juta, Gender.FEMALE),
        ("Dato Gigauri", Sector.CIVIL, "environment", gergeti, Gender.MALE),
        ("Eliso Arabuli", Sector.CIVIL, "tourism", juta, Gender.FEMALE),
    ]:
        slug = name.split()[0].lower()
        user = UserFactory(email=f"{slug}@example.ge", full_name=name)
        assembly[name] = MemberFactory(lag=lag, user=user, name=name, sector=sector, interest_group=themes[theme],
                                       village=village, gender=gender, email=user.email)

    version = strategy_services.strategy_create(actor=None, lag=lag, title_ka="ყაზბეგის განვითარების სტრატეგია",
                                                title_en="Kazbegi development strategy")
    fill_version(version)
    objective = version.objectives.get(code="O1")
    strategy_services.measure_save(actor=None, version=version, data={
        "code": "M3", "order": 3, "title_ka": MEASURE_KA, "title_en": MEASURE_EN,
        "min_grant": Decimal("2000.00"), "max_grant": Decimal("15000.00"), "budget": Decimal("30000.00"),
        "objectives": [objective],
    }, aid_rates={ApplicantType.BUSINESS: Decimal("60")})
    strategy_services.strategy_version_submit(actor=None, version=version)

    consultation = consultation_services.consultation_create(actor=None, lag=lag, data={
        "title_ka": "სტრატეგიის საჯარო განხილვა", "title_en": "Public consultation on the strategy", "version": version,
    })
    now = timezone.now()
    consultation_services.phase_create(actor=None, consultation=consultation, data={
        "kind": PhaseKind.IDEAS, "opens_at": now - dt.timedelta(days=1), "closes_at": now + dt.timedelta(days=14)})
    return {"manager": manager, "assembly": assembly, "version": version, "consultation": consultation}


def test_an_idea_is_taken_up_into_the_strategy_the_assembly_approves(
    live_server, page, lag, log_in, screenshot, starting_point
):
    manager = starting_point["manager"]
    assembly = starting_point["assembly"]
    version = starting_point["version"]
    consultation = starting_point["consultation"]
    site = f"{live_server.url}/en/{lag.slug}"
    public = f"{site}/consultation/{consultation.pk}"

    # 0. Before the vote there is no approved strategy yet: the public page does not show the measure.
    page.goto(f"{site}/strategy/")
    expect(page.locator("main")).not_to_contain_text(MEASURE_EN)

    # 1. A resident with an account posts an idea from her phone, tagged with her village and a theme.
    nino = UserFactory(email="nino@example.ge", full_name="Nino Chopikashvili")
    as_user(page, log_in, nino)
    page.goto(f"{public}/ideas/new/")
    page.get_by_label("Title").fill(IDEA)
    page.get_by_label("Your idea or need").fill("ზამთარში სნოში თხილამურების გაქირავება გვჭირდება, სტუმრები ყაზბეგში ქირაობენ.")
    page.get_by_label("Village").select_option(label="Sno")
    page.get_by_label("Theme").select_option(label="Tourism")
    expect(page.get_by_label("Your name")).to_have_count(0)  # with an account, no quick-entry fields
    no_sideways_scroll(page)
    page.get_by_role("button", name="Publish my idea").click()
    expect(page.get_by_text("Thank you: your idea is published.")).to_be_visible()
    expect(page.get_by_role("heading", name=IDEA)).to_be_visible()
    meta = page.locator("main p.muted").first
    expect(meta).to_contain_text("Nino Chopikashvili")
    expect(meta).to_contain_text("Sno")
    expect(meta).to_contain_text("Tourism")
    expect(page.get_by_text("not yet confirmed")).to_have_count(0)
    expect(page.get_by_text("Awaiting the LAG's answer.")).to_be_visible()
    expect(page.get_by_role("button", name="I support this idea")).to_have_count(0)  # not her own idea
    idea = Idea.objects.get(consultation=consultation)
    assert idea.author_id == nino.pk and idea.village.name_en == "Sno" and idea.theme.code == "tourism"

    # 2. Two other residents support it; the first taps twice, which counts once.
    for n, (email, name) in enumerate([("giorgi@example.ge", "Giorgi Arabuli"), ("eka@example.ge", "Eka Kobiashvili")], 1):
        as_user(page, log_in, UserFactory(email=email, full_name=name))
        page.goto(f"{public}/ideas/")
        page.get_by_role("link", name=IDEA).click()
        button = page.get_by_role("button", name="I support this idea")
        if n == 1:
            with page.expect_navigation():
                button.dblclick()
            page.wait_for_load_state()
        else:
            button.click()
        expect(page.get_by_text("You support this idea.")).to_be_visible()
        expect(page.get_by_text(f"{n} supporter{'s' if n > 1 else ''}", exact=True)).to_be_visible()
        assert Support.objects.filter(idea=idea).count() == n
    no_sideways_scroll(page)
    screenshot(page, "strategy-1-idea-supported-phone")

    # 3. The manager answers it from the list of inputs: taken up, carried by measure M3 of the draft.
    as_user(page, log_in, manager)
    page.goto(f"{live_server.url}/en/{lag.slug}/manage/consultation/{consultation.pk}/inputs/")
    row = page.locator("tr", has=page.get_by_role("link", name=IDEA))
    expect(row.locator("td.num")).to_have_text("2")
    row.get_by_role("link", name=IDEA).click()
    page.get_by_label("taken up", exact=True).check()
    page.get_by_label("Measure that carries it").select_option(label=f"M3 {MEASURE_EN}")
    page.get_by_label("Reply, or the reason it is not taken up").fill(
        "თხილამურების გაქირავება ფინანსდება ღონისძიებით M3.")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("Answer saved.")).to_be_visible()
    expect(page.locator("p.notice.ok", has_text="Taken up")).to_contain_text(f"measure M3 {MEASURE_EN}")
    idea.refresh_from_db()
    assert idea.answer_status == AnswerStatus.TAKEN_UP and idea.answer_measure.code == "M3"

    # 4. The manager puts the approval of version 1 to the general assembly by written procedure.
    page.goto(f"{site}/manage/procedures/")
    page.get_by_label("Body").select_option(label="General assembly")
    page.get_by_label("Number").fill("GA-2026-1")
    page.get_by_label("Title (Georgian)").fill("სტრატეგიის პირველი ვერსიის დამტკიცება")
    page.get_by_label("Title (English)").fill("Approve version 1 of the strategy")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Open the vote and notify the members").click()
    expect(page.get_by_text("Written procedure GA-2026-1 is open")).to_be_visible()
    item = AgendaItem.objects.get(lag=lag, code="GA-2026-1")
    assert item.procedure == Procedure.WRITTEN and item.status == ItemStatus.VOTING
    assert item.body.kind == BodyKind.ASSEMBLY

    # 5. The five members vote from their phones; one taps twice, one votes against.
    for n, (name, member) in enumerate(assembly.items()):
        as_user(page, log_in, member.user)
        page.goto(f"{site}/my/votes/")
        card = page.locator(f"#item-{item.pk}")
        expect(card).to_contain_text("Approve version 1 of the strategy")
        expect(card).to_contain_text("General assembly")
        choice = "against" if name == "Dato Gigauri" else "for"
        button = card.locator(f"button[name=choice][value={choice}]")
        if n == 0:
            no_sideways_scroll(page)
            screenshot(page, "strategy-2-assembly-vote-phone")
            with page.expect_navigation():
                button.dblclick()
            page.wait_for_load_state()
        else:
            button.click()
        expect(page.locator(f"#item-{item.pk} .notice.ok")).to_contain_text(
            "You voted: " + ("Against" if choice == "against" else "For"), ignore_case=True)
        expect(page.locator(f"#item-{item.pk} button[name=choice]")).to_have_count(0)
    assert Vote.objects.filter(item=item).count() == 5
    assert Vote.objects.filter(item=item, choice="for").count() == 4

    # 6. The deadline passes (moved into the past rather than waiting); the manager closes the vote.
    AgendaItem.objects.filter(pk=item.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    as_user(page, log_in, manager)
    page.goto(f"{site}/manage/procedures/")
    page.locator("tr", has_text="GA-2026-1").get_by_role("button", name="Close and record the result").click()
    expect(page.get_by_text("GA-2026-1 closed: approved", exact=False)).to_be_visible()
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED

    # 7. On the strategy's manage pages the manager records that decision as the approval.
    page.goto(f"{site}/manage/strategy/versions/{version.number}/")
    page.get_by_role("link", name="Record the general assembly's approval").click()
    expect(page.get_by_role("heading", name="Approve version 1")).to_be_visible()
    select = page.get_by_label("Decision of the general assembly")
    expect(select.locator("option", has_text="GA-2026-1")).to_have_count(1)
    select.select_option(value=str(item.pk))
    no_sideways_scroll(page)
    screenshot(page, "strategy-3-approve-version-phone")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/en/{lag.slug}/strategy/$"))
    expect(page.get_by_text("Version 1 is approved and now the LAG's strategy.")).to_be_visible()
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and version.approved_by_item_id == item.pk

    # 8. The public strategy page (no login) shows the approved version and its measure.
    page.context.clear_cookies()
    page.goto(f"{site}/strategy/")
    expect(page.locator(".version-meta")).to_contain_text("decision GA-2026-1")
    expect(page.locator(".version-meta .badge")).to_have_text(re.compile("approved", re.I))
    measure = page.locator("#measure-M3")
    expect(measure).to_contain_text(MEASURE_EN)
    expect(page.get_by_text("This draft is open for public consultation")).to_have_count(0)
    no_sideways_scroll(page)
    page.goto(f"{live_server.url}/ka/{lag.slug}/strategy/")
    expect(page.locator("#measure-M3")).to_contain_text(MEASURE_KA)
    page.locator("#measure-M3").scroll_into_view_if_needed()
    no_sideways_scroll(page)
    screenshot(page, "strategy-4-public-strategy-phone-ka", full_page=False)

    # 9. The consultation's public report counts the idea as taken up, carried by M3.
    page.goto(f"{public}/report/")
    facts = page.locator("dl.facts")
    expect(facts.locator("dt:text-is('Ideas and comments') + dd")).to_contain_text("1")
    expect(facts.locator("dt:text-is('Taken up') + dd")).to_have_text("1 (100%)")
    expect(facts.locator("dt:text-is('Awaiting an answer') + dd")).to_have_text("0")
    expect(facts.locator("dt:text-is('People') + dd")).to_contain_text("3")  # the author and her two supporters
    expect(page.locator("table", has_text="Carried by")).to_contain_text(f"measure M3 {MEASURE_EN}")
    expect(page.locator("ul.report-items").first.get_by_role("link", name=IDEA)).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "strategy-5-report-phone")
    assert StrategyVersion.objects.get(pk=version.pk).status == VersionStatus.APPROVED
