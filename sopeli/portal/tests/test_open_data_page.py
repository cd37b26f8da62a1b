"""The open-data page: every public data file, feed and API list of a LAG in one place, each answering;
a LAG with no grants yet gets empty but well-formed files."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from sopeli.portal.open_data import API_LISTS, open_data_links
from sopeli.portal.public_urls import public_urls
from sopeli.portal.standards import giving360
from sopeli.portal.standards.tests.test_open_data import (
    assert_valid_iati,
    assert_valid_package,
    needs_360,
    needs_iati,
    package_validator,
)
from sopeli.portal.standards.tests.world import build_grants

pytestmark = pytest.mark.django_db

TYPES = {"JSON": "application/json", "CSV": "text/csv", "XML": "application/xml", "JSON lines": "application/",
         "Atom": "application/atom+xml"}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_page_offers_every_file_feed_and_api_list_and_each_answers(lag):
    build_grants(lag)
    client = Client()
    page = client.get(reverse("portal:open_data", args=[lag.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    links = open_data_links(lag)
    assert {f"/api/v1/{name}?lag={lag.slug}" for name, _label in API_LISTS} <= {link.url for link in links}
    for link in links:
        assert f'href="{link.url}"' in html, link.url
        response = client.get(link.url)
        assert response.status_code == 200, link.url
        assert response["Content-Type"].startswith(TYPES[link.format]), (link.url, response["Content-Type"])
        assert _body(response)
    # Linked from every LAG page's footer, and registered for the privacy crawl (data files included).
    assert reverse("portal:open_data", args=[lag.slug]) in client.get(reverse("core:lag_home", args=[lag.slug])).content.decode()
    registered = set(public_urls(lag))
    assert {link.url for link in links} <= registered
    assert reverse("portal:open_data", args=[lag.slug]) in registered


def test_a_lag_without_grants_says_so_and_its_files_are_empty_but_well_formed(lag):
    client = Client()
    assert "No grant of this LAG has been published yet" in client.get(f"/en/{lag.slug}/data/").content.decode()
    data = json.loads(_body(client.get(reverse("standards:lag_360giving_json", args=[lag.slug]))))
    assert data["grants"] == [] and data["publisher"]["name"] and data["version"] == giving360.SCHEMA_VERSION
    rows = list(csv.reader(io.StringIO(_body(client.get(reverse("standards:lag_360giving_csv", args=[lag.slug]))).decode())))
    assert rows == [list(giving360.CSV_HEADERS)]


@needs_360
def test_the_empty_360giving_package_breaks_no_rule_but_the_standards_minimum_of_one_grant(lag):
    """360Giving 1.4.3 requires ``grants`` to hold at least one grant (``minItems: 1``): no package with no
    grants can be fully valid. Ours breaks that one rule and nothing else, and validates as soon as a
    grant is published."""
    client = Client()
    url = reverse("standards:lag_360giving_json", args=[lag.slug])
    errors = list(package_validator().iter_errors(json.loads(_body(client.get(url)))))
    assert [(list(e.absolute_path), e.validator) for e in errors] == [(["grants"], "minItems")]
    build_grants(lag)
    assert_valid_package(json.loads(_body(client.get(url))))


@needs_iati
def test_the_empty_iati_file_is_valid(lag):
    assert_valid_iati(_body(Client().get(reverse("standards:lag_iati", args=[lag.slug]))))


@needs_360
def test_a_signed_contract_with_nothing_paid_yet_exports_zero_disbursed(lag):
    from sopeli.projects.testing import signed_contract

    w = build_grants(lag)
    signed_contract(lag, app=w.person)  # signed, no payment yet
    data = json.loads(_body(Client().get(reverse("standards:lag_360giving_json", args=[lag.slug]))))
    assert_valid_package(data)
    person = next(g for g in data["grants"] if "recipientIndividual" in g)
    assert person["amountDisbursed"] == 0
