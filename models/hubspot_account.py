import logging
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

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

_logger = logging.getLogger(__name__)

ADMIN_GROUP = "hubspot_connector.group_hubspot_manager"


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
        [("private_app", "Private app access token"), ("oauth", "OAuth 2.0")],
        string="Authentication",
        default="private_app",
        required=True,
        tracking=True,
    )
    # Secrets: readable and writable by HubSpot Administrators only, never tracked.
    access_token = fields.Char(
        groups=ADMIN_GROUP,
        copy=False,
        help="Private app access token (or OAuth access token), sent as a Bearer token.",
    )
    oauth_client_id = fields.Char(string="OAuth Client ID", groups=ADMIN_GROUP, copy=False)
    oauth_client_secret = fields.Char(string="OAuth Client Secret", groups=ADMIN_GROUP, copy=False)
    oauth_refresh_token = fields.Char(string="OAuth Refresh Token", groups=ADMIN_GROUP, copy=False)
    oauth_token_expires_at = fields.Datetime(string="OAuth Token Expiry", groups=ADMIN_GROUP, copy=False)
    has_access_token = fields.Boolean(compute="_compute_has_access_token", string="Token Set")

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

    _portal_company_unique = models.Constraint(
        "UNIQUE(portal_id, company_id)",
        "This HubSpot portal is already connected for this company.",
    )

    # ------------------------------------------------------------ computes
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

    # ------------------------------------------------------------- actions
    def action_test_connection(self):
        """Ask HubSpot for the portal's details; store its id and UI domain."""
        self.ensure_one()
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

    # ------------------------------------------------------ business logic
    def _get_client(self, **options):
        """A HubSpot client for this account (reads the token as superuser).

        ``options`` go to :class:`HubSpotClient` (``timeout``, ``max_retries``...).
        """
        self.ensure_one()
        account = self.sudo()
        if not account.access_token:
            raise UserError(self.env._("Enter the HubSpot access token of account “%s” first.", self.name))
        return HubSpotClient(
            base_url=account.api_base_url,
            token=account.access_token,
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
            return self.env._(
                "HubSpot refused the request: the app is missing required scopes: %(scopes)s. "
                "Add them to the private app (or re-authorize the OAuth app) and try again.",
                scopes=scopes,
            )
        if isinstance(error, HubSpotAuthError):
            return self.env._(
                "HubSpot rejected the access token (HTTP %(status)s): it is wrong, revoked or expired. "
                "Copy a valid token from the private app in HubSpot.",
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
