"""Demo strategy for the Kazbegi LAG: an approved version 1 and a draft amendment, version 2.

Idempotent: does nothing if the LAG already has a strategy. Figures are illustrative (demo data),
rounded from public sources where they exist (area, population, the LAG's first rounds).
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction

from sopeli.core.models import Lag
from sopeli.strategy import services
from sopeli.strategy.models import ApplicantType, Measure, Objective, PlannedCall, Strategy, SwotKind

D = Decimal
TBILISI = ZoneInfo("Asia/Tbilisi")
YEARS = (2026, 2027, 2028, 2029)

TITLE = (
    "ყაზბეგის მუნიციპალიტეტის ადგილობრივი განვითარების სტრატეგია 2026–2029",
    "Local development strategy of Kazbegi municipality 2026–2029",
)

PROFILE = (
    "ყაზბეგის მუნიციპალიტეტი მცხეთა-მთიანეთის მხარის ჩრდილოეთით, კავკასიონის მთავარ ქედზე მდებარეობს. "
    "მისი ფართობი 1 082 კმ²-ია, მოსახლეობა — დაახლოებით 3 800 კაცი. ადმინისტრაციული ცენტრია დაბა "
    "სტეფანწმინდა, სადაც დაახლოებით 1 300 ადამიანი ცხოვრობს. ტერიტორია ზღვის დონიდან 1 700 მეტრიდან "
    "მყინვარწვერის 5 047 მეტრამდე აღწევს.\n\n"
    "მუნიციპალიტეტის სოფლები — სნო, გერგეტი, არშა, ჯუთა, სიონი, ფანშეტი, კობი, გორისციხე, ტყარშეთი, "
    "ყანობი, ხურთისი, ცდო, უხათი და სხვები — თერგისა და მისი შენაკადების ხეობებშია გაშენებული. ზოგიერთ "
    "მაღალმთიან სოფელში ზამთარში მხოლოდ რამდენიმე ოჯახი რჩება.\n\n"
    "ეკონომიკის მთავარი დარგებია ტურიზმი და მეცხოველეობა: ოჯახური სასტუმროები, გიდების მომსახურება, "
    "თივის დამზადება, მსხვილფეხა და წვრილფეხა პირუტყვის მოშენება. ყაზბეგის ეროვნული პარკი "
    "მუნიციპალიტეტის მნიშვნელოვან ნაწილს მოიცავს. საქართველოს სამხედრო გზა და ზემო ლარსის სასაზღვრო "
    "გამშვები პუნქტი მუნიციპალიტეტს ჩრდილოეთით აკავშირებს.",
    "Kazbegi municipality lies in the north of the Mtskheta-Mtianeti region, on the main ridge of the "
    "Greater Caucasus. It covers 1,082 km² and has about 3,800 residents. Its centre is the small town "
    "of Stepantsminda, home to about 1,300 people. The land rises from 1,700 metres to the 5,047 metres "
    "of Mount Kazbek.\n\n"
    "The villages — Sno, Gergeti, Arsha, Juta, Sioni, Pansheti, Kobi, Goristsikhe, Tkarsheti, Kanobi, "
    "Khurtisi, Tsdo, Ukhati and others — lie in the valleys of the Tergi river and its tributaries. In "
    "some high villages only a few families stay through the winter.\n\n"
    "Tourism and livestock farming are the main sources of income: family guesthouses, guiding, hay "
    "making, cattle and sheep. The Kazbegi National Park covers a large part of the municipality. The "
    "Georgian Military Road and the Upper Lars border crossing connect the municipality to the north.",
)

KEY_FIGURES = [
    # code, label ka, label en, value, unit ka, unit en, year, source ka, source en
    ("KF1", "ფართობი", "Area", "1 082", "კმ²", "km²", None, "", ""),
    ("KF2", "მოსახლეობა", "Population", "3 800", "კაცი", "people", 2014, "მოსახლეობის აღწერა (დამრგვალებული)", "Population census (rounded)"),
    ("KF3", "სტეფანწმინდის მოსახლეობა", "Population of Stepantsminda", "1 300", "კაცი", "people", 2014, "მოსახლეობის აღწერა (დამრგვალებული)", "Population census (rounded)"),
    ("KF4", "სიმაღლე ზღვის დონიდან", "Elevation above sea level", "1 700 – 5 047", "მ", "m", None, "", ""),
    ("KF5", "ლაგის წევრები", "Members of the LAG", "71", "წევრი", "members", 2017, "ყაზბეგის ლაგი", "Kazbegi LAG"),
    ("KF6", "დაფინანსებული პროექტები 2016–2017 წლებში", "Projects funded in 2016–2017", "63", "პროექტი", "projects", 2017, "ყაზბეგის ლაგი", "Kazbegi LAG"),
]

NEEDS = (
    "სოფლის შეხვედრებზე, მოსახლეობის გამოკითხვასა და თემატური სამუშაო ჯგუფების შეხვედრებზე "
    "მცხოვრებლებმა ყველაზე ხშირად ეს საჭიროებები დაასახელეს:\n\n"
    "• ტურისტული სეზონი მოკლეა (ივნისიდან სექტემბრამდე), შემოსავალი კი სტეფანწმინდასა და გერგეტშია "
    "თავმოყრილი; შორეულ სოფლებამდე სტუმრები იშვიათად აღწევენ.\n"
    "• ოჯახურ სასტუმროებს სჭირდებათ მომსახურების ხარისხის გაუმჯობესება, ონლაინ დაჯავშნა და უცხო "
    "ენების ცოდნა.\n"
    "• ფერმერები ეძებენ რძისა და ხორცის გადამუშავებისა და გაყიდვის გზებს; ტექნიკა მოძველებულია.\n"
    "• ახალგაზრდები სოფლებს ტოვებენ, ქალებისთვის კი სამუშაო ადგილები ცოტაა.\n"
    "• სოფლებს აკლიათ შეკრების ადგილები, სათამაშო მოედნები და ნარჩენების რეგულარული გატანა; "
    "ბილიკები და მიმანიშნებელი ნიშნები მოსაწესრიგებელია.\n"
    "• ზვავები, ღვარცოფები და ეროზია საფრთხეს უქმნის გზებსა და საძოვრებს.",
    "At village meetings, in the residents' survey and in the thematic working groups, people most often "
    "named these needs:\n\n"
    "• The tourist season is short (June to September) and the income concentrates in Stepantsminda and "
    "Gergeti; visitors rarely reach the remote villages.\n"
    "• Family guesthouses need better service, online booking and foreign languages.\n"
    "• Farmers look for ways to process and sell milk and meat; machinery is old.\n"
    "• Young people leave the villages and there are few jobs for women.\n"
    "• Villages lack meeting places, playgrounds and regular waste collection; trails and signs need "
    "repair.\n"
    "• Avalanches, mudflows and erosion threaten roads and pastures.",
)

SWOT = [
    ("S1", SwotKind.STRENGTH, "მყინვარწვერი, გერგეტის სამების ეკლესია და ეროვნული პარკი ცნობილი ტურისტული ადგილებია.",
     "Mount Kazbek, Gergeti Trinity Church and the National Park are well-known destinations."),
    ("S2", SwotKind.STRENGTH, "სუფთა მთის საძოვრები და ხარისხიანი თივა.", "Clean mountain pastures and good-quality hay."),
    ("S3", SwotKind.STRENGTH, "ძლიერი თემური ტრადიციები და აქტიური ადგილობრივი ორგანიზაციები.",
     "Strong community traditions and active local organisations."),
    ("W1", SwotKind.WEAKNESS, "მოკლე ტურისტული სეზონი და სეზონური შემოსავალი.", "A short tourist season and seasonal income."),
    ("W2", SwotKind.WEAKNESS, "მოძველებული ტექნიკა და პროდუქციის გადამუშავების სიმცირე.", "Old machinery and little processing of produce."),
    ("W3", SwotKind.WEAKNESS, "ახალგაზრდების გადინება და ქალების დასაქმების მცირე შესაძლებლობა.",
     "Young people leave and women have few chances of work."),
    ("O1", SwotKind.OPPORTUNITY, "ზამთრის და სამთო ტურიზმის ზრდა; გუდაურის კურორტი ახლოსაა.",
     "Growing winter and mountain tourism; the Gudauri resort is close."),
    ("O2", SwotKind.OPPORTUNITY, "ადგილობრივ და მთის პროდუქტზე მზარდი მოთხოვნა.", "Rising demand for local and mountain products."),
    ("O3", SwotKind.OPPORTUNITY, "სახელმწიფო და დონორების პროგრამები სოფლის განვითარებისთვის.",
     "National and donor programmes for rural development."),
    ("T1", SwotKind.THREAT, "ზვავები, ღვარცოფები და კლიმატის ცვლილება.", "Avalanches, mudflows and climate change."),
    ("T2", SwotKind.THREAT, "სამხედრო გზის გადატვირთვა და საზღვრის დახურვის რისკი.",
     "Heavy traffic on the Military Road and the risk of the border closing."),
    ("T3", SwotKind.THREAT, "უკონტროლო მშენებლობა, რომელიც ლანდშაფტს აზიანებს.", "Uncontrolled building that harms the landscape."),
]

VISION = (
    "2030 წლისთვის ყაზბეგის სოფლები ცოცხალი და მიმზიდველია მთელი წლის განმავლობაში: ოჯახები მთის "
    "ტურიზმითა და მეურნეობით იღებენ შემოსავალს, ახალგაზრდები და ქალები საქმეს ადგილზე პოულობენ, ბუნება "
    "კი მომავალი თაობებისთვის დაცულია.",
    "By 2030 the villages of Kazbegi are lively and attractive all year round: families earn their living "
    "from mountain tourism and farming, young people and women find work at home, and nature is "
    "protected for the generations to come.",
)

OBJECTIVES = [
    ("O1", "მთელი წლის, მრავალფეროვანი ტურიზმი ყველა სოფელში", "Year-round, varied tourism in every village",
     "სეზონის გახანგრძლივება, ახალი მომსახურება და სტუმრების მოზიდვა შორეულ სოფლებში.",
     "A longer season, new services and visitors in the remote villages too."),
    ("O2", "მთის მეურნეობის შემოსავლის ზრდა", "Higher income from mountain farming",
     "რძისა და ხორცის გადამუშავება, პირდაპირი გაყიდვა და თანამედროვე ტექნიკა.",
     "Processing milk and meat, selling directly and modern machinery."),
    ("O3", "ძლიერი და ჩართული თემები", "Strong, engaged communities",
     "სოფლის სერვისები, შეკრების ადგილები და ახალგაზრდებისა და ქალების ინიციატივები.",
     "Village services, meeting places and initiatives of young people and women."),
    ("O4", "ბუნებისა და ლანდშაფტის დაცვა", "Protected nature and landscape",
     "ბილიკები, ნარჩენების მართვა და ბუნებრივი საფრთხეებისგან დაცვა.",
     "Trails, waste management and protection from natural hazards."),
]

RESULT_INDICATORS = [
    # code, objective, name ka, name en, unit ka, unit en, baseline, target, aggregation
    ("R1.1", "O1", "ახალი სამუშაო ადგილები ტურიზმში", "New jobs in tourism", "სრული განაკვეთი", "full-time equivalents", "0", "40", "sum"),
    ("R1.2", "O1", "ღამისთევები ზამთრის სეზონზე", "Guest nights in the winter season", "ღამისთევა", "nights", "12000", "20000", "latest"),
    ("R2.1", "O2", "მეურნეობები, რომლებმაც გადამუშავება ან პირდაპირი გაყიდვა დაიწყეს",
     "Farms that started processing or direct sales", "მეურნეობა", "farms", "0", "25", "sum"),
    ("R3.1", "O3", "მოსახლეობის წილი, რომელიც გაუმჯობესებული სერვისებით სარგებლობს",
     "Share of residents benefiting from improved services", "%", "%", "0", "40", "max"),
    ("R4.1", "O4", "სოფლები ნარჩენების რეგულარული გატანით", "Villages with regular waste collection", "სოფელი", "villages", "3", "12", "latest"),
]

P, B, C, N, M, PI = (ApplicantType.PERSON, ApplicantType.BUSINESS, ApplicantType.COOPERATIVE, ApplicantType.NGO,
                    ApplicantType.MUNICIPALITY, ApplicantType.PUBLIC_INSTITUTION)

MEASURES = [
    # code, title ka/en, funds ka/en, beneficiaries ka/en, min, max, budget, objectives, rates, output indicator, call month
    ("M1", "ოჯახური სასტუმროები და სტუმართმასპინძლობა", "Family guesthouses and hospitality",
     "ოთახებისა და სველი წერტილების მოწყობა, გათბობა მთელი წლისთვის, ონლაინ დაჯავშნა, პერსონალის სწავლება.",
     "Rooms and bathrooms, heating for the whole year, online booking, staff training.",
     "ოჯახური სასტუმროების მფლობელები და მცირე საწარმოები, რომლებიც მუნიციპალიტეტის ტერიტორიაზე საქმიანობენ.",
     "Owners of family guesthouses and small businesses working in the municipality.",
     "3000", "25000", "300000", ["O1"], {P: "60", B: "60", C: "70"},
     ("P1", "გაუმჯობესებული ოჯახური სასტუმროები", "Guesthouses improved", "სასტუმრო", "guesthouses", "20"), 3),
    ("M2", "ახალი ტურისტული მომსახურება", "New tourism services",
     "გიდის მომსახურება, ცხენით და ფეხით ტურები, ზამთრის აქტივობების აღჭურვილობა, ადგილობრივი ხელობის სახელოსნოები.",
     "Guiding, horse and walking tours, equipment for winter activities, local craft workshops.",
     "ფიზიკური პირები, მცირე საწარმოები და არასამთავრობო ორგანიზაციები.",
     "Individuals, small businesses and NGOs.",
     "2000", "15000", "150000", ["O1"], {P: "70", B: "60", N: "80"},
     ("P2", "ახალი ტურისტული მომსახურება", "New tourism services launched", "მომსახურება", "services", "15"), 3),
    ("M3", "რძისა და ხორცის გადამუშავება და გაყიდვა", "Processing and selling milk and meat",
     "მცირე საწარმოები ყველის, კარაქისა და ხორცის პროდუქტების დასამზადებლად; სანიტარიული მოთხოვნების დაკმაყოფილება; გაყიდვის წერტილები.",
     "Small dairies and meat processing, meeting hygiene standards, points of sale.",
     "ფერმერები, კოოპერატივები და მცირე საწარმოები.", "Farmers, cooperatives and small businesses.",
     "5000", "40000", "250000", ["O2"], {P: "60", B: "50", C: "70"},
     ("P3", "მხარდაჭერილი გადამამუშავებელი საწარმოები", "Processing businesses supported", "საწარმო", "businesses", "8"), 10),
    ("M4", "თივის დამზადებისა და მეცხოველეობის ტექნიკა", "Hay-making and livestock equipment",
     "სათიბი და საწნეხი ტექნიკა, ფარეხების გაუმჯობესება, საძოვრების მოვლა.",
     "Mowers and balers, better barns, care of pastures.",
     "ფერმერები და კოოპერატივები.", "Farmers and cooperatives.",
     "2000", "20000", "180000", ["O2"], {P: "60", B: "50", C: "70"},
     ("P4", "შეძენილი ტექნიკის ერთეულები", "Machines purchased", "ერთეული", "units", "25"), 10),
    ("M5", "სოფლის სათემო სივრცეები და სერვისები", "Community spaces and services in villages",
     "შეკრების ადგილები, სათამაშო მოედნები, სოფლის ბიბლიოთეკები, ნარჩენების შეგროვების წერტილები.",
     "Meeting places, playgrounds, village libraries, waste collection points.",
     "არასამთავრობო ორგანიზაციები, მუნიციპალიტეტი, სკოლები და სხვა საჯარო დაწესებულებები.",
     "NGOs, the municipality, schools and other public institutions.",
     "3000", "30000", "200000", ["O3"], {N: "90", M: "80", PI: "85"},
     ("P5", "მოწყობილი სათემო სივრცეები", "Community spaces set up", "სივრცე", "spaces", "8"), 5),
    ("M6", "ახალგაზრდებისა და ქალების ინიციატივები", "Initiatives of young people and women",
     "მცირე ბიზნესის დაწყება, სწავლება, კულტურული და სპორტული ღონისძიებები.",
     "Starting a small business, training, cultural and sports events.",
     "18–35 წლის ახალგაზრდები, ქალები და მათი ორგანიზაციები.", "Young people aged 18–35, women and their organisations.",
     "1000", "10000", "80000", ["O3"], {P: "80", B: "70", N: "90"},
     ("P6", "მხარდაჭერილი ინიციატივები", "Initiatives supported", "ინიციატივა", "initiatives", "16"), 5),
    ("M7", "ბილიკები, ნარჩენები და დაცვა ბუნებრივი საფრთხეებისგან", "Trails, waste and protection from natural hazards",
     "ბილიკების მონიშვნა და მოწესრიგება, ნარჩენების გატანა, ზვავსაწინააღმდეგო და ეროზიის საწინააღმდეგო მცირე სამუშაოები.",
     "Marking and repairing trails, waste removal, small works against avalanches and erosion.",
     "არასამთავრობო ორგანიზაციები, მუნიციპალიტეტი და ეროვნული პარკის ადმინისტრაციასთან შეთანხმებული პარტნიორები.",
     "NGOs, the municipality and partners agreed with the National Park administration.",
     "2000", "30000", "160000", ["O4", "O1"], {N: "90", M: "80"},
     ("P7", "მოწესრიგებული ბილიკები", "Trails marked and repaired", "კმ", "km", "60"), 5),
]

RUNNING_COSTS = D("70000.00")  # per year: 280,000 of 1,600,000 public money = 17.5%
YEAR_SHARES = (D("0.30"), D("0.30"), D("0.25"))  # the last year takes the rest
CALL_SHARES = {2026: D("0.40"), 2027: D("0.40"), 2028: D("0.20")}

MONITORING = (
    "სტრატეგიის შესრულებას ლაგის მენეჯერი ადევნებს თვალყურს. ყოველი პროექტი ანგარიშში აჩვენებს დაგეგმილ და "
    "მიღწეულ მაჩვენებლებს: სამუშაო ადგილებს სრულ განაკვეთზე გადაანგარიშებით, ბენეფიციარებს სქესის, ასაკისა "
    "და სოფლის მიხედვით. მონაცემები ყოველწლიურად ჯამდება სტრატეგიის მაჩვენებლებად და ქვეყნდება ლაგის "
    "საიტზე.\n\n2027 წელს ტარდება შუალედური თვითშეფასება, 2029 წელს — საბოლოო შეფასება მოსახლეობის "
    "გამოკითხვით. შედეგებს განიხილავს საერთო კრება, რომელიც საჭიროების შემთხვევაში სტრატეგიის ცვლილებას "
    "ამტკიცებს.",
    "The LAG manager follows how the strategy is carried out. Each project reports planned and achieved "
    "values: jobs in full-time equivalents, beneficiaries by gender, age and village. The figures are "
    "added up to the strategy's indicators every year and published on the LAG's website.\n\n"
    "A mid-term self-evaluation takes place in 2027 and a final evaluation with a residents' survey in "
    "2029. The general assembly discusses the results and approves amendments to the strategy when needed.",
)


class Command(BaseCommand):
    help = "Create Kazbegi's demo strategy: approved version 1 and a draft amendment (version 2)."

    def add_arguments(self, parser):
        parser.add_argument("--lag", default="kazbegi", help="LAG address (default: kazbegi)")

    def handle(self, *args, lag: str, **options):
        the_lag = Lag.objects.filter(slug=lag).first()
        if the_lag is None:
            self.stdout.write(self.style.WARNING(f"No LAG with the address '{lag}': nothing to do."))
            return
        if Strategy.objects.filter(lag=the_lag).exists():
            self.stdout.write(f"{the_lag.slug} already has a strategy: nothing to do.")
            return
        with transaction.atomic():
            v1 = self._version_1(the_lag)
            v2 = self._version_2(v1)
        self.stdout.write(self.style.SUCCESS(
            f"Strategy for {the_lag.slug}: version {v1.number} approved, version {v2.number} drafted."
        ))

    def _version_1(self, lag):
        version = services.strategy_create(actor=None, lag=lag, title_ka=TITLE[0], title_en=TITLE[1])
        services.strategy_version_update(actor=None, version=version, data={
            "period_start": YEARS[0], "period_end": YEARS[-1],
            "territory_profile_ka": PROFILE[0], "territory_profile_en": PROFILE[1],
            "needs_analysis_ka": NEEDS[0], "needs_analysis_en": NEEDS[1],
            "vision_ka": VISION[0], "vision_en": VISION[1],
            "monitoring_ka": MONITORING[0], "monitoring_en": MONITORING[1],
        })
        for order, (code, lka, len_, value, uka, uen, year, ska, sen) in enumerate(KEY_FIGURES):
            services.key_figure_save(actor=None, version=version, data={
                "code": code, "order": order, "label_ka": lka, "label_en": len_, "value": value,
                "unit_ka": uka, "unit_en": uen, "year": year, "source_ka": ska, "source_en": sen,
            })
        for order, (code, kind, ka, en) in enumerate(SWOT):
            services.swot_item_save(actor=None, version=version, data={
                "code": code, "kind": kind, "order": order, "text_ka": ka, "text_en": en,
            })
        objectives = {}
        for order, (code, tka, ten, dka, den) in enumerate(OBJECTIVES, start=1):
            objectives[code] = services.objective_save(actor=None, version=version, data={
                "code": code, "order": order, "title_ka": tka, "title_en": ten, "description_ka": dka, "description_en": den,
            })
        for order, (code, obj, nka, nen, uka, uen, base, target, agg) in enumerate(RESULT_INDICATORS):
            services.indicator_save(actor=None, version=version, data={
                "code": code, "order": order, "objective": objectives[obj], "name_ka": nka, "name_en": nen,
                "unit_ka": uka, "unit_en": uen, "baseline_value": D(base), "baseline_date": date(2025, 12, 31),
                "target_value": D(target), "target_date": date(YEARS[-1], 12, 31), "aggregation": agg,
            })
        for order, row in enumerate(MEASURES, start=1):
            code, tka, ten, fka, fen, bka, ben, low, high, budget, objs, rates, output, month = row
            measure = services.measure_save(actor=None, version=version, data={
                "code": code, "order": order, "title_ka": tka, "title_en": ten, "description_ka": fka,
                "description_en": fen, "beneficiaries_ka": bka, "beneficiaries_en": ben,
                "min_grant": D(low), "max_grant": D(high), "budget": D(budget), "objectives": [objectives[o] for o in objs],
            }, aid_rates={t: D(r) for t, r in rates.items()})
            icode, inka, inen, iuka, iuen, itarget = output
            services.indicator_save(actor=None, version=version, data={
                "code": icode, "order": order, "measure": measure, "name_ka": inka, "name_en": inen,
                "unit_ka": iuka, "unit_en": iuen, "baseline_value": D(0), "baseline_date": date(2025, 12, 31),
                "target_value": D(itarget), "target_date": date(YEARS[-1], 12, 31), "aggregation": "sum",
            })
            self._plan_measure(version, measure, D(budget), month)
        for year in YEARS:
            services.financial_row_save(actor=None, version=version, data={"measure": None, "year": year, "amount": RUNNING_COSTS})
        services.strategy_version_submit(actor=None, version=version)
        return services.strategy_version_approve(actor=None, version=version, agenda_item=self._assembly_decision(lag))

    def _plan_measure(self, version, measure, budget, month):
        remaining = budget
        for year, share in zip(YEARS, YEAR_SHARES, strict=False):
            amount = (budget * share).quantize(D("0.01"))
            remaining -= amount
            services.financial_row_save(actor=None, version=version, data={"measure": measure, "year": year, "amount": amount})
        services.financial_row_save(actor=None, version=version, data={"measure": measure, "year": YEARS[-1], "amount": remaining})
        called = D(0)
        for year, share in CALL_SHARES.items():
            amount = (budget * share).quantize(D("0.01")) if year != 2028 else budget - called
            called += amount
            services.planned_call_save(actor=None, version=version, data={
                "code": f"C{year % 100}-{measure.code}", "measure": measure, "planned_on": date(year, month, 1), "amount": amount,
                "note_ka": "საგრანტო კონკურსი" if year == 2026 else "", "note_en": "grant call" if year == 2026 else "",
            })

    def _assembly_decision(self, lag):
        """An approved item of the general assembly (created, with its meeting, if there is none)."""
        from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, MeetingStatus
        from sopeli.membership.models import Body, BodyKind
        from sopeli.strategy.selectors import approvable_items

        existing = approvable_items(lag).first()
        if existing is not None:
            return existing
        body = Body.objects.filter(lag=lag, kind=BodyKind.ASSEMBLY).first()
        if body is None:
            body = Body.objects.create(
                lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly", all_members_sit=True,
            )
        held = datetime.combine(date(2026, 2, 14), time(12, 0), tzinfo=TBILISI)
        meeting = Meeting.objects.create(
            lag=lag, body=body, title_ka="საერთო კრების სხდომა", title_en="Meeting of the general assembly",
            starts_at=held, place="სტეფანწმინდა, კულტურის ცენტრი", status=MeetingStatus.HELD,
        )
        return AgendaItem.objects.create(
            lag=lag, body=body, meeting=meeting, code="GA-2026-1",
            title_ka="ადგილობრივი განვითარების სტრატეგიის დამტკიცება", title_en="Approval of the local development strategy",
            status=ItemStatus.APPROVED, decided_at=held.replace(hour=13),
        )

    def _version_2(self, v1):
        v2 = services.strategy_version_create_amendment(actor=None, strategy=v1.strategy)
        services.strategy_version_update(actor=None, version=v2, data={
            "change_summary_ka": (
                "შემოთავაზებული ცვლილება: M3-ის ბიუჯეტი 250 000-დან 280 000 ლარამდე იზრდება M4-ის ხარჯზე; ემატება "
                "ახალი ღონისძიება M8 — ციფრული უნარები და ონლაინ გაყიდვები; R1.1-ის სამიზნე 40-დან 50-მდე იზრდება."
            ),
            "change_summary_en": (
                "Proposed amendment: M3's budget rises from 250,000 to 280,000 GEL, taken from M4; a new measure M8 "
                "— digital skills and online sales — is added; the target of R1.1 rises from 40 to 50."
            ),
        })
        m3 = Measure.objects.get(version=v2, code="M3")
        m4 = Measure.objects.get(version=v2, code="M4")
        services.measure_save(actor=None, version=v2, instance=m3, data={"budget": D("280000.00")})
        services.measure_save(actor=None, version=v2, instance=m4, data={"budget": D("150000.00")})
        for measure, delta in ((m3, D("30000")), (m4, D("-30000"))):
            row = measure.financial_rows.get(year=2027)
            services.financial_row_save(actor=None, version=v2, instance=row, data={"amount": row.amount + delta})
            call = PlannedCall.objects.get(version=v2, code=f"C28-{measure.code}")
            services.planned_call_save(actor=None, version=v2, instance=call, data={"amount": call.amount + delta})
        o1 = Objective.objects.get(version=v2, code="O1")
        o3 = Objective.objects.get(version=v2, code="O3")
        r11 = v2.indicators.get(code="R1.1")
        services.indicator_save(actor=None, version=v2, instance=r11, data={"target_value": D("50")})
        m8 = services.measure_save(actor=None, version=v2, data={
            "code": "M8", "order": 8, "title_ka": "ციფრული უნარები და ონლაინ გაყიდვები", "title_en": "Digital skills and online sales",
            "description_ka": "ონლაინ დაჯავშნის სისტემები, ვებგვერდები, ფოტოები და სწავლება ინტერნეტით გაყიდვებში.",
            "description_en": "Online booking systems, websites, photographs and training in selling online.",
            "beneficiaries_ka": "ოჯახური სასტუმროები, ფერმერები და ხელოსნები.", "beneficiaries_en": "Guesthouses, farmers and craftspeople.",
            "min_grant": D("500"), "max_grant": D("5000"), "budget": D("40000.00"), "objectives": [o1, o3],
        }, aid_rates={P: D("80"), B: D("70"), N: D("90")})
        services.indicator_save(actor=None, version=v2, data={
            "code": "P8", "order": 8, "measure": m8, "name_ka": "ონლაინ გაყიდვების დამწყები მეწარმეები",
            "name_en": "Businesses that started selling online", "unit_ka": "მეწარმე", "unit_en": "businesses",
            "baseline_value": D(0), "target_value": D("30"), "target_date": date(YEARS[-1], 12, 31), "aggregation": "sum",
        })
        services.financial_row_save(actor=None, version=v2, data={"measure": m8, "year": 2027, "amount": D("40000.00")})
        services.planned_call_save(actor=None, version=v2, data={
            "code": "C27-M8", "measure": m8, "planned_on": date(2027, 4, 1), "amount": D("40000.00"),
        })
        services.swot_item_save(actor=None, version=v2, data={
            "code": "O4", "kind": SwotKind.OPPORTUNITY, "order": 9,
            "text_ka": "სტუმრები სულ უფრო ხშირად ჯავშნიან ინტერნეტით.", "text_en": "Visitors increasingly book online.",
        })
        return v2
