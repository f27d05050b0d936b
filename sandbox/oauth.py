"""OAuth 2.0 of the sandbox portal: authorization codes, access and refresh tokens (RFC 6749)."""

import secrets

from .catalog import ALL_SCOPES

ACCESS_TOKEN_SECONDS = 1800
CODE_SECONDS = 600
DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
DEFAULT_REDIRECT_URI = "http://localhost:8069/hubspot/oauth/callback"


class OAuthError(Exception):
    """An RFC 6749 error: ``{"error": code, "error_description": ...}`` with status 400."""

    def __init__(self, code, description, status=400):
        super().__init__(description)
        self.status = status
        self.body = {
            "status": "error",
            "error": code,
            "error_description": description,
            "message": description,
            "category": "BAD_REQUEST" if code != "invalid_client" else "INVALID_AUTHENTICATION",
        }


class OAuthMixin:
    """Needs ``lock``, ``tokens``, ``now_ms()`` and ``portal_id``."""

    def _init_oauth(self):
        self.oauth_clients = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.oauth_codes = {}  # code -> {client_id, redirect_uri, scopes, expires_at}
        self.refresh_tokens = {}  # token -> {client_id, scopes}
        self.access_tokens = {}  # token -> {client_id, scopes, expires_at, refresh_token}

    def add_oauth_client(self, client_id, client_secret):
        with self.lock:
            self.oauth_clients[client_id] = client_secret

    def authorize(self, client_id=DEFAULT_CLIENT_ID, redirect_uri=DEFAULT_REDIRECT_URI, scopes=None):
        """What the user's consent in HubSpot's browser page produces: a one-time code.

        A scope HubSpot does not have fails the authorization, as HubSpot's install page does."""
        with self.lock:
            if client_id not in self.oauth_clients:
                raise OAuthError("invalid_client", f"Unknown client_id {client_id}")
            unknown = [scope for scope in scopes or () if scope not in ALL_SCOPES]
            if unknown:
                raise OAuthError("invalid_scope", f"These scopes do not exist: {' '.join(unknown)}")
            code = "sbx-code-" + secrets.token_urlsafe(24)
            self.oauth_codes[code] = {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scopes": list(scopes) if scopes is not None else None,
                "expires_at": self.now_ms() + CODE_SECONDS * 1000,
            }
            return code

    def exchange_token(self, form):
        """POST /oauth/.../token with a form: a token response, or OAuthError."""
        with self.lock:
            grant = form.get("grant_type")
            if not grant:
                raise OAuthError("invalid_request", "missing grant_type (send a form-encoded body)")
            if grant not in ("authorization_code", "refresh_token"):
                raise OAuthError("unsupported_grant_type", f"unsupported grant_type {grant}")
            client_id = form.get("client_id")
            if not client_id or self.oauth_clients.get(client_id) != form.get("client_secret"):
                raise OAuthError("invalid_client", "client_id or client_secret is wrong")
            if grant == "authorization_code":
                code = self.oauth_codes.pop(form.get("code") or "", None)
                if code is None or code["expires_at"] < self.now_ms():
                    raise OAuthError("invalid_grant", "the code is unknown, expired or already used")
                if code["client_id"] != client_id or code["redirect_uri"] != form.get("redirect_uri"):
                    raise OAuthError("invalid_grant", "redirect_uri or client_id do not match the authorization")
                refresh_token = "sbx-rt-" + secrets.token_urlsafe(24)
                self.refresh_tokens[refresh_token] = {"client_id": client_id, "scopes": code["scopes"]}
            else:
                refresh_token = form.get("refresh_token") or ""
                known = self.refresh_tokens.get(refresh_token)
                if known is None or known["client_id"] != client_id:
                    raise OAuthError("invalid_grant", "the refresh token is unknown or revoked")
            return self._issue(client_id, refresh_token)

    def _issue(self, client_id, refresh_token):
        scopes = self.refresh_tokens[refresh_token]["scopes"]
        access_token = "sbx-at-" + secrets.token_urlsafe(48)
        self.access_tokens[access_token] = {
            "client_id": client_id,
            "scopes": scopes,
            "expires_at": self.now_ms() + ACCESS_TOKEN_SECONDS * 1000,
            "refresh_token": refresh_token,
        }
        self.tokens[access_token] = scopes
        return {
            "token_type": "bearer",
            "token_use": "access_token",  # HubSpot's AccessTokenResponse (client credentials say otherwise)
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "hub_id": self.portal_id,
            "scopes": scopes if scopes is not None else list(ALL_SCOPES),
        }

    def token_expired_ms(self, token):
        """Milliseconds since an issued access token expired (None: valid or not issued here)."""
        issued = self.access_tokens.get(token)
        if issued is None:
            return None
        late = self.now_ms() - issued["expires_at"]
        return late if late >= 0 else None

    def introspect(self, token):
        with self.lock:
            issued = self.access_tokens.get(token)
            if issued is not None:
                left = (issued["expires_at"] - self.now_ms()) // 1000
                return {
                    "active": left > 0,
                    "token_type": "access_token",
                    "client_id": issued["client_id"],
                    "hub_id": self.portal_id,
                    "scopes": issued["scopes"],
                    "expires_in": max(0, left),
                }
            refresh = self.refresh_tokens.get(token)
            if refresh is not None:
                return {
                    "active": True,
                    "token_type": "refresh_token",
                    "client_id": refresh["client_id"],
                    "hub_id": self.portal_id,
                    "scopes": refresh["scopes"],
                }
            return {"active": False}

    def revoke(self, token):
        """Revoke a refresh token (and the access tokens it issued) or one access token."""
        with self.lock:
            found = False
            if self.refresh_tokens.pop(token, None) is not None:
                found = True
                for access, issued in list(self.access_tokens.items()):
                    if issued["refresh_token"] == token:
                        self.access_tokens.pop(access)
                        self.tokens.pop(access, None)
            if self.access_tokens.pop(token, None) is not None:
                self.tokens.pop(token, None)
                found = True
            return found
