"""Pure rules of message delivery: SMS segments and the retry schedule. No Django import."""

from datetime import timedelta

# The GSM 03.38 basic alphabet (and its extension table, whose characters take two septets). Any
# other character, Georgian included, makes the whole message UCS-2.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_encoding(text: str) -> str:
    """"gsm7" when every character is in the GSM alphabet, else "ucs2" (Georgian always is)."""
    return "gsm7" if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text) else "ucs2"


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` takes: 160/153 septets in GSM-7, 70/67 UTF-16 units in UCS-2.

    A single segment holds 160 septets (70 UCS-2 units); once split, each part loses room to the
    concatenation header: 153 septets (67 units).
    """
    if not text:
        return 0
    if sms_encoding(text) == "gsm7":
        units, single, multi = sum(2 if c in _GSM_EXTENDED else 1 for c in text), 160, 153
    else:
        # Characters outside the Basic Multilingual Plane take two UTF-16 units.
        units, single, multi = sum(2 if ord(c) > 0xFFFF else 1 for c in text), 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


# Delay before the next try after the n-th failed try (1-based): the first retry within a minute,
# then backing off to a few hours. After the last one the message is marked failed.
RETRY_DELAYS = (
    timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30),
    timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after ``attempts`` failed tries, or None when the message has had all its tries."""
    if attempts < 1:
        return timedelta(0)
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]
