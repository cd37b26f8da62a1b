"""Kazbegi's finished demo consultation (autumn 2025, on strategy version 1): ideas with supports,
merges, a hidden post, comments on the draft's sections, a survey with 300 responses (generated
deterministically, 60 of them from paper forms), six village meetings, and an answer to every input.

Rows are written directly (a fixture loader, not user actions: the phases are long closed, so the
services would rightly refuse residents' posts now). Answers link to the measures and objectives of
the strategy demo (``seed_strategy_demo``) by code when it exists.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from sopeli.consultation.models import (
    AnswerStatus,
    AnswerValue,
    Choice,
    Comment,
    Consultation,
    Idea,
    Phase,
    PhaseKind,
    Question,
    QuestionKind,
    Response,
    Source,
    Support,
    Survey,
    VillageMeeting,
)
from sopeli.consultation.services import supports_recount
from sopeli.core.models import Lag

TBILISI = ZoneInfo("Asia/Tbilisi")
TITLE = ("ადგილობრივი განვითარების სტრატეგიის საჯარო განხილვა", "Public consultation on the local development strategy")
SEED = 20251001


def at(y, m, d, h=12, mi=0) -> datetime:
    return datetime.combine(datetime(y, m, d).date(), time(h, mi), tzinfo=TBILISI)


PHASES = [
    (PhaseKind.IDEAS, ("იდეები და საჭიროებები", "Ideas and needs"), at(2025, 10, 1, 9), at(2025, 11, 16, 0)),
    (PhaseKind.MEETINGS, ("შეხვედრები სოფლებში", "Meetings in the villages"), at(2025, 10, 5, 9), at(2025, 11, 11, 0)),
    (PhaseKind.SURVEY, ("მოსახლეობის გამოკითხვა", "Residents' survey"), at(2025, 10, 15, 9), at(2025, 12, 2, 0)),
    (PhaseKind.COMMENTS, ("კომენტარები სტრატეგიის პროექტზე", "Comments on the draft strategy"), at(2025, 12, 10, 9), at(2026, 1, 21, 0)),
]

# (village, place, date, women, men, notes)
MEETINGS = [
    ("Stepantsminda", "კულტურის ცენტრი", at(2025, 10, 8, 18), 22, 18,
     "განიხილეს ზამთრის ტურიზმი, ოჯახური სასტუმროები და ახალგაზრდების დასაქმება."),
    ("Sno", "სკოლის დარბაზი", at(2025, 10, 12, 17), 11, 9, "მთავარი თემა: ზამთრის სეზონი და ადგილობრივი პროდუქტი."),
    ("Juta", "სოფლის მოედანი", at(2025, 10, 19, 15), 6, 8, "ისაუბრეს ბილიკებზე, ყველის წარმოებაზე და ნარჩენებზე."),
    ("Arsha", "ეკლესიის ეზო", at(2025, 10, 26, 14), 9, 7, "ნარჩენების პრობლემა და ბავშვების სათამაშო ადგილი."),
    ("Kobi", "სოფლის კლუბი", at(2025, 11, 2, 14), 4, 6, "ზამთრის გზა, ზვავები, მეცხოველეობა."),
    ("Tkarsheti", "კლუბის ეზო", at(2025, 11, 9, 15), 7, 5, "სოფლის კლუბის შეკეთება და საერთო სივრცე."),
]

# (key, title, text, village, theme, source, answer) — answer: ("M1"|"O4", reply) or (None, reason)
IDEAS = [
    ("winter", "ზამთრის ტურიზმი სნოში",
     "სნოში ზამთარში ტურისტები თითქმის არ ჩამოდიან. საჭიროა სათხილამურო ბილიკები და აღჭურვილობის გაქირავება, "
     "რომ სასტუმრო სახლებმა მთელი წელი იმუშაონ.", "Sno", "tourism", Source.ONLINE,
     ("M2", "ზამთრის მომსახურება (გაქირავება, გიდები) ფინანსდება ღონისძიებით M2.")),
    ("guesthouses", "ოჯახური სასტუმროების გაუმჯობესება",
     "ბევრ ოჯახურ სასტუმროს სჭირდება აბაზანა და გათბობა. მცირე გრანტით სტუმრებს უკეთ მივიღებდით და სეზონსაც გავაგრძელებდით.",
     "Stepantsminda", "tourism", Source.MEETING, ("M1", "სწორედ ამას აფინანსებს ღონისძიება M1.")),
    ("cheese", "ყველის საწარმო ჯუთაში",
     "ზაფხულში ბევრი რძე გვაქვს, მაგრამ ვერ ვყიდით. პატარა ყველის საწარმო და მაცივარი რომ გვქონდეს, "
     "გუდაურსა და თბილისში გავყიდდით.", "Juta", "agriculture", Source.MEETING, ("M3", "გადამუშავება ფინანსდება ღონისძიებით M3.")),
    ("hay", "თივის საჭრელი ტექნიკა",
     "თივას ისევ ხელით ვთიბავთ. სოფელს ერთი კარგი სათიბი მანქანა რომ ჰქონდეს, ყველას ეყოფა.",
     "Sioni", "agriculture", Source.ONLINE, ("M4", "ტექნიკის შეძენა, მათ შორის რამდენიმე ოჯახისთვის ერთად, ფინანსდება ღონისძიებით M4.")),
    ("playground", "ბავშვთა სათამაშო მოედანი გერგეტში",
     "გერგეტში ბავშვებს სათამაშო ადგილი არ აქვთ და გზაზე თამაშობენ. გვინდა უსაფრთხო მოედანი სკოლის გვერდით.",
     "Gergeti", "community", Source.ONLINE, ("M5", "სათემო სივრცეები ფინანსდება ღონისძიებით M5.")),
    ("waste", "ნარჩენების რეგულარული გატანა",
     "არშაში ნაგავი კვირობით გროვდება მდინარის პირას. საჭიროა კონტეინერები და გატანის მუდმივი გრაფიკი.",
     "Arsha", "environment", Source.MEETING, ("M7", "ნარჩენების მართვა ღონისძიება M7-ის ნაწილია.")),
    ("trails", "ბილიკების მონიშვნა ჯუთიდან",
     "ჯუთიდან ჭაუხებისკენ ბილიკი ცუდად არის მონიშნული და ტურისტები იკარგებიან. საჭიროა ნიშნები და რუკა ქართულად და ინგლისურად.",
     "Juta", "tourism", Source.ONLINE, ("M7", "ბილიკების მოწყობა ფინანსდება ღონისძიებით M7.")),
    ("youth", "ახალგაზრდული სივრცე სტეფანწმინდაში",
     "ახალგაზრდებს საღამოს წასასვლელი არ აქვთ. გვინდა სივრცე, სადაც ერთად ვისწავლით ენებს, ვუყურებთ ფილმებს და მოვაწყობთ ღონისძიებებს.",
     "Stepantsminda", "community", Source.ONLINE, ("M6", "ახალგაზრდების ინიციატივები ფინანსდება ღონისძიებით M6.")),
    ("knitting", "ქალების ხელსაქმის კოოპერატივი",
     "სოფლის ქალები ვქსოვთ წინდებს, ქუდებსა და ხელთათმანებს. ერთად რომ გავყიდოთ, გვჭირდება პატარა მაღაზია და ტრენინგი.",
     "Pansheti", "community", Source.QUICK, ("M6", "ქალების ინიციატივები ფინანსდება ღონისძიებით M6.")),
    ("horses", "ცხენით ტურები",
     "გორისციხეში ბევრს ჰყავს ცხენი. ტურისტებს ცხენით გასეირნება რომ შევთავაზოთ, გვჭირდება უნაგირები და დაზღვევა.",
     "Goristsikhe", "tourism", Source.ONLINE, ("M2", "ახალი ტურისტული მომსახურება ფინანსდება ღონისძიებით M2.")),
    ("meat", "ხორცის გადამუშავება",
     "საქონელს შემოდგომაზე იაფად ვყიდით. ადგილობრივი სასაკლაო და შებოლვის საამქრო შემოსავალს გაზრდიდა.",
     "Kobi", "agriculture", Source.MEETING, ("M3", "ხორცის გადამუშავება ღონისძიება M3-ის ნაწილია.")),
    ("club", "სოფლის კლუბის შეკეთება",
     "ტყარშეთის კლუბს სახურავი ჩამოენგრა. შეკრებები და ქორწილები სხვა სოფელში გვიწევს.",
     "Tkarsheti", "community", Source.MEETING, ("M5", "სოფლის საერთო შენობების შეკეთება ფინანსდება ღონისძიებით M5.")),
    ("avalanche", "ზვავსაწინააღმდეგო ნაგებობები",
     "ზამთარში კობის გზას ზვავი ხშირად კეტავს. საჭიროა დამცავი ნაგებობები.", "Kobi", "environment", Source.MEETING,
     (None, "ეს სახელმწიფო ინფრასტრუქტურაა და ჯგუფის მცირე გრანტებით ვერ დაფინანსდება. წინადადება გადავუგზავნეთ მუნიციპალიტეტს.")),
    ("road", "გზის შეკეთება კანობამდე",
     "კანობამდე გზა ცუდ მდგომარეობაშია, განსაკუთრებით გაზაფხულზე.", "Kanobi", "community", Source.PAPER,
     (None, "გზების მშენებლობა მუნიციპალიტეტის ბიუჯეტიდან ფინანსდება; ჯგუფის ბიუჯეტი ამისთვის არ არის საკმარისი. წინადადება გადაეცა მუნიციპალიტეტს.")),
    ("bees", "ფუტკრის ოჯახები ახალგაზრდებს",
     "მთის თაფლი ძვირად იყიდება. ახალგაზრდებს ფუტკრის ოჯახები და სწავლება რომ მივცეთ, სოფელში დარჩებიან.",
     "Khurtisi", "agriculture", Source.ONLINE, ("M6", "ახალგაზრდების მეწარმეობა ფინანსდება ღონისძიებით M6.")),
    ("booking", "სასტუმროების ონლაინ დაჯავშნა",
     "ბევრ სასტუმრო სახლს ინტერნეტში გვერდიც არ აქვს. გვჭირდება სწავლება და დახმარება დაჯავშნის საიტებზე.",
     "Sno", "tourism", Source.ONLINE, ("M1", "ონლაინ გაყიდვების ხარჯი დასაშვებია ღონისძიებით M1; ტრენინგებს ჯგუფი თავად მოაწყობს.")),
    ("bus", "სკოლის ავტობუსი ცდოდან",
     "ცდოდან ბავშვები სკოლაში ფეხით დადიან, ზამთარში ეს საშიშია.", "Tsdo", "community", Source.PAPER,
     (None, "სკოლის ტრანსპორტი განათლების სამინისტროსა და მუნიციპალიტეტის საქმეა; თხოვნა მათ გადავეცით.")),
    ("clinic", "სამედიცინო პუნქტის აღჭურვა",
     "უხათში ექიმი კვირაში ერთხელ ამოდის. გვინდა სამედიცინო პუნქტის აღჭურვა, რომ პირველადი დახმარება ადგილზე იყოს.",
     "Ukhati", "community", Source.QUICK, ("M5", "სოფლის სერვისები ფინანსდება ღონისძიებით M5.")),
    ("market", "ადგილობრივი პროდუქტის ბაზრობა",
     "ზაფხულში სტეფანწმინდაში ყოველკვირეული ბაზრობა რომ იყოს, ფერმერები პირდაპირ გაყიდდნენ ყველს, თაფლს და ხილს.",
     "Stepantsminda", "agriculture", Source.ONLINE, ("M3", "პირდაპირი გაყიდვა ღონისძიება M3-ის ნაწილია.")),
    ("lights", "ქუჩის განათება სიონში",
     "სოფლის ქუჩებს განათება არ აქვს და საღამოს სიარული საშიშია.", "Sioni", "community", Source.QUICK,
     ("M5", "მზის პანელებით განათება შეიძლება დაფინანსდეს ღონისძიებით M5.")),
    ("wildlife", "ველური ცხოველების დაცვა",
     "ჯიხვებზე ბრაკონიერობა ისევ ხდება. ეროვნულ პარკთან ერთად საჭიროა რეინჯერების მხარდაჭერა და მოსახლეობის ინფორმირება.",
     "Sno", "environment", Source.ONLINE, ("O4", "ბუნების დაცვა სტრატეგიის მეოთხე მიზანია; ეროვნულ პარკთან ერთად ვგეგმავთ ინფორმირების კამპანიას.")),
]
# Duplicates merged into a kept idea: (key, title, text, village, theme, source, kept key)
DUPLICATES = [
    ("waste2", "ნაგვის ურნები არშაში", "არშაში ნაგვის ურნები არ არის, ხალხი ნაგავს მდინარესთან ყრის.", "Arsha", "environment", Source.ONLINE, "waste"),
    ("playground2", "სათამაშო მოედანი ბავშვებისთვის", "გერგეტში საბავშვო მოედანი გვჭირდება.", "Gergeti", "community", Source.QUICK, "playground"),
]
HIDDEN = ("ad", "იყიდება ბინა თბილისში", "იყიდება ბინა თბილისში, ვაკეში, კარგ ფასად. დარეკეთ.", "Stepantsminda", None,
          Source.QUICK, "რეკლამა; სტრატეგიას არ ეხება")

# (section, text, village, answer)
COMMENTS = [
    ("vision", "ხედვაში ახალგაზრდები უნდა იყოს ნახსენები: სწორედ ისინი ტოვებენ სოფლებს.", "Stepantsminda",
     ("O3", "ხედვას დავამატეთ ახალგაზრდები; მათ ეხება მიზანი O3 და ღონისძიება M6.")),
    ("measures", "M1-ში მაქსიმალური გრანტი, 25 000 ლარი, ცოტაა სასტუმროს სრული რემონტისთვის.", "Sno",
     (None, "უფრო მაღალი ზღვარი ნაკლებ პროექტს ნიშნავს. ბიუჯეტი რომ მეტ ოჯახს მისწვდეს, ზღვარი უცვლელი დავტოვეთ.")),
    ("swot", "სისუსტეებში უნდა ჩაიწეროს, რომ ზამთარში გზა ხშირად იკეტება და ტურისტები ვერ ამოდიან.", "Kobi",
     ("O1", "დავამატეთ; ამას ეხმიანება მიზანი O1, მთელი წლის ტურიზმი.")),
    ("financial-plan", "ჯგუფის მიმდინარე ხარჯები ძალიან დიდი მეჩვენება.", "Gergeti",
     (None, "მიმდინარე ხარჯები საჯარო თანხის 25%-ზე ნაკლებია, როგორც წესი მოითხოვს; ოფისისა და ანიმატორის გარეშე კონკურსები ვერ ჩატარდება.")),
    ("measures", "M3-ში კოოპერატივებს უფრო მაღალი დაფინანსება უნდა ჰქონდეთ, ვიდრე ცალკეულ ფერმერებს.", "Juta",
     ("M3", "კოოპერატივების დაფინანსების წილი 70%-მდე გავზარდეთ.")),
    ("action-plan", "პირველი კონკურსი გაზაფხულზე გამოაცხადეთ, რომ ზაფხულის სეზონს მოვასწროთ.", "Stepantsminda",
     ("M1", "ოჯახური სასტუმროების პირველი კონკურსი მარტში გამოცხადდება.")),
    ("monitoring", "შედეგები სოფლის შეკრებებზეც წარადგინეთ, არა მხოლოდ საიტზე.", "Arsha",
     ("O3", "ყოველწლიურ ანგარიშს სოფლის შეხვედრებზეც წარვადგენთ.")),
    ("objectives", "გარემოს მიზანში ნარჩენებთან ერთად წყლის დაცვაც ჩართეთ.", "Sioni",
     ("O4", "მიზანი O4 ახლა მდინარეების დაცვასაც მოიცავს.")),
    ("profile", "ჯუთის მოსახლეობა ზაფხულში გაცილებით მეტია, ვიდრე ცხრილშია.", "Juta",
     (None, "ცხრილში ოფიციალური სტატისტიკაა; სეზონურ მოსახლეობას ტექსტში ვახსენებთ.")),
]

SURVEY_TITLE = ("ყაზბეგის მოსახლეობის გამოკითხვა: საჭიროებები", "Kazbegi residents' survey: needs")
SURVEY = [
    (QuestionKind.SINGLE, ("რომელი სფეროა თქვენთვის ყველაზე მნიშვნელოვანი?", "Which field matters most to you?"), True,
     [("ტურიზმი", "Tourism", 38), ("სოფლის მეურნეობა", "Agriculture", 30), ("თემის სერვისები", "Community services", 20),
      ("გარემოს დაცვა", "Environment", 12)]),
    (QuestionKind.MULTIPLE, ("რა დაგეხმარებათ ყველაზე მეტად?", "What would help you most?"), False,
     [("მცირე გრანტი", "A small grant", 60), ("ტრენინგი", "Training", 40), ("დახმარება ბიზნეს-გეგმაზე", "Help with a business plan", 25),
      ("ბაზართან წვდომა", "Access to markets", 35), ("ტექნიკის გაქირავება", "Equipment to rent", 20)]),
    (QuestionKind.SCALE, ("რამდენად კმაყოფილი ხართ ცხოვრებით თქვენს სოფელში?", "How satisfied are you with life in your village?"), False,
     [5, 14, 30, 34, 17]),
    (QuestionKind.VILLAGE, ("რომელ სოფელს სჭირდება დახმარება ყველაზე მეტად?", "Which village needs help most?"), False, []),
    (QuestionKind.SHORT, ("ერთი სიტყვით: რა აკლია თქვენს სოფელს?", "In one word: what does your village lack?"), False,
     ["სამუშაო", "გზა", "ახალგაზრდები", "ბაზარი", "ექიმი", "წყალი", "ინტერნეტი", "ტრანსპორტი"]),
    (QuestionKind.LONG, ("სხვა იდეები და შენიშვნები", "Other ideas and remarks"), False,
     ["მინდა, რომ ახალგაზრდები სოფელში დარჩნენ.", "ზამთარში ტურისტებისთვის მეტი რამ უნდა იყოს.",
      "ფერმერებს ტექნიკა სჭირდებათ.", "კარგი იქნება, თუ ჯგუფი ტრენინგებს სოფლებშიც ჩაატარებს."]),
]
RESPONSES, PAPER_RESPONSES = 300, 60
GENDERS = ["female"] * 52 + ["male"] * 45 + [""] * 3
AGES = ["18_29"] * 22 + ["30_44"] * 30 + ["45_64"] * 33 + ["65_plus"] * 12 + [""] * 3


def _weighted(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _residents(lag, villages, rng, n=48):
    from sopeli.core.demo.people import FIRST_F, FIRST_M, SURNAMES

    User = get_user_model()
    names = list(villages)
    out = []
    for i in range(n):
        female = i % 2 == 0
        first = (FIRST_F if female else FIRST_M)[(i // 2) % len(FIRST_F)]
        name = f"{first} {SURNAMES[(i * 5 + i // 3) % len(SURNAMES)]}"
        email = f"resident-{i + 1:02d}@kazbegi-demo.invalid"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=name, village=villages[names[i % len(names)]])
            user.set_unusable_password()
            user.save()
        user.demo_gender = "female" if female else "male"
        out.append(user)
    return out


def _strategy_targets(lag):
    """{code: Objective|Measure} of the strategy version the consultation was held on (v1), if any."""
    from sopeli.strategy.models import Measure, Objective, StrategyVersion

    version = StrategyVersion.objects.filter(lag=lag).order_by("number").first()
    if version is None:
        return None, {}
    targets = {o.code: o for o in Objective.objects.filter(version=version)}
    targets.update({m.code: m for m in Measure.objects.filter(version=version)})
    return version, targets


def _answer(obj, answer, targets, when):
    code, text = answer
    target = targets.get(code) if code else None
    if code and target is None:
        # No strategy demo: a taken-up answer cannot point anywhere yet; say so rather than invent.
        obj.answer_status, obj.answer_text = AnswerStatus.PENDING, ""
        return
    obj.answered_at = when
    obj.answer_text = text
    if target is None:
        obj.answer_status = AnswerStatus.NOT_TAKEN_UP
    else:
        obj.answer_status = AnswerStatus.TAKEN_UP
        if target.__class__.__name__ == "Measure":
            obj.answer_measure = target
        else:
            obj.answer_objective = target


@transaction.atomic
def build(lag: Lag) -> dict:
    from sopeli.membership.models import InterestGroup

    rng = random.Random(SEED)
    villages = {s.name_en: s for s in lag.settlements.all()}
    themes = {g.code: g for g in InterestGroup.objects.filter(lag=lag)}
    version, targets = _strategy_targets(lag)
    manager = get_user_model().objects.filter(role_grants__lag=lag, role_grants__role="manager").first()
    answered_at = at(2026, 1, 30, 11)

    consultation = Consultation.objects.create(
        lag=lag, version=version, title_ka=TITLE[0], title_en=TITLE[1],
        description_ka="ჯგუფმა მოსახლეობასთან ერთად დაწერა სტრატეგია: შეაგროვა იდეები, ჩაატარა შეხვედრები სოფლებში და "
                       "გამოკითხვა, განიხილა პროექტი და უპასუხა ყველა წინადადებას.",
        description_en="The LAG wrote its strategy with the residents: it collected ideas, held meetings in the villages "
                       "and a survey, discussed the draft and answered every proposal.",
    )
    phases = {}
    for kind, (ka, en), opens, closes in PHASES:
        if kind == PhaseKind.COMMENTS and version is None:
            continue
        phases[kind] = Phase.objects.create(consultation=consultation, kind=kind, title_ka=ka, title_en=en, opens_at=opens, closes_at=closes)

    meetings = {}
    for village, place, when, women, men, notes in MEETINGS:
        if village in villages:
            meetings[village] = VillageMeeting.objects.create(
                consultation=consultation, lag=lag, village=villages[village], place=place, held_at=when,
                women=women, men=men, notes=notes, recorded_by=manager,
            )

    residents = _residents(lag, villages, rng)
    ideas = {}
    start = PHASES[0][2]
    for n, (key, title, text, village, theme, source, answer) in enumerate(IDEAS):
        author = residents[n] if source == Source.ONLINE else None
        meeting = meetings.get(village) if source == Source.MEETING else None
        if source == Source.MEETING and meeting is None:
            source = Source.PAPER
        idea = Idea(
            consultation=consultation, lag=lag, title=title, text=text, village=villages.get(village), theme=themes.get(theme),
            author=author, author_name=author.full_name if author else residents[n].full_name,
            source=source, meeting=meeting, confirmed=source != Source.QUICK or n % 3 != 0,
            gender=residents[n].demo_gender, age_band=AGES[(n * 13) % len(AGES)] or "30_44",
            entered_by=manager if source in (Source.MEETING, Source.PAPER) else None,
            created_at=meeting.held_at if meeting else start + timedelta(days=n * 2, hours=n % 7),
        )
        _answer(idea, answer, targets, answered_at)
        idea.answered_by = manager if idea.answered_at else None
        idea.save()
        ideas[key] = idea
    for n, (key, title, text, village, theme, source, kept) in enumerate(DUPLICATES):
        ideas[key] = Idea.objects.create(
            consultation=consultation, lag=lag, title=title, text=text, village=villages.get(village), theme=themes.get(theme),
            author=residents[30 + n] if source == Source.ONLINE else None, author_name=residents[30 + n].full_name,
            source=source, confirmed=True, gender=residents[30 + n].demo_gender, merged_into=ideas[kept],
            answer_status=AnswerStatus.MERGED, answered_at=answered_at, answered_by=manager,
            created_at=start + timedelta(days=20 + n),
        )
    key, title, text, village, theme, source, reason = HIDDEN
    Idea.objects.create(
        consultation=consultation, lag=lag, title=title, text=text, village=villages.get(village), author_name="უცნობი",
        source=source, confirmed=False, hidden_reason=reason, hidden_at=start + timedelta(days=3), hidden_by=manager,
        answer_status=AnswerStatus.NOT_TAKEN_UP, answer_text=reason, answered_at=answered_at, answered_by=manager,
        created_at=start + timedelta(days=3),
    )
    # Supports: each resident supports a few ideas (never their own); the kept ideas also carry the
    # supports of their duplicates, once each, as the merge service would have left them.
    supports = set()
    kept_ideas = [i for i in ideas.values() if i.merged_into_id is None]
    for user in residents:
        for idea in rng.sample(kept_ideas, k=rng.randint(1, 6)):
            if idea.author_id != user.pk:
                supports.add((idea.pk, user.pk))
    for key, *_rest, kept in DUPLICATES:
        dup = ideas[key]
        if dup.author_id and dup.author_id != ideas[kept].author_id:
            supports.add((ideas[kept].pk, dup.author_id))
    Support.objects.bulk_create([Support(idea_id=i, user_id=u, created_at=start + timedelta(days=10)) for i, u in sorted(supports)])
    supports_recount(actor=None, consultation=consultation)

    if version is not None:
        for n, (section, text, village, answer) in enumerate(COMMENTS):
            author = residents[n + 10]
            comment = Comment(
                consultation=consultation, lag=lag, section=section, text=text, village=villages.get(village), author=author,
                author_name=author.full_name, gender=author.demo_gender, created_at=PHASES[3][2] + timedelta(days=n * 3, hours=2),
            )
            _answer(comment, answer, targets, answered_at)
            comment.answered_by = manager if comment.answered_at else None
            comment.save()

    survey = _survey(lag, consultation, phases[PhaseKind.SURVEY], villages, manager, rng)
    return {"consultation": consultation, "survey": survey, "ideas": len(ideas) + 1}


def _survey(lag, consultation, phase, villages, manager, rng):
    survey = Survey.objects.create(lag=lag, consultation=consultation, phase=phase, title_ka=SURVEY_TITLE[0],
                                   title_en=SURVEY_TITLE[1], signed=False,
                                   description_ka="ანონიმური გამოკითხვა; სახელს არ ვინახავთ.",
                                   description_en="An anonymous survey; no names are kept.")
    questions = []
    for order, (kind, (ka, en), required, spec) in enumerate(SURVEY, start=1):
        q = Question.objects.create(survey=survey, order=order, kind=kind, text_ka=ka, text_en=en, required=required)
        choices = [Choice.objects.create(question=q, order=i, text_ka=cka, text_en=cen) for i, (cka, cen, _w) in enumerate(spec, 1)] \
            if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
        questions.append((q, choices, spec))
    village_list = list(villages.values())
    weights = [v.population or 100 for v in village_list]
    opens, closes = phase.opens_at, phase.closes_at
    span = int((closes - opens).total_seconds()) - 3600
    responses = []
    for n in range(RESPONSES):
        paper = n >= RESPONSES - PAPER_RESPONSES
        village = _weighted(rng, village_list, weights)
        responses.append(Response(
            survey=survey, lag=lag, village=village, gender=rng.choice(GENDERS), age_band=rng.choice(AGES),
            source=Source.PAPER if paper else Source.ONLINE,
            paper_reference=f"{village.name_ka}, ქაღალდის ფორმა {n - (RESPONSES - PAPER_RESPONSES) + 1}" if paper else "",
            entered_by=manager if paper else None, submitted_at=opens + timedelta(seconds=rng.randrange(span)),
        ))
    Response.objects.bulk_create(responses)
    responses = list(Response.objects.filter(survey=survey).order_by("id"))
    values = []
    for r in responses:
        for q, choices, spec in questions:
            if q.kind == QuestionKind.SINGLE:
                values.append(AnswerValue(response=r, question=q, choice=_weighted(rng, choices, [w for *_x, w in spec])))
            elif q.kind == QuestionKind.MULTIPLE:
                picked = [c for c, (*_x, w) in zip(choices, spec, strict=True) if rng.randrange(100) < w]
                values += [AnswerValue(response=r, question=q, choice=c) for c in picked]
            elif q.kind == QuestionKind.SCALE:
                values.append(AnswerValue(response=r, question=q, number=_weighted(rng, [1, 2, 3, 4, 5], spec)))
            elif q.kind == QuestionKind.VILLAGE and rng.randrange(100) < 80:
                values.append(AnswerValue(response=r, question=q, village=_weighted(rng, village_list, weights[::-1])))
            elif q.kind == QuestionKind.SHORT and rng.randrange(100) < 60:
                values.append(AnswerValue(response=r, question=q, text=rng.choice(spec)))
            elif q.kind == QuestionKind.LONG and rng.randrange(100) < 15:
                values.append(AnswerValue(response=r, question=q, text=rng.choice(spec)))
    AnswerValue.objects.bulk_create(values, batch_size=1000)
    return survey


def synthetic(consultation: Consultation, *, ideas: int = 10_000, supports_per_idea: int = 3, responses: int = 5_000,
              seed: int = 7) -> Survey:
    """Bulk rows for ``make bench``: ``ideas`` ideas with supports on ``consultation`` and a survey with
    ``responses`` responses (reuses the demo survey's questions). Fast: bulk_create only."""
    rng = random.Random(seed)
    lag = consultation.lag
    villages = list(lag.settlements.all())
    from sopeli.membership.models import InterestGroup

    themes = list(InterestGroup.objects.filter(lag=lag)) or [None]
    supporters = _residents(lag, {v.name_en: v for v in villages}, rng, n=max(supports_per_idea, 48))
    start = consultation.phases.order_by("opens_at").values_list("opens_at", flat=True).first() or at(2025, 10, 1)
    rows = [Idea(consultation=consultation, lag=lag, title=f"იდეა {n}: {IDEAS[n % len(IDEAS)][1]}", text=IDEAS[n % len(IDEAS)][2],
                 village=rng.choice(villages), theme=rng.choice(themes), author_name=supporters[n % len(supporters)].full_name,
                 source=Source.QUICK, confirmed=True, created_at=start + timedelta(minutes=n)) for n in range(ideas)]
    Idea.objects.bulk_create(rows, batch_size=2000)
    ids = list(Idea.objects.filter(consultation=consultation, merged_into__isnull=True).values_list("pk", flat=True))
    Support.objects.bulk_create(
        [Support(idea_id=i, user=u) for i in ids for u in rng.sample(supporters, k=rng.randint(0, supports_per_idea))],
        batch_size=5000, ignore_conflicts=True,
    )
    supports_recount(actor=None, consultation=consultation)
    phase = consultation.phases.filter(kind=PhaseKind.SURVEY).first() or Phase.objects.create(
        consultation=consultation, kind=PhaseKind.SURVEY, opens_at=start, closes_at=start + timedelta(days=30))
    global RESPONSES, PAPER_RESPONSES
    saved = RESPONSES, PAPER_RESPONSES
    RESPONSES, PAPER_RESPONSES = responses, responses // 5
    try:
        manager = None
        return _survey(lag, consultation, phase, {v.name_en: v for v in villages}, manager, rng)
    finally:
        RESPONSES, PAPER_RESPONSES = saved
