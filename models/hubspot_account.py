import logging
from collections import Counter
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..hubspot import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    HubSpotError,
    HubSpotScopeError,
)
from ..hubspot.client import DEFAULT_BASE_URL
from ..hubspot.tokens import AUTHORIZE_URL
from .hubspot_sync_spec import SPECS
from .hubspot_sync_status import HEALTH_RANK

_logger = logging.getLogger(__name__)

ADMIN_GROUP = "hubspot_connector.group_hubspot_manager"
USER_GROUP = "hubspot_connector.group_hubspot_user"
DIRECTIONS = [("in", "HubSpot → Odoo"), ("out", "Odoo → HubSpot"), ("both", "Both directions")]
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

    def _syncs(self, object_type):
        """Does this account sync ``object_type`` at all: switched on, and what its model adds (for
        deals and line items, a deal-stage filter that lets deals through)? The one place that says."""
        self.ensure_one()
        spec = SPECS[object_type]
        if spec.enable_flag and not self[spec.enable_flag]:
            return False
        return self.env[spec.model]._hubspot_syncs(self, object_type)
