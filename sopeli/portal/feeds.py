"""Atom feeds per LAG: news; decisions (items of published minutes and closed written procedures); calls
for projects (each call when it is published, and each public amendment of it)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sopeli.core.models import Lag
from sopeli.portal import selectors

FEED_SIZE = 30


class _LagFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, lag_slug):
        lag = get_object_or_404(Lag, slug=lag_slug)
        request.lag = lag
        return lag

    def author_name(self, lag):
        return lag.name

    def link(self, lag):
        return reverse("core:lag_home", args=[lag.slug])


class NewsFeed(_LagFeed):
    def title(self, lag):
        return _("%(lag)s: news") % {"lag": lag.name}

    def subtitle(self, lag):
        return _("News and announcements of %(lag)s.") % {"lag": lag.name}

    def items(self, lag):
        return selectors.published_news(lag).select_related("lag")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return reverse("portal:news_detail", args=[item.lag.slug, item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at



class DecisionsFeed(_LagFeed):
    def title(self, lag):
        return _("%(lag)s: decisions") % {"lag": lag.name}

    def subtitle(self, lag):
        return _("Decisions of the bodies of %(lag)s, with their result.") % {"lag": lag.name}

    def items(self, lag):
        return selectors.public_decisions(lag=lag)[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.code} {item.title}: {item.get_status_display()}"

    def item_description(self, item):
        tally = (item.outcome or {}).get("tally") or {}
        return _("%(body)s. Result: %(result)s. For %(for)s, against %(against)s, abstained %(abstain)s.") % {
            "body": item.body.name, "result": item.get_status_display(),
            "for": tally.get("for", 0), "against": tally.get("against", 0), "abstain": tally.get("abstain", 0),
        }

    def item_link(self, item):
        return reverse("governance:decisions", args=[item.lag.slug]) + f"#item-{item.pk}"

    def item_pubdate(self, item):
        return item.decided_at

    def item_updateddate(self, item):
        return item.decided_at


@dataclass
class CallEvent:
    """One entry of the calls feed: a call published, or one of its public amendments."""

    call: object
    at: datetime
    amendment: object = None


def call_events(lag) -> list[CallEvent]:
    """The newest publications and public amendments of the LAG's calls, newest first (six queries:
    ``published_calls`` carries the public amendments)."""
    from sopeli.grants.selectors.calls import published_calls

    events = []
    for call in published_calls().filter(lag=lag)[:FEED_SIZE]:
        events.append(CallEvent(call=call, at=call.published_at))
        events += [CallEvent(call=call, at=a.made_at, amendment=a) for a in call.public_amendments]
    events.sort(key=lambda e: (e.at, e.amendment.number if e.amendment else 0), reverse=True)
    return events[:FEED_SIZE]


class CallsFeed(_LagFeed):
    def title(self, lag):
        return _("%(lag)s: calls for projects") % {"lag": lag.name}

    def subtitle(self, lag):
        return _("Calls for projects of %(lag)s when they are published, and every change made to them.") % {"lag": lag.name}

    def link(self, lag):
        return reverse("grants:calls", args=[lag.slug])

    def items(self, lag):
        return call_events(lag)

    def item_title(self, event):
        call = event.call
        if event.amendment is None:
            return _("Call %(code)s published: %(title)s") % {"code": call.code, "title": call.title}
        return _("Call %(code)s amended (amendment %(number)s): %(title)s") % {
            "code": call.code, "number": event.amendment.number, "title": call.title}

    def item_description(self, event):
        call = event.call
        if event.amendment is not None:
            changes = "; ".join(f"{c.get('label') or c.get('field')}: {c.get('before')} → {c.get('after')}"
                                for c in event.amendment.changes or [] if isinstance(c, dict))
            return f"{event.amendment.reason}" + (f" ({changes})" if changes else "")
        budget = sum((m.budget for m in call.measure_list), 0)
        when = _("Applications from %(opens)s to %(closes)s (Tbilisi time). Budget: %(budget)s %(currency)s.") % {
            "opens": date_format(timezone.localtime(call.opens_at), "DATETIME_FORMAT"),
            "closes": date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT"),
            "budget": budget, "currency": call.lag.currency,
        }
        return f"{call.summary} {when}".strip()

    def item_link(self, event):
        url = reverse("grants:call", args=[event.call.lag.slug, event.call.pk])
        return url + (f"#amendment-{event.amendment.number}" if event.amendment is not None else "")

    def item_pubdate(self, event):
        return event.at

    def item_updateddate(self, event):
        return event.at
