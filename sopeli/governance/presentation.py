"""Plain sentences from a decision outcome: why an item is blocked or rejected, and what would make it valid.

Works on the JSON stored with an item (``DecisionOutcome.to_dict()``) so the minutes always say
what was checked at the time, and on a live ``DecisionOutcome`` (the manager's preview). Interest
groups are stored by code; ``group_names`` gives their names in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sopeli.governance.rules import PUBLIC, DecisionOutcome


@dataclass
class Explanation:
    result: str  # approved | rejected | blocked
    headline: str
    problems: list[str] = field(default_factory=list)
    remedies: list[dict] = field(default_factory=list)  # {"code": ..., "text": ...}
    figures: list[str] = field(default_factory=list)
    tally: str = ""

    @property
    def has_written_procedure_remedy(self) -> bool:
        return any(r["code"] == "written_procedure" for r in self.remedies)


def group_names(lag) -> dict[str, str]:
    from sopeli.membership.models import InterestGroup

    return {g.code: g.name for g in InterestGroup.objects.filter(lag=lag)}


def percent(count: int, total: int) -> int:
    """Whole percent, rounded half up, in integer arithmetic."""
    return (200 * count + total) // (2 * total) if total else 0


def _name(key: str, names: dict[str, str]) -> str:
    if key == PUBLIC:
        return _("public sector")
    return names.get(key, key)


def _problem(p: dict, names: dict[str, str]) -> str:
    code, key, count, total, needed = p.get("code"), p.get("key", ""), p.get("count", 0), p.get("total", 0), \
        p.get("needed", 0)
    values = {"who": _name(key, names), "count": count, "total": total, "pct": percent(count, total),
              "needed": needed}
    if code == "quorum":
        return _("Quorum not met: %(count)s members take part; at least %(needed)s of the %(total)s seats are "
                 "needed.") % values
    if code == "no_voters":
        return _("Nobody can take part in this item.")
    if code == "composition":
        if key == PUBLIC:
            return _("public sector: %(count)s of %(total)s voters (%(pct)s%%); at most %(needed)s may be "
                     "public.") % values
        return _("%(who)s: %(count)s of %(total)s voters (%(pct)s%%); at most %(needed)s may come from one "
                 "interest group.") % values
    if code == "selection":
        return _("A selection decision needs at least half of the votes from non-public partners: "
                 "%(count)s of %(total)s voters are non-public; at least %(needed)s are needed.") % values
    if code == "majority":
        return _("Not enough votes for: %(count)s of the %(total)s members taking part voted for; at least "
                 "%(needed)s were needed.") % values
    if code == "for_composition":
        if key == PUBLIC:
            return _("Votes for: public sector %(count)s of %(total)s (%(pct)s%%); at most %(needed)s may be "
                     "public under this LAG's stricter rule.") % values
        return _("Votes for: %(who)s %(count)s of %(total)s (%(pct)s%%); at most %(needed)s may come from one "
                 "interest group under this LAG's stricter rule.") % values
    if code == "for_needs_roll_call":
        return _("This LAG also checks who voted for a proposal, so each member's vote must be recorded "
                 "(roll call), not a show of hands.")
    if code == "tally_mismatch":
        return _("%(count)s votes were counted but only %(total)s members take part.") % values
    return code or ""


def _remedy(r: dict, names: dict[str, str]) -> str:
    voters = r.get("voters", 0)
    groups = dict(tuple(g) for g in r.get("groups", ()))
    if r.get("code") == "written_procedure":
        # The public share and every interest group at the largest count (ties are all named).
        top = max(groups.values(), default=0)
        parts = [_("public %(count)s of %(n)s") % {"count": r.get("public", 0), "n": voters}]
        parts += [_("%(group)s %(count)s of %(n)s") % {"group": names.get(k, k), "count": c, "n": voters}
                  for k, c in sorted(groups.items()) if c == top and top]
        return _("a written procedure among the %(n)s members without a conflict: %(figures)s") % {
            "n": voters, "figures": ", ".join(parts)}
    if r.get("code") == "step_out":
        key = r.get("step_out_key", "")
        n = r.get("step_out", 0)
        who = _("public-sector") if key == PUBLIC else names.get(key, key)
        lead = ngettext("one more %(who)s member stepping out", "%(n)s more %(who)s members stepping out", n) % {
            "who": who, "n": n}
        figures = [_("public %(count)s of %(n)s") % {"count": r.get("public", 0), "n": voters}]
        if key != PUBLIC:
            figures.append(_("%(group)s %(count)s of %(n)s") % {"group": names.get(key, key),
                                                                "count": groups.get(key, 0), "n": voters})
        return f"{lead}: {', '.join(figures)}"
    return r.get("code", "")


def _figures(outcome: dict, names: dict[str, str]) -> list[str]:
    out = []
    comp = outcome.get("composition") or {}
    total = comp.get("total", 0)
    seats = outcome.get("seats", 0)
    out.append(_("Taking part: %(n)s of %(seats)s seats.") % {"n": outcome.get("participants", 0), "seats": seats})
    if total:
        pub = comp.get("public", [0, total])[0]
        out.append(_("Public sector: %(count)s of %(total)s (%(pct)s%%).")
                   % {"count": pub, "total": total, "pct": percent(pub, total)})
        groups = sorted((comp.get("groups") or {}).items(), key=lambda kv: (-kv[1][0], kv[0]))
        if groups:
            parts = [f"{names.get(k, k)} {v[0]}" for k, v in groups]
            out.append(_("Interest groups: %(list)s (of %(total)s; largest %(pct)s%%).")
                       % {"list": ", ".join(parts), "total": total, "pct": percent(groups[0][1][0], total)})
    for_comp = outcome.get("for_composition")
    if for_comp and for_comp.get("total"):
        t = for_comp["total"]
        out.append(_("Votes for: public sector %(count)s of %(total)s (%(pct)s%%).")
                   % {"count": for_comp["public"][0], "total": t, "pct": percent(for_comp["public"][0], t)})
    return out


def explain(outcome: dict | DecisionOutcome | None, names: dict[str, str] | None = None) -> Explanation | None:
    """Turn an outcome into sentences for the manager's page and the minutes."""
    if not outcome:
        return None
    if isinstance(outcome, DecisionOutcome):
        outcome = outcome.to_dict()
    names = names or {}
    result = outcome.get("result", "")
    t = outcome.get("tally") or {}
    tally = _("%(for)s for, %(against)s against, %(abstain)s abstaining") % {
        "for": t.get("for", 0), "against": t.get("against", 0), "abstain": t.get("abstain", 0)}
    if result == "approved":
        headline = _("Approved: %(tally)s.") % {"tally": tally}
    elif result == "rejected":
        headline = _("Rejected: %(tally)s.") % {"tally": tally}
    else:
        headline = _("Blocked: the LEADER rules are not met, so no result may be recorded.")
    return Explanation(
        result=result,
        headline=headline,
        problems=[_problem(p, names) for p in outcome.get("problems", [])],
        remedies=[{"code": r.get("code"), "text": _remedy(r, names)} for r in outcome.get("remedies", [])],
        figures=_figures(outcome, names),
        tally=tally,
    )
