"""The one list of a LAG's open data: files, feeds and API lists, as the open-data page offers them
and as the privacy crawl fetches them (``public_urls``). A new public file is added here, once."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The API's lists, each offered filtered by the LAG (``?lag=<slug>``).
API_LISTS: tuple[tuple[str, object], ...] = (
    ("members", _("Members (public fields only)")),
    ("bodies", _("Bodies and their current seat holders")),
    ("meetings", _("Meetings")),
    ("decisions", _("Decisions with votes, recusals and checks")),
    ("calls", _("Calls for projects with their criteria")),
    ("received", _("Applications received (no names)")),
    ("results", _("Results with scores")),
    ("projects", _("Funded projects")),
    ("payments", _("Payments")),
    ("indicators", _("Strategy indicators with targets and reported totals")),
)


@dataclass(frozen=True)
class Link:
    group: str  # grants | record | feeds | api
    label: object
    url: str
    format: str
    network: bool = False  # every LAG's data in one file


def open_data_links(lag) -> list[Link]:
    """Every public data address about ``lag`` (and the network-wide files), in the current language."""
    slug = lag.slug
    return [
        Link("grants", _("Grants awarded (360Giving)"), reverse("standards:lag_360giving_json", args=[slug]), "JSON"),
        Link("grants", _("Grants awarded (360Giving)"), reverse("standards:lag_360giving_csv", args=[slug]), "CSV"),
        Link("grants", _("The LAG's programme and grants (IATI)"), reverse("standards:lag_iati", args=[slug]), "XML"),
        Link("grants", _("Grants awarded by every LAG (360Giving)"), reverse("standards:network_360giving_json"), "JSON", True),
        Link("grants", _("Grants awarded by every LAG (360Giving)"), reverse("standards:network_360giving_csv"), "CSV", True),
        Link("grants", _("Every LAG's programme and grants (IATI)"), reverse("standards:network_iati"), "XML", True),
        Link("record", _("The public record, with its fingerprints"), reverse("portal:ledger_file", args=[slug]), "JSON lines"),
        Link("feeds", _("Calls for projects"), reverse("portal:calls_feed", args=[slug]), "Atom"),
        Link("feeds", _("Decisions"), reverse("portal:decisions_feed", args=[slug]), "Atom"),
        Link("feeds", _("News"), reverse("portal:news_feed", args=[slug]), "Atom"),
        Link("api", _("The API's description (OpenAPI)"), "/api/v1/openapi.json", "JSON", True),
        Link("api", _("The LAG and its villages"), f"/api/v1/lags/{slug}", "JSON"),
        *(Link("api", label, f"/api/v1/{name}?lag={slug}", "JSON") for name, label in API_LISTS),
    ]
