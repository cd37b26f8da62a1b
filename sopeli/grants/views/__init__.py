"""Grants pages, one module per part (see ``services``); routes in ``sopeli/grants/urls.py``."""
