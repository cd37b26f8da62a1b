"""The open-data API: content, privacy, pagination, filters, errors, query counts, and schemathesis."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings

from sopeli.core.privacy import PRIVATE_MEMBER_FIELDS
from sopeli.portal.tests.world import build_world
from sopeli.portal.tests.world_grants import build_competition
from sopeli.testing.factories import LagFactory, SeatFactory

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def test_openapi_document_is_served_and_declares_errors(client):
    doc = get(client, "/api/v1/openapi.json")
    assert doc["info"]["version"] == "1"
    paths = doc["paths"]
    for path in ("/api/v1/lags", "/api/v1/members", "/api/v1/bodies", "/api/v1/meetings", "/api/v1/decisions",
                 "/api/v1/decisions/{decision_id}", "/api/v1/bodies/{body_id}", "/api/v1/lags/{slug}",
                 "/api/v1/calls", "/api/v1/calls/{call_id}", "/api/v1/received", "/api/v1/results",
                 "/api/v1/results/{call_id}", "/api/v1/projects", "/api/v1/payments", "/api/v1/indicators"):
        assert set(paths[path]["get"]["responses"]) >= {"200", "400", "404", "422"}, path
    assert all(set(ops) == {"get"} for ops in paths.values())  # read-only


def test_lags_come_with_their_villages(client, world):
    data = get(client, "/api/v1/lags")
    assert data["count"] == 1
    kazbegi = data["items"][0]
    assert kazbegi["slug"] == "kazbegi" and kazbegi["name_en"] == "Kazbegi LAG"
    assert {s["name_en"] for s in kazbegi["settlements"]} == {"Sno", "Juta"}
    assert get(client, "/api/v1/lags/kazbegi")["name_ka"].startswith("ყაზბეგ")


def test_members_are_active_ones_with_public_fields_only(client, world):
    data = get(client, "/api/v1/members?lag=kazbegi")
    assert data["count"] == 4
    names = {m["name"] for m in data["items"]}
    assert names == {"Nino Public", "Kazbegi Municipality", "Guesthouse Sno", "Farmer Juta"}
    for item in data["items"]:
        assert set(item) == {"id", "lag", "name", "kind", "organisation_type", "sector", "interest_group", "village"}
        assert not set(item) & set(PRIVATE_MEMBER_FIELDS)
    assert get(client, "/api/v1/members?sector=public")["count"] == 1
    assert get(client, "/api/v1/members?interest_group=tourism")["count"] == 2
    assert get(client, f"/api/v1/members?village={world.villages[1].pk}")["count"] == 2


def test_pagination_with_limit_and_offset(client, world):
    first = get(client, "/api/v1/members?limit=2")
    second = get(client, "/api/v1/members?limit=2&offset=2")
    assert first["count"] == second["count"] == 4 and len(first["items"]) == len(second["items"]) == 2
    assert not {m["id"] for m in first["items"]} & {m["id"] for m in second["items"]}
    assert get(client, "/api/v1/members?offset=100")["items"] == []


@pytest.mark.parametrize("url", [
    "/api/v1/members?limit=201", "/api/v1/members?limit=0", "/api/v1/members?offset=-1",
    "/api/v1/members?sector=royal", "/api/v1/members?lag=no%20spaces", "/api/v1/decisions?result=maybe",
    "/api/v1/decisions/abc", "/api/v1/decisions/0", "/api/v1/bodies/99999999999999999999",
])
def test_bad_input_is_a_clear_422(client, url):
    detail = get(client, url, 422)["detail"]
    assert detail and all(d["msg"] for d in detail)


def test_unknown_things_are_a_clear_404(client, world):
    assert "nowhere" in get(client, "/api/v1/members?lag=nowhere", 404)["detail"]
    assert get(client, "/api/v1/lags/nowhere", 404)["detail"]
    assert get(client, "/api/v1/decisions/999999", 404)["detail"]
    assert get(client, "/api/v1/bodies/999999", 404)["detail"]


def test_bodies_with_current_seat_holders(client, world):
    data = get(client, "/api/v1/bodies?lag=kazbegi")
    bodies = {b["name_en"]: b for b in data["items"]}
    board = bodies["Board"]
    assert board["quorum_percent"] == 50 and not board["all_members_sit"]
    assert {s["member"]["name"] for s in board["seat_holders"]} == {
        "Nino Public", "Kazbegi Municipality", "Guesthouse Sno", "Farmer Juta"}
    assert bodies["General assembly"]["all_members_sit"] and bodies["General assembly"]["seat_holders"] == []
    assert get(client, "/api/v1/bodies?kind=board")["count"] == 1
    assert get(client, f"/api/v1/bodies/{world.board.pk}")["id"] == world.board.pk


def test_decisions_with_tally_votes_recusals_and_checks(client, world):
    data = get(client, "/api/v1/decisions?lag=kazbegi")
    by_code = {d["code"]: d for d in data["items"]}
    assert set(by_code) == {"A-03", "A-04", "A-07"}  # B-01's minutes are not published
    roll = by_code["A-03"]
    assert roll["result"] == "approved" and roll["is_selection"] and roll["title_en"] == "Road repair"
    assert roll["tally"] == {"for": 2, "against": 1, "abstain": 0}
    assert {(v["member"]["name"], v["choice"]) for v in roll["votes"]} == {
        ("Nino Public", "for"), ("Kazbegi Municipality", "for"), ("Farmer Juta", "against")}
    assert roll["recusals"] == [{"member": {"id": world.members[2].pk, "name": "Guesthouse Sno", "sector": "business"},
                                 "kind": "conflict", "reason": "the applicant is the owner's brother"}]
    assert roll["checks"]["participants"] == 3 and roll["checks"]["composition"]["public"] == [2, 3]
    assert by_code["A-04"]["votes"] == [] and by_code["A-04"]["result"] == "rejected"
    assert by_code["A-07"]["procedure"] == "written" and by_code["A-07"]["meeting"] is None
    assert get(client, "/api/v1/decisions?result=rejected")["count"] == 1
    assert get(client, f"/api/v1/decisions?meeting={world.meeting.pk}")["count"] == 2
    assert get(client, f"/api/v1/decisions/{world.roll.pk}")["code"] == "A-03"
    get(client, f"/api/v1/decisions/{world.hidden.pk}", 404)


def test_meetings(client, world):
    data = get(client, "/api/v1/meetings?lag=kazbegi")
    assert data["count"] == 2
    assert get(client, "/api/v1/meetings?status=published")["items"][0]["title_en"] == "Board meeting"
    assert "notes" not in json.dumps(data)


LISTS = ["/api/v1/lags", "/api/v1/members", "/api/v1/bodies", "/api/v1/meetings", "/api/v1/decisions",
         "/api/v1/members?lag=kazbegi", "/api/v1/decisions?lag=kazbegi"]
FIXED_QUERIES = {"/api/v1/lags": 3, "/api/v1/members": 2, "/api/v1/bodies": 3, "/api/v1/meetings": 2,
                 "/api/v1/decisions": 4, "/api/v1/members?lag=kazbegi": 3, "/api/v1/decisions?lag=kazbegi": 5}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_list_endpoints_cost_a_fixed_number_of_queries(client, lag, url):
    build_world(lag)
    few = _queries(client, url)
    other = LagFactory(slug="borjomi")
    world2 = build_world(other, extra_members=30)
    for m in world2.members:
        SeatFactory(body=world2.assembly, member=m)
    many = _queries(client, url + ("&" if "?" in url else "?") + "limit=200")
    assert few == many == FIXED_QUERIES[url], (few, many)


# --- schemathesis: every answer matches the schema, no 5xx --------------------------------------
api_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


GRANT_ENDPOINTS = ("/calls", "/received", "/results", "/projects", "/payments", "/indicators")


@pytest.fixture
def _api_world(lag, request):
    # Calls go straight to the WSGI handler, whose request signals would close the test's database
    # connection (inside the test transaction); keep it open as Django's test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    build_world(lag)
    if any(f"/api/v1{e}" in request.node.name for e in GRANT_ENDPOINTS):
        build_competition(lag)  # calls, received lists, results, projects, payments and indicators to answer with
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_api_world")
@api_schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    # The WSGI transport does not undo gzip; ask for the plain body.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
