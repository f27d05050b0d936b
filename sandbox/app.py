"""The sandbox's WSGI application: routing, authentication, HubSpot's JSON shapes."""

import json
import re
from http import HTTPStatus
from urllib.parse import parse_qs

from .state import OBJECT_TYPE_IDS, OBJECT_TYPES

VERSION_SEGMENT = re.compile(r"^(v\d+|\d{4}-\d{2})$")
MAX_PAGE = 100


class HubSpotHTTPError(Exception):
    def __init__(self, status, message, category, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"status": "error", "message": message, "category": category, "correlationId": "sandbox", **extra}


def normalize(path):
    """``/crm/v3/objects/x`` and ``/crm/objects/2026-03/x`` both become ``crm/objects/x``."""
    parts = [p for p in path.split("/") if p]
    for index in (1, 2):
        if index < len(parts) and VERSION_SEGMENT.match(parts[index]):
            return "/".join(parts[:index] + parts[index + 1 :])
    return "/".join(parts)


class Request:
    def __init__(self, environ):
        self.method = environ["REQUEST_METHOD"]
        self.path = environ.get("PATH_INFO", "")
        self.query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.raw = environ["wsgi.input"].read(length) if length else b""

    def json(self):
        if not self.raw:
            return {}
        try:
            return json.loads(self.raw)
        except ValueError:
            raise HubSpotHTTPError(400, "Invalid input JSON", "VALIDATION_ERROR") from None


class SandboxApp:
    """Routes are (method, regex on the normalized path, handler, required scope)."""

    def __init__(self, state):
        self.state = state
        self.routes = []
        self.route("GET", r"account-info/details", self.account_details, None)
        self.route("GET", r"crm/objects/(?P<object_type>[\w-]+)", self.list_objects, "read")
        self.route("GET", r"crm/objects/(?P<object_type>[\w-]+)/(?P<object_id>[^/]+)", self.get_object, "read")

    def route(self, method, pattern, handler, access):
        self.routes.append((method, re.compile(f"^{pattern}$"), handler, access))

    # --------------------------------------------------------------- WSGI
    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            status, body = self.dispatch(request)
        except HubSpotHTTPError as error:
            status, body = error.status, error.body
        payload = b"" if body is None else json.dumps(body).encode()
        headers = [("Content-Type", "application/json;charset=utf-8"), ("Content-Length", str(len(payload)))]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [payload]

    def dispatch(self, request):
        path = normalize(request.path)
        for method, pattern, handler, access in self.routes:
            match = pattern.match(path)
            if match and method == request.method:
                kwargs = match.groupdict()
                object_type = kwargs.get("object_type")
                if object_type is not None:
                    kwargs["object_type"] = object_type = self.object_type(object_type)
                self.authenticate(request, object_type, access)
                return handler(request, **kwargs)
        raise HubSpotHTTPError(404, f"No route for {request.method} {request.path}", "OBJECT_NOT_FOUND")

    def authenticate(self, request, object_type, access):
        header = request.headers.get("authorization", "")
        token = header[7:] if header.startswith("Bearer ") else None
        if not token or token not in self.state.tokens:
            raise HubSpotHTTPError(
                401,
                "Authentication credentials not found or invalid.",
                "INVALID_AUTHENTICATION",
            )
        granted = self.state.tokens[token]
        if granted is None or not access:
            return
        needed = self.scope(object_type, access)
        if needed not in granted:
            raise HubSpotHTTPError(
                403,
                "This app hasn't been granted all required scopes to make this call.",
                "MISSING_SCOPES",
                errors=[{"message": "missing scopes", "context": {"requiredGranularScopes": [needed]}}],
            )

    @staticmethod
    def scope(object_type, access):
        if object_type == "tickets":
            return "tickets"
        return f"crm.objects.{object_type}.{access}"

    @staticmethod
    def object_type(name):
        name = OBJECT_TYPE_IDS.get(name, name)
        if name not in OBJECT_TYPES:
            raise HubSpotHTTPError(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")
        return name

    # ----------------------------------------------------------- handlers
    def account_details(self, request):
        state = self.state
        return 200, {
            "portalId": state.portal_id,
            "uiDomain": state.ui_domain,
            "timeZone": state.time_zone,
            "companyCurrency": state.currency,
            "accountType": "STANDARD",
            "dataHostingLocation": "eu1",
        }

    def present(self, record, properties):
        wanted = [p for p in (properties or "").split(",") if p]
        props = record["properties"]
        shown = {k: props.get(k) for k in wanted} if wanted else dict(props)
        for key in ("hs_object_id", "createdate", self.state.modified_property_for(record)):
            shown.setdefault(key, props.get(key))
        return {**record, "properties": shown}

    def list_objects(self, request, object_type):
        limit = min(int(request.query.get("limit") or 10), MAX_PAGE)
        archived = request.query.get("archived") == "true"
        with self.state.lock:
            records = [r for r in self.state.objects[object_type].values() if r["archived"] == archived]
        records.sort(key=lambda r: int(r["id"]))
        after = request.query.get("after")
        if after:
            records = [r for r in records if int(r["id"]) > int(after)]
        page = records[:limit]
        body = {"results": [self.present(r, request.query.get("properties")) for r in page]}
        if len(records) > limit:
            body["paging"] = {"next": {"after": page[-1]["id"], "link": ""}}
        return 200, body

    def get_object(self, request, object_type, object_id):
        with self.state.lock:
            record = self.state.objects[object_type].get(object_id)
        if not record or record["archived"]:
            raise HubSpotHTTPError(
                404, f"Object not found.  objectId are usually numeric: {object_id}", "OBJECT_NOT_FOUND"
            )
        return 200, self.present(record, request.query.get("properties"))
