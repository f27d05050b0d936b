"""The one sync engine shared by every object type: cron entry, lock, run, checkpoint, retries,
deletions and the on-demand entries of the wizards.

Each HubSpot object type is a :class:`~.hubspot_sync_spec.SyncSpec` (``hubspot_sync_spec.py``);
what a type does beyond its spec is hooks on its model (``_hubspot_inbound_values``...). The
engine knows no type by name. It is one model in three files: this one, the inbound pipeline
(``hubspot_sync_engine_inbound.py``: a batch of HubSpot records into Odoo) and the outbound one
(``hubspot_sync_engine_outbound.py``: Odoo records pushed to HubSpot). A run carries a
:class:`~.hubspot_sync_run_state.RunState` from step to step.

Inbound run, per account and object type (``_run_inbound``):

1. take the checkpoint's lock (two workers never sync one account/object at once); read the
   owners and pipelines again if an hour has passed (one job of the account does it);
2. retry the records that failed in earlier runs (``_before_stream``);
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
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError

from ..hubspot import HubSpotAuthError, HubSpotDailyLimitError, HubSpotError, HubSpotScopeError, timestamps
from ..hubspot.client import modified_property
from .hubspot_sync_run_state import RunState
from .hubspot_sync_spec import PIPELINE_TYPES, SPECS

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
PUSH_BATCH = 100  # HubSpot's batch size
PUSH_MARGIN = timedelta(minutes=5)  # re-examine recent edits: a slow transaction may commit late
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
        checkpoint = self._checkpoint(account, object_type, "in")
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
        """The inbound run, its checkpoint locked: the steps before the stream, the stream of
        changed records in batches, the deletions, the end. Each step ends with a commit; a step
        another job wrote into at the same time is redone (``_step``)."""
        run = self._start_run(account, spec, "in")
        client = account._get_client()
        state = self._inbound_state(RunState(self, account, spec, run, client), checkpoint, full)
        notices = (
            self.env["hubspot.webhook.notice"]
            .sudo()
            .search([("account_id", "=", account.id), ("object_type", "=", spec.object_type)])
        )
        try:
            self._before_stream(state, checkpoint)
            self._stream(state, checkpoint, full)
            self._check_deletions(state, checkpoint, notices)
        except (HubSpotAuthError, HubSpotScopeError, HubSpotDailyLimitError, HubSpotError) as error:
            return self._run_stopped(state, error)
        return self._step(state, self._end_run, state, notices)  # the run, or its figures when no row stays

    def _inbound_state(self, state, checkpoint, full):
        """The run re-reads every record when a setting changed which records qualify; after the
        first import it skips the records whose exact HubSpot version Odoo holds."""
        account = state.account
        if not full and checkpoint._reread_ready(account, self):
            state.rereading = checkpoint.reread_serial  # a setting changed which records qualify
            state.notes.add(checkpoint._reread_note())
        state.skip_unchanged = bool(checkpoint.full_import_done) and not full and state.rereading is None
        state.scheduled = True
        return state

    def _before_stream(self, state, checkpoint):
        """Owners and pipelines read again when due, the records that failed in earlier runs, the
        records of companies accepted meanwhile, then what the type's model does first."""
        spec = state.spec
        self._step(state, self._refresh_catalogue, state)
        self._step(state, self._retry_open_errors, state)
        if spec.review:
            self._step(state, self._import_accepted_companies_records, state)
        self._step(state, self._records_of_arrivals, state, checkpoint)
        self._step(state, self.env[spec.model]._hubspot_before_inbound, state, checkpoint)

    def _stream(self, state, checkpoint, full):
        """The records HubSpot changed since the checkpoint (all with ``full``; from the re-read's
        cursor when re-reading), in batches: each imported, the checkpoint moved past it, committed."""
        spec, account, client = state.spec, state.account, state.client
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

    def _check_deletions(self, state, checkpoint, notices):
        """Records deleted in HubSpot: the archived ones when due (at once when a webhook announced
        deletions), the permanent deletions daily and the ids a webhook named at once."""
        deletions = any(notices.mapped("deletions"))
        self._step(state, self._check_archived_if_due, state, checkpoint, deletions)
        announced = [i for ids in notices.mapped("deleted_ids") if ids for i in ids.split(",")]
        self._step(state, self._check_deleted, state, checkpoint, announced)

    def _run_stopped(self, state, error):
        """HubSpot refused or failed: the run says why. What was done stays (every record written
        is bound, so redoing it creates nothing twice); the next run resumes from the checkpoint."""
        account, spec, run, client = state.account, state.spec, state.run, state.client
        state.flush_counts()
        run._finish(client.call_count, "failed", account._error_message(error))
        self._commit(0)
        _logger.info("HubSpot %s/%s: run stopped: %s", account.name, spec.object_type, error)
        return run

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

    # ------------------------------------------------------ steps, commits
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

    def _checkpoint(self, account, object_type, direction):
        """The checkpoint a run locks, created by the first run of its type. Two workers may
        start that first run together (two servers, a job and its webhook): the unique key
        refuses the second's checkpoint, which then takes the first's, in a new transaction."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint(), _conflicts_handled():
                    return self.env["hubspot.sync.checkpoint"]._get(account, object_type, direction)
            except pg_errors.UniqueViolation as error:
                if attempt == CONFLICT_ATTEMPTS or not _is_conflict(error):
                    raise
                self._commit(0)  # this transaction's snapshot cannot show the other's checkpoint

    def _start_run(self, account, spec, direction):
        """A new run record, committed. We hold the lock: any run of the same account,
        object and direction still marked running died with its worker."""
        # In a new transaction: this one may have begun before the lock was ours, while the
        # worker that held it was still running; its snapshot would show that run as running
        # (an update of it, finished since, is a serialization failure: an ERROR, a lost run).
        self._commit(0)
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

    # ----------------------------------------------------------- outbound run
    def _run_outbound(self, account, object_type):
        """Push what changed in Odoo since the last push; returns the run (None when locked)."""
        checkpoint = self._checkpoint(account, object_type, "out")
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

    def _binding_values(self, state, spec, hubspot_id):
        return {
            "hubspot_id": hubspot_id,
            "hubspot_account_id": state.account.id,
            "hubspot_object_type": spec.object_type,
            "hubspot_linked": True,
            "hubspot_unlink_reason": False,
            "hubspot_synced_at": fields.Datetime.now(),
        }

    # ------------------------------------------------------------ on demand
    def _import_records_now(self, account, object_type, records):
        """Import or update these raw HubSpot records now (wizards), as the sync would: the caller
        checked the user's rights. Returns ``({id: record}, {(type, id): why that record failed})``."""
        engine, account = self.sudo(), account.sudo()
        spec = SPECS[object_type]
        state = RunState(engine, account, spec, None, account._get_client())
        linked = engine._import_records(state, spec, records)
        # The caller linked them just before: what waited for them (skipped) comes with its job's next run.
        engine._announce_arrivals(state, spec, sorted(linked))
        return linked, state.failures

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
