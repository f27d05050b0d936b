"""Paging cursors as HubSpot hands them out: opaque strings, and ``link`` as a full URL.

HubSpot's ``paging.next.after`` is a token the client must pass back unchanged (list
endpoints answer things like ``NTI1Cg``); only search's is a plain offset today, and
that is not a promise. The sandbox wraps its positions the same way, so a client that
builds or computes a cursor fails here before it fails against HubSpot.
"""

import base64
import binascii
from urllib.parse import urlencode

from .errors import bad_request


def encode_cursor(kind, position):
    """An opaque, URL-safe token for ``position`` (an id or an offset) of a ``kind`` of listing."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind, token):
    """The position a token of ``kind`` stands for (a digit string), or 400 for anything else."""
    if token in (None, ""):
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    found_kind, _, position = text.partition(":")
    if found_kind != kind or not position.isdigit():
        raise bad_request(f"Invalid paging cursor {token!r}: pass paging.next.after back unchanged", after=token)
    return position


def next_link(request, after):
    """``paging.next.link``: the full URL of the next page (the same query, the next cursor)."""
    query = [(name, value) for name, values in request.params.items() if name != "after" for value in values]
    return f"{request.base_url}{request.path}?{urlencode([*query, ('after', after)])}"
