"""No Georgian text is ever upper-cased, even where Django capitalises a label."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.text import capfirst

from sopeli.accounts.forms import ProfileForm
from sopeli.core.georgian import capfirst as safe_capfirst

MTAVRULI = range(0x1C90, 0x1CC0)


def has_mtavruli(text: str) -> bool:
    return any(ord(ch) in MTAVRULI for ch in text)


def test_capfirst_keeps_georgian_and_still_capitalises_latin():
    assert safe_capfirst("სახელი") == "სახელი"
    assert safe_capfirst("name") == "Name"
    assert capfirst("სახელი") == "სახელი"  # django.utils.text itself is patched too


def test_a_model_field_with_a_georgian_name_gives_a_label_without_mtavruli():
    from django.db import models

    assert str(models.CharField(verbose_name="სოფელი").formfield().label) == "სოფელი"
    assert str(models.CharField(verbose_name="village").formfield().label) == "Village"


@pytest.mark.django_db
def test_model_form_labels_in_georgian_keep_their_case():
    with translation.override("ka"):
        form = ProfileForm()
        html = str(form)
        labels = [str(field.label) for field in form.fields.values()]
    assert not any(has_mtavruli(label) for label in labels), labels
    assert not has_mtavruli(html)


def test_capfirst_template_filter_keeps_georgian():
    assert Template("{{ v|capfirst }}").render(Context({"v": "სოფელი"})) == "სოფელი"
    assert Template("{{ v|capfirst }}").render(Context({"v": "village"})) == "Village"


def test_a_plain_form_label_from_a_field_name_is_not_mtavruli():
    class F(forms.Form):
        village = forms.CharField(label="სოფელი")

    assert not has_mtavruli(str(F()))
