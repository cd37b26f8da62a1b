"""Public portal pages (news, subscriptions, how decisions are made, the ledger) and the manager's news pages."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require
from sopeli.core.ledger import RECIPE_VERSION, entry_as_dict, ledger_entries, ledger_head
from sopeli.core.tenancy import with_lag
from sopeli.portal import ledger_labels, selectors, services
from sopeli.portal.forms import NewsForm, SubscribeForm

PAGE_SIZE = 20
LEDGER_PAGE_SIZE = 50


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- news --------------------------------------------------------------------------------------
@with_lag
def news_list(request, lag):
    page = Paginator(selectors.published_news(lag), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/news_list.html", {"page": page})


@with_lag
def news_detail(request, lag, news_id):
    return render(request, "portal/news_detail.html", {"news": selectors.published_news_item(lag, news_id)})


# --- subscriptions -----------------------------------------------------------------------------
@with_lag
def subscribe(request, lag):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sub = services.subscription_request(lag=lag, email=form.cleaned_data["email"])
        except ValidationError as exc:
            form.add_error("email", _error_text(exc))
        else:
            messages.success(request, _("Almost done: we sent a link to %(email)s. Open it to confirm your "
                                        "subscription.") % {"email": sub.email})
            return redirect("portal:subscribe", lag.slug)
    status = 400 if form.errors else 200
    return render(request, "portal/subscribe.html", {"form": form}, status=status)


def _token_page(request, lag, token, *, action, title, question, button):
    """GET shows a button (mail scanners that open links change nothing); POST acts."""
    if request.method == "POST":
        try:
            action(lag=lag, token=token)
        except ValidationError as exc:
            return render(request, "portal/token.html", {"title": title, "error": _error_text(exc)}, status=400)
        return None
    return render(request, "portal/token.html", {"title": title, "question": question, "button": button})


@with_lag
def subscription_confirm(request, lag, token):
    response = _token_page(
        request, lag, token, action=services.subscription_confirm, title=_("Confirm your subscription"),
        question=_("Receive the announcements of %(lag)s by e-mail?") % {"lag": lag.name},
        button=_("Yes, confirm"),
    )
    if response is not None:
        return response
    messages.success(request, _("Thank you: your subscription is confirmed."))
    return redirect("portal:news", lag.slug)


@with_lag
def unsubscribe(request, lag, token):
    response = _token_page(
        request, lag, token, action=services.subscription_cancel, title=_("Unsubscribe"),
        question=_("Stop receiving the announcements of %(lag)s? Your address will be deleted.") % {"lag": lag.name},
        button=_("Unsubscribe"),
    )
    if response is not None:
        return response
    messages.success(request, _("You are unsubscribed and your address is deleted."))
    return redirect("portal:news", lag.slug)


# --- how decisions are made --------------------------------------------------------------------
@with_lag
def how_we_decide(request, lag):
    return render(request, "portal/how_we_decide.html", selectors.how_we_decide(lag))


# --- ledger ------------------------------------------------------------------------------------
@with_lag
def ledger(request, lag):
    page = Paginator(selectors.ledger_page_entries(lag), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.label = ledger_labels.label(entry.kind)
        entry.subject = ledger_labels.subject(entry.fact, lag.currency)
    return render(request, "portal/ledger.html", {"page": page, "head": ledger_head(lag), "recipe_version": RECIPE_VERSION})


@with_lag
def ledger_file(request, lag):
    def lines():
        for entry in ledger_entries(lag).iterator(chunk_size=2000):
            yield json.dumps(entry_as_dict(entry), ensure_ascii=False) + "\n"

    response = StreamingHttpResponse(lines(), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lag.slug}-ledger.jsonl"'
    return response


# --- manager's news pages ----------------------------------------------------------------------
@with_lag
@require(can_read_staff_pages)
def manage_news(request, lag):
    page = Paginator(selectors.news_for_manager(lag), 50).get_page(request.GET.get("page"))
    return render(request, "portal/manage_news.html", {"page": page, "can_edit": can_manage(request.user, lag)})


def _news_form_page(request, lag, news=None):
    initial = None
    if news is not None:
        initial = {"title_ka": news.title_ka, "title_en": news.title_en, "body_ka": news.body_ka, "body_en": news.body_en}
    form = NewsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if news is None:
                news = services.news_create(actor=request.user, lag=lag, **form.cleaned_data)
                messages.success(request, _("The news is saved as a draft. Publish it when it is ready."))
            else:
                services.news_update(actor=request.user, news=news, **form.cleaned_data)
                messages.success(request, _("The news is saved."))
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("portal:manage_news_edit", lag.slug, news.pk)
    status = 400 if form.errors else 200
    return render(request, "portal/manage_news_form.html", {"form": form, "news": news}, status=status)


@with_lag
@require(can_manage)
def manage_news_new(request, lag):
    return _news_form_page(request, lag)


@with_lag
@require(can_manage)
def manage_news_edit(request, lag, news_id):
    return _news_form_page(request, lag, selectors.news_for_staff(lag, news_id))


def _news_action(request, lag, news_id, action, done):
    news = selectors.news_for_staff(lag, news_id)
    try:
        action(news)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("portal:manage_news", lag.slug)


@require_POST
@with_lag
@require(can_manage)
def manage_news_publish(request, lag, news_id):
    return _news_action(
        request, lag, news_id,
        lambda news: services.news_publish(actor=request.user, news=news),
        _("The news is published; subscribers are told by e-mail the first time."),
    )


@require_POST
@with_lag
@require(can_manage)
def manage_news_unpublish(request, lag, news_id):
    return _news_action(
        request, lag, news_id, lambda news: services.news_unpublish(actor=request.user, news=news),
        _("The news is no longer public."),
    )


# --- open data ---------------------------------------------------------------------------------
@with_lag
def open_data(request, lag):
    """Every file, feed and API list of the LAG's public data, in one place (one query)."""
    from sopeli.portal.open_data import open_data_links
    from sopeli.portal.standards.grants import published_q

    links = open_data_links(lag)
    groups = {g: [link for link in links if link.group == g] for g in ("grants", "record", "feeds", "api")}
    has_grants = lag.applications.filter(published_q()).exists()
    return render(request, "portal/open_data.html", {"groups": groups, "has_grants": has_grants})
