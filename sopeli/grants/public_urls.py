"""The grants app's public addresses for a LAG, for the privacy crawl (see ``sopeli/portal/public_urls.py``):
the calls, each public call's page, and its received list, results and whole reserve lists once published."""

from django.urls import reverse
from django.utils.translation import override


def public_urls(lag) -> list[str]:
    from sopeli.grants.models import Call, Selection
    from sopeli.grants.workflow import PUBLIC_CALL_STATUSES

    calls = list(Call.objects.filter(lag=lag, status__in=PUBLIC_CALL_STATUSES)
                 .values_list("pk", "received_list_published_at", "results_published_at"))
    reserves = list(Selection.objects.filter(call__lag=lag, published_at__isnull=False)
                    .order_by().values_list("call_id", "call_measure_id").distinct())
    urls = []
    for lang in ("ka", "en"):
        with override(lang):
            urls.append(reverse("grants:calls", args=[lag.slug]))
            for pk, received, results in calls:
                urls.append(reverse("grants:call", args=[lag.slug, pk]))
                if received:
                    urls.append(reverse("grants:received", args=[lag.slug, pk]))
                if results:
                    urls.append(reverse("grants:results", args=[lag.slug, pk]))
            urls += [reverse("grants:results_reserve", args=[lag.slug, call, measure]) for call, measure in reserves]
    return urls
