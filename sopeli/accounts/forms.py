from django import forms
from django.utils.translation import gettext_lazy as _

from sopeli.accounts.models import User
from sopeli.core.models import Settlement


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.lag.municipality})"


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth calls ``signup`` after it creates the user."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    village = VillageChoiceField(
        label=_("Village"), queryset=Settlement.objects.select_related("lag").order_by("lag__name", "name"),
        required=False,
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.village = self.cleaned_data.get("village")
        user.save(update_fields=["full_name", "village"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "village", "phone"]
        help_texts = {"phone": _("Optional. Only LAG staff see it; it is never published.")}
