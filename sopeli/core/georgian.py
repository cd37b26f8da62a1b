"""Georgian has no letter case: never let Django upper-case its first letter.

Django's ``capfirst`` does ``x[0].upper()``, and Python maps a Mkhedruli letter to its Mtavruli
form (``"ს".upper() == "Ს"``), so every model-form label such as "სახელი" would come out as
"Სახელი". Unicode's *titlecase* of a Mkhedruli letter is the letter itself, while for Latin it
is the capital, so ``x[0].title()`` is the correct "capitalise the first letter" for both.
``keep_georgian_case`` swaps that in wherever Django bound ``capfirst`` at import time.
"""

import importlib

from django.utils.functional import keep_lazy_text

# Modules that did `from django.utils.text import capfirst` and use it on translated text.
MODULES_USING_CAPFIRST = [
    "django.utils.text",
    "django.db.models.base",
    "django.db.models.fields",
    "django.forms.models",
    "django.contrib.auth.forms",
    "django.contrib.admin.helpers",
    "django.contrib.admin.options",
    "django.contrib.admin.sites",
    "django.contrib.admin.utils",
    "django.contrib.admin.templatetags.admin_list",
]


@keep_lazy_text
def capfirst(x):
    """Capitalise the first letter where the script has capitals; leave Georgian as written."""
    if not x:
        return x
    x = str(x)
    return x[0].title() + x[1:]


def _capfirst_filter(value):
    return value and capfirst(value)


def keep_georgian_case() -> None:
    for name in MODULES_USING_CAPFIRST:
        module = importlib.import_module(name)
        if hasattr(module, "capfirst"):
            module.capfirst = capfirst
    from django.template import defaultfilters

    defaultfilters.register.filters["capfirst"] = defaultfilters.stringfilter(_capfirst_filter)
