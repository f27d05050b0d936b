import logging

from odoo import api, fields, models

from ..hubspot import HubSpotScopeError
from ..hubspot.values import clean_value, finite_number
from .hubspot_sync_spec import PIPELINE_TYPES

_logger = logging.getLogger(__name__)

PIPELINE_LOCK = 0x4853_5049  # advisory lock class of the pipeline refresh ("HSPI")


def _write_changed(record, vals):
    """Write only the values that differ (a refresh that finds nothing new writes nothing)."""
    changed = {name: value for name, value in vals.items() if record[name] != value}
    if changed:
        record.write(changed)


class HubspotPipeline(models.Model):
    """A HubSpot deal or ticket pipeline, cached from the portal (stored by id, shown by label)."""

    _name = "hubspot.pipeline"
    _description = "HubSpot Pipeline"
    _order = "account_id, object_type, sequence, id"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(PIPELINE_TYPES, required=True)
    hubspot_id = fields.Char(string="HubSpot ID", required=True)
    name = fields.Char(string="Label", required=True)
    sequence = fields.Integer()
    archived = fields.Boolean(string="Archived in HubSpot", readonly=True)
    stage_ids = fields.One2many("hubspot.pipeline.stage", "pipeline_id", string="Stages")
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", help="Opportunities of this deal pipeline belong to this team."
    )
    project_id = fields.Many2one("project.project", help="Tasks of this ticket pipeline belong to this project.")

    _account_pipeline_unique = models.Constraint(
        "UNIQUE(account_id, object_type, hubspot_id)", "A pipeline appears once per account."
    )

    def write(self, vals):
        if "project_id" not in vals:
            return super().write(vals)
        mapped = {pipeline: bool(pipeline.project_id) for pipeline in self if pipeline.object_type == "tickets"}
        result = super().write(vals)
        changed = self.browse([p.id for p, had in mapped.items() if bool(p.project_id) != had])
        for account in changed.account_id.sudo():
            # Tickets of a pipeline without project are skipped: they arrive, or leave, at the next run.
            account._reread({"tickets": {"ticket_projects"}})
        return result

    @api.model
    def _refresh(self, account, client, object_types=None):
        """Fetch the portal's deal and ticket pipelines (1 API call per type). Pipelines or
        stages gone from HubSpot are marked archived, never deleted (mappings stay). New
        stages get an Odoo stage suggested by exact label; nothing is ever created in Odoo.

        Only what changed is written, under a transaction lock per account: the deals and
        tickets jobs refresh at the same time, and the caller commits right after."""
        self.env.flush_all()
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", (PIPELINE_LOCK, account.id))
        for object_type, _label in PIPELINE_TYPES:
            if object_types and object_type not in object_types:
                continue
            existing = {
                p.hubspot_id: p
                for p in self.search([("account_id", "=", account.id), ("object_type", "=", object_type)])
            }
            try:
                rows = client.get_pipelines(object_type)
            except HubSpotScopeError:
                # e.g. an app without the tickets scope: its deal pipelines still refresh
                _logger.info("HubSpot account %s: no access to %s pipelines; skipped", account.id, object_type)
                continue
            seen = set()
            for row in rows:
                vals = {
                    "name": clean_value(row.get("label") or row["id"]),
                    "sequence": row.get("displayOrder") or 0,
                    "archived": bool(row.get("archived")),
                }
                pipeline = existing.get(str(row["id"]))
                if pipeline:
                    _write_changed(pipeline, vals)
                else:
                    pipeline = self.create(
                        dict(vals, account_id=account.id, object_type=object_type, hubspot_id=str(row["id"]))
                    )
                seen.add(pipeline.hubspot_id)
                pipeline.stage_ids._sync_stages(pipeline, row.get("stages") or [])
            for hubspot_id, pipeline in existing.items():
                if hubspot_id not in seen and not pipeline.archived:
                    pipeline.archived = True
                    pipeline.stage_ids.filtered(lambda s: not s.archived).archived = True


class HubspotPipelineStage(models.Model):
    _name = "hubspot.pipeline.stage"
    _description = "HubSpot Pipeline Stage"
    _order = "pipeline_id, sequence, id"
    _rec_names_search = ["name", "pipeline_id.name"]

    pipeline_id = fields.Many2one("hubspot.pipeline", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="pipeline_id.account_id", store=True)
    company_id = fields.Many2one(related="pipeline_id.company_id", store=True)
    object_type = fields.Selection(related="pipeline_id.object_type", store=True)
    hubspot_id = fields.Char(string="HubSpot ID", required=True)
    name = fields.Char(string="Label", required=True)
    sequence = fields.Integer()
    probability = fields.Float(help="HubSpot's win probability of the stage (0-100).")
    closed = fields.Boolean(readonly=True)
    outcome = fields.Selection(
        [("open", "Open"), ("won", "Won"), ("lost", "Lost")],
        compute="_compute_outcome",
        store=True,
        help="Closed deal stages with probability 100 % are won, 0 % lost.",
    )
    ticket_state = fields.Selection([("OPEN", "Open"), ("CLOSED", "Closed")], readonly=True)
    archived = fields.Boolean(string="Archived in HubSpot", readonly=True)
    crm_stage_id = fields.Many2one("crm.stage", string="Odoo Stage", help="Deals in this stage get this stage.")
    task_stage_id = fields.Many2one("project.task.type", help="Tickets in this status get this stage.")

    _pipeline_stage_unique = models.Constraint("UNIQUE(pipeline_id, hubspot_id)", "A stage appears once per pipeline.")

    @api.depends("closed", "probability", "object_type")
    def _compute_outcome(self):
        for stage in self:
            if stage.object_type != "deals" or not stage.closed:
                stage.outcome = "open"
            else:
                stage.outcome = "won" if stage.probability >= 100 else "lost" if stage.probability <= 0 else "open"

    @api.depends("name", "pipeline_id.name")
    def _compute_display_name(self):
        for stage in self:
            stage.display_name = f"{stage.pipeline_id.name} / {stage.name}"

    def _sync_stages(self, pipeline, rows):
        existing = {s.hubspot_id: s for s in pipeline.stage_ids}
        seen = set()
        for row in rows:
            meta = row.get("metadata") or {}
            vals = {
                "name": clean_value(row.get("label") or row["id"]),
                "sequence": row.get("displayOrder") or 0,
                "archived": bool(row.get("archived")),
                "probability": (finite_number(meta.get("probability")) or 0.0) * 100,  # NaN or text: none
                "closed": str(meta.get("isClosed", "")).lower() == "true" or meta.get("ticketState") == "CLOSED",
                "ticket_state": meta.get("ticketState") or False,
            }
            stage = existing.get(str(row["id"]))
            if stage:
                _write_changed(stage, vals)
            else:
                stage = self.create(dict(vals, pipeline_id=pipeline.id, hubspot_id=str(row["id"])))
                stage._suggest_odoo_stage()
            seen.add(stage.hubspot_id)
        for hubspot_id, stage in existing.items():
            if hubspot_id not in seen and not stage.archived:
                stage.archived = True

    def _suggest_odoo_stage(self):
        """Map a new stage to the Odoo stage of the same label (case-insensitive), or for a
        won deal stage to Odoo's won stage. Never by fuzzy names; never a new Odoo stage."""
        for stage in self:
            if stage.object_type == "deals":
                found = self.env["crm.stage"].search([("name", "=ilike", stage.name)], limit=1)
                if not found and stage.outcome == "won":
                    found = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
                stage.crm_stage_id = found
            else:
                project = stage.pipeline_id.project_id
                domain = [("name", "=ilike", stage.name)]
                if project:
                    domain.append(("project_ids", "in", project.ids))
                stage.task_stage_id = self.env["project.task.type"].search(domain, limit=1)
