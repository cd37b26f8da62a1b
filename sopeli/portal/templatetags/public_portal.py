"""``{% lag_overview lag as overview %}``: what a LAG's home page brings together (open and upcoming
calls, latest news and decisions, newest funded projects, the money's totals) — for ``core/lag_home.html``.
A fixed number of queries (``sopeli.portal.public_selectors.lag_overview``)."""

from django import template

from sopeli.portal.public_selectors import cached_lag_overview

register = template.Library()


@register.simple_tag
def lag_overview(lag):
    return cached_lag_overview(lag)
