"""SMS backends, chosen by ``SOPELI_SMS_BACKEND`` (a dotted path), like Django's e-mail backends.

- ``ConsoleBackend`` (the default): prints each SMS, for a laptop and the demo.
- ``MemoryBackend``: keeps them in ``sms.outbox``, for tests.
- ``HttpGatewayBackend``: POSTs JSON ``{"to", "from", "text"}`` with a bearer key to
  ``SOPELI_SMS_URL`` — the shape most Georgian and international gateways accept (or put a tiny
  adapter in front of one that differs). A 2xx answer is success; a JSON ``{"cost": …}`` in it is
  taken as the price, otherwise segments × ``SOPELI_SMS_PRICE_PER_SEGMENT``.
"""

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from sopeli.notifications.rules import sms_segments

outbox: list["Sent"] = []  # MemoryBackend's messages


@dataclass
class Sent:
    to: str
    text: str
    segments: int
    cost: Decimal


class SmsError(Exception):
    """The gateway refused or could not be reached; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def _price(segments: int) -> Decimal:
    return Decimal(settings.SOPELI_SMS_PRICE_PER_SEGMENT) * segments


class ConsoleBackend:
    def send(self, *, to: str, text: str) -> Sent:
        segments = sms_segments(text)
        sys.stdout.write(f"--- SMS to {to} ({segments} segment(s)) ---\n{text}\n---\n")
        sys.stdout.flush()
        return Sent(to, text, segments, _price(segments))


class MemoryBackend:
    def send(self, *, to: str, text: str) -> Sent:
        sent = Sent(to, text, sms_segments(text), _price(sms_segments(text)))
        outbox.append(sent)
        return sent


class HttpGatewayBackend:
    def send(self, *, to: str, text: str) -> Sent:
        segments = sms_segments(text)
        payload = json.dumps({"to": to, "from": settings.SOPELI_SMS_SENDER, "text": text}).encode()
        request = urllib.request.Request(
            settings.SOPELI_SMS_URL, data=payload, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SOPELI_SMS_KEY}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                raw = answer.read(10_000)
        except urllib.error.HTTPError as error:
            # 4xx: the gateway says the message itself is wrong (a bad number); 5xx: try again later.
            raise SmsError(f"gateway answered {error.code}", permanent=400 <= error.code < 500 and error.code != 429) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}") from None
        try:
            cost = Decimal(str(json.loads(raw or b"{}").get("cost")))
        except Exception:  # noqa: BLE001 - no price in the answer: count it ourselves
            cost = _price(segments)
        return Sent(to, text, segments, cost)


def backend():
    return import_string(settings.SOPELI_SMS_BACKEND)()
