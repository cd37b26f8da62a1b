"""360Giving 1.4.3 and IATI 2.03 exports: schema validity, headers, privacy, bounded queries, 404."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sopeli.core.privacy import INDIVIDUAL_RECIPIENT_GENERIC_NAME
from sopeli.portal.standards import giving360
from sopeli.portal.standards.tests.world import GRANT_SECRETS, build_grants
from sopeli.portal.tests.world import SECRETS, build_world
from sopeli.testing.factories import LagFactory

STANDARDS = Path(__file__).resolve().parents[4].parent / "shared" / "standards"
GIVING = STANDARDS / "360giving-1.4.3"
IATI = STANDARDS / "iati-2.03"
MARKER = re.compile(r"zq[12]0\d\d")

needs_360 = pytest.mark.skipif(not (GIVING / "360-giving-package-schema.json").exists(),
                               reason=f"360Giving 1.4.3 schemas not found at {GIVING} (../shared/standards is absent)")
needs_iati = pytest.mark.skipif(not (IATI / "iati-activities-schema.xsd").exists(),
                                reason=f"IATI 2.03 XSD not found at {IATI} (../shared/standards is absent)")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def get(client, url) -> tuple[int, bytes]:
    response = client.get(url)
    return response.status_code, body(response)


def urls(lag) -> dict[str, str]:
    return {
        "json": reverse("standards:lag_360giving_json", args=[lag.slug]),
        "csv": reverse("standards:lag_360giving_csv", args=[lag.slug]),
        "iati": reverse("standards:lag_iati", args=[lag.slug]),
        "net_json": reverse("standards:network_360giving_json"),
        "net_csv": reverse("standards:network_360giving_csv"),
        "net_iati": reverse("standards:network_iati"),
    }


# --- validators ----------------------------------------------------------------------------------


def package_validator():
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    pytest.importorskip("rfc3339_validator", reason="awardDate's date-time branch needs rfc3339-validator")
    from referencing.jsonschema import DRAFT202012

    package = json.loads((GIVING / "360-giving-package-schema.json").read_text())
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    grant_resource = DRAFT202012.create_resource(grant)
    registry = referencing.Registry().with_resources([
        (grant["$id"], grant_resource),
        # The 1.4.3 package schema still points at the 1.4.2 address of the grant schema.
        (package["properties"]["grants"]["items"]["$ref"], grant_resource),
    ])
    cls = jsonschema.Draft202012Validator
    return cls(package, registry=registry, format_checker=cls.FORMAT_CHECKER)


def assert_valid_package(data: dict):
    errors = sorted(package_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, [(list(e.absolute_path), e.message[:300]) for e in errors[:10]]


def assert_valid_iati(xml: bytes):
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(IATI / "iati-activities-schema.xsd")))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), [str(e) for e in schema.error_log][:10]
    return doc


# --- 360Giving -----------------------------------------------------------------------------------


@needs_360
@pytest.mark.django_db
def test_lag_and_network_packages_validate_against_360giving_1_4_3(lag, settings):
    settings.SOPELI_360GIVING_PREFIX = "360G-test"
    w = build_grants(lag)
    other = LagFactory(slug="tusheti", name_en="Tusheti LAG", name_ka="თუშეთი")
    build_grants(other)
    client = Client()
    u = urls(lag)

    status, raw = get(client, u["json"])
    assert status == 200
    data = json.loads(raw)
    assert_valid_package(data)
    grants = {g["id"]: g for g in data["grants"]}
    org_id = f"360G-test-kazbegi-{giving360.safe(w.call.code)}-{w.org.number:03d}"
    person_id = f"360G-test-kazbegi-{giving360.safe(w.call.code)}-{w.person.number:03d}"
    assert set(grants) == {org_id, person_id}
    org, person = grants[org_id], grants[person_id]
    assert org["amountAwarded"] == 40000 and org["currency"] == "GEL"
    assert org["awardDate"] == giving360.local_date(w.org.decided_at)
    assert org["recipientOrganization"][0]["name"] == "Guesthouse Sno LLC"
    assert org["recipientOrganization"][0]["id"].startswith("360G-test-recipient-")
    assert org["fundingOrganization"] == [{"id": "360G-test-lag-kazbegi", "name": "Kazbegi LAG"}]
    assert org["beneficiaryLocation"][0] | {} == {"id": org["beneficiaryLocation"][0]["id"], "name": "Sno",
                                                    "countryCode": "GE", "latitude": 42.6048, "longitude": 44.6152}
    assert org["amountDisbursed"] == float(w.payment.amount)
    assert org["plannedDates"][0]["startDate"] == w.contract.starts_on.isoformat()
    assert "recipientIndividual" not in org
    assert person["recipientIndividual"] == {"id": f"{person_id}-individual", "name": "Giorgi Farmer"}
    assert "recipientOrganization" not in person and "amountDisbursed" not in person
    assert person["beneficiaryLocation"][0]["name"] == "Juta" and "latitude" not in person["beneficiaryLocation"][0]
    assert person["plannedDates"] == [{"duration": 12}]
    assert w.call.code in person["grantProgramme"][0]["title"]

    status, raw = get(client, u["net_json"])
    network = json.loads(raw)
    assert_valid_package(network)
    assert len(network["grants"]) == 4
    assert {g["fundingOrganization"][0]["id"] for g in network["grants"]} == {"360G-test-lag-kazbegi", "360G-test-lag-tusheti"}


@pytest.mark.django_db
def test_csv_has_the_standards_headers_and_one_line_per_grant(lag):
    w = build_grants(lag)
    client = Client()
    for url in (urls(lag)["csv"], urls(lag)["net_csv"]):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))
        assert tuple(rows[0]) == giving360.CSV_HEADERS
        assert len(rows) == 2
        by_name = {r["Recipient Org:Name"] or r["Recipient Ind:Name"]: r for r in rows}
        assert by_name["Guesthouse Sno LLC"]["Amount Awarded"] == "40000"
        assert by_name["Giorgi Farmer"]["Recipient Ind:Identifier"].endswith(f"-{w.person.number:03d}-individual")
        assert by_name["Giorgi Farmer"]["Beneficiary Location:Country Code"] == "GE"


@needs_360
def test_csv_headers_are_the_titles_the_360giving_schema_gives():
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    defs = grant["$defs"]

    def resolve(node):
        return defs[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node

    for header, path in giving360.CSV_COLUMNS:
        node, titles = grant, []
        for step in path:
            if isinstance(step, int):
                node = resolve(node["items"])
                continue
            node = resolve(node)["properties"][step]
            titles.append(node.get("title") or resolve(node).get("title"))
        assert header == ":".join(titles), (header, titles)


@pytest.mark.django_db
def test_individual_names_can_be_withheld_in_one_place(lag, settings):
    settings.SOPELI_PUBLISH_INDIVIDUAL_NAMES = False
    build_grants(lag)
    data = json.loads(get(Client(), urls(lag)["json"])[1])
    people = [g["recipientIndividual"] for g in data["grants"] if "recipientIndividual" in g]
    assert people and all(p["name"] == INDIVIDUAL_RECIPIENT_GENERIC_NAME for p in people)
    assert b"Giorgi Farmer" not in get(Client(), urls(lag)["iati"])[1]


# --- IATI ----------------------------------------------------------------------------------------


@needs_iati
@pytest.mark.django_db
def test_iati_activity_file_validates_against_the_2_03_xsd(lag):
    w = build_grants(lag)
    LagFactory(slug="empty", name_en="Empty LAG")  # no call yet: pipeline, no budget, no transactions
    status, raw = get(Client(), urls(lag)["iati"])
    assert status == 200
    doc = assert_valid_iati(raw)
    assert doc.get("version") == "2.03"
    [activity] = doc.findall("iati-activity")
    assert activity.findtext("iati-identifier") == f"{giving360.lag_org_id(lag)}-LEADER"
    assert activity.find("recipient-country").get("code") == "GE"
    assert activity.find("activity-status").get("code") == "2"
    kinds = [t.find("transaction-type").get("code") for t in activity.findall("transaction")]
    assert kinds.count("2") == 2 and kinds.count("3") == 1
    commitments = {t.get("ref"): t for t in activity.findall("transaction") if t.find("transaction-type").get("code") == "2"}
    org = commitments[giving360.grant_id(lag, w.call, w.org.number)]
    assert org.findtext("value") == "40000.00" and org.find("receiver-org").findtext("narrative") == "Guesthouse Sno LLC"
    assert activity.find("budget/value").text == "200000.00"  # both published calls opened this year

    network = assert_valid_iati(get(Client(), urls(lag)["net_iati"])[1])
    assert len(network.findall("iati-activity")) == 2


# --- privacy, queries, 404 -----------------------------------------------------------------------


@pytest.mark.django_db
def test_no_private_marker_in_any_export(lag):
    build_world(lag)
    build_grants(lag)
    assert all(MARKER.search(v) for v in [*SECRETS.values(), *GRANT_SECRETS.values()])
    client = Client()
    found = {}
    for lang in ("ka", "en"):
        for english in urls(lag).values():
            url = english.replace("/en/", f"/{lang}/", 1)
            status, raw = get(client, url)
            assert status == 200, url
            text = raw.decode("utf-8")
            assert "Giorgi Farmer" in text and "Guesthouse Sno LLC" in text  # the exports do carry the grants
            if MARKER.search(text):
                found[url] = sorted(set(MARKER.findall(text)))
    assert not found, found


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        status, _raw = get(client, url)
    assert status == 200
    return len(queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_grants(lag):
    build_grants(lag)
    client = Client()
    few = {name: _count(client, url) for name, url in urls(lag).items()}
    build_grants(LagFactory(slug="second"), extra_grants=0)
    from sopeli.projects.testing import funded_application

    call = lag.calls.get(status="results_published")
    for i in range(15):
        funded_application(lag, call=call, applicant_name=f"More {i}", title=f"More {i}")
    many = {name: _count(client, url) for name, url in urls(lag).items()}
    # The network's IATI file has one activity per LAG: its queries grow with LAGs, never with grants.
    assert {k: v for k, v in many.items() if k != "net_iati"} == {k: v for k, v in few.items() if k != "net_iati"}
    assert len(json.loads(get(client, urls(lag)["json"])[1])["grants"]) == 17


@pytest.mark.django_db
def test_unknown_lag_is_404_and_the_bare_network_address_redirects_to_a_language(lag):
    client = Client()
    for view in ("lag_360giving_json", "lag_360giving_csv", "lag_iati"):
        assert client.get(reverse(f"standards:{view}", args=["no-such-lag"])).status_code == 404
    response = client.get("/data/360giving.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/en/data/360giving.json"


@pytest.mark.django_db
def test_empty_lag_gives_an_empty_but_well_formed_file(lag):
    client = Client()
    assert json.loads(get(client, urls(lag)["json"])[1])["grants"] == []
    rows = list(csv.reader(io.StringIO(get(client, urls(lag)["csv"])[1].decode())))
    assert rows == [list(giving360.CSV_HEADERS)]
