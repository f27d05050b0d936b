"""Timestamps and property values the way HubSpot writes and compares them."""

import re
from datetime import date, datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utcnow():
    return datetime.now(timezone.utc)


def iso(moment):
    """HubSpot's timestamp format: UTC, milliseconds, ``Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso():
    return iso(utcnow())


def to_ms(value):
    """Epoch milliseconds from an epoch-ms number/string or an ISO date(-time); None if neither."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return int(float(text))
    moment = parse_iso(text)
    if moment is None:
        return None
    return (moment - EPOCH) // timedelta(milliseconds=1)


def parse_iso(text):
    if ISO_DATE.match(text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), timezone.utc)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def ms_to_iso(ms):
    return iso(EPOCH + timedelta(milliseconds=ms))


def to_number(value):
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no number


def format_number(number):
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def normalize(definition, value):
    """Return (stored string, None) or (None, (code, message)) for one written value.

    ``definition`` is the property's catalogue entry (None: unknown, kept as text).
    """
    text = value if isinstance(value, str) else _text(value)
    if definition is None:
        return text, None
    kind = definition["type"]
    name = definition["name"]
    if name == "email":
        text = text.strip().lower()
        if not EMAIL.match(text):
            return None, ("INVALID_EMAIL", f"Email address {text} is invalid")
        return text, None
    if kind == "number":
        number = to_number(text)
        if number is None:
            return None, ("INVALID_INTEGER", f"{text} was not a valid number.")
        return format_number(number), None
    if kind in ("datetime", "date"):
        ms = to_ms(text)
        if ms is None:
            return None, ("INVALID_DATE", f"{text} was not a valid date or epoch milliseconds.")
        if kind == "date":
            return ms_to_iso(ms)[:10], None
        return ms_to_iso(ms), None
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            return None, ("INVALID_BOOLEAN", f"{text} was not a valid boolean option.")
        return lowered, None
    if kind == "enumeration" and definition.get("options"):
        allowed = {o["value"] for o in definition["options"]}
        chosen = [v for v in text.split(";") if v] if definition["fieldType"] == "checkbox" else [text]
        bad = [v for v in chosen if v not in allowed]
        if bad:
            return None, ("INVALID_OPTION", f"{bad[0]} was not one of the allowed options: {sorted(allowed)}")
    return text, None


def _text(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def comparable(kind, value):
    """The key a search compares: numbers, epoch ms for dates, lower-case text otherwise."""
    if value is None or value == "":
        return None
    if kind == "number":
        return to_number(value)
    if kind in ("datetime", "date"):
        return to_ms(value)
    return str(value).lower()
