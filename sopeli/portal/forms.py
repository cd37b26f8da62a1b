from django import forms
from django.utils.translation import gettext_lazy as _


class NewsForm(forms.Form):
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    body_ka = forms.CharField(label=_("Text (Georgian)"), widget=forms.Textarea)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea, required=False)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        help_text=_("We keep only this address, send a link to confirm it, and every message has a link to stop."),
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@example.ge.")},
    )
