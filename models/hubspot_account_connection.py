"""The connection of a HubSpot account: the API client it hands to the sync and the actions,
the static token or OAuth 2.0 (authorization, the signed state, each process's token cache),
the connection test, HubSpot's daily usage, and HubSpot's errors told as users understand them."""

import hashlib
import logging
import secrets
import time
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

from ..hubspot import (
    HubSpotAuthError,
    HubSpotClient,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotRateLimitError,
    HubSpotScopeError,
    HubSpotTimeoutError,
)
from ..hubspot.scopes import scopes_for
from ..hubspot.tokens import AUTHORIZE_URL, OAuthToken, authorize_url
from .hubspot_account import USER_GROUP
from .hubspot_sync_spec import SPECS

_logger = logging.getLogger(__name__)

OAUTH_STATE_SECONDS = 900  # an authorization started more than 15 minutes ago is refused
# OAuth access tokens live 30 minutes; each Odoo process renews its own (HubSpot's refresh
# tokens do not rotate), so syncs never write the account row from several workers at once.
_OAUTH_TOKENS = {}
# HubSpot's daily usage as each Odoo process last read it: (db, account, credentials) -> (until, answer)
_DAILY_USAGE = {}
DAILY_USAGE_SECONDS = 300  # asked at most every 5 minutes; a token refused it: hourly


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


class HubspotAccountConnection(models.Model):
    _inherit = "hubspot.account"

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

    def _webhook_secret(self):
        account = self.sudo()
        return account.webhook_secret or account.oauth_client_secret or False

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
