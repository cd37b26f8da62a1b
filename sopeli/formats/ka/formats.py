"""Georgian formats: only what differs from Django's ``ka`` locale, which supplies the rest.

Django groups Georgian thousands with an ordinary space, so on a narrow phone screen an amount
breaks across lines ("15" / "000.00 GEL"). A no-break space keeps every amount on one line.
"""

THOUSAND_SEPARATOR = "\u00a0"
