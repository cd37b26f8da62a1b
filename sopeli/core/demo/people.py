"""Demo people. Names are common Georgian names, not real persons."""

FIRST_F = ["ნინო", "თამარ", "ეკა", "მარიამ", "ნათია", "ქეთევან", "ლიკა", "სოფო", "ანა", "მაკა", "ხათუნა", "ლელა"]
FIRST_M = ["გიორგი", "დავით", "ლაშა", "ზურაბ", "ირაკლი", "ლევან", "ბექა", "გოჩა", "თემურ", "ნიკა", "შოთა", "ვახტანგ"]
SURNAMES = ["ჩოფიკაშვილი", "სუჯაშვილი", "გიგაური", "წიკლაური", "არდოტელი", "გუდუშაური", "ჭკარეული",
            "მინდიაშვილი", "ყაზბეგი", "ბეროშვილი", "ხუციშვილი", "ზაქაიძე", "ალიბეგაშვილი", "ჯალაბაძე"]

# Scenario S1's board (domain notes): sector, interest group, and who sits for whom.
# (key, name, representative, organisation type, sector, group, gender, village_en)
KAZBEGI_BOARD = [
    ("M1", "ყაზბეგის მუნიციპალიტეტის მერია", "ზურაბ გიგაური", "municipality", "public", "community", "male", "Stepantsminda"),
    ("M2", "ყაზბეგის ეროვნული პარკის ადმინისტრაცია", "ლევან წიკლაური", "public_institution", "public", "environment", "male", "Stepantsminda"),
    ("M3", "სტეფანწმინდის ტურისტული საინფორმაციო ცენტრი", "ქეთევან არდოტელი", "public_institution", "public", "tourism", "female", "Stepantsminda"),
    ("M4", "სნოს საჯარო სკოლა", "მაკა ჭკარეული", "school", "public", "community", "female", "Sno"),
    ("M5", "საოჯახო სასტუმრო „მთის ნისლი“", "დავით სუჯაშვილი", "entrepreneur", "business", "tourism", "male", "Sno"),
    ("M6", "ჯუთის ალპური ბანაკი", "ნინო ბეროშვილი", "company", "business", "tourism", "female", "Juta"),
    ("M7", "ხევის რძის კოოპერატივი", "გოჩა მინდიაშვილი", "cooperative", "business", "agriculture", "male", "Sioni"),
    ("M8", "გიორგი ხუციშვილი", "", "farmer", "business", "agriculture", "male", "Arsha"),
    ("M9", "ასოციაცია „ხევის ქალები“", "თამარ ჩოფიკაშვილი", "ngo", "civil", "community", "female", "Stepantsminda"),
    ("M10", "„მწვანე ხევი“", "ეკა ზაქაიძე", "ngo", "civil", "environment", "female", "Gergeti"),
    ("M11", "ხევის მთის გიდების ასოციაცია", "ბექა ალიბეგაშვილი", "ngo", "civil", "tourism", "male", "Gergeti"),
]

# The demo logins, printed by seed_demo. Privileged ones get a fixed TOTP secret.
DEMO_PASSWORD = "kazbegi-demo-2026"
