from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .hubspot_webhook_notice import SIGNATURE_MAX_AGE_MS


class HubspotWebhookReceipt(models.Model):
    """The signature of each webhook request done, kept while its timestamp is in the
    5-minute window: the same signed request replayed in that window does nothing twice
    (after it, the window refuses it). Written and read by the webhook only (as superuser)."""

    _name = "hubspot.webhook.receipt"
    _description = "HubSpot Webhook Receipt"
    _log_access = False

    signature = fields.Char(required=True)
    received_at = fields.Datetime(required=True, index=True)

    _signature_unique = models.Constraint("UNIQUE(signature)", "A webhook request is done once.")

    @api.model
    def _claim(self, signature):
        """True the first time this signature comes (the caller does the work), False for
        a replay. Two copies arriving at once: the second waits for the first's commit."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO hubspot_webhook_receipt (signature, received_at) VALUES (%s, %s) "
                "ON CONFLICT (signature) DO NOTHING RETURNING id",
                signature,
                fields.Datetime.now(),
            )
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_outside_window(self):
        """Forget the requests the window refuses by now: a timestamp may lead the clock by up
        to a window, so a request stays replayable two windows after it came (plus a margin)."""
        limit = fields.Datetime.now() - timedelta(milliseconds=3 * SIGNATURE_MAX_AGE_MS)
        self.sudo().search([("received_at", "<", limit)]).unlink()
