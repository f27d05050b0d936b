"""What a HubSpot account syncs, and how: the object types and their directions, the field
mappings and the properties they read, the exclusion, the settings that make a type re-read its
records, the owners and pipelines refresh, the schedule and the notifications after a run."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..hubspot import HubSpotError
from .hubspot_sync_spec import OBJECT_TYPE_IDS, OBJECT_TYPES

CATALOGUE_LOCK = 0x4853_4F57  # advisory lock class of the owners and pipelines refresh ("HSOW")
PROPERTY_GROUP, PROPERTY_GROUP_LABEL = "odoo", "Odoo"  # where the connector's own HubSpot properties go


class HubspotAccountSync(models.Model):
    _inherit = "hubspot.account"

    def _create_default_mappings(self, object_types=None):
        """The out-of-the-box field mappings of every object type (or of ``object_types``)."""
        engine = self.env["hubspot.sync.engine"]
        Fields = self.env["ir.model.fields"].sudo()
        vals_list = []
        for account in self:
            for object_type, model_name in engine._object_models().items():
                if object_types and object_type not in object_types:
                    continue
                spec = engine._spec(object_type)
                for seq, (fname, prop, converter, rule, dup, group) in enumerate(spec.default_mappings, start=1):
                    field = Fields._get(model_name, fname)
                    if not field:
                        continue
                    vals_list.append(
                        {
                            "account_id": account.id,
                            "object_type": object_type,
                            "sequence": seq * 10,
                            "field_id": field.id,
                            "hubspot_property": prop,
                            "converter": converter,
                            "rule": rule,
                            "duplicate_key": dup,
                            "duplicate_group": group or 1,
                        }
                    )
        self.env["hubspot.field.mapping"].sudo().create(vals_list)

    def _mappings(self, object_type):
        """The active mappings of ``object_type``. An account with none at all for it (e.g.
        created before the module knew that type) gets the default ones first."""
        self.ensure_one()
        Mapping = self.env["hubspot.field.mapping"].sudo()
        domain = [("account_id", "=", self.id), ("object_type", "=", object_type)]
        if not Mapping.with_context(active_test=False).search_count(domain, limit=1):
            self._create_default_mappings(object_types=[object_type])
        return Mapping.search(domain + [("rule", "!=", "none")])

    def _properties_to_read(self, object_type):
        """Every HubSpot property the sync of ``object_type`` needs."""
        self.ensure_one()
        spec = self.env["hubspot.sync.engine"]._spec(object_type)
        props = set(spec.extra_properties)
        for mapping in self._mappings(object_type):
            props.update(mapping._properties())
        if spec.exclusion and self.exclude_property:
            props.add(self.exclude_property.strip())
        return sorted(props)

    def _selection_settings(self):
        """``{object type: {reason: value}}``: the settings that decide which HubSpot records of
        each type qualify, as they decide it (a change re-reads the type, see
        :meth:`_reread_changed`)."""
        self.ensure_one()
        engine = self.env["hubspot.sync.engine"]
        exclusion = {
            "setting:exclude_property": (self.exclude_property or "").strip(),
            "setting:exclude_values": self._exclude_values() if (self.exclude_property or "").strip() else None,
        }
        settings = {}
        for object_type in engine._object_models():
            spec = engine._spec(object_type)
            own = {f"switched_on:{object_type}": self._runs_inbound(object_type)}
            if spec.exclusion:
                own.update(exclusion)
            for assoc in spec.associations:
                if assoc.skip_flag:
                    own[f"setting:{assoc.skip_flag}"] = bool(self[assoc.skip_flag])
            own.update(self.env[spec.model]._hubspot_selection(self, object_type))
            settings[object_type] = own
        return settings

    def _reread_changed(self, before, after):
        """Mark for a re-read each type whose qualifying settings changed between ``before`` and
        ``after`` (:meth:`_selection_settings`); a type merely switched off needs nothing."""
        self.ensure_one()
        changes = {}
        for object_type, values in after.items():
            for code, value in values.items():
                if before.get(object_type, {}).get(code) != value and (value or not code.startswith("switched_on:")):
                    changes.setdefault(object_type, set()).add(code)
        self._reread(changes)

    def _reread(self, changes):
        """Mark the inbound checkpoints of the types in ``changes`` (``{object type: {reason}}``)
        for a re-read, and of the types whose records qualify by those records: a contact needs
        its company in Odoo with "Only contacts of known companies", a line item its deal; the
        records of an excluded company are excluded with it. A type switched on again does not
        re-read itself (its checkpoint stopped where it was: nothing passed it), only those others."""
        self.ensure_one()
        engine = self.env["hubspot.sync.engine"]
        specs = {object_type: engine._spec(object_type) for object_type in engine._object_models()}
        marks = {}
        todo = list(changes.items())
        while todo:
            object_type, reasons = todo.pop()
            new = set(reasons) - marks.get(object_type, set())
            if not new:
                continue
            marks.setdefault(object_type, set()).update(new)
            for other, spec in specs.items():
                for assoc in spec.associations:
                    if assoc.to_type != object_type or other == object_type:
                        continue
                    needs = assoc.required or (assoc.skip_flag and self[assoc.skip_flag])
                    inherited = {
                        r for r in new if needs or (assoc.inherit_exclusion and r.startswith("setting:exclude_"))
                    }
                    if inherited:
                        todo.append((other, inherited))
        checkpoints = self.sudo().checkpoint_ids.filtered(lambda c: c.direction == "in")
        for object_type, reasons in marks.items():
            reasons.discard(f"switched_on:{object_type}")
            if reasons:
                checkpoints.filtered(lambda c, t=object_type: c.object_type == t)._mark_reread(reasons)

    def _exclude_values(self):
        return {v.strip().lower() for v in (self.exclude_values or "").split(",") if v.strip()}

    def _is_excluded_record(self, record):
        prop = (self.exclude_property or "").strip()
        if not prop:
            return False
        value = ((record.get("properties") or {}).get(prop) or "").strip().lower()
        return bool(value) and value in self._exclude_values()

    def _exclude_mark(self):
        """``(property, value)`` that *Reject & exclude in HubSpot* writes on a company: the first
        of the exclude values, as listed (``no`` by default, as the property's description says)."""
        self.ensure_one()
        values = [v.strip() for v in (self.exclude_values or "").split(",") if v.strip()]
        return (self.exclude_property or "").strip(), values[0] if values else "no"

    def _mark_excluded_in_hubspot(self, hubspot_ids):
        """Set the exclude property on these HubSpot companies (creating the property if needed)."""
        self.ensure_one()
        prop, value = self._exclude_mark()
        if not prop or not hubspot_ids:
            return
        try:
            client = self._get_client()
            if prop not in {p["name"] for p in client.get_properties("companies")}:
                client.create_property(
                    "companies",
                    {
                        "name": prop,
                        "label": "Sync to Odoo",
                        "type": "string",
                        "fieldType": "text",
                        "groupName": self._connector_property_group(client, "companies"),
                        "description": "Set to “no” to keep this company out of Odoo.",
                    },
                )
            result = client.batch_update("companies", [{"id": i, "properties": {prop: value}} for i in hubspot_ids])
        except HubSpotError as error:
            raise UserError(self._error_message(error)) from None
        if result.errors:
            raise UserError(self.env._("HubSpot refused the exclusion: %s", result.errors[0].message))

    @api.model
    def _connector_property_group(self, client, object_type):
        """The HubSpot property group of the properties the connector creates: its own group
        "Odoo", created once per object type (HubSpot's default group names are not documented)."""
        return client.ensure_property_group(object_type, PROPERTY_GROUP, PROPERTY_GROUP_LABEL)

    def _partner_tag(self):
        return self.env.ref("hubspot_connector.res_partner_category_hubspot", raise_if_not_found=False)

    def _deal_stage_allowed(self, stage_hubspot_id, pipeline_hubspot_id=None):
        """The deal-stage filter: does a deal in this stage sync?"""
        self.ensure_one()
        if self.deal_stage_filter == "all":
            return True
        if self.deal_stage_filter == "none":
            return False
        return any(
            s.hubspot_id == str(stage_hubspot_id)
            and (pipeline_hubspot_id is None or s.pipeline_id.hubspot_id == str(pipeline_hubspot_id))
            for s in self.sudo().deal_stage_ids
        )

    def _synced_types(self):
        """The object types this account syncs."""
        return [t for t in self.env["hubspot.sync.engine"]._object_models() if self._syncs(t)]

    def _synced_pairs(self):
        """The (object type, direction) pairs this account's sync jobs run, in the object types' order."""
        self.ensure_one()
        order = OBJECT_TYPES
        pairs = []
        for object_type in self._synced_types():
            if not self.env["hubspot.sync.engine"]._spec(object_type).cron:
                continue
            direction = self._direction(object_type)
            pairs += [(object_type, d) for d in ("in", "out") if direction in (d, "both")]
        return sorted(pairs, key=lambda pair: order.index(pair[0]))

    def _type_label(self, object_type, direction):
        """e.g. "Company (HubSpot → Odoo)", as the runs list names them (``direction``: in, out or both)."""
        types = dict(self.env["hubspot.sync.run"]._fields["object_type"]._description_selection(self.env))
        directions = dict(self._fields["companies_direction"]._description_selection(self.env))
        return f"{types.get(object_type, object_type)} ({directions.get(direction, direction)})"

    def _direction(self, object_type):
        """HubSpot → Odoo for the types that cannot be pushed yet."""
        self.ensure_one()
        name = f"{object_type}_direction"
        return self[name] if name in self._fields else "in"

    def _inbound_done(self, object_type):
        """The first full import of ``object_type`` has finished."""
        self.ensure_one()
        return any(
            c.object_type == object_type and c.direction == "in" and c.full_import_done
            for c in self.sudo().checkpoint_ids
        )

    def _runs_inbound(self, object_type):
        """Does this account's sync job import ``object_type`` (switched on, from HubSpot)?"""
        self.ensure_one()
        return self._syncs(object_type) and self._direction(object_type) in ("in", "both")

    def _push_allowed(self, object_type):
        """Pushing starts once "both directions" has imported and matched (the sources' advice)."""
        direction = self._direction(object_type)
        return direction == "out" or (direction == "both" and self._inbound_done(object_type))

    def _sync_due(self, object_type):
        self.ensure_one()
        notices = self.env["hubspot.webhook.notice"].sudo()
        if notices.search_count([("account_id", "=", self.id), ("object_type", "=", object_type)], limit=1):
            return True  # HubSpot announced changes: now, whatever the schedule
        runs = [c.last_run_at for c in self.sudo().checkpoint_ids if c.object_type == object_type and c.last_run_at]
        if not runs:
            return True
        # A little slack so a 5-minute job never skips a 5-minute account.
        due = max(runs) + timedelta(minutes=int(self.sync_interval)) - timedelta(seconds=30)
        return fields.Datetime.now() >= due

    def _try_lock_catalogue(self):
        """Take the transaction lock of this account's owners and pipelines refresh; False when
        another job holds it (it refreshes them right now). The sync jobs of one account run
        at once: the lock and a new transaction (the caller's) make them refresh once."""
        self.ensure_one()
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (CATALOGUE_LOCK, self.id))
        return self.env.cr.fetchone()[0]

    def _refresh_catalogue(self, client, owners_since=None, pipelines_since=None, pipeline_types=()):
        """Read the owners again unless they were read after ``owners_since``, and the pipelines of
        ``pipeline_types`` unless read after ``pipelines_since`` (None: not those). The caller
        holds the lock (:meth:`_try_lock_catalogue`) and commits. Returns what was read."""
        self.ensure_one()
        account = self.sudo()
        started = fields.Datetime.now()  # what HubSpot had at this moment is known afterwards
        vals = {}
        if owners_since and not (account.owners_refreshed_at and account.owners_refreshed_at > owners_since):
            self.env["hubspot.owner"].sudo()._refresh(account, client)
            vals["owners_refreshed_at"] = started
        fresh = account.pipelines_refreshed_at and account.pipelines_refreshed_at > (pipelines_since or started)
        if pipeline_types and pipelines_since and not fresh:
            self.env["hubspot.pipeline"].sudo()._refresh(account, client, pipeline_types)
            vals["pipelines_refreshed_at"] = started
        if vals:
            account.write(vals)
        return {name.split("_")[0] for name in vals}

    def _notify_run(self, run):
        """One inbox notification per run that added or updated records."""
        self.ensure_one()
        if not self.notify_group_id or not (run.created_count or run.updated_count):
            return
        partners = self.notify_group_id.sudo().all_user_ids.partner_id
        if not partners:
            return
        labels = dict(run._fields["object_type"]._description_selection(self.env))
        body = Markup('%s <a href="/odoo/hubspot.sync.run/%s">%s</a>') % (
            self.env._(
                "%(account)s: %(created)s created, %(updated)s updated (%(type)s).",
                account=self.name,
                created=run.created_count,
                updated=run.updated_count,
                type=labels.get(run.object_type),
            ),
            run.id,
            self.env._("Open the run"),
        )
        self.sudo().message_notify(
            partner_ids=partners.ids,
            subject=self.env._("HubSpot sync: %s", labels.get(run.object_type)),
            body=body,
        )

    def _record_url(self, object_type, hubspot_id):
        """The record's page in HubSpot (portal id and UI domain come from the connection test)."""
        self.ensure_one()
        if not (self.portal_id and hubspot_id and object_type in OBJECT_TYPE_IDS):
            return False
        domain = self.ui_domain or "app.hubspot.com"
        return f"https://{domain}/contacts/{self.portal_id}/record/{OBJECT_TYPE_IDS[object_type]}/{hubspot_id}"

    def _portal_label(self):
        """The portal as users know it, for texts: its id and the account's name."""
        self.ensure_one()
        if self.portal_id:
            return self.env._("portal %(portal)s (account “%(account)s”)", portal=self.portal_id, account=self.name)
        return self.env._("the portal of account “%s”", self.name)
