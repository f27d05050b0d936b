from odoo import Command, api, fields, models

from .hubspot_field_mapping import SkipRecord


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

    def _hubspot_push_targets(self, assoc):
        if assoc.field == "hubspot_contact_ids":
            return self._hubspot_ticket_contacts()
        return super()._hubspot_push_targets(assoc)

    def _hubspot_ticket_contacts(self):
        """The contacts a pushed ticket is associated with: its contacts and its customer when a person."""
        self.ensure_one()
        person = self.partner_id if self.partner_id and not self.partner_id.is_company else self.partner_id.browse()
        return self.hubspot_contact_ids | person

    # ---------------------------------------------------------- ticket sync
    @api.model
    def _hubspot_inbound_values(self, state, record, existing, values):
        """Project and stage of a ticket's task (its pipeline's project, its status's task
        stage), its customer and its assignees.

        A ticket whose pipeline has no project is skipped (one that was synced is unlinked,
        kept in Odoo). The task moves when the ticket's pipeline or status changed in
        HubSpot, unless Odoo changed the task last (then Odoo's stage is pushed); a status
        HubSpot added since the last refresh, or one with no task stage, keeps Odoo's stage."""
        props = record.get("properties") or {}
        pipeline_id, status_id = str(props.get("hs_pipeline") or ""), str(props.get("hs_pipeline_stage") or "")
        pipeline = state.cache.pipeline("tickets", pipeline_id)
        if not pipeline.project_id:
            state.notes.add(
                self.env._(
                    "Tickets of pipeline “%s” are skipped: choose its project under HubSpot > Configuration > Pipelines.",
                    pipeline.name or pipeline_id,
                )
            )
            raise SkipRecord(self.env._("ticket pipeline %s has no project", pipeline_id))
        extra = self.env["res.partner"]._hubspot_primary_contact(
            values
        )  # the same rule as deals: the contact at the company
        extra.update(self._ticket_assignees(state, record, existing, values))
        last = (existing.hubspot_last_values or {}) if existing else {}
        moved = (pipeline_id, status_id) != (
            str(last.get("hs_pipeline") or ""),
            str(last.get("hs_pipeline_stage") or ""),
        )
        if existing and (not moved or state.engine._local_newer(state.spec, record, existing)):
            return extra
        extra["project_id"] = pipeline.project_id.id
        status = pipeline.stage_ids.filtered(lambda s: s.hubspot_id == status_id)[:1]
        if status.task_stage_id:
            extra["stage_id"] = status.task_stage_id.id
        return extra

    @api.model
    def _ticket_assignees(self, state, record, existing, values):
        """HubSpot has one owner, a task several assignees. The assignees change only when
        the ticket's owner changed in HubSpot: to the owner's user, unless that user is
        one of them already (then they stay); a ticket left without owner unassigns the task."""
        if not existing or "user_ids" not in values:
            return {}
        mapping = next((m for m in state.mappings_for(state.spec.object_type) if m.field_name == "user_ids"), None)
        prop = mapping.properties[0] if mapping and mapping.properties else None
        current = existing.user_ids.ids
        owner_changed = prop and ((record.get("properties") or {}).get(prop) or "") != (
            (existing.hubspot_last_values or {}).get(prop) or ""
        )
        wanted = values["user_ids"][0][2] if values["user_ids"] else []
        if not owner_changed or (wanted and set(wanted) <= set(current)):
            return {"user_ids": [Command.set(current)]}  # no change
        return {"user_ids": [Command.set(wanted)]}

    @api.model
    def _hubspot_outbound_properties(self, state, record):
        """Pipeline and status of a task's ticket, through the pipeline and stage mappings."""
        pipeline, status = self._ticket_target_status(state, record)
        if not pipeline:
            raise SkipRecord(self.env._("project %s has no HubSpot ticket pipeline", record.project_id.display_name))
        props = {"hs_pipeline": pipeline.hubspot_id}
        if status:
            props["hs_pipeline_stage"] = status.hubspot_id
        elif props["hs_pipeline"] != str((record.hubspot_last_values or {}).get("hs_pipeline") or ""):
            raise SkipRecord(self.env._("ticket pipeline %s has no status", pipeline.name))
        return props

    @api.model
    def _ticket_target_status(self, state, record):
        """``(pipeline, status)`` a task's ticket belongs in; the status may be empty.

        The pipeline: the ticket's current one while it maps to the task's project, else
        the first pipeline mapped to that project. The status: the one mapped to the
        task's stage (the current one when several are); with none, the ticket keeps its
        status, and a new ticket starts in the pipeline's first status."""
        pipelines = state.cache.pipelines("tickets").filtered(
            lambda p: not p.archived and p.project_id == record.project_id
        )
        last = record.hubspot_last_values or {}
        current_pipeline = str(last.get("hs_pipeline") or "") if record.hubspot_id else ""
        pipeline = pipelines.filtered(lambda p: p.hubspot_id == current_pipeline)[:1] or pipelines[:1]
        statuses = pipeline.stage_ids.filtered(lambda s: not s.archived)
        current = statuses.filtered(lambda s: s.hubspot_id == str(last.get("hs_pipeline_stage") or ""))
        wanted = statuses.filtered(lambda s: s.task_stage_id and s.task_stage_id == record.stage_id)
        if current and current in wanted:
            return pipeline, current
        if wanted:
            return pipeline, wanted[0]
        if current_pipeline and pipeline.hubspot_id == current_pipeline:
            return pipeline, statuses.browse()
        return pipeline, statuses[:1]
