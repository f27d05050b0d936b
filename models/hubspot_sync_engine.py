"""The one sync engine shared by every object type.

Each HubSpot object type is a :class:`SyncSpec`: which Odoo model and records it
maps to, which properties and associations it needs, how it is matched. The
engine's loop knows nothing type-specific; adding deals or tickets means adding a
spec (and default mappings), not another loop.

Inbound run, per account and object type (``_run_inbound``):

1. take the checkpoint's lock (two workers never sync one account/object at once); read the
   owners and pipelines again if an hour has passed (one job of the account does it);
2. retry the records that failed in earlier runs;
3. stream the records HubSpot changed since the checkpoint, in batches: resolve associations, find bindings and
   duplicates with one query per batch, convert through the field mappings,
   create in bulk and update only what changed; one bad record is logged with its
   reason and payload and never stops the batch;
4. after each batch, move the checkpoint and commit (``ir.cron._commit_progress``):
   a crash loses at most one batch, and the rerun repeats it without duplicates.
   The checkpoint never passes "run start minus a minute": a change that HubSpot's
   search index did not show yet is found by the next run;
5. now and then, look for records deleted in HubSpot and unlink them: hourly the archived
   (recycle bin) listing; daily, and at once for the ids a webhook announced, a batch read of
   the linked ids, which also sees permanent (GDPR) deletions that skip the recycle bin.

Each of these steps ends with a commit; a step whose rows another job of the account wrote at
the same moment is rolled back and done again (``_step``). A run stopped by anything else is
marked failed, with the reason, at once (``_run_died``).
"""

import logging
import random
import re
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import ConcurrencyError, UserError

from ..hubspot import HubSpotAuthError, HubSpotDailyLimitError, HubSpotError, HubSpotScopeError, timestamps
from ..hubspot.client import modified_property
from ..hubspot.values import clean_record
from .hubspot_field_mapping import SkipRecord
from .hubspot_sync_run_state import SYNC_CONTEXT, RunState, _same
from .hubspot_sync_spec import PIPELINE_TYPES, SINGULAR, SPECS

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200
INDEX_LAG_MS = 60_000  # HubSpot's search index lags writes by "a few moments"; clocks drift
ARCHIVE_CHECK_INTERVAL = timedelta(hours=1)
# Permanent deletions: a batch read of every linked id per day costs one call per 100 linked
# records (100,000 linked records: 1,000 calls, 0.16 % of a Professional portal's daily limit).
DELETION_CHECK_INTERVAL = timedelta(days=1)
DELETION_CHECK_CHUNK = 1000  # linked records checked between two commits (10 batch reads)
CATALOGUE_REFRESH_INTERVAL = timedelta(hours=1)  # owners and pipelines; at once when a record names a new one
CATALOGUE_WAIT = (30, 0.5)  # attempts and seconds: a run that needs the refresh another job is doing waits
REMOTE_FIELDS = ("hubspot_remote_modified_at", "hubspot_remote_modified_ms", "hubspot_last_values")
PUSH_BATCH = 100  # HubSpot's batch size
PUSH_MARGIN = timedelta(minutes=5)  # re-examine recent edits: a slow transaction may commit late
ODOO_ID_PROPERTY = "odoo_record_id"
CONFLICT_ATTEMPTS = 5  # a step another job of the account wrote into at the same time is done again


_quiet = threading.local()  # inside a step that repeats itself on a conflict (see _is_conflict)


def _is_conflict(error):
    """Did a concurrent transaction (another job of the account) write the same rows? A
    serialization failure, a deadlock, a lock not available, or the same HubSpot record created
    twice (a unique constraint of the connector's). A new transaction sees the other's work."""
    concurrent = pg_errors.SerializationFailure | pg_errors.DeadlockDetected | pg_errors.LockNotAvailable
    if isinstance(error, concurrent | ConcurrencyError):
        return True
    return isinstance(error, pg_errors.UniqueViolation) and "hubspot" in (error.diag.constraint_name or "")


class _QuietConflicts(logging.Filter):
    """Odoo logs each failed query as an ERROR ("bad query"). A conflict inside a sync step that
    is done again is expected and handled: the engine logs it (INFO), not the database layer."""

    def filter(self, record):
        if getattr(_quiet, "depth", 0) and isinstance(record.args, tuple) and record.args:
            return not (isinstance(record.args[-1], Exception) and _is_conflict(record.args[-1]))
        return True


logging.getLogger("odoo.sql_db").addFilter(_QuietConflicts())


@contextmanager
def _conflicts_handled():
    _quiet.depth = getattr(_quiet, "depth", 0) + 1
    try:
        yield
    finally:
        _quiet.depth -= 1


class HubspotSyncEngine(models.AbstractModel):
    _name = "hubspot.sync.engine"
    _description = "HubSpot Sync Engine"

    @api.model
    def _object_models(self):
        return {object_type: spec.model for object_type, spec in SPECS.items()}

    @api.model
    def _spec(self, object_type):
        return SPECS[object_type]

    # ------------------------------------------------------------ cron entry
    @api.model
    def _cron_sync(self, object_type):
        """Entry point of the crons: every running account that syncs this object type, when its
        schedule is due or a run was asked for (Sync now, Start, a webhook, records that arrived)."""
        accounts = self.env["hubspot.account"].search([("state", "=", "running")])
        for account in accounts.filtered(lambda a: a._syncs(object_type)):
            requests = self.env["hubspot.sync.request"]._of(account, object_type)
            if not requests and not account._sync_due(object_type):
                continue
            asked = requests.filtered(lambda r: not r.hubspot_ids)  # Sync now (the others: the run's own)
            runs = []
            if account._direction(object_type) in ("in", "both"):
                runs.append(self._run_inbound(account, object_type))
            if account._push_allowed(object_type):
                runs.append(self._run_outbound(account, object_type))
            if asked and all(runs):  # a run another worker had: the request waits for the next tick
                asked.unlink()
                self._commit(0)

    # ----------------------------------------------------------- inbound run
    def _run_inbound(self, account, object_type, full=False):
        """One inbound run; returns the ``hubspot.sync.run`` (or None when locked)."""
        spec = SPECS[object_type]
        checkpoint = self.env["hubspot.sync.checkpoint"]._get(account, object_type, "in")
        if not checkpoint._try_lock():
            _logger.info("HubSpot %s/%s: another worker is syncing it; skipped", account.name, object_type)
            return None
        try:
            # The sync writes the link fields, which only the superuser may write (binding mixin).
            return self.sudo()._run_locked(account.sudo(), spec, checkpoint, full)
        except Exception as error:  # any death is told on its run at once; the other runs go on
            return self._run_died(account, spec, "in", error)
        finally:
            checkpoint._unlock()

    def _run_locked(self, account, spec, checkpoint, full):
        run = self._start_run(account, spec, "in")
        client = account._get_client()
        state = RunState(self, account, spec, run, client)
        if not full and checkpoint._reread_ready(account, self):
            state.rereading = checkpoint.reread_serial  # a setting changed which records qualify
            state.notes.add(checkpoint._reread_note())
        state.skip_unchanged = bool(checkpoint.full_import_done) and not full and state.rereading is None
        state.scheduled = True
        notices = (
            self.env["hubspot.webhook.notice"]
            .sudo()
            .search([("account_id", "=", account.id), ("object_type", "=", spec.object_type)])
        )
        try:
            # Each step ends with a commit; a step another job wrote into at the same time is redone.
            self._step(state, self._refresh_catalogue, state)
            self._step(state, self._retry_open_errors, state)
            if spec.review:
                self._step(state, self._import_accepted_companies_records, state)
            self._step(state, self.env[spec.model]._hubspot_before_inbound, state, checkpoint)
            since = None if full or not checkpoint.last_modified_ms else int(checkpoint.last_modified_ms)
            if state.rereading is not None:  # from the start, or where a crashed re-read got
                since = int(checkpoint.reread_cursor_ms) if checkpoint.reread_cursor_ms else None
            state.horizon_ms = timestamps.to_millis(fields.Datetime.now()) - INDEX_LAG_MS
            properties = account._properties_to_read(spec.object_type)
            batch, newest = [], None
            for record in client.iter_modified_since(spec.object_type, since, properties):
                batch.append(record)
                if len(batch) >= BATCH_SIZE:
                    newest = self._step(state, self._batch_step, state, checkpoint, batch, newest)
                    batch = []
            newest = self._step(state, self._batch_step, state, checkpoint, batch, newest, True)
            deletions = any(notices.mapped("deletions"))
            self._step(state, self._check_archived_if_due, state, checkpoint, deletions)
            announced = [i for ids in notices.mapped("deleted_ids") if ids for i in ids.split(",")]
            self._step(state, self._check_deleted, state, checkpoint, announced)
        except (HubSpotAuthError, HubSpotScopeError, HubSpotDailyLimitError, HubSpotError) as error:
            # What was done stays (every record written is bound, so redoing it
            # creates nothing twice); the next run resumes from the checkpoint.
            state.flush_counts()
            run._finish(client.call_count, "failed", account._error_message(error))
            self._commit(0)
            _logger.info("HubSpot %s/%s: run stopped: %s", account.name, spec.object_type, error)
            return run
        return self._step(state, self._end_run, state, notices)  # the run, or its figures when no row stays

    def _batch_step(self, state, checkpoint, batch, newest, final=False):
        """Import a batch, move the checkpoint past it, commit; return the newest timestamp."""
        if batch:
            newest = self._process_batch(state, batch, newest)
        self._advance(state, checkpoint, newest, final=final)
        return newest

    def _end_run(self, state, notices):
        state.flush_counts()
        state.notes.update(self._unlinked_notes(state))
        # What the webhooks announced is done (later notices stay for the next run), except a change
        # HubSpot made after the horizon: its index may not have shown it yet, the next run looks again.
        horizon = timestamps.parse(state.horizon_ms)
        notices.exists().filtered(lambda n: not n.occurred_at or n.occurred_at <= horizon).unlink()
        run = state.run._finish(state.client.call_count, message="\n".join(sorted(state.notes)) or None)
        state.account._notify_run(run)
        self._commit(0)
        return run

    def _refresh_catalogue(self, state, force=()):
        """Read the owners and the pipelines again: hourly, and at once (``force``: "owners",
        "pipelines") when a record names one Odoo does not know. One job of the account reads
        them, in a short transaction of its own, the others meanwhile skip the hourly refresh
        or wait for it (what they need is what it reads)."""
        account = state.account
        noticed = fields.Datetime.now()
        hourly = noticed - CATALOGUE_REFRESH_INTERVAL
        attempts, pause = CATALOGUE_WAIT
        for attempt in range(attempts):
            self._commit(0)  # a new transaction, which sees what a job that held the lock read
            if account._try_lock_catalogue():
                break
            if not force or attempt == attempts - 1:
                return  # another job refreshes them now
            time.sleep(pause)
        done = account._refresh_catalogue(
            state.client,
            owners_since=noticed if "owners" in force else hourly,
            pipelines_since=noticed if "pipelines" in force else hourly,
            pipeline_types=[object_type for object_type, _label in PIPELINE_TYPES if account._syncs(object_type)],
        )
        self._commit(0)  # releases the lock
        if done:
            state.reset_cache()

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

    def _run_died(self, account, spec, direction, error):
        """A run stopped by an error it could not handle (a bug, a lost connection to the database,
        a conflict that outlasted the repetitions, an account without token): what it committed
        stays, and its run says "failed" with the reason at once, written from a fresh cursor (this
        one may be unusable). The next run resumes from the checkpoint."""
        try:
            self.env.cr.rollback()  # an aborted transaction refuses everything, the unlock included
        except pg_errors.Error:  # the connection is gone (and the session's locks with it)
            _logger.info("HubSpot %s/%s: rollback failed", account.name, spec.object_type, exc_info=True)
        if isinstance(error, UserError):
            reason = error.args[0]
        else:
            text = str(error).strip()
            reason = f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
        message = self.env._("The run stopped: %s", reason[:500])
        if isinstance(error, UserError) or _is_conflict(error):
            _logger.info("HubSpot %s/%s: run stopped: %s", account.name, spec.object_type, reason)
        else:
            _logger.error("HubSpot %s/%s: run stopped", account.name, spec.object_type, exc_info=error)
        key = [("account_id", "=", account.id), ("object_type", "=", spec.object_type), ("direction", "=", direction)]
        with self.env.registry.cursor() as cr:
            Run = self.env(cr=cr)["hubspot.sync.run"].sudo()
            dead = Run.search(key + [("state", "=", "running")])  # ours: we hold the lock
            for run in dead:
                run._finish(run.api_calls, "failed", message)
            dead_ids = dead.ids
        return self.env["hubspot.sync.run"].sudo().browse(dead_ids)

    def _step(self, state, step, *args):
        """One step of a run, which ends with a commit. When another job of the account wrote the
        same rows at the same time (see :func:`_is_conflict`), its work is rolled back and done
        again in a new transaction, which sees the other's; a few times, then the run fails."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            saved = state.save()
            try:
                with _conflicts_handled():
                    return step(*args)
            except Exception as error:
                if attempt == CONFLICT_ATTEMPTS or not _is_conflict(error):
                    raise
                self.env.cr.rollback()
                state.restore(saved)
                _logger.info(
                    "HubSpot %s/%s: another job wrote the same rows (%s); done again",
                    state.account.name,
                    state.spec.object_type,
                    type(error).__name__,
                )
                time.sleep(random.uniform(0, 0.1 * 2**attempt))  # apart, so both do not collide again

    def _start_run(self, account, spec, direction):
        """A new run record, committed. We hold the lock: any run of the same account,
        object and direction still marked running died with its worker."""
        Run = self.env["hubspot.sync.run"].sudo()
        key = [("account_id", "=", account.id), ("object_type", "=", spec.object_type), ("direction", "=", direction)]
        Run.search(key + [("state", "=", "running")]).write(
            {"state": "failed", "message": self.env._("Interrupted (the worker stopped); the next run resumed.")}
        )
        run = Run.create(
            {"account_id": account.id, "object_type": spec.object_type, "direction": direction, "from_job": True}
        )
        self._commit(0)
        return run

    def _advance(self, state, checkpoint, newest, final=False):
        """Persist the counts and the checkpoint, then commit the batch."""
        state.flush_counts()
        values = {"last_run_at": fields.Datetime.now()}
        if newest is not None:
            newest = min(newest, state.horizon_ms)
            if final and newest < state.horizon_ms:
                # Every record up to it is done and the search index shows them all: the next run
                # starts after it (records at exactly that time would be read again every run).
                newest += 1
            if not checkpoint.last_modified_ms or newest > int(checkpoint.last_modified_ms):
                values.update(last_modified_ms=str(newest), last_modified_at=timestamps.parse(newest))
        if final:
            values["full_import_done"] = True
        if state.rereading is not None:  # the mark goes with the commit of the re-read's last batch
            values.update(checkpoint._reread_progress(state.rereading, newest, final))
        checkpoint.write(values)
        self._commit(BATCH_SIZE if not final else 0)

    def _commit(self, processed):
        self.env["ir.cron"]._commit_progress(processed)

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
        mappings = state.mappings_for(spec.object_type)
        excluded = state.excluded_ids.setdefault(spec.object_type, set())
        to_create, unmatched = [], []
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
        linked.update(self._create(state, spec, Model, to_create))
        self._announce_arrivals(state, spec, [i for i, r in linked.items() if i not in was_linked and r.hubspot_linked])
        return linked

    def _announce_arrivals(self, state, spec, hubspot_ids):
        """Records that came into Odoo (created, matched or linked again): the types whose records
        wait for them (a line item for its deal) fetch those at their next run."""
        account = state.account
        followers = [
            follower.object_type
            for follower in SPECS.values()
            if any(a.to_type == spec.object_type and a.required for a in follower.associations)
            and account._syncs(follower.object_type)
            and account._direction(follower.object_type) != "out"
        ]
        if hubspot_ids and followers:
            self.env["hubspot.sync.request"]._add(account, followers, sorted(hubspot_ids))

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

    # ------------------------------------------------------------ look-ups
    def _bindings(self, account, spec, ids):
        found = (
            self.env[spec.model]
            .with_context(active_test=False)
            .search(
                [
                    ("hubspot_account_id", "=", account.id),
                    ("hubspot_object_type", "=", spec.object_type),
                    ("hubspot_id", "in", ids),
                ]
            )
        )
        return {r.hubspot_id: r for r in found}

    @staticmethod
    def _merged_ids(records):
        merged = []
        for record in records:
            value = (record.get("properties") or {}).get("hs_merged_object_ids") or ""
            merged += [m.strip() for m in value.replace(",", ";").split(";") if m.strip()]
        return merged

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
    def _binding_values(self, state, spec, hubspot_id):
        return {
            "hubspot_id": hubspot_id,
            "hubspot_account_id": state.account.id,
            "hubspot_object_type": spec.object_type,
            "hubspot_linked": True,
            "hubspot_unlink_reason": False,
            "hubspot_synced_at": fields.Datetime.now(),
        }

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

    # ----------------------------------------------------------- outbound run
    def _run_outbound(self, account, object_type):
        """Push what changed in Odoo since the last push; returns the run (None when locked)."""
        checkpoint = self.env["hubspot.sync.checkpoint"]._get(account, object_type, "out")
        if not checkpoint._try_lock():
            _logger.info("HubSpot %s/%s push: another worker is on it; skipped", account.name, object_type)
            return None
        try:
            return self.sudo()._push_locked(account.sudo(), SPECS[object_type], checkpoint)
        except Exception as error:  # any death is told on its run at once; the other runs go on
            return self._run_died(account, SPECS[object_type], "out", error)
        finally:
            checkpoint._unlock()

    def _push_locked(self, account, spec, checkpoint):
        run = self._start_run(account, spec, "out")
        client = account._get_client()
        state = RunState(self, account, spec, run, client)
        started = fields.Datetime.now()
        try:
            # Each step ends with a commit; a step another job wrote into at the same time is redone.
            ids = self._step(state, self._push_start, state, checkpoint)
            for start in range(0, len(ids), PUSH_BATCH):
                self._step(state, self._push_step, state, ids[start : start + PUSH_BATCH])
        except HubSpotError as error:
            state.flush_counts()
            run._finish(client.call_count, "failed", account._error_message(error))
            self._commit(0)
            _logger.info("HubSpot %s/%s: push stopped: %s", account.name, spec.object_type, error)
            return run
        return self._step(state, self._push_end, state, checkpoint, started)  # the run, or its figures

    def _push_end(self, state, checkpoint, started):
        checkpoint.write({"last_modified_at": started - PUSH_MARGIN, "last_run_at": started, "full_import_done": True})
        state.flush_counts()
        message = None
        if state.cache.unmapped_users:
            message = self.env._(
                "No HubSpot owner for: %s (their records keep HubSpot's owner; map them under Owners).",
                ", ".join(sorted(state.cache.unmapped_users)),
            )
        run = state.run._finish(state.client.call_count, message=message)  # no row if nothing was pushed
        self._commit(0)
        return run

    def _push_start(self, state, checkpoint):
        """The connector's own properties, the deletions, then the ids of the records to look at."""
        self._ensure_push_properties(state, checkpoint)
        self._push_deletions(state)
        ids = self._push_candidates(state, checkpoint)
        state.flush_counts()
        self._commit(0)
        return ids

    def _push_step(self, state, ids):
        records = self.env[state.spec.model].browse(ids).with_context(active_test=False)
        self._push_batch(state, records)
        state.flush_counts()
        self._commit(len(records))

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
            path = assoc.push_path or assoc.field
            for record in records:
                targets = (getattr(record, path)() if path.startswith("_") else record.mapped(path)).filtered(
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

    # ------------------------------------------------------ on demand
    def _import_records_now(self, account, object_type, records):
        """Import or update these raw HubSpot records now (wizards), as the sync would: the caller
        checked the user's rights. Returns ``({id: record}, {(type, id): why that record failed})``."""
        engine, account = self.sudo(), account.sudo()
        spec = SPECS[object_type]
        state = RunState(engine, account, spec, None, account._get_client())
        return engine._import_records(state, spec, records), state.failures

    def _import_company_records(self, account, company_hubspot_id):
        """Import what belongs to one HubSpot company and waited for it (after a pending
        company is accepted): its contacts, and its deals and other records that sync.
        Returns ``{hubspot id: Odoo record}`` of the contacts. Runs as the sync does (the
        caller checked the user's rights)."""
        engine, account = self.sudo(), account.sudo()
        linked = {}
        client = account._get_client()
        for object_type, spec in SPECS.items():
            if not any(a.to_type == "companies" for a in spec.associations):
                continue
            if not account._syncs(object_type):
                continue
            if account._direction(object_type) == "out":
                continue
            ids = client.read_associations("companies", object_type, [company_hubspot_id]).get(
                str(company_hubspot_id), []
            )
            if not ids:
                continue
            run = engine.env["hubspot.sync.run"].create({"account_id": account.id, "object_type": object_type})
            state = RunState(engine, account, spec, run, client)
            result = client.batch_read(object_type, ids, properties=account._properties_to_read(object_type))
            imported = engine._import_records(state, spec, result.results)
            state.flush_counts()
            run._finish(client.call_count)
            if object_type == "contacts":
                linked = imported
        return linked

    def _import_accepted_companies_records(self, state):
        """Accepted companies whose records could not be imported then (HubSpot was down): now."""
        pending = (
            self.env["hubspot.pending.company"]
            .sudo()
            .search(
                [("account_id", "=", state.account.id), ("state", "=", "accepted"), ("followers_pending", "=", True)]
            )
        )
        for company in pending:
            self._import_company_records(state.account, company.hubspot_id)
            company.followers_pending = False
            self._commit(0)

    # ------------------------------------------------------------ retries
    def _retry_open_errors(self, state):
        errors = (
            self.env["hubspot.sync.error"]
            .sudo()
            .search(
                [
                    ("account_id", "=", state.account.id),
                    ("object_type", "=", state.spec.object_type),
                    ("direction", "=", "in"),
                    ("state", "=", "open"),
                ]
            )
        )
        if errors:
            self._retry_with(state, errors)
            state.flush_counts()
            self._commit(0)

    def _retry_errors(self, account, object_type, errors):
        """*Retry* on error lines: sync those records now, in a run of their own, as the sync
        does (the caller checked the user's rights)."""
        engine, account = self.sudo(), account.sudo()
        spec = SPECS[object_type]
        run = engine.env["hubspot.sync.run"].create({"account_id": account.id, "object_type": object_type})
        client = account._get_client()
        state = RunState(engine, account, spec, run, client)
        engine._retry_with(state, errors.sudo())
        state.flush_counts()
        run._finish(client.call_count)

    def _retry_with(self, state, errors):
        ids = sorted({e.hubspot_id for e in errors if e.hubspot_id})
        result = state.client.batch_read(
            state.spec.object_type, ids, properties=state.account._properties_to_read(state.spec.object_type)
        )
        errors.write({"state": "resolved"})  # failing again logs a new line
        self._import_records(state, state.spec, result.results)

    # ---------------------------------------------------------- deletions
    def _check_archived_if_due(self, state, checkpoint, force=False):
        now = fields.Datetime.now()
        recent = checkpoint.last_archive_check_at and now - checkpoint.last_archive_check_at < ARCHIVE_CHECK_INTERVAL
        if recent and not force:
            return
        archived = [str(r["id"]) for r in state.client.iter_objects(state.spec.object_type, archived=True)]
        if archived:
            bound = self._bindings(state.account, state.spec, archived)
            for record in bound.values():
                if record.hubspot_linked:
                    record._hubspot_unlink("deleted")
                    state.count("unlinked")
                    state.count("archived")
        checkpoint.write({"last_archive_check_at": now})
        state.flush_counts()
        self._commit(0)

    def _check_deleted(self, state, checkpoint, announced=()):
        """Permanent and GDPR deletions skip HubSpot's recycle bin, so no archived listing ever
        shows them: batch-read the linked ids and unlink the Odoo records HubSpot no longer has.

        At once for the ids a webhook announced (``announced``); for every linked record once a
        day, in chunks committed one by one, so a run that stops midway resumes where it was."""
        spec = state.spec
        Model = self.env[spec.model].with_context(active_test=False)
        linked = [
            ("hubspot_account_id", "=", state.account.id),
            ("hubspot_object_type", "=", spec.object_type),
            ("hubspot_linked", "=", True),
        ]
        if announced:
            self._unlink_deleted(state, Model.search(linked + [("hubspot_id", "in", list(set(announced)))]))
            state.flush_counts()
            self._commit(0)
        now = fields.Datetime.now()
        last = checkpoint.last_deletion_check_at
        if not last and not checkpoint.deletion_check_cursor:
            checkpoint.last_deletion_check_at = now  # the first import has just read every record
            return
        if not checkpoint.deletion_check_cursor and now - last < DELETION_CHECK_INTERVAL:
            return
        while True:
            cursor = checkpoint.deletion_check_cursor
            chunk = Model.search(linked + [("id", ">", cursor)], order="id", limit=DELETION_CHECK_CHUNK)
            if not chunk:
                break
            last_id = chunk[-1].id  # read before the unlink: deleted lines leave the recordset empty
            self._unlink_deleted(state, chunk)
            checkpoint.deletion_check_cursor = last_id
            state.flush_counts()
            self._commit(len(chunk))
        checkpoint.write({"last_deletion_check_at": now, "deletion_check_cursor": 0})
        self._commit(0)

    def _unlink_deleted(self, state, records):
        """Unlink (as deleted) those of ``records`` whose HubSpot object is gone: missing from a
        batch read, or in a chunk HubSpot answered with 404. Other refusals prove nothing."""
        if not records:
            return
        object_type = state.spec.object_type
        result = state.client.batch_read(
            object_type,
            records.mapped("hubspot_id"),
            properties=[modified_property(object_type), "hs_merged_object_ids"],
        )
        # A merged id reads as its survivor (which lists it): the record is not gone, the next run re-points it.
        present = {str(r["id"]) for r in result.results} | set(self._merged_ids(result.results))
        for error in result.errors:
            if error.inputs and error.status != 404:
                present.update(str(item.get("id")) for item in error.inputs)
            elif not error.inputs and error.category not in (None, "OBJECT_NOT_FOUND"):
                present.update(error.ids)
        gone = records.filtered(lambda r: r.hubspot_id not in present)
        if gone:
            count = len(gone)
            gone._hubspot_unlink("deleted")
            state.count("unlinked", count)
            state.count("archived", count)


def _existing_id(message):
    match = re.search(r"Existing ID:\s*(\d+)", message or "")
    return match.group(1) if match else None
