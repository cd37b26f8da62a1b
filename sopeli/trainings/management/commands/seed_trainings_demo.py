"""Demo trainings for the Kazbegi LAG: two held (with attendance, certificates and feedback) and
one coming up that is full, with a waiting list.

Idempotent: a training whose English topic already exists in the LAG is left alone. Dates are
relative to today, so the demo always has a past and a future. Names are common Georgian names,
not real persons. Skips with a message if the LAG ``kazbegi`` does not exist (run seed_demo first).
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sopeli.accounts.models import User
from sopeli.core.models import Lag, Settlement
from sopeli.trainings import rules, services
from sopeli.trainings.models import (
    Certificate,
    Feedback,
    Registration,
    RegistrationStatus,
    Training,
    TrainingStatus,
)

# (name, gender, age band, village_en, attended)
APPLICATION_PEOPLE = [
    ("მარიამ გუდუშაური", "female", "30_44", "Juta", True),
    ("ნინო ბეროშვილი", "female", "30_44", "Juta", True),
    ("დავით სუჯაშვილი", "male", "45_64", "Sno", True),
    ("ხათუნა წიკლაური", "female", "45_64", "Stepantsminda", True),
    ("ლაშა არდოტელი", "male", "18_29", "Gergeti", True),
    ("სოფო ჭკარეული", "female", "18_29", "Arsha", True),
    ("გოჩა მინდიაშვილი", "male", "45_64", "Sioni", False),
    ("ეკა ზაქაიძე", "female", "30_44", "Gergeti", True),
    ("შოთა გიგაური", "male", "65_plus", "Stepantsminda", True),
    ("ნათია ხუციშვილი", "female", "18_29", "Kobi", False),
]
CHEESE_PEOPLE = [
    ("ლელა მინდიაშვილი", "female", "45_64", "Sno", True),
    ("თემურ ყაზბეგი", "male", "45_64", "Sno", True),
    ("მაკა ჭკარეული", "female", "30_44", "Sno", True),
    ("ქეთევან ალიბეგაშვილი", "female", "65_plus", "Sioni", True),
    ("ზურაბ ჯალაბაძე", "male", "30_44", "Arsha", True),
    ("ანა გუდუშაური", "female", "18_29", "Juta", True),
    ("ვახტანგ ბეროშვილი", "male", "65_plus", "Kobi", False),
]
CHEESE_WALK_INS = [
    ("ლიკა ჩოფიკაშვილი", "female", "30_44", "Sno"),
    ("გიორგი წიკლაური", "male", "18_29", "Sno"),
]
HOSPITALITY_PEOPLE = [
    ("ნინო არდოტელი", "female", "30_44", "Gergeti"),
    ("ირაკლი სუჯაშვილი", "male", "30_44", "Sno"),
    ("თამარ გიგაური", "female", "45_64", "Stepantsminda"),
    ("ლევან ბეროშვილი", "male", "18_29", "Juta"),
    ("ეკა ხუციშვილი", "female", "45_64", "Arsha"),
    ("მარიამ ზაქაიძე", "female", "18_29", "Gergeti"),
    ("ბექა წიკლაური", "male", "30_44", "Stepantsminda"),
    ("სოფო გუდუშაური", "female", "30_44", "Juta"),
    # waiting list, in this order (the demo member is added second)
    ("ნიკა ჭკარეული", "male", "18_29", "Sioni"),
    ("ქეთევან მინდიაშვილი", "female", "65_plus", "Kobi"),
]
FEEDBACK = [
    (5, 5, 4, "ბოლოს და ბოლოს გავიგე, როგორ შევადგინო ბიუჯეტი. მადლობა!"),
    (4, 5, 4, "სასარგებლო იყო, მაგრამ მეტი დრო მინდოდა კითხვებისთვის."),
    (5, 4, 3, "დარბაზში ცივოდა, თორემ ყველაფერი კარგი იყო."),
    (4, 4, 5, ""),
    (5, 5, 5, "კიდევ ერთი ასეთი შეხვედრა გვჭირდება განაცხადის შევსებამდე."),
]
CHEESE_FEEDBACK = [
    (5, 5, 4, "ახლა ვიცი, რა უნდა შევცვალო საწარმოში, რომ შემოწმება გავიარო."),
    (4, 5, 4, "კარგი იქნება, თუ ტრენერი ადგილზე, ფერმაში მოვა."),
    (5, 4, 4, ""),
]


def local(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Create three demo trainings for the Kazbegi LAG (idempotent)."

    def handle(self, *args, **options):
        lag = Lag.objects.filter(slug="kazbegi").first()
        if lag is None:
            self.stdout.write("No LAG 'kazbegi': nothing to do (run seed_demo first).")
            return
        villages = {s.name_en: s for s in Settlement.objects.filter(lag=lag)}
        missing = {"Stepantsminda", "Sno", "Gergeti"} - set(villages)
        if missing:
            self.stdout.write(f"The LAG 'kazbegi' has no village {', '.join(sorted(missing))}: nothing to do.")
            return
        self.villages = villages
        self.manager = User.objects.filter(role_grants__lag=lag, role_grants__role="manager").first()
        made = []
        with transaction.atomic():
            for build in (self.application, self.cheese, self.hospitality):
                topic_en, fn = build()
                if Training.objects.filter(lag=lag, topic_en=topic_en).exists():
                    continue
                fn(lag)
                made.append(topic_en)
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo trainings created: {'; '.join(made)}."))
        else:
            self.stdout.write("Demo trainings already exist: nothing to do.")

    # --- helpers ---------------------------------------------------------------------------------

    def village(self, name):
        return self.villages.get(name) or self.villages["Stepantsminda"]

    def create(self, lag, **fields) -> Training:
        return services.training_create(actor=self.manager, lag=lag, **fields)

    def person(self, t, name, gender, age, village, *, user=None, walk_in=False, status=RegistrationStatus.CONFIRMED,
               attended=None, minutes=0):
        return Registration.objects.create(
            training=t, user=user, full_name=name, gender=gender, age_band=age, village=self.village(village), walk_in=walk_in,
            status=status, attended=attended, queued_at=t.created_at + datetime.timedelta(minutes=minutes),
        )

    def demo_user(self, email, name, village):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(email=email, full_name=name, village=self.village(village), password=make_password(None))
        return user

    def hold(self, t, feedback):
        Training.objects.filter(pk=t.pk).update(status=TrainingStatus.HELD)
        t.refresh_from_db()
        for r in Registration.objects.filter(training=t, attended=True):
            Certificate.objects.create(registration=r, code=rules.certificate_code())
        attended = list(Registration.objects.filter(training=t, attended=True).order_by("id"))
        for r, (u, tr, o, comment) in zip(attended, feedback, strict=False):
            Feedback.objects.create(registration=r, usefulness=u, trainer=tr, organisation=o, comment=comment)

    # --- the three trainings ---------------------------------------------------------------------

    def application(self):
        topic_en = "How to write a project application"

        def build(lag):
            t = self.create(
                lag,
                topic_ka="როგორ დავწეროთ საპროექტო განაცხადი", topic_en=topic_en,
                description_ka="ტრენინგი მათთვის, ვინც ადგილობრივი სამოქმედო ჯგუფის მცირე გრანტების კონკურსში აპირებს "
                               "მონაწილეობას: როგორ ჩამოვაყალიბოთ იდეა, შევადგინოთ ბიუჯეტი და სამუშაო გეგმა, რა "
                               "დოკუმენტები უნდა დავურთოთ განაცხადს და როგორ ფასდება ის.",
                description_en="For everyone who plans to apply to the LAG's small-grant call: turning an idea into a "
                               "project, the budget and work plan, the documents to attach, and how applications are scored.",
                target_group="applicants", trainer="ნინო ბერიძე", starts_at=local(-21, 11), ends_at=local(-21, 15),
                registration_deadline=local(-22, 18), online=False, village=self.villages["Stepantsminda"],
                address="მუნიციპალიტეტის საკრებულოს დარბაზი, ყაზბეგის ქ. 4", capacity=20,
            )
            applicant = User.objects.filter(email="applicant@kazbegi.example").first()
            for i, (name, gender, age, village, came) in enumerate(APPLICATION_PEOPLE):
                if i == 0 and applicant is not None:
                    user = applicant
                elif i >= 8:
                    user = None  # came without registering; entered by staff
                else:
                    user = self.demo_user(f"training.demo.{101 + i}@kazbegi.example", name, village)
                self.person(t, name, gender, age, village, user=user, attended=came, minutes=i, walk_in=user is None)
            self.hold(t, [])
            # the demo applicant attended and can still try the feedback form: leave theirs out
            rows = Registration.objects.filter(training=t, attended=True).order_by("id")
            if applicant is not None:
                rows = rows.exclude(user=applicant)
            for r, (u, tr, o, comment) in zip(rows, FEEDBACK, strict=False):
                Feedback.objects.create(registration=r, usefulness=u, trainer=tr, organisation=o, comment=comment)

        return topic_en, build

    def cheese(self):
        topic_en = "Cheese-making hygiene for small producers"

        def build(lag):
            t = self.create(
                lag,
                topic_ka="ყველის დამზადების ჰიგიენა მცირე მწარმოებლებისთვის", topic_en=topic_en,
                description_ka="სურსათის ეროვნული სააგენტოს მოთხოვნები, რძის მიღება და შენახვა, სუფთა ჭურჭელი და "
                               "ტემპერატურის ჟურნალი. პრაქტიკული ნაწილი სოფლის ყველის საამქროში.",
                description_en="What the National Food Agency checks, receiving and storing milk, clean equipment and a "
                               "temperature log. The practical part takes place in the village cheese dairy.",
                target_group="farmers", trainer="გოჩა ლომიძე", starts_at=local(-9, 10), ends_at=local(-9, 13, 30),
                registration_deadline=local(-10, 18), online=False, village=self.villages["Sno"],
                address="სოფლის სახლი", capacity=12,
            )
            for i, (name, gender, age, village, came) in enumerate(CHEESE_PEOPLE):
                user = self.demo_user(f"training.demo.{201 + i}@kazbegi.example", name, village)
                self.person(t, name, gender, age, village, user=user, attended=came, minutes=i)
            for j, (name, gender, age, village) in enumerate(CHEESE_WALK_INS):
                self.person(t, name, gender, age, village, walk_in=True, attended=True, minutes=100 + j)
            self.hold(t, CHEESE_FEEDBACK)

        return topic_en, build

    def hospitality(self):
        topic_en = "Guesthouse hospitality standards"

        def build(lag):
            t = self.create(
                lag,
                topic_ka="სტუმართმოყვარეობის სტანდარტები საოჯახო სასტუმროებისთვის", topic_en=topic_en,
                description_ka="სტუმრის დახვედრა, ჯავშნები და გაუქმება, სისუფთავე და უსაფრთხოება, ონლაინ შეფასებებზე "
                               "პასუხი. ტრენინგი განკუთვნილია საოჯახო სასტუმროების მფლობელებისა და თანამშრომლებისთვის.",
                description_en="Welcoming guests, bookings and cancellations, cleanliness and safety, answering online "
                               "reviews. For guesthouse owners and their staff.",
                target_group="entrepreneurs", trainer="თამთა კაპანაძე", starts_at=local(12, 11), ends_at=local(12, 16),
                registration_deadline=local(10, 18), online=False, village=self.villages["Gergeti"],
                address="გერგეტის საჯარო სკოლა", capacity=8,
            )
            Training.objects.filter(pk=t.pk).update(status=TrainingStatus.OPEN)
            member = User.objects.filter(email="member@kazbegi.example").first()
            for i, (name, gender, age, village) in enumerate(HOSPITALITY_PEOPLE):
                email = f"training.demo.{i + 1}@kazbegi.example"
                user = self.demo_user(email, name, village)
                status = RegistrationStatus.CONFIRMED if i < t.capacity else RegistrationStatus.WAITING
                self.person(t, name, gender, age, village, user=user, status=status, minutes=i * 10)
                if i == t.capacity and member is not None:
                    self.person(t, member.full_name, "female", "30_44", "Gergeti", user=member,
                                status=RegistrationStatus.WAITING, minutes=i * 10 + 5)
            Training.objects.filter(pk=t.pk).update(status=TrainingStatus.FULL)

        return topic_en, build
