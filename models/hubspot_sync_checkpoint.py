import logging
import zlib

from odoo import fields, models

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES, TYPE_NAMES

_logger = logging.getLogger(__name__)


class HubspotSyncCheckpoint(models.Model):
    """Where the sync of one (account, object type, direction) stands.

    ``last_modified_ms`` is the HubSpot last-modified time (epoch milliseconds) up to
    which every record has been processed; the next run asks HubSpot for what
    changed since then (minus a small overlap for HubSpot's search index lag).
    """

    _name = "hubspot.sync.checkpoint"
    _description = "HubSpot Sync Checkpoint"
    _order = "account_id, object_type, direction"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    direction = fields.Selection([("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot")], required=True, default="in")
    last_modified_ms = fields.Char(
        string="Checkpoint (ms)", help="HubSpot last-modified time, epoch milliseconds, already processed."
    )
    last_modified_at = fields.Datetime(string="Checkpoint", readonly=True)
    last_run_at = fields.Datetime(readonly=True)
    last_archive_check_at = fields.Datetime(string="Deletions Checked", readonly=True)
    last_deletion_check_at = fields.Datetime(
        string="Permanent Deletions Checked",
        readonly=True,
        help="When every linked id was last read back from HubSpot (permanent and GDPR deletions).",
    )
    deletion_check_cursor = fields.Integer(
        readonly=True, help="The Odoo id the unfinished check of permanent deletions has reached (0: none running)."
    )
    full_import_done = fields.Boolean(readonly=True, help="The first full import (or push) has finished.")
    pushed_properties = fields.Char(readonly=True, help="The connector's own HubSpot properties known to exist.")
    # A setting changed which records of this type qualify: the next run reads every record again.
    reread_reasons = fields.Char(
        readonly=True,
        help="Why the next run re-reads every record of this type (comma-separated codes); empty: no re-read "
        "pending. Kept until the re-read's last batch is committed.",
    )
    reread_cursor_ms = fields.Char(
        readonly=True, help="How far the unfinished re-read got (epoch ms): a crashed one resumes there."
    )
    reread_serial = fields.Integer(readonly=True, help="Counts the re-read marks: a run clears only the one it read.")

    _account_object_direction_unique = models.Constraint(
        "UNIQUE(account_id, object_type, direction)", "One checkpoint per account, object and direction."
    )

    def _get(self, account, object_type, direction="in"):
        checkpoint = self.sudo().search(
            [("account_id", "=", account.id), ("object_type", "=", object_type), ("direction", "=", direction)]
        )
        return checkpoint or self.sudo().create(
            {"account_id": account.id, "object_type": object_type, "direction": direction}
        )

    def _lock_key(self):
        return zlib.crc32(self._name.encode()) & 0x7FFFFFFF, self.id

    def _try_lock(self):
        """Take this checkpoint's lock for the session, or return False if another
        worker (thread, process or Odoo server on this database) holds it.

        A PostgreSQL advisory lock at session level, not a row lock: the sync
        commits after every batch, and a row lock would end with the first commit.
        """
        self.ensure_one()
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", self._lock_key())
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        self.ensure_one()
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._lock_key())

    # ------------------------------------------------------------ re-reads
    def _mark_reread(self, reasons):
        """A setting changed which records of these checkpoints' types qualify: their next run
        reads every record again. A re-read under way starts over (what it read was judged by
        the old settings). Only checkpoints past some records need it: the others read all."""
        for checkpoint in self.filtered("last_modified_ms"):
            codes = checkpoint._reread_codes()
            codes += [code for code in sorted(reasons) if code not in codes]
            checkpoint.write(
                {
                    "reread_reasons": ",".join(codes),
                    "reread_cursor_ms": False,
                    "reread_serial": checkpoint.reread_serial + 1,
                }
            )

    def _type_name(self, object_type):
        """``deals``, ``line items``: an object type as a sentence names it, translated."""
        return self.env._(TYPE_NAMES[object_type]) if object_type in TYPE_NAMES else object_type

    def _reread_codes(self):
        self.ensure_one()
        return [code for code in (self.reread_reasons or "").split(",") if code]

    def _reread_labels(self):
        """What the run and the account form say about why this type is re-read."""
        self.ensure_one()
        labels = []
        for code in self._reread_codes():
            kind, _sep, arg = code.partition(":")
            field = self.account_id._fields.get(arg)
            if kind == "setting" and field:
                labels.append(self.env._("“%s” changed", field._description_string(self.env)))
            elif kind == "mappings" and arg in TYPE_NAMES:
                labels.append(
                    self.env._(
                        "a mapping of %s that decides which records sync changed (required, import only mapped values)",
                        self._type_name(arg),
                    )
                )
            elif kind == "switched_on" and arg in TYPE_NAMES:
                labels.append(self.env._("%s switched on", self._type_name(arg)))
            elif kind == "ticket_projects":
                labels.append(self.env._("a ticket pipeline's project changed"))
            else:
                labels.append(code)
        return labels

    def _reread_note(self):
        """The run's message: "Re-read all deals: “Deal Stage Filter” changed."."""
        self.ensure_one()
        return self.env._(
            "Re-read all %(type)s: %(reasons)s.",
            type=self._type_name(self.object_type),
            reasons="; ".join(self._reread_labels()),
        )

    def _reread_ready(self, account, engine):
        """Is this checkpoint's re-read due now? It waits for the re-read of the types whose
        records decide whether its records qualify (a contact of a company excluded until now
        comes back once that company did), and for their first import when its records need
        theirs in Odoo (a contact of a known company, a line item's deal)."""
        self.ensure_one()
        if not self.reread_reasons:
            return False
        for assoc in engine._spec(self.object_type).associations:
            needs = assoc.required or (assoc.skip_flag and account[assoc.skip_flag])
            if not (needs or assoc.inherit_exclusion) or not account._runs_inbound(assoc.to_type):
                continue
            other = account.sudo().checkpoint_ids.filtered(
                lambda c, t=assoc.to_type: c.object_type == t and c.direction == "in"
            )
            if other.reread_reasons or (needs and not other.full_import_done):
                return False
        return True

    def _reread_progress(self, serial, newest, final):
        """The checkpoint values after a re-read's batch: how far it got, and once its last batch
        is committed, no mark. A mark set since the re-read started stays (it reads again)."""
        self.ensure_one()
        self.invalidate_recordset(["reread_serial"])
        if self.reread_serial != serial:
            return {}
        if final:
            return {"reread_reasons": False, "reread_cursor_ms": False}
        return {"reread_cursor_ms": str(newest)} if newest is not None else {}
