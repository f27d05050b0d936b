"""The sandbox's WSGI application: routing, authentication, rate limits, faults, the log.

The routes themselves live in ``api_objects``, ``api_associations``, ``api_portal``
(account, owners, pipelines, properties, OAuth) and ``api_admin`` (``/_sandbox/...``).
"""

import ipaddress
import json
import re
import threading
import time
import traceback
from http import HTTPStatus
from urllib.parse import parse_qs, unquote

from .api_admin import AdminRoutes
from .api_associations import AssociationRoutes
from .api_objects import ObjectRoutes
from .api_portal import PortalRoutes
from .catalog import OBJECT_TYPES, TYPE_ALIASES, schema_scope_for, scope_for
from .errors import HubSpotHTTPError, correlation_id
from .limits import MESSAGES, SECONDLY, TEN_SECONDLY
from .oauth import OAuthError
from .values import now_iso

NUMBERED = re.compile(r"^v\d+$")
DATED = re.compile(r"^\d{4}-\d{2}$")
TYPE_GROUPS = ("object_type", "from_type", "to_type")
# The versions HubSpot publishes for each area (its public API descriptions). A numbered
# version follows the first segment (``/crm/v3/objects``), a dated one the area
# (``/crm/objects/2026-03``); any other version, or an area in the wrong one, is a 404.
DATED_VERSIONS = ("2025-09", "2026-03", "2026-09")
AREA_VERSIONS = {
    "crm/objects": ("v3", *DATED_VERSIONS),
    "crm/associations": ("v4", *DATED_VERSIONS),  # v3 has its own shapes, which the sandbox does not speak
    "crm/owners": ("v3", *DATED_VERSIONS),
    "crm/pipelines": ("v3", *DATED_VERSIONS),
    "crm/properties": ("v3", *DATED_VERSIONS),
    "account-info": ("v3", *DATED_VERSIONS),
    "oauth": ("v1", "v3", "2026-03", "2026-09"),
}
# Paths of an area whose versions differ from the area's (the normalized path after the area).
PATH_VERSIONS = (
    ("crm/objects", re.compile(r"^[^/]+/[^/]+/associations(/.*)?$"), ("v4", *DATED_VERSIONS)),
    ("oauth", re.compile(r"^token/(introspect|revoke)$"), ("v3", "2026-03", "2026-09")),
    ("oauth", re.compile(r"^(access|refresh)-tokens/.*$"), ("v1",)),
    ("oauth", re.compile(r"^authorize$"), ()),  # the consent page has no version (UNVERSIONED)
)

# HubSpot's pages with no version: the OAuth consent page (app.hubspot.com/oauth/authorize).
UNVERSIONED = ("oauth/authorize",)


def split_version(path):
    """``/crm/v3/objects/x`` and ``/crm/objects/2026-03/x`` -> ``("crm/objects/x", version)``;
    ``(path, None)`` when no version sits where HubSpot puts one."""
    parts = [p for p in path.split("/") if p]
    if len(parts) > 1 and NUMBERED.match(parts[1]):
        return "/".join(parts[:1] + parts[2:]), parts[1]
    depth = 2 if parts[:1] == ["crm"] else 1
    if len(parts) > depth and DATED.match(parts[depth]):
        return "/".join(parts[:depth] + parts[depth + 1 :]), parts[depth]
    return "/".join(parts), None


def normalize(path):
    """``/crm/v3/objects/x`` and ``/crm/objects/2026-03/x`` both become ``crm/objects/x``."""
    return split_version(path)[0]


def published(normalized, version):
    """Does HubSpot publish this (version-less) path in ``version``?"""
    if version is None:
        return normalized in UNVERSIONED
    parts = normalized.split("/")
    depth = 2 if parts[0] == "crm" else 1
    area, rest = "/".join(parts[:depth]), "/".join(parts[depth:])
    for path_area, pattern, versions in PATH_VERSIONS:
        if path_area == area and pattern.match(rest):
            return version in versions
    return version in AREA_VERSIONS.get(area, ())


class Request:
    def __init__(self, environ):
        self.method = environ["REQUEST_METHOD"]
        # Routing works on the path as sent (still percent-encoded), so that an id such as
        # a URL-encoded unique value (``%2F``) stays one segment; captured ids are unquoted.
        raw = environ.get("REQUEST_URI")
        if raw is not None:
            self.path = raw.split("?", 1)[0]
        else:  # another WSGI server: wsgiref-style decoded latin-1 path
            self.path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")
        self.query_string = environ.get("QUERY_STRING", "")
        self.params = parse_qs(self.query_string, keep_blank_values=True)
        self.headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        self.content_type = environ.get("CONTENT_TYPE") or ""
        self.remote = environ.get("REMOTE_ADDR", "")
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '')}"
        self.base_url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"  # for paging.next.link
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.raw = environ["wsgi.input"].read(length) if length else b""

    def arg(self, name, default=None):
        values = self.params.get(name)
        return values[-1] if values else default

    def args(self, name):
        """``?properties=a,b&properties=c`` -> ["a", "b", "c"]."""
        return [part for value in self.params.get(name, []) for part in value.split(",") if part]

    def flag(self, name):
        return (self.arg(name) or "").lower() == "true"

    def json(self):
        if not self.raw:
            return {}
        try:
            return json.loads(self.raw)
        except ValueError:
            raise HubSpotHTTPError(400, "Invalid input JSON on line 1", "VALIDATION_ERROR") from None

    def form(self):
        return {k: v[-1] for k, v in parse_qs(self.raw.decode("utf-8", "replace"), keep_blank_values=True).items()}


class Route:
    def __init__(self, method, pattern, handler, scope, operation, auth=True, search=False, exempt=False):
        self.method = method
        self.text = pattern
        self.regex = re.compile(f"^{pattern}$")
        self.handler = handler
        self.scope = scope
        self.operation = operation
        self.auth = auth
        self.search = search  # counted against search's own per-second limit
        self.exempt = exempt  # not counted against the ten-secondly limit (association batches)

    @property
    def name(self):
        return f"{self.method} " + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", self.text)


class SandboxApp(ObjectRoutes, AssociationRoutes, PortalRoutes, AdminRoutes):
    """Routes are (method, regex on the normalized path, handler, scope, operation name)."""

    def __init__(self, state, verbose=False):
        self.state = state
        self.verbose = verbose
        self.stopping = threading.Event()  # wakes injected sleeps when the server stops
        self.routes = []
        self.admin_routes = []
        self._object_routes()
        self._association_routes()
        self._portal_routes()
        self._admin_routes()

    def route(self, method, pattern, handler, scope=None, operation=None, auth=True, search=False, exempt=False):
        self.routes.append(Route(method, pattern, handler, scope, operation or handler.__name__, auth, search, exempt))

    def admin_route(self, method, pattern, handler):
        self.admin_routes.append(Route(method, pattern, handler, None, handler.__name__, auth=False))

    # --------------------------------------------------------------- WSGI
    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/_sandbox"):
            status, body, headers, raw = self.handle_admin(request)
        else:
            status, body, headers, raw = self.handle_api(request)
        if status >= 400 and isinstance(body, dict) and "correlationId" not in body:
            body = {**body, "correlationId": correlation_id()}  # HubSpot's error bodies all carry one
        if raw is None:
            raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        if raw or status not in (204, 302):
            headers = [("Content-Type", "application/json;charset=utf-8"), *headers]
        headers.append(("Content-Length", str(len(raw))))
        start_response(f"{status} {_phrase(status)}", headers)
        return [raw]

    def match(self, request, routes):
        if routes is self.routes:
            path, version = split_version(request.path)
            if not published(path, version):
                raise HubSpotHTTPError(
                    404,
                    f"No route for {request.method} {request.path}: "
                    + (
                        f"HubSpot has no API version {version} of this path"
                        if version
                        else "no API version in the path"
                    ),
                    "OBJECT_NOT_FOUND",
                )
        else:
            path = request.path.strip("/")
        allowed = []
        for route in routes:
            found = route.regex.match(path)
            if not found:
                continue
            if route.method != request.method:
                allowed.append(route.method)
                continue
            kwargs = {key: unquote(value) for key, value in found.groupdict().items()}
            for key in TYPE_GROUPS:
                if key in kwargs:
                    kwargs[key] = self.object_type(kwargs[key])
            return route, kwargs
        if allowed:
            raise HubSpotHTTPError(
                405, f"Method {request.method} not allowed; use {', '.join(allowed)}", "METHOD_NOT_ALLOWED"
            )
        raise HubSpotHTTPError(404, f"No route for {request.method} {request.path}", "OBJECT_NOT_FOUND")

    @staticmethod
    def object_type(name):
        resolved = TYPE_ALIASES.get(name, name)
        if resolved not in OBJECT_TYPES:
            raise HubSpotHTTPError(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")
        return resolved

    # ---------------------------------------------------------- HubSpot API
    def handle_api(self, request):
        """Answer one API request; ``state.in_flight`` counts the requests being answered (the soak
        tells what a server was waiting for when it was killed)."""
        token = object()
        self.state.in_flight[token] = f"{request.method} {normalize(request.path)}"
        try:
            return self._handle_api(request)
        finally:
            self.state.in_flight.pop(token, None)

    def _handle_api(self, request):
        started = time.monotonic()
        state = self.state
        route, fault, headers, raw = None, None, [], None
        try:
            route, kwargs = self.match(request, self.routes)
            fault = state.faults.draw(request.method, request.path) if route.auth else None
            if (state.faults.latency or state.faults.latency_max) and route.auth:
                self.stopping.wait(state.faults.delay())
            if fault and fault[0] == "status":
                return self._logged(request, route, fault, started, *self.fault_response(fault[1], route))
            dropped = self.refuse_some_inputs(request) if fault and fault[0] == "partial" else []
            if fault and fault[0] == "timeout":
                self.stopping.wait(state.faults.timeout_seconds)
            if route.auth:
                self.authenticate(request, route, kwargs)
                headers, refused = state.rate_limits.check(route.search, state.today(), exempt=route.exempt)
                if refused:
                    raise rate_limited(refused, [])  # the headers above go out with it
            with state.lock:
                result = route.handler(request, **kwargs)
            status, body = result[0], result[1]
            headers = headers + list(result[2] if len(result) > 2 else [])
            if dropped and isinstance(body, dict) and status < 300:
                status, body = partial_answer(body, dropped)
        except HubSpotHTTPError as error:
            status, body, headers = error.status, error.body, headers + error.headers
        except OAuthError as error:
            status, body = error.status, error.body
        except Exception as error:  # a sandbox bug: answer 500 like HubSpot would, keep the traceback
            status, body = (
                500,
                {
                    "status": "error",
                    "message": f"internal error in the sandbox: {type(error).__name__}: {error}",
                    "category": "INTERNAL_ERROR",
                    "correlationId": correlation_id(),
                },
            )
            state.errors.append(traceback.format_exc())
            if self.verbose:
                traceback.print_exc()
        if fault and fault[0] == "malformed":
            text = json.dumps(body if body is not None else {"results": []}, ensure_ascii=False).encode()
            raw = text[: max(1, len(text) // 2)]
            status = 200 if status == 204 else status
        return self._logged(request, route, fault, started, status, body, headers, raw)

    def _logged(self, request, route, fault, started, status, body, headers, raw=None):
        if route is not None:
            found = route.regex.match(normalize(request.path))
            names = {k: TYPE_ALIASES.get(v, v) for k, v in (found.groupdict() if found else {}).items()}
            operation = route.operation.format(**names)
            route_name = route.name
        else:
            operation = route_name = "unknown"
        self.state.record_call(
            {
                "time": now_iso(),
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "status": status,
                "operation": operation,
                "route": route_name,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "fault": fault[0] if fault else None,
            }
        )
        return status, body, headers, raw

    def fault_response(self, status, route=None):
        """An injected failure: HubSpot's 429 body (search's secondly limit on a search; with a
        ``Retry-After`` header or without, see ``retry_after_rate``), an HTML 502 from the edge,
        JSON otherwise."""
        if status == 429:
            error = rate_limited(SECONDLY if route is not None and route.search else TEN_SECONDLY, [])
            headers = [("Retry-After", "1")] if self.state.faults.with_retry_after() else []
            return status, error.body, headers, None
        if status == 502:
            html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            return status, None, [("Content-Type", "text/html")], html
        headers = [("Retry-After", "1")] if status == 477 else []
        body = {
            "status": "error",
            "message": _phrase(status),
            "correlationId": correlation_id(),
            "category": "INTERNAL_ERROR" if status >= 500 else "SANDBOX_FAULT",
        }
        return status, body, headers, None

    def authenticate(self, request, route, kwargs):
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else None
        state = self.state
        if not token or token not in state.tokens:
            raise HubSpotHTTPError(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
                "INVALID_AUTHENTICATION",
            )
        late = state.token_expired_ms(token)
        if late is not None:
            raise HubSpotHTTPError(
                401,
                f"The OAuth token used to make this call expired {late // 1000} second(s) ago.",
                "EXPIRED_AUTHENTICATION",
            )
        granted = state.tokens[token]
        if granted is None:
            return
        unmet = [any_of for any_of in self.required_scopes(route.scope, kwargs) if not set(any_of) & set(granted)]
        missing = list(dict.fromkeys(scope for any_of in unmet for scope in any_of))
        if missing:
            raise HubSpotHTTPError(
                403,
                "This app hasn't been granted all required scopes to make this call.",
                "MISSING_SCOPES",
                errors=[
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": missing},
                    }
                ],
            )

    @staticmethod
    def required_scopes(scope, kwargs):
        """What a route needs: a list of requirements, each a tuple of scopes any one of which meets it."""
        if scope is None:
            return []
        kind, *rest = scope
        if kind == "objects":
            return [scope_for(kwargs["object_type"], rest[0])]
        if kind == "pair":
            return list(dict.fromkeys(scope_for(kwargs[k], rest[0]) for k in ("from_type", "to_type")))
        if kind == "record_pair":
            return list(dict.fromkeys(scope_for(kwargs[k], rest[0]) for k in ("object_type", "to_type")))
        if kind == "schemas":
            return [schema_scope_for(kwargs["object_type"], rest[0])]
        return [(literal,) for literal in rest]

    # -------------------------------------------------------------- admin
    def handle_admin(self, request):
        try:
            if not _loopback(request.remote):
                raise HubSpotHTTPError(403, "The sandbox admin API answers the loopback interface only", "FORBIDDEN")
            route, kwargs = self.match(request, self.admin_routes)
            with self.state.lock:
                result = route.handler(request, **kwargs)
            return result[0], result[1], list(result[2] if len(result) > 2 else []), None
        except HubSpotHTTPError as error:
            return error.status, error.body, error.headers, None
        except OAuthError as error:
            return error.status, error.body, [], None
        except (ValueError, TypeError, KeyError) as error:
            return (
                400,
                {"status": "error", "message": f"{type(error).__name__}: {error}", "category": "VALIDATION_ERROR"},
                [],
                None,
            )

    def refuse_some_inputs(self, request):
        """An injected 207: take some inputs out of a batch write before it is done; returns them."""
        try:
            body = json.loads(request.raw)
        except ValueError:
            return []
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list):
            return []
        positions = self.state.faults.refused_inputs(len(inputs))
        refused = [inputs[n] for n in positions]
        body["inputs"] = [item for n, item in enumerate(inputs) if n not in positions]
        request.raw = json.dumps(body).encode()
        return refused


def partial_answer(body, refused):
    """HubSpot's 207 for a batch of which ``refused`` inputs were not done (a transient refusal:
    sent again, they pass)."""
    errors = list(body.get("errors") or [])
    for item in refused:
        context = {"ids": [str(item["id"])]} if isinstance(item, dict) and item.get("id") is not None else {}
        errors.append(
            {
                "status": "error",
                "category": "INTERNAL_ERROR",
                "message": "The record could not be written right now; try again.",
                "context": context,
            }
        )
    return 207, {**body, "numErrors": len(errors), "errors": errors}


def rate_limited(policy, headers):
    return HubSpotHTTPError(
        429,
        MESSAGES[policy],
        None,
        headers=headers,
        errorType="RATE_LIMIT",
        policyName=policy,
    )


def _phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _loopback(address):
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address in ("", "localhost")
