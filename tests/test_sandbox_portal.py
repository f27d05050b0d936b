"""The sandbox is as strict as HubSpot: property groups, permanent (GDPR) deletions, real scope
names only, and OAuth token answers in HubSpot's published shape."""

from odoo.tests import tagged

from ..hubspot.paths import ApiPaths
from ..sandbox.catalog import ALL_SCOPES
from .test_sandbox import NUMBERED, SandboxCase

GROUP = {"name": "odoo", "label": "Odoo", "displayOrder": -1}
PROPERTY = {"name": "odoo_record_id", "label": "Odoo record", "type": "string", "fieldType": "text"}


@tagged("post_install", "-at_install")
class TestSandboxPropertyGroups(SandboxCase):
    def groups(self, object_type="companies"):
        return {g["name"]: g for g in self.ok("GET", self.paths.properties(object_type, "groups"))["results"]}

    def test_groups_are_listed_created_changed_and_archived(self):
        listed = self.groups()
        self.assertIn("companyinformation", listed)
        self.assertEqual(set(listed["companyinformation"]), {"name", "label", "displayOrder", "archived"})
        self.assertEqual(self.groups("contacts")["contactinformation"]["label"], "Contact information")
        self.assertNotIn("odoo", listed)

        created = self.ok("POST", self.paths.properties("companies", "groups"), GROUP, status=201)
        self.assertEqual(created, {**GROUP, "archived": False})
        self.assertEqual(self.call("POST", self.paths.properties("companies", "groups"), GROUP).status_code, 409)
        self.assertNotIn("odoo", self.groups("deals"), "a group belongs to one object type")
        for bad in ({"name": "odoo"}, {"label": "No name"}, {"name": "Not Valid", "label": "x"}):
            self.assertEqual(self.call("POST", self.paths.properties("companies", "groups"), bad).status_code, 400)
        self.assertEqual(self.ok("GET", NUMBERED.properties("companies", "groups", "odoo"))["label"], "Odoo")
        self.assertEqual(self.call("GET", self.paths.properties("companies", "groups", "nope")).status_code, 404)
        changed = self.ok("PATCH", self.paths.properties("companies", "groups", "odoo"), {"label": "Odoo ERP"})
        self.assertEqual((changed["name"], changed["label"]), ("odoo", "Odoo ERP"))

        self.ok("POST", self.paths.properties("companies"), {**PROPERTY, "groupName": "odoo"}, status=201)
        in_use = self.call("DELETE", self.paths.properties("companies", "groups", "odoo"))
        self.assertEqual(in_use.status_code, 400, "a group holding a property stays")
        default = self.call("DELETE", self.paths.properties("companies", "groups", "companyinformation"))
        self.assertEqual(default.status_code, 400, "HubSpot's own groups cannot be deleted")
        self.assertEqual(self.call("DELETE", self.paths.properties("companies", "odoo_record_id")).status_code, 204)
        self.assertEqual(self.call("DELETE", self.paths.properties("companies", "groups", "odoo")).status_code, 204)
        self.assertNotIn("odoo", self.groups())

    def test_a_property_in_a_group_that_does_not_exist_is_refused(self):
        for object_type, group in (("companies", "odoo"), ("line_items", "lineiteminfo"), ("tickets", "")):
            refused = self.call("POST", self.paths.properties(object_type), {**PROPERTY, "groupName": group})
            self.assertEqual(refused.status_code, 400, (object_type, refused.text))
            self.assertEqual(refused.json()["category"], "VALIDATION_ERROR")
            self.assertNotIn("odoo_record_id", self.state.properties[object_type], "nothing was created")
        self.ok("POST", self.paths.properties("companies", "groups"), GROUP, status=201)
        self.ok("POST", self.paths.properties("companies"), {**PROPERTY, "groupName": "odoo"}, status=201)
        moved = self.call("PATCH", self.paths.properties("companies", "odoo_record_id"), {"groupName": "nowhere"})
        self.assertEqual(moved.status_code, 400)
        self.assertEqual(self.state.properties["companies"]["odoo_record_id"]["groupName"], "odoo")

    def test_groups_need_the_schema_scopes(self):
        self.state.tokens["companies-only"] = ["crm.objects.companies.read", "crm.objects.companies.write"]
        self.state.tokens["catalogue"] = ["crm.objects.products.read", "crm.objects.products.write", "e-commerce"]
        self.assertIn("companyinformation", self.groups_of("companies", "companies-only"))
        refused = self.call("POST", self.paths.properties("companies", "groups"), GROUP, token="companies-only")
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(
            refused.json()["errors"][0]["context"]["requiredGranularScopes"], ["crm.schemas.companies.write"]
        )
        created = self.call("POST", self.paths.properties("products", "groups"), GROUP, token="catalogue")
        self.assertEqual(created.status_code, 201, "e-commerce changes product properties and groups")
        self.assertEqual(self.state.stats()["by_status"].get("403"), 1)

    def groups_of(self, object_type, token):
        response = self.call("GET", self.paths.properties(object_type, "groups"), token=token)
        self.assertEqual(response.status_code, 200, response.text)
        return {g["name"] for g in response.json()["results"]}


@tagged("post_install", "-at_install")
class TestSandboxPermanentDeletion(SandboxCase):
    def test_a_gdpr_deletion_leaves_every_listing_and_every_read(self):
        acme = self.make("companies", name="Acme")
        anna = self.make("contacts", email="anna@acme.example", firstname="Anna")
        bert = self.make("contacts", email="bert@acme.example", firstname="Bert")
        self.state.associate("contacts", anna["id"], "companies", acme["id"])
        self.assertEqual(self.call("DELETE", self.paths.objects("contacts", bert["id"])).status_code, 204)
        archived = self.ok("GET", self.paths.objects("contacts"), params={"archived": "true"})["results"]
        self.assertEqual([r["id"] for r in archived], [bert["id"]], "an ordinary deletion: the recycle bin")

        gdpr = self.paths.objects("contacts", "gdpr-delete")
        self.assertEqual(self.call("POST", gdpr, {"objectId": anna["id"]}).status_code, 204)
        self.assertEqual(self.call("POST", gdpr, {"objectId": bert["id"]}).status_code, 204, "from the bin too")
        for archived_flag in ("false", "true"):
            listed = self.ok("GET", self.paths.objects("contacts"), params={"archived": archived_flag})["results"]
            self.assertEqual(listed, [], f"archived={archived_flag}")
            one = self.call("GET", self.paths.objects("contacts", anna["id"]), params={"archived": archived_flag})
            self.assertEqual(one.status_code, 404)
        read = self.call("POST", self.paths.objects("contacts", "batch", "read"), {"inputs": [{"id": anna["id"]}]})
        self.assertEqual(read.status_code, 207)
        self.assertEqual(read.json()["results"], [])
        self.assertEqual(read.json()["errors"][0]["category"], "OBJECT_NOT_FOUND")
        self.assertEqual(read.json()["errors"][0]["context"]["ids"], [anna["id"]])
        self.assertEqual(self.found_ids(self.search("contacts")), [])
        self.assertEqual(self.state._linked_ids("companies", acme["id"], "contacts"), [], "its associations went too")

        self.assertEqual(self.call("POST", gdpr, {"objectId": "999999"}).status_code, 404)
        self.assertEqual(self.call("POST", gdpr, {"objectId": "x@y.example", "idProperty": "email"}).status_code, 204)
        self.assertEqual(
            self.call("POST", self.paths.objects("companies", "gdpr-delete"), {"objectId": "1"}).status_code, 404
        )
        self.state.tokens["read-only"] = ["crm.objects.contacts.read"]
        self.assertEqual(self.call("POST", gdpr, {"objectId": "1"}, token="read-only").status_code, 403)

    def test_admin_control_deletes_any_type_for_good(self):
        deal = self.make("deals", dealname="Big deal", dealstage="appointmentscheduled")
        body = self.ok("POST", "/_sandbox/gdpr-delete", {"type": "deals", "id": deal["id"]}, token=None)
        self.assertEqual(body["deleted"], {"type": "deals", "id": deal["id"]})
        self.assertIsNone(self.state.find("deals", deal["id"], archived=True))
        self.assertEqual(self.call("GET", self.paths.objects("deals", deal["id"])).status_code, 404)
        again = self.call("POST", "/_sandbox/gdpr-delete", {"type": "deals", "id": deal["id"]}, token=None)
        self.assertEqual(again.status_code, 400)
        self.assertFalse(self.state.delete_permanently("deals", deal["id"]))
        self.assertNotEqual(self.make("deals", dealname="Next", dealstage="closedwon")["id"], deal["id"])


@tagged("post_install", "-at_install")
class TestSandboxScopes(SandboxCase):
    REDIRECT = "http://localhost:8069/hubspot/oauth/callback"

    def authorize(self, scopes):
        return self.call(
            "GET",
            "/oauth/authorize",
            token=None,
            params={"client_id": "sandbox-client", "redirect_uri": self.REDIRECT, "scope": " ".join(scopes)},
            allow_redirects=False,
        )

    def test_a_scope_hubspot_does_not_have_fails_the_authorization(self):
        for fake in ("crm.schemas.products.read", "crm.schemas.products.write", "crm.schemas.line_items.write"):
            self.assertNotIn(fake, ALL_SCOPES)
            refused = self.authorize(["oauth", "crm.objects.products.read", fake])
            self.assertEqual(refused.status_code, 400, fake)
            self.assertEqual(refused.json()["error"], "invalid_scope")
            self.assertIn(fake, refused.json()["error_description"])
            admin = self.call("POST", "/_sandbox/oauth/authorize", {"redirect_uri": self.REDIRECT, "scopes": [fake]})
            self.assertEqual(admin.status_code, 400)
        self.assertFalse(self.state.oauth_codes, "no code was issued")
        self.assertEqual(self.authorize(list(ALL_SCOPES)).status_code, 302, "every real scope at once")

    def test_products_and_line_items_take_their_own_scopes_or_e_commerce(self):
        self.state.tokens["granular"] = ["crm.objects.products.read", "crm.objects.line_items.read"]
        self.state.tokens["commerce"] = ["e-commerce"]
        for object_type in ("products", "line_items"):
            for token in ("granular", "commerce"):
                self.assertEqual(self.call("GET", self.paths.objects(object_type), token=token).status_code, 200)
            refused = self.call(
                "POST", self.paths.properties(object_type), {**PROPERTY, "groupName": "x"}, token="granular"
            )
            self.assertEqual(refused.status_code, 403, object_type)
            self.assertEqual(refused.json()["errors"][0]["context"]["requiredGranularScopes"], ["e-commerce"])
        product_group = {"products": "productinformation", "line_items": "lineiteminformation"}
        for object_type, group in product_group.items():
            created = self.call(
                "POST", self.paths.properties(object_type), {**PROPERTY, "groupName": group}, token="commerce"
            )
            self.assertEqual(created.status_code, 201, created.text)


@tagged("post_install", "-at_install")
class TestSandboxTokenAnswers(SandboxCase):
    def test_token_answers_say_what_the_token_is_for_on_both_paths(self):
        redirect = "http://localhost/cb"
        form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "redirect_uri": redirect}
        for paths in (ApiPaths("2026-03"), ApiPaths("v3")):
            code = self.state.authorize(redirect_uri=redirect, scopes=["oauth"])
            answer = self.ok(
                "POST", paths.oauth_token(), form={**form, "grant_type": "authorization_code", "code": code}, token=None
            )
            self.assertEqual(answer["token_use"], "access_token", paths.oauth_token())
            self.assertEqual(
                (answer["token_type"], answer["expires_in"], answer["scopes"]), ("bearer", 1800, ["oauth"])
            )
            renewed = self.ok(
                "POST",
                paths.oauth_token(),
                form={**form, "grant_type": "refresh_token", "refresh_token": answer["refresh_token"]},
                token=None,
            )
            self.assertEqual(renewed["token_use"], "access_token")
        self.assertEqual(
            [e["path"] for e in self.state.request_log],
            ["/oauth/2026-03/token", "/oauth/2026-03/token", "/oauth/v1/token", "/oauth/v1/token"],
        )
