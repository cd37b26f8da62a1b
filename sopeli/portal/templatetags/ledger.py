"""``{% ledger_head lag as head %}``: the newest entry of a LAG's public hash chain, for minutes.

    {% load ledger %}
    {% ledger_head lag as head %}                         {# now #}
    {% ledger_head lag meeting.minutes_published_at as head %}  {# as it stood at that moment #}
    {% if head %}{{ head.seq }} · {{ head.hash }}{% endif %}

``{% ledger_head_line lag %}`` prints a ready sentence (translated) with the entry number and hash.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sopeli.core.ledger import ledger_head as _ledger_head

register = template.Library()


@register.simple_tag
def ledger_head(lag, as_of=None):
    if lag is None:
        return None
    return _ledger_head(lag, as_of=as_of)


@register.simple_tag
def ledger_head_line(lag, as_of=None):
    head = ledger_head(lag, as_of)
    if head is None:
        return _("The public record of this LAG is empty.")
    return format_html(
        "{} <code class=\"hash\">{}</code>",
        _("Public record: entry %(seq)s, fingerprint (SHA-256)") % {"seq": head.seq},
        head.hash,
    )
