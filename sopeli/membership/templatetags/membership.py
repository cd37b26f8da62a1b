from django import template

from sopeli.membership.models import Member

register = template.Library()


@register.filter
def member_field_label(name: str) -> str:
    """The (translated) name of a member field recorded in a history entry, never capitalised."""
    try:
        return str(Member._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an old entry may name a field that no longer exists
        return name
