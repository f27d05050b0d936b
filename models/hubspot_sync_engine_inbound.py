"""The inbound pipeline of the sync engine: HubSpot records of a batch into Odoo.

:meth:`_import_records` takes a batch of HubSpot records of one type (a stream batch, the
retries, a wizard's records, associated records imported on the way): it re-points merged
records, resolves the associations (importing what Odoo lacks first), finds the bindings and
the duplicates with one query per batch, converts through the field mappings and the type's
model hook (``_hubspot_inbound_values``), updates only what changed and creates the rest in
bulk. One bad record is logged with its reason and payload and never stops the batch.
"""

import logging

from odoo import Command, fields, models

from ..hubspot import timestamps
from ..hubspot.client import modified_property
from ..hubspot.values import clean_record
from .hubspot_field_mapping import SkipRecord
from .hubspot_sync_engine import _is_conflict
from .hubspot_sync_run_state import SYNC_CONTEXT, _same
from .hubspot_sync_spec import SINGULAR, SPECS

_logger = logging.getLogger(__name__)

REMOTE_FIELDS = ("hubspot_remote_modified_at", "hubspot_remote_modified_ms", "hubspot_last_values")


class HubspotSyncEngineInbound(models.AbstractModel):
    _inherit = "hubspot.sync.engine"

    # ---------------------------------------------------------- the batch
    def _process_batch(self, state, records, newest=None):
        """Import one batch of HubSpot records of the run's type; return the newest timestamp."""

        self._refresh_for_unknown(state, records)
        self._import_records(state, state.spec, records)
        prop = modified_property(state.spec.object_type)
        for record in records:
            millis = timestamps.try_millis((record.get("properties") or {}).get(prop))  # garbled: that record failed
            if millis is not None and (newest is None or millis > newest):
                newest = millis
        return newest

    def _refresh_for_unknown(self, state, records):
        """Changed records naming an owner, a pipeline or a stage Odoo does not know (HubSpot added
        it since the last refresh): read those again before importing them, once per run."""
        if not state.scheduled:
            return
        kinds = self._unknown_references(state, records) - state.refreshed
        if kinds:  # the records whose exact version Odoo holds need nothing
            bound = self._bindings(state.account, state.spec, [str(r["id"]) for r in records])
            changed = self._drop_unchanged(state.spec, records, bound, {})
            kinds = self._unknown_references(state, changed) - state.refreshed
        if kinds:
            state.refreshed |= kinds
            self._refresh_catalogue(state, force=kinds)

    def _unknown_references(self, state, records):
        """``{"owners", "pipelines"}``: what these records name that Odoo has not read from HubSpot."""
        spec, cache = state.spec, state.cache
        owner_props = [
            m.properties[0] for m in state.mappings_for(spec.object_type) if m.kind == "owner" and m.properties
        ]
        kinds = set()
        for record in records:
            props = record.get("properties") or {}
            owners = (str(props.get(prop) or "").strip() for prop in owner_props)
            if any(owner and not cache.known_owner(owner) for owner in owners):
                kinds.add("owners")
            if spec.pipeline_properties:
                pipeline_id, stage_id = (str(props.get(prop) or "").strip() for prop in spec.pipeline_properties)
                pipeline = cache.pipeline(spec.object_type, pipeline_id)
                stages = pipeline.stage_ids.mapped("hubspot_id")
                if pipeline_id and (not pipeline or (stage_id and stage_id not in stages)):
                    kinds.add("pipelines")
        return kinds

    def _import_records(self, state, spec, records):
        """Create, update, link, skip or queue ``records`` of ``spec``'s type.

        Returns ``{hubspot id: Odoo record}`` for the records now linked.
        """
        if not records:
            return {}
        records = [clean_record(r) for r in records]  # no NUL byte may reach the database
        if spec is not state.spec:  # associated records imported on the way: the run counts its own type
            state = state.nested(spec)
        account, Model = state.account, self.env[spec.model].with_context(**SYNC_CONTEXT)
        ids = [str(r["id"]) for r in records]
        bound = self._bindings(account, spec, ids + self._merged_ids(records))
        self._repoint_merged(state, spec, records, bound)
        was_linked = {hubspot_id for hubspot_id, record in bound.items() if record.hubspot_linked}
        linked = {}
        if state.skip_unchanged:
            records = self._drop_unchanged(spec, records, bound, linked)
        associated = self._resolve_associations(state, spec, records)
        unmatched = self._update_bound(state, spec, records, bound, associated, linked)
        to_create = self._link_matches(state, spec, unmatched, associated, linked)
        linked.update(self._create(state, spec, Model, to_create))
        self._announce_arrivals(state, spec, [i for i, r in linked.items() if i not in was_linked and r.hubspot_linked])
        return linked

    def _update_bound(self, state, spec, records, bound, associated, linked):
        """Update the records Odoo holds (``bound``) as the field rules say, or exclude, skip or
        unlink them; fill ``linked``. Returns the ``(record, values)`` Odoo holds no record of."""
        mappings = state.mappings_for(spec.object_type)
        excluded = state.excluded_ids.setdefault(spec.object_type, set())
        unmatched = []
        for record in records:
            hubspot_id = str(record["id"])
            existing = bound.get(hubspot_id)
            try:
                if self._is_excluded(state, spec, record, associated):
                    excluded.add(hubspot_id)
                    if existing and existing.hubspot_linked:
                        self._unlink_record(state, existing, "excluded")
                    state.count("excluded")
                    continue
                if existing and not existing.hubspot_linked and existing.hubspot_unlink_reason == "manual":
                    state.count("skipped")  # a user took it out of the sync
                    continue
                values = self._values(state, spec, mappings, record, associated, existing)
            except SkipRecord as reason:
                if existing and existing.hubspot_linked and not reason.waiting:
                    self._unlink_record(state, existing, "filtered")  # no longer qualifies: kept, unlinked
                state.count("skipped")
                _logger.debug("HubSpot %s %s skipped: %s", spec.object_type, hubspot_id, reason)
                continue
            except Exception as error:
                self._record_failed(state, spec, record, error)
                continue
            if existing:
                self._update(state, spec, existing, record, values)
                linked[hubspot_id] = existing
            else:
                unmatched.append((record, values))
        return unmatched

    def _link_matches(self, state, spec, unmatched, associated, linked):
        """Link the new records that match an Odoo record by the duplicate keys (fill ``linked``),
        queue those that wait for review; returns the ``(record, values)`` to create."""
        account, mappings = state.account, state.mappings_for(spec.object_type)
        to_create = []
        matches = self._match_duplicates(state, spec, unmatched)
        for record, values in unmatched:
            hubspot_id = str(record["id"])
            match = matches.get(hubspot_id)
            if match:
                try:  # the field rules of an existing partner apply ("always Odoo" stays)
                    values = self._values(state, spec, mappings, record, associated, match)
                except SkipRecord:
                    state.count("skipped")
                    continue
                except Exception as error:
                    self._record_failed(state, spec, record, error)
                    continue
                self._update(state, spec, match, record, values, link=True)
                linked[hubspot_id] = match
            elif spec.review and account.review_new_companies:
                self._queue_for_review(state, spec, record, values)
            else:
                to_create.append((record, values))
        return to_create

    def _announce_arrivals(self, state, spec, hubspot_ids):
        """Records that came into Odoo (created, matched or linked again): the types whose records
        wait for them (a line item for its deal, a contact for its company with "Only contacts of
        known companies") fetch those at their next run."""
        account = state.account
        followers = [
            follower.object_type
            for follower in SPECS.values()
            if any(a.to_type == spec.object_type and a.waits(account) for a in follower.associations)
            and account._syncs(follower.object_type)
            and account._direction(follower.object_type) != "out"
        ]
        if hubspot_ids and followers:
            self.env["hubspot.sync.request"]._add(account, followers, sorted(hubspot_ids))

    def _records_of_arrivals(self, state, checkpoint):
        """Records whose awaited associated record came into Odoo after they were last changed (a
        line item whose deal entered the deal-stage filter, or was synced before its deal; a contact
        skipped while its company was not in Odoo): the runs or users that linked those asked for
        them (sync requests naming them); fetch them."""
        spec = state.spec
        requests = self.env["hubspot.sync.request"]._of(state.account, spec.object_type).filtered("hubspot_ids")
        if not requests:
            return
        awaited = [a.to_type for a in spec.associations if a.waits(state.account)]
        if checkpoint.full_import_done and awaited:  # the first run reads every record anyway
            arrived = sorted({i for request in requests for i in request.hubspot_ids.split(",") if i})
            pairs = state.client.read_associations(awaited[0], spec.object_type, arrived)
            ids = sorted({i for item_ids in pairs.values() for i in item_ids})
            bound = self._bindings(state.account, spec, ids)
            fetch = [i for i in ids if i not in bound]
            if fetch:
                result = state.client.batch_read(
                    spec.object_type, fetch, properties=state.account._properties_to_read(spec.object_type)
                )
                self._import_records(state, spec, result.results)
        requests.unlink()  # those asked for later stay for the next run
        state.flush_counts()
        self._commit(0)

    @staticmethod
    def _unlink_record(state, record, reason):
        """Take a linked record that no longer qualifies out of the sync (kept in Odoo); it
        comes back when it qualifies again. Counted and named on the run."""
        record._hubspot_unlink(reason)
        state.count("unlinked")
        if state.counting:
            state.unlinked.append((record.display_name, reason))

    def _unlinked_notes(self, state):
        """The run's message names the records it unlinked (the first 20 of each reason)."""
        notes = []
        for reason, label in (
            ("filtered", self.env._("no longer match what syncs")),
            ("excluded", self.env._("excluded in HubSpot")),
        ):
            names = [f"“{name}”" for name, why in state.unlinked if why == reason]
            if names:
                shown = ", ".join(names[:20]) + (self.env._(" and %s more", len(names) - 20) if len(names) > 20 else "")
                notes.append(self.env._("Unlinked, kept in Odoo (%(reason)s): %(names)s.", reason=label, names=shown))
        return notes

    @staticmethod
    def _drop_unchanged(spec, records, bound, linked):
        """Records whose exact HubSpot version Odoo already has need no work (they come
        back when a run looks again at the last minute of changes)."""
        prop = modified_property(spec.object_type)
        fresh = []
        for record in records:
            existing = bound.get(str(record["id"]))
            millis = timestamps.try_millis((record.get("properties") or {}).get(prop))
            if existing and existing.hubspot_linked and millis and existing.hubspot_remote_modified_ms == millis:
                linked[str(record["id"])] = existing
            else:
                fresh.append(record)
        return fresh

    def _repoint_merged(self, state, spec, records, bound):
        """A HubSpot merge gives the survivor a new id: move the Odoo link to it."""
        for record in records:
            survivor = str(record["id"])
            for old_id in self._merged_ids([record]):
                absorbed = bound.pop(old_id, None)
                if not absorbed or old_id == survivor:
                    continue
                if survivor in bound:
                    absorbed._hubspot_unlink("deleted")  # both were in Odoo: keep the survivor's
                    state.count("unlinked")
                else:
                    absorbed.with_context(hubspot_sync=True).write({"hubspot_id": survivor})
                    bound[survivor] = absorbed

    # ------------------------------------------------------- associations
    def _resolve_associations(self, state, spec, records):
        """``{(hubspot id, field): target}``; a target is the Odoo record, or the
        string ``excluded``, ``pending`` (waits for review) or ``missing``. For a
        ``many`` association it is the recordset of every associated record in Odoo."""
        resolved = {}
        for assoc in spec.associations:
            to_spec = SPECS[assoc.to_type]
            if assoc.property:
                pairs = {
                    str(r["id"]): [str((r.get("properties") or {}).get(assoc.property) or "").strip()] for r in records
                }
                pairs = {from_id: ids for from_id, ids in pairs.items() if ids[0]}
            else:
                pairs = state.client.read_associations(spec.object_type, assoc.to_type, [r["id"] for r in records])
            wanted = {  # single-valued: the first id, HubSpot's primary one (the client lists it first)
                str(r["id"]): (pairs.get(str(r["id"])) or [])[: None if assoc.many else 1]
                for r in records
                if assoc.many or pairs.get(str(r["id"]))
            }
            to_ids = {t for ids in wanted.values() for t in ids}
            targets = self._bindings(state.account, to_spec, list(to_ids))
            missing = sorted(t for t in to_ids if t not in targets)
            already_excluded = state.excluded_ids.get(assoc.to_type, set())
            # A company waiting in the review queue is not read again here: the companies job keeps
            # its entry up to date (and jobs of other types never write the same queue rows).
            queued = self.env["hubspot.pending.company"]._waiting_ids(state.account, missing) if to_spec.review else ()
            fetch = [t for t in missing if t not in already_excluded and t not in queued]
            skip_missing = not assoc.import_missing or bool(assoc.skip_flag and state.account[assoc.skip_flag])
            if fetch and not skip_missing:
                fetched = state.client.batch_read(
                    assoc.to_type, fetch, properties=state.account._properties_to_read(assoc.to_type)
                )
                targets.update(self._import_records(state, to_spec, fetched.results))
            excluded = state.excluded_ids.get(assoc.to_type, set())
            waiting = (
                self.env["hubspot.pending.company"]._waiting_ids(state.account, missing) if to_spec.review else set()
            )
            empty = self.env[to_spec.model]
            for from_id, ids in wanted.items():
                if assoc.many:
                    linked = [targets[t] for t in ids if t in targets and targets[t].hubspot_linked]
                    resolved[(from_id, assoc.field)] = empty.union(*linked)
                    continue
                to_id, target = ids[0], targets.get(ids[0])
                if to_id in excluded or (target and target.hubspot_unlink_reason == "excluded"):
                    resolved[(from_id, assoc.field)] = "excluded" if assoc.inherit_exclusion else "missing"
                elif target and target.hubspot_linked:
                    resolved[(from_id, assoc.field)] = target
                elif to_id in waiting:
                    resolved[(from_id, assoc.field)] = "pending"
                else:
                    resolved[(from_id, assoc.field)] = "missing"
        return resolved

    def _is_excluded(self, state, spec, record, associated):
        if spec.exclusion and state.account._is_excluded_record(record):
            return True
        targets = [associated.get((str(record["id"]), a.field)) for a in spec.associations if a.inherit_exclusion]
        return any(isinstance(t, str) and t == "excluded" for t in targets)

    # ------------------------------------------------------------- values
    def _values(self, state, spec, mappings, record, associated, existing):
        """Odoo values for ``record`` from the mappings and the field rules."""
        props = record.get("properties") or {}
        creating = not existing
        self._check_modified_date(spec, record)
        remote_at = self._remote_modified_at(spec, record)
        local_newer = self._local_newer(spec, record, existing)
        values = {}
        for mapping in mappings:
            rule = mapping.rule
            if rule == "none":
                continue
            value = mapping.to_odoo(props, state.cache)  # may raise SkipRecord (required / unmapped)
            if value is None:
                continue  # no opinion (e.g. an owner with no Odoo user): keep what Odoo has
            if not creating:
                if rule == "odoo" or (
                    rule == "two_way" and local_newer and self._odoo_changed(state, mapping, existing)
                ):
                    continue
                if rule == "prefer_hubspot" and value in (False, None, ""):
                    continue
            values[mapping.field_name] = value
        if not values.get("name") and (creating or "name" in values):
            values["name"] = self._fallback_name(spec, props, record)
        for assoc in spec.associations:
            target = associated.get((str(record["id"]), assoc.field))
            if assoc.many:
                if target is not None and not (existing and local_newer):  # Odoo's newer choice is pushed
                    values[assoc.field] = [Command.set(target.ids)]
            elif isinstance(target, models.BaseModel):
                values[assoc.field] = target.id
            elif target == "pending":
                raise SkipRecord(self.env._("its %s waits for review", assoc.to_type), waiting=True)
            elif assoc.required or (target == "missing" and assoc.skip_flag and state.account[assoc.skip_flag]):
                raise SkipRecord(self.env._("its %s is not in Odoo", assoc.to_type))
        values.update(self.env[spec.model]._hubspot_inbound_values(state, record, existing, values))
        values["hubspot_remote_modified_at"] = remote_at
        values["hubspot_remote_modified_ms"] = (
            timestamps.try_millis(props.get(modified_property(spec.object_type))) or 0
        )
        values["hubspot_last_values"] = dict(
            existing.hubspot_last_values or {} if existing else {},
            **{prop: props.get(prop) or "" for mapping in mappings for prop in mapping.properties},
            **{prop: props.get(prop) or "" for prop in spec.outbound_properties},
            **self._association_memory(spec, record, associated),
        )
        return values

    @staticmethod
    def _association_memory(spec, record, associated):
        """The associations HubSpot holds, as the push remembers them (so it never sends them back)."""
        memory = {}
        for assoc in spec.associations:
            target = associated.get((str(record["id"]), assoc.field))
            if assoc.push_type_id and isinstance(target, models.BaseModel) and target:
                memory[f"__{assoc.field}"] = ",".join(sorted(set(target.mapped("hubspot_id"))))
        return memory

    def _check_modified_date(self, spec, record):
        """A record whose last-modified date is no timestamp fails (it cannot be ordered
        against Odoo's changes); the run goes on with the others."""
        prop = modified_property(spec.object_type)
        value = (record.get("properties") or {}).get(prop)
        if timestamps.is_garbled(value):
            raise ValueError(
                self.env._("HubSpot property %(prop)s: “%(value)s” is not a date and time", prop=prop, value=value)
            )

    @staticmethod
    def _remote_modified_at(spec, record):
        remote_at = timestamps.try_parse((record.get("properties") or {}).get(modified_property(spec.object_type)))
        return remote_at and remote_at.replace(microsecond=0)  # Odoo keeps whole seconds

    def _local_newer(self, spec, record, existing):
        """Two-way, newest wins: was the Odoo record changed after the last sync and after HubSpot's change?"""
        remote_at = self._remote_modified_at(spec, record)
        if not (existing and existing.hubspot_synced_at and existing.write_date and remote_at):
            return False
        # Whole seconds on every side: the sync's own write (same second as its hubspot_synced_at,
        # which Odoo keeps in whole seconds) must not look like a later edit in Odoo.
        written = existing.write_date.replace(microsecond=0)
        return written > existing.hubspot_synced_at and written > remote_at

    @staticmethod
    def _odoo_changed(state, mapping, record):
        """Did Odoo change this mapping's field since the sync last saw HubSpot's value? A record
        is written for many reasons (Odoo's own propagation from a company to its contacts, a
        field the sync does not map): only a field whose value differs from HubSpot's last one
        holds a newer value of Odoo's, which HubSpot's older change must not overwrite."""
        last = record.hubspot_last_values or {}
        sent = mapping.to_hubspot(record, state.cache)
        if not sent:
            return True  # no HubSpot spelling (e.g. a user with no HubSpot owner): Odoo's value stays
        return any(not mapping.same_in_hubspot(value, last.get(prop)) for prop, value in sent.items())

    def _fallback_name(self, spec, props, record):
        for prop in spec.name_fallbacks:
            if props.get(prop):
                return str(props[prop])[:256]
        singular = SINGULAR.get(spec.object_type, spec.object_type)
        return self.env._("HubSpot %(type)s %(id)s", type=singular, id=record["id"])

    # ------------------------------------------------------------- writes
    def _update(self, state, spec, record, remote, values, link=False):
        """Write only what differs; link (bind) a matched record."""
        hubspot_id = str(remote["id"])
        versions = {name: values.get(name, False) for name in REMOTE_FIELDS}
        changed = {
            name: value
            for name, value in values.items()
            if name not in REMOTE_FIELDS and not _same(record, name, value)
        }
        relink = link or not record.hubspot_linked
        try:
            with self.env.cr.savepoint():
                vals = dict(changed)
                if relink:
                    vals.update(self._binding_values(state, spec, hubspot_id))
                    vals.update(record._hubspot_link_values(state))
                if vals or record.hubspot_remote_modified_ms != versions["hubspot_remote_modified_ms"]:
                    vals.update(versions)
                    if changed:
                        vals["hubspot_synced_at"] = fields.Datetime.now()
                    record.with_context(**SYNC_CONTEXT).write(vals)
        except Exception as error:
            self._record_failed(state, spec, remote, error)
            return
        if relink:
            state.count("linked")
        elif changed:
            state.count("updated")

    def _create(self, state, spec, Model, items):
        """Bulk-create new records; fall back to one by one when the bulk fails."""
        if not items:
            return {}
        vals_list = []
        for record, values in items:
            vals = dict(spec.create_values, **values)
            vals.update(self._binding_values(state, spec, str(record["id"])))
            vals.setdefault("company_id", state.account.company_id.id)
            self._default_salesperson(state, Model, vals)
            vals.update(Model._hubspot_create_values(state, record))
            vals_list.append(vals)
        created = {}
        try:
            with self.env.cr.savepoint():
                for (record, _values), new in zip(items, Model.create(vals_list), strict=True):
                    created[str(record["id"])] = new
        except Exception as error:
            if _is_conflict(error):
                raise  # another job created the same records: the step is redone, and links them
            created = {}
            for (record, _values), vals in zip(items, vals_list, strict=True):
                try:
                    with self.env.cr.savepoint():
                        created[str(record["id"])] = Model.create(vals)
                except Exception as error:
                    self._record_failed(state, spec, record, error)
        state.count("created", len(created))
        return created

    @staticmethod
    def _default_salesperson(state, Model, vals):
        """A new record without a salesperson (its HubSpot owner is no Odoo user) gets the account's."""
        user = state.account.default_user_id
        if not user:
            return
        if "user_id" in Model._fields and not vals.get("user_id"):
            vals["user_id"] = user.id
        elif "user_ids" in Model._fields and not any(cmd[2] for cmd in vals.get("user_ids") or () if len(cmd) > 2):
            vals["user_ids"] = [Command.set(user.ids)]

    def _queue_for_review(self, state, spec, record, values):
        result = self.env["hubspot.pending.company"]._queue(state.account, record, values)
        state.count("pending" if result else "skipped")

    def _record_failed(self, state, spec, record, error):
        if _is_conflict(error):
            raise error  # not this record's fault: another job wrote the same rows; the step is redone
        _logger.info("HubSpot %s %s failed: %s", spec.object_type, record.get("id"), error)
        state.count("failed")
        state.failures[(spec.object_type, str(record.get("id")))] = str(error) or type(error).__name__
        if state.run:
            state.run._log_error(record.get("id"), str(error) or type(error).__name__, record)

    # --------------------------------------------------------- duplicates
    def _match_duplicates(self, state, spec, unmatched):
        """``{hubspot id: Odoo record}`` found by the mapping's duplicate keys.

        Keys of one group must all match; groups are tried in order (e.g.
        companies by domain, then by VAT). One query per group and batch.
        """
        if not unmatched:
            return {}
        groups = {}
        for mapping in state.account._mappings(spec.object_type).filtered("duplicate_key"):
            groups.setdefault(mapping.duplicate_group or 1, []).append(mapping.field_name)
        found = {}
        Model = self.env[spec.model]
        base = [*spec.domain, ("company_id", "in", [state.account.company_id.id, False]), ("hubspot_id", "=", False)]
        taken = set()
        for group in sorted(groups):
            keys = {}
            for record, values in unmatched:
                if str(record["id"]) in found:
                    continue
                key = self._match_key(spec, groups[group], values)
                if key:
                    keys.setdefault(key, str(record["id"]))
            if not keys:
                continue
            search_fields = [spec.match_fields.get(f, (f, None))[0] for f in groups[group]]
            # Stored normalized columns (domain, normalized email) match with "in";
            # raw columns (VAT) case-insensitively.
            ops = ["in" if s != f else "=ilike" for s, f in zip(search_fields, groups[group], strict=True)]
            domain = list(base)
            if len(search_fields) == 1 and ops[0] == "in":
                domain.append((search_fields[0], "in", [k[0] for k in keys]))
            else:
                domain += ["|"] * (len(keys) - 1)
                for key in keys:
                    domain += ["&"] * (len(key) - 1)
                    domain += [
                        (f, "=" if op == "in" else op, v) for f, op, v in zip(search_fields, ops, key, strict=True)
                    ]
            for candidate in Model.search(domain, order="id"):
                key = tuple(
                    self._normalize(spec, f, candidate[spec.match_fields.get(f, (f, None))[0]]) for f in groups[group]
                )
                hubspot_id = keys.get(key)
                if hubspot_id and hubspot_id not in found and candidate.id not in taken:
                    found[hubspot_id] = candidate
                    taken.add(candidate.id)
        return found

    def _match_key(self, spec, field_names, values):
        key = tuple(self._normalize(spec, f, values.get(f), source=True) for f in field_names)
        return key if all(key) else None

    @staticmethod
    def _normalize(spec, field_name, value, source=False):
        if not value:
            return False
        searched, normalizer = spec.match_fields.get(field_name, (field_name, None))
        if normalizer and (source or searched == field_name):
            value = normalizer(value)
        return str(value).strip().lower() if value else False
