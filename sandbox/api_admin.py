"""``/_sandbox/...``: control the sandbox over HTTP (loopback only, no HubSpot token).

GET  /_sandbox/stats                   call counts: total, by_operation, by_route, by_status
GET  /_sandbox/log?limit=N             the last requests (method, path, query, status, operation...)
DELETE /_sandbox/log                   forget the log and the counts
POST /_sandbox/reset                   empty portal; optional body {"seed": "demo"|"generated", ...}
POST /_sandbox/seed                    {"kind": "demo"} or {"kind": "generated", "companies": N, ...}
GET|POST|DELETE /_sandbox/faults       read / change ({"error_rate": 0.1, ...}) / switch off faults
POST /_sandbox/faults/fail-next        {"count": 2, "status": 503, "kind": "status|timeout|malformed", "path": "..."}
GET|POST /_sandbox/rate-limits         {"enabled": true, "per_ten_seconds": 100, "search_per_second": 5, "daily": N}
GET|POST /_sandbox/settings            {"association_page_size": 500, "opaque_search_cursors": false, "search_lag": 5, ...}
POST /_sandbox/oauth/authorize         {"client_id", "redirect_uri", "scopes"} -> {"code"}
POST /_sandbox/oauth/clients           {"client_id", "client_secret"}
POST /_sandbox/tokens                  {"token", "scopes": [...] | null}
POST /_sandbox/gdpr-delete             {"type": "contacts", "id": "1001"}: a permanent deletion (no recycle bin)
POST /_sandbox/edit                    {"type", "id", "properties"}: a change made in HubSpot's UI (no validation)
POST /_sandbox/create                  {"type", "properties", "associations"?}: a record made in HubSpot's UI
POST /_sandbox/merge                   {"type", "primary", "merged"}: a merge made in HubSpot's UI
GET|POST /_sandbox/clock               {"freeze": ISO | "now" | null, "advance": seconds}
GET  /_sandbox/state                   the whole state as saved to a state file
GET  /_sandbox/errors                  tracebacks of sandbox bugs answered with 500
"""

from . import soak
from .values import iso

SEEDS = ("demo", "generated", "companies", "soak")


class AdminRoutes:
    def _admin_routes(self):
        route = self.admin_route
        route("GET", r"_sandbox/stats", self.admin_stats)
        route("GET", r"_sandbox/log", self.admin_log)
        route("DELETE", r"_sandbox/log", self.admin_clear_log)
        route("POST", r"_sandbox/reset", self.admin_reset)
        route("POST", r"_sandbox/seed", self.admin_seed)
        route("GET", r"_sandbox/faults", self.admin_faults)
        route("POST", r"_sandbox/faults", self.admin_set_faults)
        route("DELETE", r"_sandbox/faults", self.admin_clear_faults)
        route("POST", r"_sandbox/faults/fail-next", self.admin_fail_next)
        route("GET", r"_sandbox/rate-limits", self.admin_rate_limits)
        route("POST", r"_sandbox/rate-limits", self.admin_set_rate_limits)
        route("GET", r"_sandbox/settings", self.admin_settings)
        route("POST", r"_sandbox/settings", self.admin_set_settings)
        route("POST", r"_sandbox/oauth/authorize", self.admin_authorize)
        route("POST", r"_sandbox/oauth/clients", self.admin_oauth_client)
        route("POST", r"_sandbox/tokens", self.admin_token)
        route("POST", r"_sandbox/gdpr-delete", self.admin_gdpr_delete)
        route("POST", r"_sandbox/edit", self.admin_edit)
        route("POST", r"_sandbox/create", self.admin_create)
        route("POST", r"_sandbox/merge", self.admin_merge)
        route("GET", r"_sandbox/clock", self.admin_clock)
        route("POST", r"_sandbox/clock", self.admin_set_clock)
        route("GET", r"_sandbox/state", self.admin_state)
        route("GET", r"_sandbox/errors", self.admin_errors)

    def admin_stats(self, request):
        return 200, self.state.stats()

    def admin_log(self, request):
        entries = list(self.state.request_log)
        limit = int(request.arg("limit") or len(entries) or 1)
        return 200, {"results": entries[-limit:]}

    def admin_clear_log(self, request):
        self.state.clear_log()
        return 204, None

    def admin_reset(self, request):
        body = request.json()
        self.state.reset()
        if body.get("seed"):
            return self._seed(body.pop("seed"), body)
        return 200, {"status": "reset"}

    def admin_seed(self, request):
        body = request.json()
        return self._seed(body.pop("kind", "demo"), body)

    def _seed(self, kind, options):
        if kind not in SEEDS:
            raise ValueError(f"kind must be one of {SEEDS}")
        if kind == "demo":
            created = self.state.seed_demo()
        elif kind == "companies":
            self.state.seed_companies(int(options.get("count", options.get("companies", 25))))
            created = {}
        elif kind == "soak":
            created = soak.seed_soak(self.state, **options)
        else:
            created = self.state.seed_generated(**options)
        counts = {t: sum(1 for r in records.values() if not r["archived"]) for t, records in self.state.objects.items()}
        return 200, {"status": "seeded", "kind": kind, "counts": counts, "created": created}

    def admin_faults(self, request):
        return 200, self.state.faults.settings()

    def admin_set_faults(self, request):
        return 200, self.state.set_faults(**request.json())

    def admin_clear_faults(self, request):
        return 200, self.state.set_faults()

    def admin_fail_next(self, request):
        body = request.json()
        self.state.fail_next(
            body.get("count", 1),
            body.get("status", 503),
            body.get("kind", "status"),
            body.get("path"),
            body.get("method"),
        )
        return 200, self.state.faults.settings()

    def admin_rate_limits(self, request):
        limits = self.state.rate_limits
        return 200, {**limits.settings(), "daily_used": limits.daily_used, "peak_ten_seconds": limits.peak}

    def admin_set_rate_limits(self, request):
        return 200, self.state.set_rate_limits(**request.json())

    def admin_settings(self, request):
        return 200, self.state.settings()

    def admin_set_settings(self, request):
        return 200, self.state.configure(**request.json())

    def admin_authorize(self, request):
        body = request.json()
        options = {k: body[k] for k in ("client_id", "redirect_uri", "scopes") if k in body}
        return 200, {"code": self.state.authorize(**options)}

    def admin_oauth_client(self, request):
        body = request.json()
        self.state.add_oauth_client(body["client_id"], body["client_secret"])
        return 200, {"client_id": body["client_id"]}

    def admin_token(self, request):
        body = request.json()
        self.state.tokens[body["token"]] = body.get("scopes")
        return 200, {"token": body["token"], "scopes": body.get("scopes")}

    def admin_gdpr_delete(self, request):
        body = request.json()
        object_type = self.object_type(body["type"])
        if not self.state.delete_permanently(object_type, str(body["id"])):
            raise ValueError(f"no {object_type} record {body['id']}")
        return 200, {"deleted": {"type": object_type, "id": str(body["id"])}}

    def admin_edit(self, request):
        body = request.json()
        object_type = self.object_type(body["type"])
        record = self.state.edit_record(object_type, str(body["id"]), body.get("properties") or {})
        return 200, {"id": record["id"], "properties": record["properties"]}

    def admin_create(self, request):
        body = request.json()
        object_type = self.object_type(body["type"])
        record = self.state.add_record(object_type, body.get("properties") or {})
        for to_type, to_id, type_id in body.get("associations") or []:
            self.state.associate(object_type, record["id"], self.object_type(to_type), str(to_id), [int(type_id)])
        return 200, {"id": record["id"], "properties": record["properties"]}

    def admin_merge(self, request):
        body = request.json()
        object_type = self.object_type(body["type"])
        record = self.state.merge_records(object_type, str(body["primary"]), str(body["merged"]))
        return 200, {"id": record["id"], "properties": record["properties"]}

    def admin_clock(self, request):
        return 200, {"now": iso(self.state.clock()), "frozen": getattr(self.state.clock, "frozen", None) is not None}

    def admin_set_clock(self, request):
        body = request.json()
        if "freeze" in body:
            moment = body["freeze"]
            if moment is None:
                self.state.unfreeze()
            else:
                self.state.freeze(None if moment == "now" else moment)
        if body.get("advance"):
            self.state.advance(float(body["advance"]))
        return self.admin_clock(request)

    def admin_state(self, request):
        return 200, self.state.to_dict()

    def admin_errors(self, request):
        return 200, {"results": list(self.state.errors)}
