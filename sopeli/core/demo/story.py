"""The demo's governance story, told through the real services so the rules compute every result.

Scenario S1 of the domain notes, as it happened at the Kazbegi board's autumn meeting: M8 and M10
are absent; A-03 is approved 5-3-1; on A-07 M5 declares a conflict (his brother's guesthouse),
which leaves the public sector with 4 of 8 votes, so the item is blocked and continues by written
procedure among the 10 members without a conflict, where it passes. The minutes are published.
A second written procedure is still open, so a board member can vote from the demo.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from sopeli.governance import services as gov

TBILISI = ZoneInfo("Asia/Tbilisi")


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TBILISI)


def tell(kazbegi: dict) -> None:
    lag, board, m = kazbegi["lag"], kazbegi["board"], kazbegi["board_members"]
    manager = kazbegi["logins"]["manager"]

    meeting = gov.meeting_create(
        actor=manager, lag=lag, body=board, title_ka="კომიტეტის შემოდგომის სხდომა",
        title_en="Committee autumn meeting", starts_at=at(2026, 10, 15), place="სტეფანწმინდა, მერიის სააქტო დარბაზი",
    )
    a03 = gov.item_add(
        actor=manager, meeting=meeting, code="A-03", title_ka="2027 წლის სამოქმედო გეგმის დამტკიცება",
        title_en="Approval of the 2027 action plan",
        description_ka="კომიტეტი ამტკიცებს 2027 წელს დაგეგმილ კონკურსებს და მათ ვადებს.",
        description_en="The committee approves the calls planned for 2027 and their dates.",
    )
    a07 = gov.item_add(
        actor=manager, meeting=meeting, code="A-07", title_ka="საოჯახო სასტუმროს გაფართოება სნოში — დაფინანსება",
        title_en="Funding of a guesthouse extension in Sno", is_selection=True,
        description_ka="საპროექტო განაცხადი: საოჯახო სასტუმროს ოთახების განახლება და ორი ახალი ოთახი.",
        description_en="Application: renovating a guesthouse's rooms and adding two new rooms.",
    )
    present = [m[k].pk for k in m if k not in {"M8", "M10"}]
    gov.attendance_record(actor=manager, meeting=meeting, present_member_ids=present)

    votes = {"M1": "for", "M2": "for", "M3": "for", "M4": "for", "M7": "for",
             "M5": "against", "M6": "against", "M9": "against", "M11": "abstain"}
    gov.votes_record(actor=manager, item=a03, votes={m[k].pk: v for k, v in votes.items()})
    gov.item_decide(actor=manager, item=a03, now=at(2026, 10, 15, 10, 40))

    gov.conflict_declare(actor=manager, item=a07, member=m["M5"], reason="განმცხადებელი მისი ძმაა (ოჯახური კავშირი).")
    a07 = gov.item_decide(actor=manager, item=a07, now=at(2026, 10, 15, 11, 5))  # blocked: public 4 of 8

    written = gov.procedure_open(
        actor=manager, lag=lag, origin=a07, closes_at=at(2026, 10, 22, 18), now=at(2026, 10, 15, 12),
    )
    for key in ["M1", "M2", "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"]:
        choice = "against" if key == "M6" else "for"
        gov.procedure_vote(actor=manager, item=written, member=m[key], choice=choice, now=at(2026, 10, 17, 9))
    gov.procedure_close(actor=manager, item=written, now=at(2026, 10, 22, 18, 1))
    gov.minutes_publish(
        actor=manager, meeting=meeting, now=at(2026, 10, 20, 16),
        notes="სხდომას თავმჯდომარეობდა თამარ ჩოფიკაშვილი. A-07 გაგრძელდა წერილობითი პროცედურით.",
    )

    # Still open: the board member logins can vote on it.
    now = timezone.now()
    open_item = gov.procedure_open(
        actor=manager, lag=lag, body=board, code="B-02", closes_at=(now + dt.timedelta(days=7)).replace(microsecond=0),
        title_ka="შემფასებლების სიის დამტკიცება 2027 წლის კონკურსისთვის",
        title_en="Approval of the evaluators' list for the 2027 call", now=now,
    )
    for key in ["M1", "M7", "M11"]:
        gov.procedure_vote(actor=manager, item=open_item, member=m[key], choice="for", now=now)
