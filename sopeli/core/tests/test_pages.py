import pytest

from sopeli.testing.factories import LagFactory, SettlementFactory


@pytest.mark.django_db
def test_network_home_lists_every_lag_in_georgian_by_default(client):
    LagFactory(slug="kazbegi", name_ka="ყაზბეგი", name_en="Kazbegi")
    LagFactory(slug="borjomi", name_ka="ბორჯომი", name_en="Borjomi")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/ka/")
    page = client.get("/ka/").content.decode()
    assert "ყაზბეგი" in page and "ბორჯომი" in page
    assert 'lang="ka"' in page


@pytest.mark.django_db
def test_lag_home_shows_territory_in_the_chosen_language(client):
    lag = LagFactory(slug="kazbegi", name_ka="ყაზბეგი", name_en="Kazbegi")
    SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno", population=412)
    page = client.get("/en/kazbegi/").content.decode()
    assert "Sno" in page and "412" in page and "Kazbegi" in page
    # The switcher leads to the same page in Georgian.
    assert 'href="/ka/kazbegi/"' in page


@pytest.mark.django_db
def test_unknown_lag_is_a_404_not_a_500(client):
    assert client.get("/ka/nowhere/").status_code == 404


def test_healthz_needs_no_database(client):
    assert client.get("/healthz").content == b"ok"
