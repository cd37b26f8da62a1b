"""The portal's public addresses for a LAG, for the privacy crawl (``sopeli/core/tests/test_privacy.py``).

Any app may add a module ``sopeli/<app>/public_urls.py`` with ``public_urls(lag) -> list[str]``;
the privacy test picks it up and scans those pages (and every page they link to) for personal data.
"""

from django.urls import reverse
from django.utils.translation import override

# The API's lists, fetched whole (limit=200) across every LAG and for the LAG; and its single answers.
API_LISTS = ("members", "bodies", "meetings", "decisions", "calls", "received", "results", "projects", "payments",
             "indicators")
API_DETAILS = {"decisions": "id", "bodies": "id", "calls": "id", "results": "call"}  # list -> the item's id key


def public_urls(lag) -> list[str]:
    from sopeli.portal.models import News
    from sopeli.portal.open_data import open_data_links

    urls = []
    for lang in ("ka", "en"):
        with override(lang):
            urls += [reverse(f"portal:{name}", args=[lag.slug]) for name in (
                "news", "news_feed", "decisions_feed", "calls_feed", "subscribe", "how_we_decide", "ledger",
                "ledger_file", "open_data")]
            urls += [reverse("portal:news_detail", args=[lag.slug, pk])
                     for pk in News.objects.filter(lag=lag, is_published=True).values_list("pk", flat=True)]
            urls += [link.url for link in open_data_links(lag)]  # every data file, feed and API list offered
    for lang in ("ka", "en"):  # funded projects, the money, the map; the search across LAGs
        with override(lang):
            urls += [reverse(f"public:{name}", args=[lag.slug]) for name in ("projects", "money", "map")]
            urls += [reverse("public_network:search") + q for q in ("?q=a", "?q=ა", "?q=zq10")]
    api = ["/api/v1/openapi.json", "/api/v1/lags", f"/api/v1/lags/{lag.slug}"]
    for endpoint in API_LISTS:
        limit = 50 if endpoint == "results" else 200
        api += [f"/api/v1/{endpoint}?limit={limit}", f"/api/v1/{endpoint}?lag={lag.slug}&limit={limit}"]
    return list(dict.fromkeys(urls + api))
