"""Token providers: where the client gets the Bearer token for each request.

A provider has ``get()`` returning the current access token. The client binds
itself to providers that need HTTP (``bind(client)``) so OAuth refreshes go
through the same transport, timeouts and metrics as every other call.
"""

import threading
import time
from urllib.parse import urlencode

AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"
REFRESH_MARGIN = 300  # seconds before expiry at which an OAuth token is renewed


class StaticToken:
    """A private app access token (or a service key): it never changes."""

    def __init__(self, token):
        self._token = token

    def get(self):
        return self._token

    def __repr__(self):
        return "StaticToken(<hidden>)"


class OAuthToken:
    """An OAuth 2.0 access token that renews itself before its 30-minute expiry.

    :param on_refresh: called with HubSpot's token response (``access_token``,
        ``refresh_token``, ``expires_in``) after each renewal, so the caller can
        store the new tokens.
    :param clock: returns seconds since the epoch (default ``time.time()``).
    """

    def __init__(
        self,
        client_id,
        client_secret,
        refresh_token,
        access_token=None,
        expires_at=0.0,
        redirect_uri=None,
        on_refresh=None,
        clock=None,
    ):
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._access_token = access_token
        self.expires_at = expires_at or 0.0
        self.redirect_uri = redirect_uri
        self.on_refresh = on_refresh
        self.clock = clock or (lambda: time.time())  # looked up per call, so freezegun applies
        self._client = None
        self._lock = threading.Lock()

    def __repr__(self):
        return f"OAuthToken(client_id={self.client_id!r}, <tokens hidden>)"

    def bind(self, client):
        self._client = client

    def get(self):
        with self._lock:
            if not self._access_token or self.clock() >= self.expires_at - REFRESH_MARGIN:
                self.refresh()
            return self._access_token

    def refresh(self):
        if self._client is None:
            raise RuntimeError("OAuthToken must be bound to a HubSpotClient before use")
        answer = self._client.oauth_refresh(self.client_id, self._client_secret, self._refresh_token, self.redirect_uri)
        self._access_token = answer["access_token"]
        self._refresh_token = answer.get("refresh_token") or self._refresh_token
        self.expires_at = self.clock() + int(answer.get("expires_in") or 1800)
        if self.on_refresh:
            self.on_refresh(answer)


def authorize_url(client_id, redirect_uri, scopes, state, optional_scopes=(), base_url=AUTHORIZE_URL):
    """The URL that sends a HubSpot user to grant the app access.

    ``state`` must be an unguessable value the callback checks (CSRF protection).
    """
    if not state:
        raise ValueError("an OAuth authorize URL needs a state value")
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "scope": " ".join(scopes), "state": state}
    if optional_scopes:
        params["optional_scope"] = " ".join(optional_scopes)
    return f"{base_url}?{urlencode(params)}"
