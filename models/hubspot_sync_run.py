import json

from odoo import api, fields, models
from odoo.fields import Domain

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES

COUNTERS = ("created", "updated", "linked", "skipped", "excluded", "unlinked", "pending", "failed", "archived")
# What a run changed in Odoo or HubSpot (the dashboard's "last change").
CHANGES = ("created", "updated", "linked", "unlinked", "pending", "archived")
DIRECTIONS = [("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot")]
FIGURES = (
    "object_type",
    "direction",
    "from_job",
    "state",
    "started_at",
    "ended_at",
    "duration",
    "api_calls",
    *(f"{name}_count" for name in COUNTERS),
)


class HubspotSyncRun(models.Model):
    """One run of the sync for one account, object type and direction."""

    _name = "hubspot.sync.run"
    _description = "HubSpot Sync Run"
    _order = "id desc"
    _rec_name = "display_name"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, default="in", readonly=True)
    from_job = fields.Boolean(
        string="Sync Job",
        readonly=True,
        help="A run of the object type's sync job (schedule, Sync now or webhook), which checks every change; "
        "not a retry or the records of one accepted company.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        runs = super().create(vals_list)
        # A job's run holds its checkpoint's lock: the only writer of its dashboard line.
        for run in runs.filtered("from_job"):
            self.env["hubspot.sync.status"]._for_run(run)
        return runs

    def _finish(self, api_calls, state=None, message=None):
        """Close the run; count its API calls for the day; a job's run updates its dashboard line.

        Returns the run as kept: this record, or for a run that changed nothing and failed
        nothing (no message either) its :class:`RunFigures` (its row goes: the list shows what happened, the
        account's dashboard when each type was last checked, the API usage its calls).
        """
        self.ensure_one()
        ended = fields.Datetime.now()
        values = {
            "ended_at": ended,
            "duration": (ended - self.started_at).total_seconds(),
            "api_calls": api_calls,
            "state": state or ("partial" if self.failed_count else "done"),
            "message": message or False,
        }
        self.write(values)
        self.env["hubspot.api.usage"]._count(self.account_id, api_calls, self.object_type)
        if self.from_job:
            self.env["hubspot.sync.status"]._for_run(self)._record(self)
        # Skipped and excluded records alone are no news: a run looking again at the last minute
        # of changes meets them again.
        if self.state == "failed" or self.message or self.error_ids or any(self[f"{n}_count"] for n in CHANGES):
            return self
        figures = RunFigures(self)
        self.unlink()
        return figures

    @api.model
    def _changed_domain(self):
        """Runs that changed something in Odoo or HubSpot."""
        return Domain.OR([[(f"{name}_count", ">", 0)] for name in CHANGES])

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


class RunFigures:
    """The figures of a run that changed nothing and failed nothing, once its row is gone:
    read like a run's (by the engine's callers: the notification, the bench, the tests)."""

    id = False
    message = False

    def __init__(self, run):
        self.account_id, self.error_ids = run.account_id, run.error_ids
        for name in FIGURES:
            setattr(self, name, run[name])

    def __repr__(self):
        return f"RunFigures({self.object_type}/{self.direction}, {self.api_calls} API calls, nothing changed)"


def _payload(payload):
    if payload is None:
        return False
    text = payload if isinstance(payload, str) else json.dumps(payload, default=str, ensure_ascii=False)
    return text[:20000]
