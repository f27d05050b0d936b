from odoo import api, fields, models

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES


class HubspotApiUsage(models.Model):
    """The connector's own count of HubSpot API calls, per account and day (UTC).

    Each finished run adds a row (runs that leave no row in the list count too), so two
    jobs of one account never update the same row; the autovacuum then merges each past
    day into one row per object type. The account's dashboard and the graph of calls per
    day read it.
    """

    _name = "hubspot.api.usage"
    _description = "HubSpot API Usage"
    _order = "date desc, id desc"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    date = fields.Date(required=True, index=True, readonly=True, default=fields.Date.today)
    object_type = fields.Selection(
        HUBSPOT_OBJECT_TYPES, readonly=True, help="The object type of the run; empty: an action such as a refresh."
    )
    calls = fields.Integer(string="API Calls", readonly=True, aggregator="sum")

    @api.model
    def _count(self, account, calls, object_type=False):
        """``calls`` more API calls of ``account`` today."""
        if calls > 0:
            self.sudo().create({"account_id": account.id, "object_type": object_type or False, "calls": calls})

    @api.model
    def _calls_today(self, account):
        groups = self.sudo()._read_group(
            [("account_id", "=", account.id), ("date", "=", fields.Date.today())], aggregates=["calls:sum"]
        )
        return groups[0][0] or 0

    @api.autovacuum
    def _gc_merge_days(self):
        """One row per account, past day and object type (today's rows are still being added)."""
        groups = self.sudo()._read_group(
            [("date", "<", fields.Date.today())], ["account_id", "date:day", "object_type"], ["id:array_agg"]
        )
        for _account, _day, _object_type, ids in groups:
            if len(ids) > 1:
                rows = self.sudo().browse(sorted(ids))
                rows[0].calls = sum(rows.mapped("calls"))
                rows[1:].unlink()
