"""How decisions are made, the public record page and file, verify_ledger, and the ledger_head tag."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.urls import reverse

from sopeli.core.audit import audit_record
from sopeli.core.ledger import verify_chain
from sopeli.core.models import LedgerEntry
from sopeli.membership.models import BodyKind
from sopeli.portal import ledger_labels
from sopeli.testing.factories import BodyFactory, SeatFactory

pytestmark = pytest.mark.django_db


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def test_how_we_decide_follows_the_lags_settings(client, world):
    lag = world.lag
    url = f"/en/{lag.slug}/how-we-decide/"
    page = _page(client, url)
    assert "49%" in page and "does not apply the stricter rule" in page
    assert "Board" in page and "at least 3 taking part" in page  # 4 seats, more than 50%
    assert "conflict of interest" in page and "written procedure" in page
    assert LedgerEntry.objects.filter(lag=lag).order_by("-seq").first().hash in page
    lag.votes_for_variant = True
    lag.save()
    body = BodyFactory(lag=lag, kind=BodyKind.WORKING_GROUP, name_en="Tourism group", quorum_percent=66)
    for m in world.members[:3]:
        SeatFactory(body=body, member=m)
    page = _page(client, url)
    assert "also applies a stricter rule" in page
    assert "more than 66% of the seats, so at least 2 taking part" in page


def test_how_we_decide_for_a_new_lag(client, lag):
    assert "No bodies are set up yet" in _page(client, f"/en/{lag.slug}/how-we-decide/")


def test_ledger_page_shows_head_and_newest_first(client, world):
    lag = world.lag
    page = _page(client, f"/en/{lag.slug}/ledger/")
    entries = list(LedgerEntry.objects.filter(lag=lag).order_by("-seq"))
    assert entries[0].hash in page
    assert page.index('id="entry-3"') < page.index('id="entry-1"')
    assert "+995" not in page  # the phone smuggled into a fact was dropped


def test_ledger_page_is_paginated_with_fixed_queries(client, lag, django_assert_num_queries):
    url = reverse("portal:ledger", args=[lag.slug])
    audit_record(actor=None, lag=lag, action="a.b", summary="one", public=True)
    with django_assert_num_queries(4):  # lag, count, page, head
        assert client.get(url).status_code == 200
    for i in range(60):
        audit_record(actor=None, lag=lag, action="a.b", summary=f"n{i}", public=True)
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert 'id="entry-61"' in page and 'id="entry-11"' not in page
    assert 'id="entry-11"' in client.get(url + "?page=2").content.decode()
    assert client.get(url + "?page=nonsense").status_code == 200


def test_ledger_entries_read_in_words_with_the_facts_own_details(client, lag):
    audit_record(actor=None, lag=lag, action="projects.payment_record", summary="Payment of 16000.00", public=True,
                 data={"contract": "2016/1-001", "amount": "16000.00", "grantee": "Mariam"})
    audit_record(actor=None, lag=lag, action="grants.call_publish", summary="Call 2026/2 published", public=True,
                 data={"code": "2026/2", "title": {"ka": "მცირე გრანტები", "en": "Small grants"}})
    english = _page(client, f"/en/{lag.slug}/ledger/")
    assert "Payment made · 2016/1-001 · 16,000.00 GEL" in english
    assert "Call published · 2026/2 · Small grants" in english
    assert "<code class=\"muted\">grants.call_publish</code>" in english  # the verifiable kind stays visible
    from django.utils import translation

    with translation.override("ka"):
        georgian = _page(client, f"/ka/{lag.slug}/ledger/")
        label = str(ledger_labels.KIND_LABELS["grants.call_publish"])
    assert label != "Call published" and f"{label} · 2026/2 · მცირე გრანტები" in georgian
    assert "Payment of 16000.00" not in georgian  # the English audit summary is not shown


def test_every_public_ledger_kind_has_a_label():
    """A new public fact must say what it means: each action recorded with public=True has a label."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    kinds = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit_record\((.{0,600}?)\)\n", text, re.S):
            if "public=" in call.group(1) and "public=False" not in call.group(1):
                kinds.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', call.group(1)))
    assert len(kinds) > 40
    assert sorted(kinds - set(ledger_labels.KIND_LABELS)) == []


def test_ledger_file_is_streamed_and_verifies(client, world):
    response = client.get(f"/ka/{world.lag.slug}/ledger.jsonl")
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert verify_chain(entries) == []
    assert "ყაზბეგ" not in lines[0] or "\\u" not in lines[0]  # UTF-8 as itself


def _download(client, lag, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"".join(client.get(f"/ka/{lag.slug}/ledger.jsonl").streaming_content))
    return path


def test_verify_ledger_command_on_the_database_and_a_file(client, world, tmp_path, capsys):
    lag = world.lag
    call_command("verify_ledger", lag.slug)
    assert "OK: 3 entries" in capsys.readouterr().out
    path = _download(client, lag, tmp_path)
    head = LedgerEntry.objects.filter(lag=lag).order_by("-seq").first().hash
    call_command("verify_ledger", lag.slug, file=str(path), head=head)
    assert f"head {head}" in capsys.readouterr().out
    # Tamper with the downloaded file: change a result.
    lines = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    entry["fact"]["data"]["outcome"]["result"] = "rejected"
    lines[0] = json.dumps(entry, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_ledger", lag.slug, file=str(path))
    assert "entry 1" in capsys.readouterr().err
    # Drop the last line: caught with the head printed in the minutes.
    path.write_text("\n".join(lines[1:-1]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_ledger", lag.slug, file=str(path), head=head)


def test_verify_ledger_detects_database_tampering(world):
    LedgerEntry.objects.filter(lag=world.lag, seq=2).update(kind="item.rejected")
    with pytest.raises(CommandError):
        call_command("verify_ledger", world.lag.slug)


def test_verify_ledger_gives_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="No LAG"):
        call_command("verify_ledger", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_ledger", "kazbegi", file=str(tmp_path / "missing.jsonl"))
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_ledger", "kazbegi", file=str(garbage))


def test_ledger_head_tag_for_minutes(world):
    lag = world.lag
    head = LedgerEntry.objects.filter(lag=lag).order_by("-seq").first()
    html = Template("{% load ledger %}{% ledger_head lag as h %}{{ h.seq }} {{ h.hash }}|{% ledger_head_line lag %}"
                    ).render(Context({"lag": lag}))
    assert f"3 {head.hash}|" in html and f'<code class="hash">{head.hash}</code>' in html
    first = LedgerEntry.objects.get(lag=lag, seq=1)
    html = Template("{% load ledger %}{% ledger_head lag at as h %}{{ h.seq }}").render(
        Context({"lag": lag, "at": first.created_at}))
    assert html.strip() == "1"


def test_public_pages_are_plain_html_forms(client, lag):
    # Everything works without JavaScript: forms post to the server, no page needs a script.
    for url in (f"/en/{lag.slug}/subscribe/", f"/en/{lag.slug}/news/", f"/en/{lag.slug}/ledger/",
                f"/en/{lag.slug}/how-we-decide/"):
        page = _page(client, url)
        assert "<script>" not in page and "onclick" not in page


@pytest.mark.parametrize("path", ["news/", "ledger/", "ledger.jsonl", "how-we-decide/", "subscribe/", "news/1/"])
def test_unknown_lag_is_404(client, path):
    assert client.get(f"/en/nowhere/{path}").status_code == 404
