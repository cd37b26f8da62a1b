import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render(client, lag, persona, groups, villages, board, assembly, make_member):
    m = make_member(name="Nino", phone="+995555000111")
    make_member(name="Applicant", status="applied", decided_at=None)
    client.force_login(persona("manager"))
    for url in [
        reverse("membership:members", args=[lag.slug]),
        reverse("membership:join", args=[lag.slug]),
        reverse("membership:join_thanks", args=[lag.slug]),
        reverse("membership:body", args=[lag.slug, board.pk]),
        reverse("membership:body", args=[lag.slug, assembly.pk]),
        reverse("membership:my_membership", args=[lag.slug]),
        reverse("membership:manage_members", args=[lag.slug]),
        reverse("membership:manage_member", args=[lag.slug, m.pk]),
        reverse("membership:manage_member_edit", args=[lag.slug, m.pk]),
        reverse("membership:manage_groups", args=[lag.slug]),
        reverse("membership:manage_group_edit", args=[lag.slug, groups["tourism"].pk]),
        reverse("membership:manage_bodies", args=[lag.slug]),
        reverse("membership:manage_body", args=[lag.slug, board.pk]),
        reverse("membership:manage_body", args=[lag.slug, assembly.pk]),
        reverse("core:lag_home", args=[lag.slug]),
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
