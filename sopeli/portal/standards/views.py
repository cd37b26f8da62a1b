"""Open-data files: thin views that hand a generator to ``StreamingHttpResponse``.

Public, read-only, no login. A LAG's files resolve the LAG through ``with_lag`` (unknown slug: 404).
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sopeli.core.models import Lag
from sopeli.core.tenancy import with_lag
from sopeli.portal.standards import giving360, iati
from sopeli.portal.standards.grants import GrantSource

JSON = "application/json; charset=utf-8"
CSV = "text/csv; charset=utf-8"
XML = "application/xml; charset=utf-8"


def _stream(pieces, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(pieces, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _network_publisher(request) -> dict:
    return {"identifier": giving360.prefix(), "name": _("Sopeli LEADER network"),
            "website": request.build_absolute_uri("/")}


def _giving(request, lags, *, title: str, publisher: dict, json_url: str, csv_url: str, access: str, as_csv: bool):
    source = GrantSource(lags)
    data_source = request.build_absolute_uri(csv_url if as_csv else json_url)
    ctx = giving360.Context(source, base_url=request.build_absolute_uri("/"), data_source=data_source)
    if as_csv:
        return _stream(giving360.csv_rows(giving360.records(ctx)), CSV, csv_url.rsplit("/", 1)[-1])
    meta = giving360.package_meta(title=title, publisher=publisher, download_url=request.build_absolute_uri(json_url),
                                  access_url=request.build_absolute_uri(access))
    return _stream(giving360.json_package(meta, giving360.records(ctx)), JSON, json_url.rsplit("/", 1)[-1])


def _lag_giving(request, lag: Lag, *, as_csv: bool):
    publisher = {"identifier": giving360.lag_org_id(lag), "name": lag.name,
                 "website": request.build_absolute_uri(reverse("core:lag_home", args=[lag.slug]))}
    return _giving(
        request, [lag], title=_("Grants awarded by %(lag)s") % {"lag": lag.name}, publisher=publisher,
        json_url=reverse("standards:lag_360giving_json", args=[lag.slug]),
        csv_url=reverse("standards:lag_360giving_csv", args=[lag.slug]),
        access=reverse("core:lag_home", args=[lag.slug]), as_csv=as_csv,
    )


@require_safe
@with_lag
def lag_360giving_json(request, lag):
    return _lag_giving(request, lag, as_csv=False)


@require_safe
@with_lag
def lag_360giving_csv(request, lag):
    return _lag_giving(request, lag, as_csv=True)


@require_safe
@with_lag
def lag_iati(request, lag):
    return _stream(iati.activities([lag]), XML, f"{lag.slug}-iati.xml")


def _network_giving(request, *, as_csv: bool):
    return _giving(
        request, Lag.objects.order_by("pk"), title=_("Grants awarded by the LEADER Local Action Groups"),
        publisher=_network_publisher(request), json_url=reverse("standards:network_360giving_json"),
        csv_url=reverse("standards:network_360giving_csv"), access=reverse("core:home"), as_csv=as_csv,
    )


@require_safe
def network_360giving_json(request):
    return _network_giving(request, as_csv=False)


@require_safe
def network_360giving_csv(request):
    return _network_giving(request, as_csv=True)


@require_safe
def network_iati(request):
    return _stream(iati.activities(list(Lag.objects.order_by("pk"))), XML, "sopeli-iati.xml")
