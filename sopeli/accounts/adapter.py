"""allauth's account adapter: its e-mails (address confirmation, password reset, login codes, notices)
go through Sopeli's outbox like every other message, so a mail server that is down fails no page
and loses nothing (sopeli/notifications)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils import translation

from sopeli.notifications.services import Recipient, notify_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's templates as allauth does (in the language of the page the person is on),
        then queue the text as an ``accounts.message`` instead of sending it now."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        rendered = self.render_mail(template_prefix, email, ctx)
        user = context.get("user")
        if not isinstance(user, get_user_model()) or user.pk is None:
            user = None
        language = translation.get_language() or ""
        notify_rendered(kind="accounts.message", recipient=Recipient(email=email, language=language, user=user),
                        subject=rendered.subject, body=rendered.body, language=language)
