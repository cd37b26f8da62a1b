"""Public portal pages: a LAG's funded projects (filterable), its money, the map of villages and
projects, and the search across every LAG's funded projects. Server-rendered, no JavaScript needed
(the map page adds a small script that draws markers when it can)."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from sopeli.core.tenancy import with_lag
from sopeli.portal import public_selectors as sel

PAGE_SIZE = 50
SEARCH_MAX = 200  # characters of a search query taken into account


def _choice(request, name: str, allowed: set[int], errors: list[str], label: str) -> int | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value not in allowed:
        errors.append(_("The %(filter)s you asked for is not one of the choices; showing every %(filter)s instead.")
                      % {"filter": label})
        return None
    return value


@with_lag
def projects(request, lag):
    filters = sel.project_filters(lag)
    errors: list[str] = []
    measure = _choice(request, "measure", {m.pk for m in filters.measures}, errors, _("measure"))
    village = _choice(request, "village", {v.pk for v in filters.villages}, errors, _("village"))
    year = _choice(request, "year", set(filters.years), errors, _("year"))
    qs = sel.filter_projects(sel.funded_projects(lag), measure=measure, village=village, year=year)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [sel.project_row(a) for a in page.object_list]
    query = "&".join(f"{k}={v}" for k, v in (("measure", measure), ("village", village), ("year", year)) if v)
    return render(request, "portal/public/projects.html", {
        "lag": lag, "filters": filters, "page": page, "rows": rows, "errors": errors, "query": query,
        "selected": {"measure": measure, "village": village, "year": year},
    }, status=400 if errors else 200)


@with_lag
def money(request, lag):
    return render(request, "portal/public/money.html", {"lag": lag, "money": sel.lag_money(lag)})


@with_lag
def project_map(request, lag):
    return render(request, "portal/public/map.html", {
        "lag": lag, **sel.map_points(lag), "tiles": getattr(settings, "SOPELI_MAP_TILES", ""),
        "attribution": getattr(settings, "SOPELI_MAP_ATTRIBUTION", ""),
    })


def search(request):
    q = (request.GET.get("q") or "").strip()[:SEARCH_MAX]
    page = Paginator(sel.search_projects(q), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [sel.project_row(a) for a in page.object_list]
    return render(request, "portal/public/search.html", {"q": q, "page": page, "rows": rows, "query": urlencode({"q": q})})
