"""The outbound pipeline of the sync engine: Odoo records pushed to HubSpot.

:meth:`_push_batch` sends, for a batch of Odoo records of one type, what differs from
HubSpot's last known values (the field mappings and the type's model hook
``_hubspot_outbound_properties``), in batch calls: archives, updates, creates (first linked
to an existing HubSpot record by the spec's ``push_match``, then upserted, so a repeated
push creates nothing twice), then the associations. What HubSpot now holds is remembered
(no echo); the inputs HubSpot refuses are logged on the run and retried.
"""

import logging
import re

from odoo import fields, models

from ..hubspot import timestamps
from ..hubspot.client import modified_property
from .hubspot_field_mapping import SkipRecord
from .hubspot_sync_run_state import SYNC_CONTEXT

_logger = logging.getLogger(__name__)

ODOO_ID_PROPERTY = "odoo_record_id"


class HubspotSyncEngineOutbound(models.AbstractModel):
    _inherit = "hubspot.sync.engine"

    def _ensure_push_properties(self, state, checkpoint):
        """The connector's own HubSpot properties: the Odoo record id (unique, makes
        creation idempotent) and, when asked, the link back to Odoo."""
        wanted = {ODOO_ID_PROPERTY: {"label": "Odoo record", "hasUniqueValue": True}}
        if state.account.link_back and state.account.link_back_property:
            wanted[state.account.link_back_property.strip()] = {"label": "Odoo link"}
        done = set((checkpoint.pushed_properties or "").split(","))
        missing = [name for name in wanted if name not in done]
        if not missing:
            return
        object_type = state.spec.object_type
        existing = {p["name"] for p in state.client.get_properties(object_type)}
        to_create = [name for name in missing if name not in existing]
        if to_create:
            group = state.account._connector_property_group(state.client, object_type)
            for name in to_create:
                definition = {"name": name, "type": "string", "fieldType": "text", "groupName": group}
                state.client.create_property(object_type, dict(definition, **wanted[name]))
        checkpoint.pushed_properties = ",".join(sorted((done | set(wanted)) - {""}))

    def _odoo_id(self, record):
        return f"{self.env['ir.config_parameter'].sudo().get_param('database.uuid', '')[:8]}-{record._name}-{record.id}"

    def _push_candidates(self, state, checkpoint):
        """Ids of the records to look at: changed since the last push (all on the first),
        plus those whose push failed; eligible ones only."""
        spec, account = state.spec, state.account
        domain = [
            *spec.domain,
            *spec.push_domain,
            *self.env[spec.model]._hubspot_push_domain(account),
            "|",
            ("hubspot_id", "=", False),
            "&",
            ("hubspot_linked", "=", True),
            ("hubspot_account_id", "=", account.id),
        ]
        retry = (
            self.env["hubspot.sync.error"]
            .sudo()
            .search(
                [
                    ("account_id", "=", account.id),
                    ("object_type", "=", spec.object_type),
                    ("direction", "=", "out"),
                    ("state", "=", "open"),
                ]
            )
        )
        Model = self.env[spec.model].with_context(active_test=False)
        if "active" not in Model._fields:
            active = []
        elif account.archive_in_hubspot or not spec.archive_inactive:
            active = ["|", ("active", "=", True), ("hubspot_linked", "=", True)]
        else:
            active = [("active", "=", True)]
        changed = list(domain) + active
        if checkpoint.full_import_done and checkpoint.last_modified_at:
            changed.append(("write_date", ">", checkpoint.last_modified_at))
        ids = set(Model.search(changed).ids) | set(Model.search(domain + [("id", "in", retry.mapped("res_id"))]).ids)
        retry.write({"state": "resolved"})  # failing again logs a new line
        return sorted(ids)

    def _push_batch(self, state, records):
        """Send what differs from HubSpot's last known values, in batch calls."""
        spec, client = state.spec, state.client
        mappings = state.mappings_for(spec.object_type)
        updates, creates, archives = [], [], []
        for record in records:
            if spec.archive_inactive and not record[record._active_name or "id"]:
                if record.hubspot_linked:
                    archives.append(record)
                continue
            try:
                props = self._outbound_props(state, record, mappings)
            except SkipRecord as reason:
                state.count("skipped")
                _logger.debug("HubSpot %s: %s not pushed: %s", spec.object_type, record, reason)
                continue
            if record.hubspot_id:
                if props:
                    updates.append((record, props))
            else:
                creates.append((record, props))
        if archives:
            result = client.batch_archive(spec.object_type, [r.hubspot_id for r in archives])
            for record in archives:
                record._hubspot_unlink("deleted")
            state.count("archived", len(archives) - len(result.errors))
        if updates:
            result = client.batch_update(spec.object_type, [{"id": r.hubspot_id, "properties": p} for r, p in updates])
            self._store_push(state, updates, result, key=lambda row: str(row["id"]), by=lambda r: r.hubspot_id)
        if creates:
            self._push_creates(state, creates)
        self._push_associations(state, records.filtered("hubspot_linked"))

    def _outbound_props(self, state, record, mappings):
        """HubSpot property values to send for ``record`` under the field rules."""
        # Conflicts were settled by the inbound step that runs just before (per record, the
        # side changed last wins, a tie goes to HubSpot): what still differs from HubSpot's
        # last known values is Odoo's to send.
        last = record.hubspot_last_values or {}
        props = {}
        for mapping in mappings:
            if mapping.rule in ("hubspot", "none"):
                continue
            for prop, value in mapping.to_hubspot(record, state.cache).items():
                if mapping.rule == "prefer_hubspot" and record.hubspot_id and (last.get(prop) or ""):
                    continue
                if not mapping.same_in_hubspot(value, last.get(prop)):
                    props[prop] = value
        for prop, value in self.env[state.spec.model]._hubspot_outbound_properties(state, record).items():
            if value is None:
                props.pop(prop, None)  # HubSpot's to compute
            elif (value or "") != (last.get(prop) or ""):
                props[prop] = value
        for assoc in state.spec.associations:
            target = record[assoc.field] if assoc.property else None
            if (  # only a target HubSpot knows; none never clears HubSpot's (like the v4 associations)
                target
                and target.hubspot_linked
                and target.hubspot_account_id == state.account
                and target.hubspot_object_type == assoc.to_type
                and target.hubspot_id != (last.get(assoc.property) or "")
            ):
                props[assoc.property] = target.hubspot_id
        account = state.account
        if not record.hubspot_id:
            props[ODOO_ID_PROPERTY] = self._odoo_id(record)
        if account.link_back and account.link_back_property:
            url = f"{record.get_base_url()}/odoo/{record._name}/{record.id}"
            if url != (last.get(account.link_back_property) or ""):
                props[account.link_back_property] = url
        return props

    def _push_creates(self, state, creates):
        """New records: link to an existing HubSpot record first (companies by domain, products
        by SKU: the spec's ``push_match``); then upsert (idempotent: by email for contacts, else
        by the Odoo record id property)."""
        spec, client = state.spec, state.client
        if spec.push_match:
            creates = self._link_existing(state, creates)
        by_email = [(r, p) for r, p in creates if spec.upsert_by_email and p.get("email")]
        by_odoo_id = [(r, p) for r, p in creates if (r, p) not in by_email]
        for id_property, items, key in (("email", by_email, "email"), (ODOO_ID_PROPERTY, by_odoo_id, ODOO_ID_PROPERTY)):
            if not items:
                continue

            def unique(value, key=key):
                return (value or "").lower() if key == "email" else value

            key_of = {r.id: unique(p[key]) for r, p in items}
            inputs = [{"id": key_of[r.id], "properties": p} for r, p in items]
            result = client.batch_upsert(spec.object_type, inputs, id_property)
            self._store_push(
                state,
                items,
                result,
                key=lambda row, key=key, unique=unique: unique((row.get("properties") or {}).get(key)),
                by=lambda r, key_of=key_of: key_of[r.id],
                creating=True,
            )

    def _link_existing(self, state, creates):
        """Before creating records, look for HubSpot records with the same value of each
        ``push_match`` property in turn, e.g. companies with the same domain, then the same
        name (search ``IN`` takes lower-case values, 100 at a time)."""
        object_type = state.spec.object_type
        found, pending = {}, list(creates)
        for prop in state.spec.push_match:
            wanted = {}
            for record, props in pending:
                key = (props.get(prop) or "").strip().lower()
                if key:
                    wanted.setdefault(key, []).append(record)
            keys, rows = sorted(wanted), {}
            for start in range(0, len(keys), 100):
                body = state.client.search(
                    object_type,
                    [{"filters": [{"propertyName": prop, "operator": "IN", "values": keys[start : start + 100]}]}],
                    properties=[*state.spec.push_match, modified_property(object_type)],
                )
                for row in body.get("results") or []:
                    rows.setdefault((row["properties"].get(prop) or "").strip().lower(), row)
            for key, records in wanted.items():
                for record in records if key in rows else ():
                    found.setdefault(record.id, rows[key])
            pending = [(r, p) for r, p in pending if r.id not in found]
        remaining = []
        for record, props in creates:
            row = found.get(record.id)
            if row and not self._bindings(state.account, state.spec, [row["id"]]):
                record._hubspot_bind(state.account, object_type, row["id"])
                state.count("linked")
                result = state.client.batch_update(object_type, [{"id": row["id"], "properties": props}])
                self._store_push(
                    state, [(record, props)], result, key=lambda r: str(r["id"]), by=lambda r: r.hubspot_id
                )
            else:
                remaining.append((record, props))
        return remaining

    def _store_push(self, state, items, result, key, by, creating=False):
        """Bind and remember what HubSpot now holds; log the inputs HubSpot refused."""
        rows = {key(row): row for row in result.results}
        for record, props in items:
            row = rows.get(by(record))
            if row is None:
                reason = next(
                    (e.message for e in result.errors if by(record) in e.ids or not e.ids), "not in HubSpot's answer"
                )
                existing = _existing_id(reason)
                if (
                    existing
                    and state.spec.upsert_by_email
                    and not self._bindings(state.account, state.spec, [existing])
                ):
                    record._hubspot_bind(
                        state.account, state.spec.object_type, existing
                    )  # 409: the email is taken: link
                    state.count("linked")
                    continue
                self._push_failed(state, record, reason, props)
                continue
            millis = timestamps.try_millis(
                (row.get("properties") or {}).get(modified_property(state.spec.object_type)) or row.get("updatedAt")
            )
            vals = {
                "hubspot_last_values": dict(record.hubspot_last_values or {}, **props),
                "hubspot_remote_modified_ms": millis or 0,
                "hubspot_remote_modified_at": timestamps.parse(millis) if millis else False,
                "hubspot_synced_at": fields.Datetime.now(),
            }
            if creating or not record.hubspot_linked:
                vals.update(self._binding_values(state, state.spec, str(row["id"])))
                state.count("linked" if row.get("new") is False else "created")
            else:
                state.count("updated")
            record.with_context(**SYNC_CONTEXT).write(vals)

    def _push_failed(self, state, record, reason, payload):
        state.count("failed")
        state.run._log_error(record.hubspot_id, reason, payload, res_id=record.id)

    def _push_associations(self, state, records):
        """Associate pushed records with what their association fields point to (v4 batch),
        once per change. Only additions are sent: an association made in HubSpot stays."""
        for assoc in state.spec.associations:
            if not assoc.push_type_id:
                continue
            key = f"__{assoc.field}"
            pairs, wanted = [], {}
            for record in records:
                targets = record._hubspot_push_targets(assoc).filtered(
                    lambda t, to_type=assoc.to_type: t.hubspot_linked
                    and t.hubspot_account_id == state.account
                    and t.hubspot_object_type == to_type
                    and t.hubspot_id
                )
                ids = sorted(set(targets.mapped("hubspot_id")))
                known = set(filter(None, ((record.hubspot_last_values or {}).get(key) or "").split(",")))
                if ids and set(ids) != known:
                    wanted[record] = ",".join(ids)
                    pairs += [(record.hubspot_id, target) for target in ids if target not in known]
            if not wanted:
                continue
            result = (
                state.client.create_associations(
                    state.spec.object_type, assoc.to_type, pairs, type_id=assoc.push_type_id
                )
                if pairs
                else None
            )
            if result is None or not result.errors:
                for record, ids in wanted.items():
                    record.with_context(**SYNC_CONTEXT).write(
                        {"hubspot_last_values": dict(record.hubspot_last_values or {}, **{key: ids})}
                    )

    def _push_deletions(self, state):
        tombstones = (
            self.env["hubspot.tombstone"]
            .sudo()
            .search([("account_id", "=", state.account.id), ("object_type", "=", state.spec.object_type)])
        )
        if tombstones:
            result = state.client.batch_archive(state.spec.object_type, tombstones.mapped("hubspot_id"))
            state.count("archived", len(tombstones) - len(result.errors))
            tombstones.unlink()


def _existing_id(message):
    match = re.search(r"Existing ID:\s*(\d+)", message or "")
    return match.group(1) if match else None
