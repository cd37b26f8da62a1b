from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sopeli.notifications.kinds import CHANNELS, KINDS


class PreferencesForm(forms.Form):
    """One set of channel boxes per configurable kind of message, and the language of messages."""

    language = forms.ChoiceField(label=_("Language of my messages"), choices=settings.LANGUAGES)

    def __init__(self, *args, rows, can_reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            kind = row["kind"]
            self.fields[f"kind:{kind.name}"] = forms.MultipleChoiceField(
                label=kind.label, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(c, label) for c, label in CHANNEL_LABELS if can_reach[c]],
                initial=sorted(row["channels"] & {c for c in CHANNELS if can_reach[c]}),
            )

    def choices(self) -> dict[str, set[str]]:
        return {name.split(":", 1)[1]: set(value) for name, value in self.cleaned_data.items()
                if name.startswith("kind:") and name.split(":", 1)[1] in KINDS}


CHANNEL_LABELS = (("email", _("e-mail")), ("sms", _("SMS")), ("inapp", _("notice in Sopeli")))
