"""Demo territories. Coordinates and elevations are approximate; populations are rounded demo
figures of the right order (Kazbegi municipality has about 3,800 residents, Stepantsminda about
1,300) and are not official statistics."""

KAZBEGI = {
    "slug": "kazbegi",
    "name": ("ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი", "Kazbegi Local Action Group"),
    "municipality": ("ყაზბეგის მუნიციპალიტეტი", "Kazbegi municipality"),
    "region": ("მცხეთა-მთიანეთი", "Mtskheta-Mtianeti"),
    "description": (
        "ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი აერთიანებს მუნიციპალიტეტს, მეწარმეებს, ფერმერებს, "
        "არასამთავრობო ორგანიზაციებს და მოსახლეობას. ჯგუფმა ერთად დაწერა ადგილობრივი განვითარების "
        "სტრატეგია და აფინანსებს მცირე ადგილობრივ პროექტებს ტურიზმში, სოფლის მეურნეობაში, "
        "გარემოს დაცვასა და თემის განვითარებაში.",
        "The Kazbegi Local Action Group brings together the municipality, entrepreneurs, farmers, NGOs "
        "and residents. Together they wrote a local development strategy and fund small local projects "
        "in tourism, agriculture, environment and community development.",
    ),
    "area_km2": "1082",
    "settlements": [
        # (ka, en, population, lat, lon, elevation, centre)
        ("სტეფანწმინდა", "Stepantsminda", 1300, "42.65700", "44.64300", 1740, True),
        ("გერგეტი", "Gergeti", 420, "42.66250", "44.63100", 1770, False),
        ("სნო", "Sno", 330, "42.60700", "44.64500", 1800, False),
        ("არშა", "Arsha", 240, "42.69100", "44.58900", 1650, False),
        ("ფანშეტი", "Pansheti", 180, "42.67700", "44.60600", 1700, False),
        ("სიონი", "Sioni", 170, "42.63000", "44.60000", 1830, False),
        ("გორისციხე", "Goristsikhe", 160, "42.64900", "44.61800", 1760, False),
        ("ტყარშეთი", "Tkarsheti", 150, "42.63300", "44.62900", 1780, False),
        ("კანობი", "Kanobi", 140, "42.61300", "44.63700", 1790, False),
        ("ხურთისი", "Khurtisi", 120, "42.64300", "44.60900", 1800, False),
        ("ცდო", "Tsdo", 110, "42.71400", "44.62700", 1700, False),
        ("უხათი", "Ukhati", 100, "42.62400", "44.63200", 1800, False),
        ("ქობი", "Kobi", 90, "42.57500", "44.51100", 1950, False),
        ("ჯუთა", "Juta", 70, "42.57900", "44.74700", 2200, False),
    ],
    "interest_groups": [
        ("tourism", "ტურიზმი", "Tourism"),
        ("agriculture", "სოფლის მეურნეობა", "Agriculture"),
        ("environment", "გარემოს დაცვა", "Environment"),
        ("community", "თემის განვითარება", "Community development"),
    ],
}

BORJOMI = {
    "slug": "borjomi",
    "name": ("ბორჯომის ადგილობრივი სამოქმედო ჯგუფი", "Borjomi Local Action Group"),
    "municipality": ("ბორჯომის მუნიციპალიტეტი", "Borjomi municipality"),
    "region": ("სამცხე-ჯავახეთი", "Samtskhe-Javakheti"),
    "description": (
        "ბორჯომის ხეობის სოფლების პარტნიორობა ტყის, ტურიზმისა და ადგილობრივი წარმოების განვითარებისთვის.",
        "A partnership of the villages of the Borjomi gorge for forests, tourism and local produce.",
    ),
    "area_km2": "1189",
    "settlements": [
        ("ბორჯომი", "Borjomi", 2000, "41.84000", "43.38900", 800, True),
        ("ბაკურიანი", "Bakuriani", 900, "41.75000", "43.53300", 1700, False),
        ("წაღვერი", "Tsaghveri", 600, "41.80300", "43.48500", 1000, False),
        ("ახალდაბა", "Akhaldaba", 500, "41.92900", "43.48700", 750, False),
        ("ტაბაწყური", "Tabatskuri", 150, "41.65800", "43.62400", 2000, False),
        ("ლიკანი", "Likani", 400, "41.83500", "43.36600", 830, False),
    ],
    "interest_groups": [
        ("tourism", "ტურიზმი", "Tourism"),
        ("forestry", "მეტყევეობა", "Forestry"),
        ("agriculture", "სოფლის მეურნეობა", "Agriculture"),
        ("community", "თემის განვითარება", "Community development"),
    ],
}
