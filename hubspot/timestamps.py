"""HubSpot timestamps: ISO 8601 strings in properties, epoch milliseconds in filters."""

from datetime import datetime, timezone


def to_millis(value):
    """Epoch milliseconds from a datetime (naive = UTC), an ISO string or a number."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.isdigit():
            return int(value)
        value = parse(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp() * 1000)


def parse(value):
    """A naive UTC datetime from HubSpot's ISO string or epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, timezone.utc).replace(tzinfo=None)
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def try_parse(value):
    """Like :func:`parse`, but None for a value that is no timestamp (garbled text, out of
    range): one record's bad value must not stop the code that orders many records."""
    try:
        return parse(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def try_millis(value):
    """Like :func:`to_millis`, but None for a value that is no timestamp (see :func:`try_parse`)."""
    try:
        millis = to_millis(value)
        if millis is not None:
            parse(millis)  # a datetime can hold it
        return millis
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def is_garbled(value):
    """A value is given but is no timestamp."""
    return value not in (None, "") and try_millis(value) is None
