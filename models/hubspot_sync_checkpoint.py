import logging
import zlib

from odoo import fields, models

from .hubspot_binding_mixin import HUBSPOT_OBJECT_TYPES

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
