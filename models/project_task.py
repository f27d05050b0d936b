from odoo import api, fields, models


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "hubspot.binding.mixin"]

    hubspot_lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index="btree_not_null",
        copy=False,
        domain="[('type', '=', 'opportunity')]",
        help="The opportunity of this task; a HubSpot ticket's deal when the ticket syncs.",
    )
    hubspot_contact_ids = fields.Many2many(
        "res.partner",
        "project_task_hubspot_contact_rel",
        "task_id",
        "partner_id",
        string="Ticket Contacts",
        copy=False,
        help="Every contact associated with the HubSpot ticket. The customer is the primary one.",
    )
    hubspot_stage_id = fields.Many2one(
        "hubspot.pipeline.stage",
        string="HubSpot Status",
        compute="_compute_hubspot_stage_id",
        store=True,
        index="btree_not_null",
        help="The ticket's status in HubSpot, as last seen or sent.",
    )

    @api.depends("hubspot_last_values", "hubspot_account_id")
    def _compute_hubspot_stage_id(self):
        Stage = self.env["hubspot.pipeline.stage"].sudo()
        keys = {}
        for task in self:
            last = task.hubspot_last_values or {}
            if task.hubspot_account_id and last.get("hs_pipeline_stage"):
                keys[task] = (task.hubspot_account_id.id, str(last.get("hs_pipeline") or ""), last["hs_pipeline_stage"])
        stages = {}
        if keys:
            found = Stage.search(
                [
                    ("account_id", "in", list({k[0] for k in keys.values()})),
                    ("object_type", "=", "tickets"),
                    ("hubspot_id", "in", list({k[2] for k in keys.values()})),
                ]
            )
            stages = {(s.account_id.id, s.pipeline_id.hubspot_id, s.hubspot_id): s.id for s in found}
        for task in self:
            task.hubspot_stage_id = stages.get(keys.get(task), False)

    @api.model
    def _hubspot_sync_only_fields(self):
        return super()._hubspot_sync_only_fields() | {"hubspot_stage_id", "hubspot_contact_ids"}

    @api.model
    def _hubspot_push_domain(self, account):
        """Tasks of the projects mapped to one of the account's ticket pipelines."""
        projects = account.sudo().pipeline_ids.filtered(lambda p: p.object_type == "tickets").project_id
        return [*super()._hubspot_push_domain(account), ("project_id", "in", projects.ids)]

    def _hubspot_ticket_contacts(self):
        """The contacts a pushed ticket is associated with: its contacts and its customer when a person."""
        self.ensure_one()
        person = self.partner_id if self.partner_id and not self.partner_id.is_company else self.partner_id.browse()
        return self.hubspot_contact_ids | person
