"""HubSpotClient: the only code in the addon that speaks HTTP to HubSpot."""

import logging
from collections import Counter

import requests

from .errors import HubSpotConnectionError, HubSpotError, HubSpotTimeoutError, error_from_response
from .paths import DEFAULT_API_VERSION, ApiPaths
from .tokens import StaticToken

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_TIMEOUT = 30  # seconds, for connecting and for each read
USER_AGENT = "hubspot_connector (Odoo 19)"


class HubSpotClient:
    """One client per HubSpot portal (account).

    :param base_url: API root, HubSpot's public one by default; tests and the demo
        point it at the local sandbox.
    :param token: a token provider (``.get()`` returns the Bearer token) or a string.
    :param api_version: ``2026-03`` (date-versioned paths) or ``v3``.
    :param timeout: seconds to connect and to wait for each read; every request has one.
    """

    def __init__(self, base_url=DEFAULT_BASE_URL, token=None, api_version=DEFAULT_API_VERSION, timeout=DEFAULT_TIMEOUT):
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token = StaticToken(token) if isinstance(token, str) or token is None else token
        self.paths = ApiPaths(api_version)
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        self.calls = Counter()  # HTTP calls per operation name
        self.retries = Counter()  # retries per operation name

    def __repr__(self):
        return f"HubSpotClient({self.base_url!r}, api_version={self.paths.version!r})"

    @property
    def call_count(self):
        return sum(self.calls.values())

    # ------------------------------------------------------------------ HTTP
    def request(self, method, path, operation, params=None, json=None, data=None, auth=True):
        """Send one request; return the decoded JSON body (None when empty).

        Errors are raised as :class:`HubSpotError` subclasses whose text holds the
        method, the path and HubSpot's message, never a header or the token.
        """
        url = self.base_url + path
        headers = {}
        if auth:
            token = self.token.get() if self.token else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
        where = f"{method} {path}"
        self.calls[operation] += 1
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise HubSpotTimeoutError(
                f"no answer from {self.base_url} within {self.timeout} s", operation=where
            ) from None
        except requests.ConnectionError as exc:
            reason = type(exc).__name__
            raise HubSpotConnectionError(f"cannot reach {self.base_url} ({reason})", operation=where) from None
        except requests.RequestException as exc:
            raise HubSpotError(f"request to {self.base_url} failed ({type(exc).__name__})", operation=where) from None
        if response.status_code >= 400:
            raise error_from_response(response.status_code, self._body(response), operation=where)
        return self._body(response)

    @staticmethod
    def _body(response):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return {"message": response.text[:200]}

    # ------------------------------------------------------------ operations
    def get_account_details(self):
        """Portal id, UI domain, time zone and currency of the token's portal."""
        return self.request("GET", self.paths.account_details(), "account_details")
