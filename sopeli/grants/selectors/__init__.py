"""Reads for the grants pages, one module per part (see ``services``). Fixed query counts."""
