"""HubSpot's property values made safe to store.

HubSpot sends every property value as a string. Some strings no database column can
hold: PostgreSQL refuses text with a NUL byte (``\\x00``), and a lone UTF-16 surrogate
cannot be encoded at all. Such characters carry no meaning: they are removed (NUL) or
replaced (surrogate, with U+FFFD) before anything is stored. Numbers are another
matter: "NaN", "inf" or "1e400" are no amount anyone meant, so :func:`finite_number`
tells them apart and the caller refuses the record.
"""

import math
import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_DOMAIN_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)


def domain_of(website):
    """``https://www.Acme.com/about`` -> ``acme.com`` (False when there is none)."""
    match = _DOMAIN_RE.match((website or "").strip())
    return match.group(1).lower() if match and "." in match.group(1) else False


def clean_text(text):
    """``text`` without NUL bytes, lone surrogates replaced by U+FFFD."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", text)


def clean_value(value):
    """A property value as the text HubSpot sends (None stays None), safe to store."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = str(value)
    return clean_text(value)


def clean_record(record):
    """A copy of a HubSpot record (``{"id", "properties", ...}``) whose property values are safe to store."""
    props = record.get("properties")
    if not props:
        return record
    return dict(record, properties={name: clean_value(value) for name, value in props.items()})


def finite_number(value):
    """The float a property value stands for; None when it is none, or not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
