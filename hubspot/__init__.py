"""A small HubSpot CRM API client.

Pure Python (requests/urllib3 and the standard library): it imports nothing from
Odoo, so it can be used and tested on its own. The Odoo models build one
:class:`HubSpotClient` per ``hubspot.account`` and translate its exceptions into
user-facing messages.
"""

from .client import HubSpotClient
from .errors import (
    HubSpotAuthError,
    HubSpotConflictError,
    HubSpotConnectionError,
    HubSpotDailyLimitError,
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotRateLimitError,
    HubSpotScopeError,
    HubSpotServerError,
    HubSpotTimeoutError,
    HubSpotValidationError,
)
from .paths import API_VERSIONS, DEFAULT_API_VERSION, ApiPaths
from .tokens import StaticToken

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "ApiPaths",
    "HubSpotAuthError",
    "HubSpotClient",
    "HubSpotConflictError",
    "HubSpotConnectionError",
    "HubSpotDailyLimitError",
    "HubSpotError",
    "HubSpotNotFoundError",
    "HubSpotRateLimitError",
    "HubSpotScopeError",
    "HubSpotServerError",
    "HubSpotTimeoutError",
    "HubSpotValidationError",
    "StaticToken",
]
