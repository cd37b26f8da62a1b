"""Atom feeds per LAG: news, and decisions (items of published minutes and closed written procedures)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
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
