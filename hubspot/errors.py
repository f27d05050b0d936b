"""Exceptions raised by the HubSpot client.

Each one is built from HubSpot's error body (``status, message, category,
correlationId, errors[], context``). None of them ever carries the access token
or an ``Authorization`` header: they are made from the response body, the HTTP
method and the path only (no query string, no headers).
"""

import re


class HubSpotError(Exception):
    """Base class. ``status`` is the HTTP status (None when no response came)."""

    retryable = False

    def __init__(self, message, status=None, category=None, correlation_id=None, errors=None, operation=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.category = category
        self.correlation_id = correlation_id
        self.errors = errors or []
        self.operation = operation

    def __str__(self):
        prefix = f"HTTP {self.status}: " if self.status else ""
        where = f" [{self.operation}]" if self.operation else ""
        return f"{prefix}{self.message}{where}"

    def __repr__(self):
        return f"{type(self).__name__}({str(self)!r})"


class HubSpotConnectionError(HubSpotError):
    """The host could not be reached (DNS, refused, TLS)."""

    retryable = True


class HubSpotTimeoutError(HubSpotError):
    """HubSpot did not answer in time."""

    retryable = True


class HubSpotAuthError(HubSpotError):
    """401: the token is missing, wrong, revoked or expired."""


class HubSpotScopeError(HubSpotError):
    """403 MISSING_SCOPES: the app lacks scopes; ``required_scopes`` lists them."""

    def __init__(self, message, required_scopes=(), **kw):
        super().__init__(message, **kw)
        self.required_scopes = list(required_scopes)


class HubSpotNotFoundError(HubSpotError):
    """404: no such object (or no such endpoint)."""


class HubSpotValidationError(HubSpotError):
    """400: the request was refused; ``property_errors`` maps property -> messages."""

    @property
    def property_errors(self):
        found = {}
        for err in self.errors:
            context = err.get("context") or {}
            names = context.get("propertyName") or context.get("properties") or []
            if isinstance(names, str):
                names = [names]
            for name in names or [err.get("name") or ""]:
                found.setdefault(name, []).append(err.get("message") or "")
        return found


class HubSpotConflictError(HubSpotError):
    """409: the object already exists; ``existing_id`` is HubSpot's id for it."""

    @property
    def existing_id(self):
        match = re.search(r"Existing ID:\s*(\d+)", self.message or "")
        return match.group(1) if match else None


class HubSpotRateLimitError(HubSpotError):
    """429 for the ten-secondly (or secondly) limit, once retries are spent."""

    retryable = True

    def __init__(self, message, policy=None, retry_after=None, **kw):
        super().__init__(message, **kw)
        self.policy = policy
        self.retry_after = retry_after


class HubSpotDailyLimitError(HubSpotRateLimitError):
    """429 DAILY: the portal's daily allowance is spent; never retried."""

    retryable = False


class HubSpotServerError(HubSpotError):
    """5xx (and 423/477) once retries are spent."""

    retryable = True


def _scopes(body):
    found = []
    for err in body.get("errors") or []:
        context = err.get("context") or {}
        for key in ("requiredGranularScopes", "requiredScopes", "requiredScope"):
            value = context.get(key) or []
            found += [value] if isinstance(value, str) else list(value)
    return sorted(set(found))


def error_from_response(status, body, operation=None):
    """Map an HTTP error status and HubSpot's JSON body to an exception."""
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or body.get("error_description") or body.get("error") or f"HTTP {status}"
    kw = {
        "status": status,
        "category": body.get("category") or body.get("error"),
        "correlation_id": body.get("correlationId"),
        "errors": body.get("errors") or [],
        "operation": operation,
    }
    if status == 401:
        return HubSpotAuthError(message, **kw)
    if status == 403:
        scopes = _scopes(body)
        if scopes or body.get("category") == "MISSING_SCOPES":
            return HubSpotScopeError(message, required_scopes=scopes, **kw)
        return HubSpotAuthError(message, **kw)
    if status == 404:
        return HubSpotNotFoundError(message, **kw)
    if status == 409:
        return HubSpotConflictError(message, **kw)
    if status == 429:
        policy = body.get("policyName")
        cls = HubSpotDailyLimitError if policy == "DAILY" else HubSpotRateLimitError
        return cls(message, policy=policy, **kw)
    if status >= 500 or status in (423, 477):
        return HubSpotServerError(message, **kw)
    if status in (400, 422):
        return HubSpotValidationError(message, **kw)
    return HubSpotError(message, **kw)
