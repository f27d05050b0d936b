"""Portal routes: account details and usage, owners, pipelines, properties, OAuth."""

from urllib.parse import urlencode

from .api_objects import int_arg
from .errors import HubSpotHTTPError, bad_request, not_found
from .oauth import OAuthError
from .paging import decode_cursor, encode_cursor, next_link

TYPE = r"(?P<object_type>[\w-]+)"
MAX_OWNERS = 500


class PortalRoutes:
    def _portal_routes(self):
        route = self.route
        account = ("literal", "oauth")  # the published descriptions: the "oauth" scope
        route("GET", r"account-info/details", self.account_details, account, "account.details")
        route("GET", r"account-info/api-usage/daily/private-apps", self.daily_usage, account, "account.daily_usage")
        owners = ("literal", "crm.objects.owners.read")
        route("GET", r"crm/owners", self.list_owners, owners, "owners.list")
        route("GET", r"crm/owners/(?P<owner_id>[^/]+)", self.get_owner, owners, "owners.get")
        route("GET", rf"crm/pipelines/{TYPE}", self.list_pipelines, ("objects", "read"), "pipelines.{object_type}.list")
        route(
            "GET",
            rf"crm/pipelines/{TYPE}/(?P<pipeline_id>[^/]+)",
            self.get_pipeline,
            ("objects", "read"),
            "pipelines.{object_type}.get",
        )
        route(
            "GET",
            rf"crm/pipelines/{TYPE}/(?P<pipeline_id>[^/]+)/stages",
            self.list_stages,
            ("objects", "read"),
            "pipelines.{object_type}.stages",
        )
        schema_read, schema_write = ("schemas", "read"), ("schemas", "write")
        name = r"(?P<name>[^/]+)"
        route("GET", rf"crm/properties/{TYPE}", self.list_properties, schema_read, "properties.{object_type}.list")
        route("POST", rf"crm/properties/{TYPE}", self.create_property, schema_write, "properties.{object_type}.create")
        groups = rf"crm/properties/{TYPE}/groups"
        route("GET", groups, self.list_property_groups, schema_read, "properties.{object_type}.groups_list")
        route("POST", groups, self.create_property_group, schema_write, "properties.{object_type}.groups_create")
        route("GET", rf"{groups}/{name}", self.get_property_group, schema_read, "properties.{object_type}.groups_get")
        route(
            "PATCH",
            rf"{groups}/{name}",
            self.update_property_group,
            schema_write,
            "properties.{object_type}.groups_update",
        )
        route(
            "DELETE",
            rf"{groups}/{name}",
            self.archive_property_group,
            schema_write,
            "properties.{object_type}.groups_archive",
        )
        route("GET", rf"crm/properties/{TYPE}/{name}", self.get_property, schema_read, "properties.{object_type}.get")
        route(
            "PATCH",
            rf"crm/properties/{TYPE}/{name}",
            self.update_property,
            schema_write,
            "properties.{object_type}.update",
        )
        route(
            "DELETE",
            rf"crm/properties/{TYPE}/{name}",
            self.archive_property,
            schema_write,
            "properties.{object_type}.archive",
        )
        # OAuth: no Bearer token, not rate limited.
        route("POST", r"oauth/token", self.oauth_token, None, "oauth.token", auth=False)
        route("POST", r"oauth/token/introspect", self.oauth_introspect, None, "oauth.introspect", auth=False)
        route("POST", r"oauth/token/revoke", self.oauth_revoke, None, "oauth.revoke", auth=False)
        route(
            "GET",
            r"oauth/access-tokens/(?P<token>[^/]+)",
            self.oauth_access_token,
            None,
            "oauth.access_token",
            auth=False,
        )
        route(
            "GET",
            r"oauth/refresh-tokens/(?P<token>[^/]+)",
            self.oauth_refresh_token,
            None,
            "oauth.refresh_token",
            auth=False,
        )
        route(
            "DELETE",
            r"oauth/refresh-tokens/(?P<token>[^/]+)",
            self.oauth_delete_refresh,
            None,
            "oauth.revoke",
            auth=False,
        )
        route("GET", r"oauth/authorize", self.oauth_authorize, None, "oauth.authorize", auth=False)

    # ------------------------------------------------------------ account
    def account_details(self, request):
        state = self.state
        offset = state._local(state.clock()).utcoffset()
        offset_ms = int(offset.total_seconds() * 1000) if offset else 0
        sign = "+" if offset_ms >= 0 else "-"
        minutes = abs(offset_ms) // 60000
        return 200, {
            "portalId": state.portal_id,
            "uiDomain": state.ui_domain,
            "timeZone": state.time_zone,
            "companyCurrency": state.currency,
            "additionalCurrencies": [],
            "utcOffset": f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
            "utcOffsetMilliseconds": offset_ms,
            "accountType": "STANDARD",
            "dataHostingLocation": "eu1",
        }

    def daily_usage(self, request):
        limits = self.state.rate_limits
        return 200, {
            "results": [
                {
                    "name": "private-apps-api-calls-daily",
                    "usageLimit": limits.daily,
                    "currentUsage": limits.daily_used,
                    "collectedAt": self.state.stamp(),
                    "fetchStatus": "SUCCESS",
                    "resetsAt": self.state.next_midnight(),
                }
            ]
        }

    # ------------------------------------------------------------- owners
    def list_owners(self, request):
        limit = int_arg(request.arg("limit"), "limit", 100, MAX_OWNERS)
        after = decode_cursor("owners", request.arg("after"))
        email = (request.arg("email") or "").lower()
        archived = request.flag("archived")
        owners = sorted(self.state.owners.values(), key=lambda o: int(o["id"]))
        owners = [
            o
            for o in owners
            if o["archived"] == archived
            and (not email or o["email"].lower() == email)
            and (not after or int(o["id"]) > int(after))
        ]
        body = {"results": owners[:limit]}
        if len(owners) > limit:
            next_after = encode_cursor("owners", owners[limit - 1]["id"])
            body["paging"] = {"next": {"after": next_after, "link": next_link(request, next_after)}}
        return 200, body

    def get_owner(self, request, owner_id):
        if request.arg("idProperty") == "userId":
            found = [o for o in self.state.owners.values() if str(o["userId"]) == owner_id]
        else:
            found = [self.state.owners[owner_id]] if owner_id in self.state.owners else []
        if not found or found[0]["archived"] != request.flag("archived"):
            raise not_found("owners", owner_id)
        return 200, found[0]

    # ---------------------------------------------------------- pipelines
    def _pipelines(self, object_type):
        if object_type not in ("deals", "tickets"):
            raise bad_request(f"{object_type} have no pipelines")
        return self.state.pipelines[object_type]

    def list_pipelines(self, request, object_type):
        return 200, {"results": [p for p in self._pipelines(object_type) if not p["archived"]]}

    def get_pipeline(self, request, object_type, pipeline_id):
        self._pipelines(object_type)
        found = self.state.find_pipeline(object_type, pipeline_id)
        if found is None:
            raise not_found(f"{object_type} pipeline", pipeline_id)
        return 200, found

    def list_stages(self, request, object_type, pipeline_id):
        return 200, {"results": self.get_pipeline(request, object_type, pipeline_id)[1]["stages"]}

    # --------------------------------------------------------- properties
    def list_properties(self, request, object_type):
        archived = request.flag("archived")
        definitions = self.state.properties[object_type].values()
        return 200, {
            "results": [self.state.property_view(object_type, d) for d in definitions if d["archived"] == archived]
        }

    def get_property(self, request, object_type, name):
        definition = self.state.properties[object_type].get(name)
        if definition is None:
            raise HubSpotHTTPError(404, f"Unable to find property {name} of {object_type}", "OBJECT_NOT_FOUND")
        return 200, self.state.property_view(object_type, definition)

    def create_property(self, request, object_type):
        return 201, self.state.create_property(object_type, request.json())

    def update_property(self, request, object_type, name):
        return 200, self.state.update_property(object_type, name, request.json())

    def archive_property(self, request, object_type, name):
        self.state.archive_property(object_type, name)
        return 204, None

    # ---------------------------------------------------- property groups
    def list_property_groups(self, request, object_type):
        groups = self.state.property_groups[object_type].values()
        return 200, {"results": [self.state.property_group_view(g) for g in groups]}

    def get_property_group(self, request, object_type, name):
        return 200, self.state.property_group_view(self.state.get_property_group(object_type, name))

    def create_property_group(self, request, object_type):
        return 201, self.state.property_group_view(self.state.create_property_group(object_type, request.json()))

    def update_property_group(self, request, object_type, name):
        group = self.state.update_property_group(object_type, name, request.json())
        return 200, self.state.property_group_view(group)

    def archive_property_group(self, request, object_type, name):
        self.state.archive_property_group(object_type, name)
        return 204, None

    # -------------------------------------------------------------- OAuth
    def oauth_token(self, request):
        if "json" in request.content_type:
            raise OAuthError("invalid_request", "send the token request form-encoded, not as JSON")
        return 200, self.state.exchange_token(request.form())

    def oauth_introspect(self, request):
        return 200, self.state.introspect(request.form().get("token", ""))

    def oauth_revoke(self, request):
        self.state.revoke(request.form().get("token", ""))
        return 200, {"status": "ok"}

    def oauth_access_token(self, request, token):
        info = self.state.introspect(token)
        if info.get("token_type") != "access_token" or not info["active"]:
            raise HubSpotHTTPError(404, "The access token is unknown or expired", "OBJECT_NOT_FOUND")
        return 200, {
            "token": token,
            "hub_id": info["hub_id"],
            "app_id": 1,
            "scopes": info["scopes"],
            "expires_in": info["expires_in"],
            "token_type": "access",
        }

    def oauth_refresh_token(self, request, token):
        info = self.state.introspect(token)
        if info.get("token_type") != "refresh_token":
            raise HubSpotHTTPError(404, "The refresh token is unknown", "OBJECT_NOT_FOUND")
        return 200, {
            "token": token,
            "hub_id": info["hub_id"],
            "client_id": info["client_id"],
            "scopes": info["scopes"],
            "token_type": "refresh",
        }

    def oauth_delete_refresh(self, request, token):
        if not self.state.revoke(token):
            raise HubSpotHTTPError(404, "The refresh token is unknown", "OBJECT_NOT_FOUND")
        return 204, None

    def oauth_authorize(self, request):
        """The consent page, approved at once: redirect to ``redirect_uri`` with a code."""
        redirect_uri = request.arg("redirect_uri")
        if not redirect_uri:
            raise OAuthError("invalid_request", "redirect_uri is required")
        scopes = (request.arg("scope") or "").split() + (request.arg("optional_scope") or "").split()
        code = self.state.authorize(request.arg("client_id"), redirect_uri, scopes or None)
        query = {"code": code, **({"state": request.arg("state")} if request.arg("state") else {})}
        separator = "&" if "?" in redirect_uri else "?"
        return 302, None, [("Location", f"{redirect_uri}{separator}{urlencode(query)}")]
