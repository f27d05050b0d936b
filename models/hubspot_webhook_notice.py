import base64
import hashlib
import hmac
import time

from odoo import api, fields, models

from .hubspot_binding_mixin import HUBSPOT_OBJECT_TYPES

# Events saying a record is gone: ``contact.privacyDeletion`` (GDPR) skips the recycle bin.
DELETIONS = ("deletion", "privacyDeletion")
SIGNATURE_MAX_AGE_MS = 300_000  # HubSpot's advice: refuse requests signed more than 5 minutes ago
# ``company.propertyChange`` -> companies; the object types a webhook can announce.
SUBSCRIPTION_TYPES = {
    "company": "companies",
    "contact": "contacts",
    "deal": "deals",
    "ticket": "tickets",
    "line_item": "line_items",
    "product": "products",
}


def signature_v3(secret, method, url, body, timestamp):
    """HubSpot's ``X-HubSpot-Signature-v3``: base64 HMAC-SHA256 of method, URL, body and timestamp."""
    message = method.encode() + url.encode() + body + str(timestamp).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class HubspotWebhookNotice(models.Model):
    """HubSpot said (webhook) that records of a type changed: sync that type now.

    Insert-only: the webhook adds a row, the next inbound run of that (account, type)
    deletes the rows it saw. No row is ever updated, so a webhook never conflicts with a
    running sync's writes."""

    _name = "hubspot.webhook.notice"
    _description = "HubSpot Webhook Notice"
    _order = "id"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    deletions = fields.Boolean(help="Records were deleted: the run looks for deletions at once.")
    deleted_ids = fields.Char(help="HubSpot ids announced as deleted (GDPR deletions too): checked by the next run.")
    event_count = fields.Integer()

    @api.model
    def _verified_accounts(self, events, method, url, body, timestamp, signature):
        """The running accounts of the events' portals whose app secret signed this request."""
        try:
            age = abs(time.time() * 1000 - int(timestamp))
        except (TypeError, ValueError):
            return self.env["hubspot.account"]
        portals = {str(e.get("portalId")) for e in events if isinstance(e, dict) and e.get("portalId")}
        accounts = (
            self.env["hubspot.account"].sudo().search([("portal_id", "in", list(portals)), ("state", "=", "running")])
        )
        if age > SIGNATURE_MAX_AGE_MS or not signature:
            return accounts.browse()
        return accounts.filtered(
            lambda a: a._webhook_secret()
            and hmac.compare_digest(signature, signature_v3(a._webhook_secret(), method, url, body, timestamp))
        )

    @api.model
    def _record(self, accounts, events):
        """One notice per (account, object type) announced; the sync jobs are woken up."""
        engine = self.env["hubspot.sync.engine"]
        wanted = {}
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
        self.sudo().create(
            [
                {
                    "account_id": a,
                    "object_type": t,
                    "deletions": d,
                    "event_count": n,
                    "deleted_ids": ",".join(g) or False,
                }
                for (a, t), (d, n, g) in wanted.items()
            ]
        )
        for object_type in {t for _a, t in wanted}:
            cron = engine._spec(object_type).cron
            if cron:
                self.env.ref(cron).sudo()._trigger()
        return len(wanted)
