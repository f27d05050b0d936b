from odoo import api, fields, models

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES


class HubspotSyncRequest(models.Model):
    """Run this object type of this account at the next cron tick, whatever the schedule.

    *Sync now* and *Start integration* add one per object type; a run that linked new
    records adds one for the types waiting for them (``hubspot_ids``: e.g. the deals
    whose line items to fetch). Insert-only, like the webhook notices: no row is ever
    updated, so a request never conflicts with a running sync; the run that handles a
    request deletes it (one added meanwhile stays for the next tick)."""

    _name = "hubspot.sync.request"
    _description = "HubSpot Sync Request"
    _order = "id"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    hubspot_ids = fields.Char(
        string="HubSpot IDs",
        help="Records of another type that arrived (comma-separated): what waited for them is fetched. "
        "Empty: a run of the whole type (Sync now).",
    )

    @api.model
    def _add(self, account, object_types, hubspot_ids=None):
        """Ask for a run of ``object_types`` of ``account`` (superuser: the caller checked the rights)."""
        ids = ",".join(hubspot_ids) if hubspot_ids else False
        return self.sudo().create(
            [{"account_id": account.id, "object_type": object_type, "hubspot_ids": ids} for object_type in object_types]
        )

    @api.model
    def _of(self, account, object_type):
        return self.sudo().search([("account_id", "=", account.id), ("object_type", "=", object_type)])
