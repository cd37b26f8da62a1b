"""Django's words for spans of time ("3 days, 4 hours"), which its own Georgian catalogue lacks.

Django's ``timeuntil``/``timesince`` filters look these strings up by exactly these msgids; writing
them here puts them in Sopeli's catalogue (sopeli/locale), which Django consults first, so a
deadline on a Georgian page reads "6 დღე, 23 საათი" rather than English. Never called.
"""

from django.utils.translation import ngettext_lazy

TIME_WORDS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)
