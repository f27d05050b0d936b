import json

from odoo import api, fields, models

from .hubspot_binding_mixin import HUBSPOT_OBJECT_TYPES

COUNTERS = ("created", "updated", "linked", "skipped", "excluded", "unlinked", "pending", "failed", "archived")


class HubspotSyncRun(models.Model):
    """One run of the sync for one account, object type and direction."""

    _name = "hubspot.sync.run"
    _description = "HubSpot Sync Run"
    _order = "id desc"
    _rec_name = "display_name"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True, readonly=True)
    direction = fields.Selection([("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot")], default="in", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("partial", "Done with errors"), ("failed", "Failed")],
        default="running",
        readonly=True,
    )
    started_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    ended_at = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, aggregator="avg")
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    linked_count = fields.Integer(string="Linked", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    excluded_count = fields.Integer(string="Excluded", readonly=True)
    unlinked_count = fields.Integer(string="Unlinked", readonly=True)
    pending_count = fields.Integer(string="Pending Review", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    archived_count = fields.Integer(string="Archived", readonly=True)
    api_calls = fields.Integer(string="API Calls", readonly=True)
    message = fields.Text(readonly=True)
    error_ids = fields.One2many("hubspot.sync.error", "run_id", string="Errors", readonly=True)

    @api.depends("account_id", "object_type", "started_at")
    def _compute_display_name(self):
        labels = dict(HUBSPOT_OBJECT_TYPES)
        for run in self:
            run.display_name = f"{run.account_id.name} / {labels.get(run.object_type, '')} / {run.started_at or ''}"

    def _log_error(self, hubspot_id, reason, payload=None, res_id=False):
        """One record this run could not sync: which, why, and what was sent or received.
        The engine counts it; the next run retries it."""
        self.ensure_one()
        return (
            self.env["hubspot.sync.error"]
            .sudo()
            .create(
                {
                    "run_id": self.id,
                    "account_id": self.account_id.id,
                    "object_type": self.object_type,
                    "direction": self.direction,
                    "hubspot_id": hubspot_id and str(hubspot_id),
                    "res_id": res_id,
                    "reason": str(reason)[:2000],
                    "payload": _payload(payload),
                }
            )
        )

    def _finish(self, api_calls, state=None, message=None):
        ended = fields.Datetime.now()
        self.write(
            {
                "ended_at": ended,
                "duration": (ended - self.started_at).total_seconds(),
                "api_calls": api_calls,
                "state": state or ("partial" if self.failed_count else "done"),
                "message": message or False,
            }
        )

    def _summary(self):
        self.ensure_one()
        parts = [f"{name}: {self[f'{name}_count']}" for name in COUNTERS if self[f"{name}_count"]]
        return ", ".join(parts) or self.env._("nothing changed")


class HubspotSyncError(models.Model):
    """A record a run could not sync: which, why, and what HubSpot sent."""

    _name = "hubspot.sync.error"
    _description = "HubSpot Sync Error"
    _order = "id desc"

    run_id = fields.Many2one("hubspot.sync.run", ondelete="cascade", index=True, readonly=True)
    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, readonly=True)
    direction = fields.Selection([("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot")], readonly=True)
    hubspot_id = fields.Char(string="HubSpot ID", index=True, readonly=True)
    res_id = fields.Integer(string="Odoo Record ID", readonly=True)
    reason = fields.Text(readonly=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection(
        [("open", "To retry"), ("resolved", "Resolved")], default="open", index=True, readonly=True
    )

    def action_retry(self):
        """Sync these records again now (the next run would also retry them)."""
        self.env["hubspot.account"]._check_hubspot_rights(records=self)
        engine = self.env["hubspot.sync.engine"]
        for (account, object_type), errors in (
            self.filtered(lambda e: e.state == "open").grouped(lambda e: (e.account_id, e.object_type)).items()
        ):
            engine._retry_errors(account, object_type, errors)
        return True


def _payload(payload):
    if payload is None:
        return False
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str, ensure_ascii=False)
    return text[:20000]
