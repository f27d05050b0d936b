from odoo import fields, models

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES


class HubspotTombstone(models.Model):
    """A linked record deleted in Odoo: the next push archives it in HubSpot.

    The Odoo record is gone, so the push must remember what to archive.
    """

    _name = "hubspot.tombstone"
    _description = "HubSpot Deletion to Push"
    _order = "id"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    hubspot_id = fields.Char(string="HubSpot ID", required=True)
    name = fields.Char()
