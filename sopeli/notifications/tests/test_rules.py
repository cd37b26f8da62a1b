from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from sopeli.notifications.rules import MAX_ATTEMPTS, retry_delay, sms_encoding, sms_segments


def test_georgian_needs_ucs2_and_70_characters_a_segment():
    text = "თქვენი განაცხადი 2026/1-004 მიღებულია."
    assert sms_encoding(text) == "ucs2"
    assert sms_segments("ა" * 70) == 1
    assert sms_segments("ა" * 71) == 2  # split: 67 a part
    assert sms_segments("ა" * 134) == 2
    assert sms_segments("ა" * 135) == 3


def test_latin_text_fits_160_and_extended_characters_count_double():
    assert sms_encoding("Your code is 123456") == "gsm7"
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2
    assert sms_segments("") == 0


@given(st.text(min_size=1, max_size=600))
def test_segments_grow_with_length_and_cover_the_text(text):
    segments = sms_segments(text)
    per_segment = 160 if sms_encoding(text) == "gsm7" else 70
    assert segments >= 1
    assert segments * per_segment * 2 >= len(text)  # never fewer segments than the text needs
    assert sms_segments(text + text) >= segments


def test_first_retry_within_a_minute_then_backing_off_then_giving_up():
    assert retry_delay(1) <= timedelta(minutes=1)
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays == sorted(delays)
    assert retry_delay(MAX_ATTEMPTS) is None
