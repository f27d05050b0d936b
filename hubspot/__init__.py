"""A small HubSpot CRM API client.

Pure Python (requests/urllib3 and the standard library): it imports nothing from
Odoo, so it can be used and tested on its own. The Odoo models build one
:class:`HubSpotClient` per ``hubspot.account`` and translate its exceptions into
user-facing messages.
"""

from .batch import BatchError, BatchResult
from .client import HubSpotClient, modified_property, record_modified_at
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
from .ratelimit import RateLimiter
from .tokens import OAuthToken, StaticToken, authorize_url

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "ApiPaths",
    "BatchError",
    "BatchResult",
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
    "OAuthToken",
    "RateLimiter",
    "StaticToken",
    "authorize_url",
    "modified_property",
    "record_modified_at",
]
