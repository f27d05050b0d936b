import hashlib
import logging
import secrets
import time
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

from ..hubspot import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    HubSpotAuthError,
    HubSpotClient,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotRateLimitError,
    HubSpotScopeError,
    HubSpotTimeoutError,
)
from ..hubspot.client import DEFAULT_BASE_URL
from ..hubspot.scopes import scopes_for
from ..hubspot.tokens import AUTHORIZE_URL, OAuthToken, authorize_url
from .hubspot_sync_spec import OBJECT_TYPE_IDS, OBJECT_TYPES, SPECS
from .hubspot_sync_status import HEALTH_RANK

_logger = logging.getLogger(__name__)

ADMIN_GROUP = "hubspot_connector.group_hubspot_manager"
USER_GROUP = "hubspot_connector.group_hubspot_user"
CATALOGUE_LOCK = 0x4853_4F57  # advisory lock class of the owners and pipelines refresh ("HSOW")
DIRECTIONS = [("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot"), ("both", "Both directions")]
PROPERTY_GROUP, PROPERTY_GROUP_LABEL = "odoo", "Odoo"  # where the connector's own HubSpot properties go
OAUTH_STATE_SECONDS = 900  # an authorization started more than 15 minutes ago is refused
# OAuth access tokens live 30 minutes; each Odoo process renews its own (HubSpot's refresh
# tokens do not rotate), so syncs never write the account row from several workers at once.
_OAUTH_TOKENS = {}
# HubSpot's daily usage as each Odoo process last read it: (db, account, credentials) -> (until, answer)
_DAILY_USAGE = {}
DAILY_USAGE_SECONDS = 300  # asked at most every 5 minutes; a token refused it: hourly
# Settings that change what syncs: editable only while the integration is stopped (each
# object type's switch and direction, and these).
SYNC_SETTINGS = (
    *(spec.enable_flag for spec in SPECS.values()),
    *(f"{object_type}_direction" for object_type in SPECS),
    "company_id",
    "archive_in_hubspot",
    "link_back",
    "link_back_property",
    "deal_stage_filter",
    "deal_stage_ids",
    "review_new_companies",
    "contacts_only_existing_companies",
    "exclude_property",
    "exclude_values",
)
# What decides which object types sync: each one's switch, and the deal-stage filter (deals, line items).
TYPE_SWITCHES = (*(spec.enable_flag for spec in SPECS.values()), "deal_stage_filter")


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


class HubspotAccount(models.Model):
    _name = "hubspot.account"
    _description = "HubSpot Account"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="The Odoo company whose records this HubSpot portal syncs with.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("stopped", "Stopped")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    auth_type = fields.Selection(
        # The key stays "private_app": accounts made with a legacy private app's token keep working.
        [("private_app", "Static token (service key or app)"), ("oauth", "OAuth 2.0")],
        string="Authentication",
        default="private_app",
        required=True,
        tracking=True,
        help="Static token: a HubSpot service key (Development > Keys > Service keys), the static token of a "
        "developer-platform app, or an existing legacy private app's token. OAuth 2.0: an app installed "
        "through “Request permissions”, for several portals.",
    )
    # Secrets: readable and writable by HubSpot Administrators only, never tracked.
    access_token = fields.Char(
        groups=ADMIN_GROUP,
        copy=False,
        help="A service key (HubSpot: Development > Keys > Service keys) or the static access token of a "
        "developer-platform app (a legacy private app's token works too), sent as a Bearer token. "
        "OAuth accounts keep their renewed access token here.",
    )
    oauth_client_id = fields.Char(string="OAuth Client ID", groups=ADMIN_GROUP, copy=False)
    oauth_client_secret = fields.Char(string="OAuth Client Secret", groups=ADMIN_GROUP, copy=False)
    oauth_refresh_token = fields.Char(string="OAuth Refresh Token", groups=ADMIN_GROUP, copy=False)
    oauth_token_expires_at = fields.Datetime(string="OAuth Token Expiry", groups=ADMIN_GROUP, copy=False)
    # SHA-256 of the last authorization state issued: the only one the callback accepts, once.
    oauth_state_digest = fields.Char(groups=ADMIN_GROUP, copy=False, readonly=True)
    oauth_authorize_url = fields.Char(
        string="OAuth Authorization URL",
        default=AUTHORIZE_URL,
        groups=ADMIN_GROUP,
        help="HubSpot's consent page (a local sandbox has its own).",
    )
    oauth_scopes = fields.Char(
        compute="_compute_oauth_scopes",
        string="OAuth Scopes",
        help="What “Request permissions” asks HubSpot for, from what this account syncs.",
    )
    has_access_token = fields.Boolean(compute="_compute_has_access_token", string="Token Set")
    webhook_secret = fields.Char(
        string="Webhook Client Secret",
        groups=ADMIN_GROUP,
        copy=False,
        help="The client secret of the HubSpot app that sends webhooks (its signature key): a "
        "developer-platform app (a service key cannot send webhooks) or a legacy private app. "
        "Empty: the OAuth client secret.",
    )
    webhook_url = fields.Char(string="Webhook URL", compute="_compute_webhook_url")

    api_base_url = fields.Char(
        string="API Base URL",
        default=DEFAULT_BASE_URL,
        required=True,
        tracking=True,
        help="HubSpot's API host. Point it at a HubSpot-compatible test server for trials.",
    )
    api_version = fields.Selection(
        [(v, v) for v in API_VERSIONS],
        string="API Version",
        default=DEFAULT_API_VERSION,
        required=True,
        tracking=True,
        help="2026-03: HubSpot's date-versioned API. v3: the numbered API, supported until September 2027.",
    )
    rate_limit_per_10s = fields.Integer(
        string="Requests per 10 s",
        default=100,
        required=True,
        help="Client-side budget of API calls per 10 seconds for this portal (HubSpot allows 100 on "
        "Free/Starter, 190 on Professional/Enterprise); lower it to leave room for other apps.",
    )
    portal_id = fields.Char(string="Portal ID", readonly=True, copy=False, tracking=True)
    ui_domain = fields.Char(string="UI Domain", readonly=True, copy=False)
    connection_checked_at = fields.Datetime(string="Last Connection Test", readonly=True, copy=False)

    # What syncs
    sync_companies = fields.Boolean(string="Companies", default=True)
    sync_contacts = fields.Boolean(string="Contacts", default=True)
    sync_deals = fields.Boolean(string="Deals", default=True, help="Deals sync as set by the deal-stage filter.")
    companies_direction = fields.Selection(DIRECTIONS, default="in", required=True)
    contacts_direction = fields.Selection(DIRECTIONS, default="in", required=True)
    deals_direction = fields.Selection(
        DIRECTIONS,
        default="in",
        required=True,
        help="With Odoo → HubSpot, new opportunities create deals and their changes (stage, won/lost included) "
        "go back to HubSpot.",
    )
    sync_tickets = fields.Boolean(
        string="Tickets",
        help="HubSpot tickets sync with tasks: each ticket pipeline maps to a project (see Pipelines), "
        "its statuses to the project's stages.",
    )
    tickets_direction = fields.Selection(
        DIRECTIONS,
        default="in",
        required=True,
        help="With Odoo → HubSpot, new tasks in a project mapped to a ticket pipeline create tickets, and "
        "their changes (stage included) go back to HubSpot.",
    )
    archive_in_hubspot = fields.Boolean(
        string="Archive in HubSpot",
        help="When a synced partner is archived in Odoo, archive it in HubSpot too (deleted partners always are).",
    )
    link_back = fields.Boolean(
        string="Create a link in HubSpot",
        help="Write each synced partner's Odoo address into a HubSpot property (created if missing).",
    )
    link_back_property = fields.Char(default="odoo_url", help="Internal name of that HubSpot property.")
    deal_stage_filter = fields.Selection(
        [("none", "None (deals do not sync)"), ("all", "All deal stages"), ("selected", "Selected stages")],
        default="none",
        required=True,
        help="Which HubSpot deals sync: a deal syncs while it is in a selected stage.",
    )
    deal_stage_ids = fields.Many2many(
        "hubspot.pipeline.stage",
        string="Deal Stages",
        domain="[('account_id', '=', id), ('object_type', '=', 'deals'), ('archived', '=', False)]",
    )
    sync_products = fields.Boolean(
        string="Products",
        help="Sync the product catalogue: HubSpot products and Odoo products match by SKU (internal reference).",
    )
    products_direction = fields.Selection(
        DIRECTIONS,
        default="both",
        required=True,
        help="Both directions: HubSpot products missing in Odoo are created and Odoo products with an internal "
        "reference missing in HubSpot are created there, after a first import has linked those with the same SKU.",
    )
    sync_line_items = fields.Boolean(
        string="Deal Line Items",
        default=True,
        help="The products of synced deals: HubSpot line items become product lines on the opportunity.",
    )
    line_items_direction = fields.Selection(
        DIRECTIONS,
        default="both",
        required=True,
        help="Both directions: lines added, changed or deleted on a synced opportunity change the deal's line items "
        "in HubSpot, which totals the deal.",
    )
    pipeline_ids = fields.One2many("hubspot.pipeline", "account_id", string="Pipelines")
    sync_step = fields.Char(compute="_compute_sync_step", string="Integration Step")
    reread_notice = fields.Char(
        compute="_compute_reread_notice",
        string="Pending Re-read",
        help="Settings changed which records sync: the next run reads these object types again.",
    )
    sync_interval = fields.Selection(
        [("5", "Every 5 minutes"), ("15", "Every 15 minutes"), ("60", "Hourly"), ("1440", "Daily")],
        string="Schedule",
        default="5",
        required=True,
        help="How often this portal syncs (the sync jobs run every 5 minutes and skip accounts not yet due).",
    )
    default_user_id = fields.Many2one(
        "res.users",
        string="Default Salesperson",
        domain="[('share', '=', False)]",
        help="Records created from HubSpot whose owner is no Odoo user (or who have none) get this salesperson.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        help="Opportunities created from deals of a pipeline that is not mapped to a sales team join this team.",
    )
    review_new_companies = fields.Boolean(
        help="New HubSpot companies wait in Pending Companies until a salesperson accepts them."
    )
    contacts_only_existing_companies = fields.Boolean(
        string="Only contacts of known companies",
        help="Import a contact only when its company is already in Odoo; otherwise its company is imported too.",
    )
    exclude_property = fields.Char(
        string="Exclude property",
        default="sync_to_odoo",
        help="HubSpot company property that keeps a company (and its contacts) out of Odoo.",
    )
    exclude_values = fields.Char(
        default="no,nein,false",
        help="Comma-separated values of the exclude property that mean “do not sync” (case-insensitive).",
    )
    notify_group_id = fields.Many2one(
        "res.groups",
        string="Notify",
        help="Users of this group get one inbox notification per run that added or updated records.",
    )
    owners_refreshed_at = fields.Datetime(readonly=True, copy=False)
    pipelines_refreshed_at = fields.Datetime(
        readonly=True, copy=False, help="When the sync last read the deal and ticket pipelines (hourly)."
    )
    mapping_ids = fields.One2many("hubspot.field.mapping", "account_id", string="Field Mappings")
    owner_ids = fields.One2many("hubspot.owner", "account_id", string="Owners")
    checkpoint_ids = fields.One2many("hubspot.sync.checkpoint", "account_id", string="Checkpoints")
    run_ids = fields.One2many("hubspot.sync.run", "account_id", string="Sync Runs")
    run_count = fields.Integer(compute="_compute_health")
    open_error_count = fields.Integer(string="Records to Retry", compute="_compute_health")
    pending_count = fields.Integer(string="Pending Companies", compute="_compute_health")
    health = fields.Selection(
        [("none", "No run yet"), ("ok", "Healthy"), ("warning", "Records to retry"), ("error", "Sync failed")],
        compute="_compute_health",
        help="The worst of the object types it syncs: failed while the last run of a type failed (until a "
        "later run of that type succeeds), records to retry while some records could not sync.",
    )
    health_summary = fields.Text(compute="_compute_health")
    sync_status_ids = fields.One2many("hubspot.sync.status", "account_id", string="Sync Statuses")
    dashboard_ids = fields.Many2many(
        "hubspot.sync.status",
        compute="_compute_health",
        help="Per object type and direction that syncs: when it was last checked, last succeeded, last changed "
        "something, and its records to retry.",
    )
    daily_api_limit = fields.Integer(
        string="Daily API Limit",
        default=250000,
        required=True,
        help="HubSpot's daily allowance of API calls for the portal (250,000 on Free/Starter, 625,000 on "
        "Professional, 1,000,000 on Enterprise). Shown against the calls of the day when HubSpot does not tell.",
    )
    api_calls_today = fields.Integer(string="API Calls Today", compute="_compute_api_usage")
    api_calls_limit = fields.Integer(string="API Calls Allowed Today", compute="_compute_api_usage")
    api_usage_source = fields.Char(string="Counted by", compute="_compute_api_usage")

    _portal_company_unique = models.Constraint(
        "UNIQUE(portal_id, company_id)",
        "This HubSpot portal is already connected for this company.",
    )

    # ------------------------------------------------------------ computes
    @api.depends("state", "companies_direction", "contacts_direction", "checkpoint_ids.full_import_done")
    def _compute_sync_step(self):
        for account in self:
            directions = {account.companies_direction, account.contacts_direction}
            imported = all(
                account._inbound_done(object_type)
                for object_type, direction in (
                    ("companies", account.companies_direction),
                    ("contacts", account.contacts_direction),
                )
                if direction == "both"
            )
            if "both" not in directions:
                account.sync_step = False
            elif account.state != "running" or not imported:
                account.sync_step = self.env._("Step 1 of 2: import from HubSpot and link duplicates")
            else:
                account.sync_step = self.env._("Step 2 of 2: both directions")

    @api.depends("checkpoint_ids.reread_reasons", *TYPE_SWITCHES)
    def _compute_reread_notice(self):
        for account in self:
            parts = [
                self.env._(
                    "%(type)s (%(reasons)s)",
                    type=checkpoint._type_name(checkpoint.object_type),
                    reasons="; ".join(checkpoint._reread_labels()),
                )
                for checkpoint in account.sudo().checkpoint_ids
                if checkpoint.direction == "in"
                and checkpoint.reread_reasons
                and account._runs_inbound(checkpoint.object_type)
            ]
            account.reread_notice = (
                self.env._(
                    "Next run re-reads all %s. Records Odoo already holds cost no write; those that no longer "
                    "qualify are unlinked (kept in Odoo).",
                    ", ".join(parts),
                )
                if parts
                else False
            )

    def _compute_health(self):
        Run = self.env["hubspot.sync.run"].sudo()
        Error = self.env["hubspot.sync.error"].sudo()
        Pending = self.env["hubspot.pending.company"].sudo()
        Status = self.env["hubspot.sync.status"]
        for account in self:
            if not account._origin.id:
                account.update(
                    {
                        "run_count": 0,
                        "open_error_count": 0,
                        "pending_count": 0,
                        "health": "none",
                        "health_summary": False,
                        "dashboard_ids": False,
                    }
                )
                continue
            account_id = account._origin.id
            account.run_count = Run.search_count([("account_id", "=", account_id)])
            account.open_error_count = Error.search_count([("account_id", "=", account_id), ("state", "=", "open")])
            account.pending_count = Pending.search_count([("account_id", "=", account_id), ("state", "=", "pending")])
            statuses = Status.sudo().search([("account_id", "=", account_id)])
            by_key = {(s.object_type, s.direction): s for s in statuses}
            synced = account._origin._synced_pairs()
            dashboard = Status.browse([by_key[key].id for key in synced if key in by_key])
            account.dashboard_ids = dashboard
            healths = dashboard.mapped("health") + (["warning"] if account.open_error_count else [])
            account.health = max(healths, key=HEALTH_RANK.get) if healths else "none"
            lines = [
                self.env._("%(type)s failed: %(reason)s", type=status._label(), reason=status.failure or "?")
                for status in dashboard
                if status.health == "error"
            ]
            waiting = [account._type_label(*key) for key in synced if key not in by_key]
            if waiting:
                lines.append(self.env._("Waiting for the first run: %s", ", ".join(waiting)))
            account.health_summary = "\n".join(lines) or False

    def _compute_api_usage(self):
        """Today's API calls against the daily limit: HubSpot's own count where the token may
        read it (the ``oauth`` scope), else the connector's count of its calls today."""
        Usage = self.env["hubspot.api.usage"]
        for account in self:
            hubspot = account._origin.id and account._origin._hubspot_daily_usage()
            if hubspot:
                account.api_calls_today, account.api_calls_limit = hubspot
                account.api_usage_source = self.env._("HubSpot (all apps of the portal)")
            else:
                account.api_calls_today = Usage._calls_today(account._origin) if account._origin.id else 0
                account.api_calls_limit = account.daily_api_limit
                account.api_usage_source = self.env._("this connector (HubSpot does not tell this token)")

    @api.depends(*TYPE_SWITCHES)
    def _compute_oauth_scopes(self):
        for account in self:
            account.oauth_scopes = " ".join(account._oauth_scope_list())

    def _compute_webhook_url(self):
        for account in self:
            account.webhook_url = f"{account.get_base_url()}/hubspot/webhook"

    def _webhook_secret(self):
        account = self.sudo()
        return account.webhook_secret or account.oauth_client_secret or False

    def _compute_has_access_token(self):
        # Users who may not read the token may still know whether one is set.
        for account, sudo_account in zip(self, self.sudo(), strict=True):
            account.has_access_token = bool(sudo_account.access_token)

    # --------------------------------------------------------- constraints
    @api.constrains("api_base_url")
    def _check_api_base_url(self):
        for account in self:
            parts = urlsplit(account.api_base_url or "")
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(self.env._("The API base URL must be an http(s) URL, e.g. %s.", DEFAULT_BASE_URL))

    @api.constrains("rate_limit_per_10s")
    def _check_rate_limit(self):
        for account in self:
            if not 1 <= account.rate_limit_per_10s <= 1000:
                raise ValidationError(self.env._("Requests per 10 s must be between 1 and 1000."))

    # ---------------------------------------------------------------- CRUD
    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._create_default_mappings()
        return accounts

    def write(self, vals):
        running = self.filtered(lambda a: a.state == "running")
        if running and set(vals) & set(SYNC_SETTINGS):
            raise UserError(self.env._("Stop the integration of “%s” before changing what it syncs.", running[0].name))
        if not set(vals) & set(SYNC_SETTINGS):
            return super().write(vals)
        before = {account.id: account._selection_settings() for account in self}
        result = super().write(vals)
        for account in self:
            account._reread_changed(before[account.id], account._selection_settings())
        return result

    # -------------------------------------------------------------- rights
    def _check_hubspot_rights(self, group=ADMIN_GROUP, records=None, operation="write"):
        """Refuse (AccessError) a user who may not act on these accounts, before any sudo()
        or HubSpot call: every public method calls this first.

        The user must be in ``group`` (HubSpot Administrator by default), may read these
        accounts and may ``operation`` on ``records`` (default: the accounts) under the
        record rules, i.e. in one of the companies the user works in and has selected.
        Superuser code (the sync jobs) passes; nothing in the context grants rights.
        """
        if self.env.su:
            return
        if not self.env.user.has_group(group):
            if group == ADMIN_GROUP:
                raise AccessError(
                    self.env._(
                        "Only HubSpot Administrators can do this. Ask an administrator for the "
                        "HubSpot Administrator access right."
                    )
                )
            raise AccessError(
                self.env._("Only HubSpot users can do this. Ask an administrator for the HubSpot User access right.")
            )
        records = self if records is None else records
        if self._filtered_access("read") != self or records._filtered_access(operation) != records:
            raise AccessError(
                self.env._(
                    "This belongs to a HubSpot account of a company you do not work in, or that is not "
                    "selected: select that company first."
                )
            )

    # ------------------------------------------------------------- actions
    def action_start(self):
        """*Start integration*: the first full import runs now, then the schedule. Says which
        object types will run, or why it cannot start."""
        self._check_hubspot_rights()
        for account in self:
            if not account._synced_types():
                raise UserError(
                    self.env._(
                        "“%s” syncs nothing: choose at least one object type on the Sync page, then start.",
                        account.name,
                    )
                )
            account._get_client()  # no token yet: says so (no HubSpot call)
        self.write({"state": "running"})
        self.action_sync_now()
        schedules = dict(self._fields["sync_interval"]._description_selection(self.env))
        messages = []
        for account in self:
            kinds = dict.fromkeys(object_type for object_type, _direction in account._synced_pairs())
            messages.append(
                self.env._(
                    "“%(account)s” started: %(types)s sync in a moment, then %(schedule)s.",
                    account=account.name,
                    types=", ".join(account._type_label(t, account._direction(t)) for t in kinds),
                    schedule=schedules[account.sync_interval].lower(),
                )
            )
        return self._notification(" ".join(messages), "success")

    def action_stop(self):
        """*Stop*: no sync job runs for the account until it is started again."""
        self._check_hubspot_rights()
        stopped = self.filtered(lambda a: a.state != "running")
        if stopped:
            return self._notification(self.env._("“%s” was not running: nothing to stop.", stopped[0].name), "warning")
        self.write({"state": "stopped"})
        return self._notification(
            self.env._(
                "%s stopped: no sync job runs until you start it again (a run already under way finishes). "
                "What syncs can now be changed.",
                ", ".join(f"“{name}”" for name in self.mapped("name")),
            ),
            "success",
        )

    def _notification(self, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": self.env._("HubSpot"),
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_reset(self):
        """*Reset*: forget the checkpoints; the next run imports everything again."""
        self._check_hubspot_rights()
        if self.filtered(lambda a: a.state == "running"):
            raise UserError(self.env._("Stop the integration before resetting it."))
        self.sudo().checkpoint_ids.unlink()
        self.write({"state": "draft"})
        return True

    def action_sync_now(self):
        """Run every object type the account syncs at the next tick of the sync jobs, whatever the
        schedule (a request row each, which the run deletes; never a long request in the browser)."""
        self._check_hubspot_rights()
        stopped = self.filtered(lambda a: a.state != "running")
        if stopped:
            raise UserError(self.env._("Start the integration of “%s” first.", stopped[0].name))
        engine = self.env["hubspot.sync.engine"]
        crons = set()
        for account in self:
            object_types = account._synced_types()
            self.env["hubspot.sync.request"]._add(account, object_types)
            crons.update(engine._spec(object_type).cron for object_type in object_types)
        for cron in sorted(crons):
            self.env.ref(cron).sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._("The HubSpot sync will run in a moment."),
                "sticky": False,
            },
        }

    def action_refresh_catalogue(self):
        """Fetch the portal's properties, owners and pipelines; say how many of each."""
        self.ensure_one()
        self._check_hubspot_rights()
        client = self._get_client()
        engine = self.env["hubspot.sync.engine"]
        Run = self.env["hubspot.sync.run"]
        types = dict(Run._fields["object_type"]._description_selection(self.env))
        properties, refused = {}, []
        try:
            for object_type in engine._object_models():
                flag = engine._spec(object_type).enable_flag
                if object_type not in ("companies", "contacts") and not (flag and self[flag]):
                    continue
                try:
                    properties[object_type] = self.env["hubspot.property"].sudo()._refresh(self, object_type, client)
                except HubSpotScopeError:  # the app may not read that object: the rest still refreshes
                    _logger.info("HubSpot account %s: no access to %s properties; skipped", self.id, object_type)
                    refused.append(types[object_type])
            self.env["hubspot.owner"].sudo()._refresh(self, client)
            self.env["hubspot.pipeline"].sudo()._refresh(self, client)
        except HubSpotError as error:
            raise UserError(self._error_message(error)) from None
        finally:
            self.env["hubspot.api.usage"]._count(self, client.call_count)
        self.owners_refreshed_at = fields.Datetime.now()
        owners = self.env["hubspot.owner"].sudo().search([("account_id", "=", self.id), ("archived", "=", False)])
        pipelines = self.env["hubspot.pipeline"].sudo().search([("account_id", "=", self.id), ("archived", "=", False)])
        message = self.env._(
            "Fetched from HubSpot: %(properties)s properties (%(per_type)s), %(owners)s owners (%(matched)s "
            "matched to Odoo users by email), %(pipelines)s pipelines (%(pipelines_per_type)s).",
            properties=sum(properties.values()),
            per_type=", ".join(f"{types[t]} {n}" for t, n in properties.items()) or "-",
            owners=len(owners),
            matched=len(owners.filtered("user_id")),
            pipelines=len(pipelines),
            pipelines_per_type=", ".join(f"{types[t]} {n}" for t, n in Counter(pipelines.mapped("object_type")).items())
            or "-",
        )
        if refused:
            message += " " + self.env._(
                "Not allowed to read the properties of: %s (the token lacks their scopes).", ", ".join(refused)
            )
        return self._notification(message, "warning" if refused else "success")

    def _open(self, model, name, domain=None, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain or [("account_id", "=", self.id)],
            "context": dict(context or {}, default_account_id=self.id),
        }

    def action_view_runs(self):
        self.ensure_one()
        self._check_hubspot_rights(USER_GROUP, operation="read")
        return self._open("hubspot.sync.run", self.env._("Sync Runs"))

    def action_view_api_usage(self):
        """The graph of this account's API calls per day."""
        self.ensure_one()
        self._check_hubspot_rights(USER_GROUP, operation="read")
        action = self.env["ir.actions.act_window"]._for_xml_id("hubspot_connector.hubspot_api_usage_action")
        action.update(domain=[("account_id", "=", self.id)], context={"default_account_id": self.id})
        return action

    def action_view_errors(self):
        self.ensure_one()
        self._check_hubspot_rights(USER_GROUP, operation="read")
        return self._open(
            "hubspot.sync.error", self.env._("Records to Retry"), [("account_id", "=", self.id), ("state", "=", "open")]
        )

    def action_view_pending(self):
        self.ensure_one()
        self._check_hubspot_rights(USER_GROUP, operation="read")
        return self._open(
            "hubspot.pending.company",
            self.env._("Pending Companies"),
            [("account_id", "=", self.id), ("state", "=", "pending")],
        )

    def action_test_connection(self):
        """Ask HubSpot for the portal's details; store its id and UI domain."""
        self.ensure_one()
        self._check_hubspot_rights()
        # A person waits for this answer: no retries, a short timeout.
        details = self._call_hubspot(lambda client: client.get_account_details(), max_retries=0, timeout=15)
        portal_id = str(details.get("portalId") or "")
        self.write(
            {
                "portal_id": portal_id,
                "ui_domain": details.get("uiDomain") or False,
                "connection_checked_at": fields.Datetime.now(),
            }
        )
        _logger.info("HubSpot account %s: connection established (portal %s)", self.id, portal_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("HubSpot"),
                "message": self.env._("Connection established (portal %s)", portal_id),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ----------------------------------------------------------------- OAuth
    def action_oauth_authorize(self):
        """*Request permissions*: send the administrator to HubSpot's consent page; HubSpot
        sends them back to ``/hubspot/oauth/callback`` with a code and our signed state."""
        self.ensure_one()
        self._check_hubspot_rights()
        account = self.sudo()
        if not (account.oauth_client_id and account.oauth_client_secret):
            raise UserError(self.env._("Enter the OAuth app's client ID and client secret first."))
        url = authorize_url(
            account.oauth_client_id,
            self._oauth_redirect_uri(),
            self._oauth_scope_list(),
            self._oauth_state(),
            base_url=account.oauth_authorize_url or AUTHORIZE_URL,
        )
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def _oauth_scope_list(self):
        """Exactly the scopes of what this account syncs, each one HubSpot has: the synced object
        types' records and properties, and the records they read or associate on the way."""
        synced, associated = [], []
        for object_type, spec in SPECS.items():
            if not self._syncs(object_type):
                continue
            synced.append(object_type)
            associated += [association.to_type for association in spec.associations]
        return scopes_for(synced, associated)

    def _oauth_redirect_uri(self):
        return f"{self.get_base_url()}/hubspot/oauth/callback"

    def _oauth_state(self, issued_at=None):
        """``<account id>.<user id>.<issued at>.<nonce>.<signature>``, signed with this
        database's secret. Only the last state issued for the account is accepted, once,
        and only from the user it was issued to: issuing one supersedes the previous."""
        self.ensure_one()
        issued_at = int(issued_at if issued_at is not None else time.time())
        message = f"{self.id}.{self.env.uid}.{issued_at}.{secrets.token_urlsafe(16)}"
        state = f"{message}.{odoo_hmac(self.env(su=True), 'hubspot-oauth-state', message)}"
        self.sudo().oauth_state_digest = _digest(state)
        return state

    @api.model
    def _oauth_account_from_state(self, state):
        """The account a callback's ``state`` was issued for, once it is known to be this
        database's, recent, issued to this user (a HubSpot Administrator allowed on the
        account's company) and the account's latest, unused. The state is then spent.

        Anything else raises AccessError with a message for the browser, before the code
        is used."""
        invalid = AccessError(
            self.env._(
                "This HubSpot authorization link is invalid or has expired. "
                "Click “Request permissions” on the HubSpot account again."
            )
        )
        try:
            account_id, uid, issued_at, nonce, signature = (state or "").split(".")
            account_id, uid, issued_at = int(account_id), int(uid), int(issued_at)
        except ValueError:
            raise invalid from None
        expected = odoo_hmac(self.env(su=True), "hubspot-oauth-state", f"{account_id}.{uid}.{issued_at}.{nonce}")
        # bytes: a pasted state may hold any character, which compare_digest refuses in a str
        if (
            not consteq(signature.encode(), expected.encode())
            or not 0 <= time.time() - issued_at <= OAUTH_STATE_SECONDS
        ):
            raise invalid
        if uid != self.env.uid:
            raise AccessError(
                self.env._(
                    "This HubSpot authorization was started by another user: only they can complete it. "
                    "To connect the portal yourself, click “Request permissions” on the HubSpot account."
                )
            )
        # The user's companies, whichever is selected in the browser: the rules still apply.
        account = self.with_context(allowed_company_ids=self.env.user.company_ids.ids).browse(account_id).exists()
        if not account:
            raise invalid
        account._check_hubspot_rights()
        digest = account.sudo().oauth_state_digest
        if not digest or not consteq(digest, _digest(state)):
            raise AccessError(
                self.env._(
                    "This HubSpot authorization link was already used, or a newer one was requested since. "
                    "Click “Request permissions” on the HubSpot account again."
                )
            )
        account.sudo().oauth_state_digest = False
        return account

    def _oauth_complete(self, code):
        """Trade the code for tokens, store them, then test the connection."""
        self.ensure_one()
        account = self.sudo()
        client = HubSpotClient(
            base_url=account.api_base_url, api_version=account.api_version, max_retries=0, timeout=15
        )
        try:
            answer = client.oauth_exchange_code(
                account.oauth_client_id, account.oauth_client_secret, self._oauth_redirect_uri(), code
            )
        except HubSpotError as error:
            _logger.info("HubSpot account %s: OAuth code exchange failed: %s", self.id, error)
            raise UserError(self._error_message(error)) from None
        account.write(
            {
                "auth_type": "oauth",
                "access_token": answer["access_token"],
                "oauth_refresh_token": answer.get("refresh_token") or account.oauth_refresh_token,
                "oauth_token_expires_at": fields.Datetime.now()
                + timedelta(seconds=int(answer.get("expires_in") or 1800)),
            }
        )
        _OAUTH_TOKENS.pop((self.env.cr.dbname, self.id), None)
        self.action_test_connection()
        self.message_post(body=self.env._("Connected to HubSpot through OAuth (portal %s).", self.portal_id))

    def _oauth_token(self):
        """This process's self-renewing token provider for the account."""
        account = self.sudo()
        if not (account.oauth_client_id and account.oauth_client_secret and account.oauth_refresh_token):
            raise UserError(self.env._("Click “Request permissions” to connect account “%s” first.", self.name))
        fingerprint = hashlib.sha256(
            f"{account.oauth_client_id}|{account.oauth_refresh_token}|{account.api_base_url}".encode()
        ).hexdigest()
        key = (self.env.cr.dbname, self.id)
        cached = _OAUTH_TOKENS.get(key)
        if cached and cached[0] == fingerprint:
            return cached[1]
        expires = account.oauth_token_expires_at
        token = OAuthToken(
            account.oauth_client_id,
            account.oauth_client_secret,
            account.oauth_refresh_token,
            access_token=account.access_token,
            expires_at=(expires - datetime(1970, 1, 1)).total_seconds() if expires else 0.0,
            redirect_uri=self._oauth_redirect_uri(),
        )
        _OAUTH_TOKENS[key] = (fingerprint, token)
        return token

    # ------------------------------------------------------ business logic
    def _get_client(self, **options):
        """A HubSpot client for this account (reads the token as superuser).

        ``options`` go to :class:`HubSpotClient` (``timeout``, ``max_retries``...).
        """
        self.ensure_one()
        account = self.sudo()
        if account.auth_type == "oauth":
            token = self._oauth_token()
        elif not account.access_token:
            raise UserError(self.env._("Enter the HubSpot access token of account “%s” first.", self.name))
        else:
            token = account.access_token
        return HubSpotClient(
            base_url=account.api_base_url,
            token=token,
            api_version=account.api_version,
            rate_limit=account.rate_limit_per_10s,
            limiter_key=("hubspot.account", self.env.cr.dbname, account.id),
            **options,
        )

    def _call_hubspot(self, operation, **options):
        """Run ``operation(client)``; turn HubSpot errors into clear user errors."""
        self.ensure_one()
        client = self._get_client(**options)
        try:
            return operation(client)
        except HubSpotError as error:
            _logger.info("HubSpot account %s: call failed: %s", self.id, error)
            raise UserError(self._error_message(error)) from None

    def _error_message(self, error):
        """A translated, specific explanation of a HubSpot error (never the token)."""
        if isinstance(error, HubSpotScopeError):
            scopes = ", ".join(error.required_scopes) or self.env._("(HubSpot did not name them)")
            if self.auth_type == "oauth":
                return self.env._(
                    "HubSpot refused the request: the app is missing required scopes: %(scopes)s. "
                    "Click “Request permissions” again so that a portal administrator grants them.",
                    scopes=scopes,
                )
            return self.env._(
                "HubSpot refused the request: the token is missing required scopes: %(scopes)s. "
                "Add them to the service key (HubSpot: Development > Keys > Service keys) or to the app "
                "the token belongs to, then try again.",
                scopes=scopes,
            )
        if isinstance(error, HubSpotAuthError):
            if self.auth_type == "oauth":
                return self.env._(
                    "HubSpot rejected the access token (HTTP %(status)s): the app was uninstalled or its "
                    "authorization revoked. Click “Request permissions” to connect the portal again.",
                    status=error.status,
                )
            return self.env._(
                "HubSpot rejected the access token (HTTP %(status)s): it is wrong, revoked or expired. "
                "Create a service key in HubSpot (Development > Keys > Service keys) with the scopes this "
                "account needs, or copy the static token of your HubSpot app, paste it here and test again.",
                status=error.status,
            )
        if isinstance(error, HubSpotTimeoutError):
            return self.env._("HubSpot did not answer in time (%(url)s). Try again later.", url=self.api_base_url)
        if isinstance(error, HubSpotConnectionError):
            return self.env._(
                "Cannot reach HubSpot at %(url)s: check the API base URL and the server's network access.",
                url=self.api_base_url,
            )
        if isinstance(error, HubSpotRateLimitError):
            return self.env._(
                "HubSpot's rate limit was reached (%(policy)s). Try again later.", policy=error.policy or "429"
            )
        return self.env._("HubSpot returned an error: %(error)s", error=str(error))

    # ------------------------------------------------------------- sync
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

    def _portal_label(self):
        """The portal as users know it, for texts: its id and the account's name."""
        self.ensure_one()
        if self.portal_id:
            return self.env._("portal %(portal)s (account “%(account)s”)", portal=self.portal_id, account=self.name)
        return self.env._("the portal of account “%s”", self.name)

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

    def _record_url(self, object_type, hubspot_id):
        """The record's page in HubSpot (portal id and UI domain come from the connection test)."""
        self.ensure_one()
        if not (self.portal_id and hubspot_id and object_type in OBJECT_TYPE_IDS):
            return False
        domain = self.ui_domain or "app.hubspot.com"
        return f"https://{domain}/contacts/{self.portal_id}/record/{OBJECT_TYPE_IDS[object_type]}/{hubspot_id}"

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

    def _syncs(self, object_type):
        """Does this account sync ``object_type`` at all: switched on, and what its model adds (for
        deals and line items, a deal-stage filter that lets deals through)? The one place that says."""
        self.ensure_one()
        spec = SPECS[object_type]
        if spec.enable_flag and not self[spec.enable_flag]:
            return False
        return self.env[spec.model]._hubspot_syncs(self, object_type)

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

    def _hubspot_daily_usage(self):
        """``(calls today, daily limit)`` as HubSpot counts them, or None when the token may not
        read them (the ``oauth`` scope) or HubSpot does not answer. Each Odoo process asks at most
        every 5 minutes (a refusal: hourly); the question itself is not counted."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(USER_GROUP)):
            return None
        account = self.sudo()
        credentials = account.oauth_refresh_token if account.auth_type == "oauth" else account.access_token
        if not credentials:
            return None
        fingerprint = hashlib.sha256(f"{credentials}|{account.api_base_url}|{account.api_version}".encode()).hexdigest()
        key = (self.env.cr.dbname, self.id, fingerprint)
        cached = _DAILY_USAGE.get(key)
        if cached and time.monotonic() < cached[0]:
            return cached[1]
        answer, seconds = None, DAILY_USAGE_SECONDS
        try:
            rows = (self._get_client(max_retries=0, timeout=5).get_daily_usage() or {}).get("results") or []
            row = next((r for r in rows if r.get("usageLimit") is not None), None)
            if row:
                answer = (int(row.get("currentUsage") or 0), int(row["usageLimit"]))
        except (HubSpotScopeError, HubSpotAuthError):
            seconds = 12 * DAILY_USAGE_SECONDS
        except (HubSpotError, UserError, TypeError, ValueError, AttributeError) as error:
            _logger.info("HubSpot account %s: daily usage not read: %s", self.id, error)
        _DAILY_USAGE[key] = (time.monotonic() + seconds, answer)
        return answer

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

    def _push_allowed(self, object_type):
        """Pushing starts once "both directions" has imported and matched (the sources' advice)."""
        direction = self._direction(object_type)
        return direction == "out" or (direction == "both" and self._inbound_done(object_type))

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
