"""Sopeli's own number and date formats, consulted before Django's (settings.FORMAT_MODULE_PATH)."""
