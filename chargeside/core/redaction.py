"""Keep card numbers and secrets out of logs and stored error texts.

Card numbers are never stored by design (cards change only through the gateway's tokenised flows); this
filter is the second line of defence for anything a provider or a person pastes into a free-text field.
"""

from __future__ import annotations

import logging
import re

# 13–19 digits, optionally grouped by spaces or dashes, checked with Luhn before masking.
_PAN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_SECRET = re.compile(r"\b(sk|rk|whsec|pk)_(live|test)?_?[A-Za-z0-9]{6,}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def redact(text: str) -> str:
    def mask_pan(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "[card number removed]" if _luhn_ok(digits) else match.group(0)

    text = _PAN.sub(mask_pan, text)
    return _SECRET.sub(lambda m: m.group(0)[:8] + "…[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args) if isinstance(record.args, tuple) else record.args
        return True
