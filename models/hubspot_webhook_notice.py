import base64
import hashlib
import hmac
import math
import re
import time

from odoo import api, fields, models

from ..hubspot import timestamps
from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES, SUBSCRIPTION_TYPES

# Events saying a record is gone: ``contact.privacyDeletion`` (GDPR) skips the recycle bin.
DELETIONS = ("deletion", "privacyDeletion")
SIGNATURE_MAX_AGE_MS = 300_000  # HubSpot's advice: refuse requests signed more than 5 minutes ago
# HubSpot sends at most 100 events a request (a few hundred bytes each, a long text property
# value more): a far larger body is refused unread. A refused request costs no data: the
# scheduled sync still polls.
MAX_BODY_BYTES = 1024 * 1024
MAX_PORTALS = 100  # distinct portal ids one request may name (one per event at most)
SIGNATURE_SHAPE = re.compile(r"[A-Za-z0-9+/]{43}=")  # base64 of an HMAC-SHA256
# HubSpot decodes these escapes in the URI before signing (v3); every other one stays.
URI_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_URI_ESCAPES = re.compile("|".join(URI_DECODED), re.IGNORECASE)


def signature_v3(secret, method, url, body, timestamp):
    """HubSpot's ``X-HubSpot-Signature-v3``: base64 HMAC-SHA256 of method, URL, body and timestamp."""
    message = method.encode() + url.encode() + body + str(timestamp).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def signed_uri(uri):
    """The request URI as HubSpot signs it: as sent, with the escapes of ``URI_DECODED`` decoded."""
    return _URI_ESCAPES.sub(lambda match: URI_DECODED[match.group().upper()], uri)


def header_problem(timestamp, signature, now_ms=None):
    """Why these headers cannot authenticate a request (a short reason), or None. Pure:
    checked before the body is read and before any database work."""
    if not timestamp or not signature:
        return "X-HubSpot-Request-Timestamp and X-HubSpot-Signature-v3 are required"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 15):
        return "the timestamp is not a number of milliseconds"
    now_ms = time.time() * 1000 if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > SIGNATURE_MAX_AGE_MS:
        return "the timestamp is outside the 5-minute window"
    if not SIGNATURE_SHAPE.fullmatch(signature):
        return "the signature is not a base64 HMAC-SHA256"
    return None


def occurred_ms(event, now_ms):
    """When HubSpot says the event's change happened (epoch ms): never later than ``now_ms``,
    which also stands for a missing or malformed ``occurredAt``."""
    value = event.get("occurredAt")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return int(now_ms)
    return int(min(max(value, 0), now_ms))


def portal_ids(events):
    """The distinct portal ids the events name (HubSpot sends them as numbers)."""
    portals = set()
    for event in events:
        portal = event.get("portalId")
        if isinstance(portal, int) and not isinstance(portal, bool) and portal > 0:
            portals.add(str(portal))
    return portals


class HubspotWebhookNotice(models.Model):
    """HubSpot said (webhook) that records of a type changed: sync that type now.

    Insert-only: the webhook adds a row, the next inbound run of that (account, type)
    deletes the rows it saw, but for a change made so shortly before the run that HubSpot's
    search index may not show it yet: that row stays, and the next run looks again. No row
    is ever updated, so a webhook never conflicts with a running sync's writes."""

    _name = "hubspot.webhook.notice"
    _description = "HubSpot Webhook Notice"
    _order = "id"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    deletions = fields.Boolean(help="Records were deleted: the run looks for deletions at once.")
    deleted_ids = fields.Char(help="HubSpot ids announced as deleted (GDPR deletions too): checked by the next run.")
    event_count = fields.Integer()
    occurred_at = fields.Datetime(
        help="When HubSpot made the newest change announced. HubSpot's search index shows a change a few "
        "moments later: a run that may have started before keeps the notice, and the next run looks again."
    )

    @api.model
    def _verified_accounts(self, portals, method, uri, body, timestamp, signature):
        """The running accounts of these portals whose app secret signed this request: one
        query, for the few portals the caller allows, once the headers' shape is checked."""
        if not portals:
            return self.env["hubspot.account"]
        accounts = (
            self.env["hubspot.account"].sudo().search([("portal_id", "in", sorted(portals)), ("state", "=", "running")])
        )
        uri = signed_uri(uri)
        return accounts.filtered(
            lambda a: a._webhook_secret()
            and hmac.compare_digest(
                signature.encode(), signature_v3(a._webhook_secret(), method, uri, body, timestamp).encode()
            )
        )

    @api.model
    def _record(self, accounts, events):
        """One notice per (account, object type) announced; the sync jobs are woken up."""
        engine = self.env["hubspot.sync.engine"]
        now_ms = time.time() * 1000
        wanted, occurred = {}, {}
        for event in events:
            kind, _dot, action = str(event.get("subscriptionType") or "").partition(".")
            object_type = SUBSCRIPTION_TYPES.get(kind)
            for account in accounts.filtered(lambda a, e=event: a.portal_id == str(e.get("portalId"))):
                if object_type in engine._object_models() and account._direction(object_type) != "out":
                    key = (account.id, object_type)
                    deletions, count, gone = wanted.get(key, (False, 0, ()))
                    if action in DELETIONS and event.get("objectId"):
                        gone += (str(event["objectId"]),)
                    wanted[key] = (deletions or action in ("merge", *DELETIONS), count + 1, gone)
                    occurred[key] = max(occurred.get(key, 0), occurred_ms(event, now_ms))
        self.sudo().create(
            [
                {
                    "account_id": a,
                    "object_type": t,
                    "deletions": d,
                    "event_count": n,
                    "deleted_ids": ",".join(g) or False,
                    "occurred_at": timestamps.parse(occurred[a, t]),
                }
                for (a, t), (d, n, g) in wanted.items()
            ]
        )
        for object_type in {t for _a, t in wanted}:
            cron = engine._spec(object_type).cron
            if cron:
                self.env.ref(cron).sudo()._trigger()
        return len(wanted)
