"""Files attached to e-mails, rendered by the worker at delivery, never in the web request.

A message names its attachment (``Message.attachment``) and an argument (an id); this table maps the
name to the function that returns ``(filename, bytes, mimetype)`` or None when there is nothing to
attach any more.
"""

from django.utils.module_loading import import_string

ATTACHMENTS = {
    "grants.receipt": "sopeli.grants.pdf.receipt_attachment",
}


def render(name: str, arg: str):
    return import_string(ATTACHMENTS[name])(arg)
