"""Pure rules of accounts: phone numbers. No Django import."""

import re

# Georgian mobile numbers: nine digits starting with 5 after the country code 995.
_GEORGIAN_MOBILE = re.compile(r"^5\d{8}$")


def normalise_phone(text: str) -> str | None:
    """A phone number in E.164 (+995555123456), or None when ``text`` is not one.

    Accepts the ways people write a Georgian mobile ("555 12 34 56", "0555-12-34-56", "995555123456",
    "+995 (555) 12 34 56") and any international number written with its "+" or "00" prefix.
    """
    if not text:
        return None
    raw = text.strip()
    digits = re.sub(r"[\s().\-/]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d+", digits):
        return None
    if digits.startswith("+"):
        number = digits[1:]
        if number.startswith("995"):
            return "+" + number if _GEORGIAN_MOBILE.match(number[3:]) else None
        return "+" + number if 8 <= len(number) <= 15 and number[0] != "0" else None
    if digits.startswith("995") and _GEORGIAN_MOBILE.match(digits[3:]):
        return "+" + digits
    if digits.startswith("0") and _GEORGIAN_MOBILE.match(digits[1:]):
        return "+995" + digits[1:]
    if _GEORGIAN_MOBILE.match(digits):
        return "+995" + digits
    return None
