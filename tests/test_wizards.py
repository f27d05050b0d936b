import json
from unittest.mock import patch

import responses

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from ..hubspot import HubSpotConnectionError
from .common import BASE_URL, HubSpotCase, InboundCase

OBJECTS = f"{BASE_URL}/crm/objects/2026-03"


def engine_class(env):
    return type(env["hubspot.sync.engine"])


class PendingCase(HubSpotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login="hs_seller",
            name="Sandra Seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )
        cls.germany = cls.env.ref("base.de")
        cls.pending = cls.env["hubspot.pending.company"].create(
            {
                "account_id": cls.account.id,
                "hubspot_id": "4711",
                "name": "Müller Maschinenbau GmbH",
                "website": "https://www.mueller-maschinen.example",
                "street": "Werkstraße 1",
                "city": "Stuttgart",
                "zip": "70173",
                "country_id": cls.germany.id,
                "phone": "+49 711 000000",
                "hubspot_lead_score": 42,
                "user_id": cls.seller.id,
                "values_json": json.dumps(
                    {
                        "name": "Müller Maschinenbau GmbH",
                        "comment": "<p>Sondermaschinen</p>",
                        "hubspot_lead_score": 42.0,
                    }
                ),
            }
        )
        cls.tag = cls.env.ref("hubspot_connector.res_partner_category_hubspot")

    def accept(self, user, **values):
        """Fill the wizard as ``user`` would (defaults and onchanges run) and confirm it. These
        tests are about the customer Odoo makes; HubSpot (a made-up host here) is not asked for
        the company's contacts and deals: :class:`TestAcceptAgainstHubSpot` imports them."""
        action = self.pending.with_user(user).action_accept()
        wizard_env = self.env["hubspot.accept.company"].with_user(user).with_context(**action["context"])
        with patch.object(engine_class(self.env), "_import_company_records", return_value={}):
            with Form(wizard_env) as form:
                for name, value in values.items():
                    setattr(form, name, value)
            return form.record.action_confirm()


@tagged("post_install", "-at_install")
class TestAcceptCompany(PendingCase):
    def test_accept_as_new_customer_with_lead(self):
        self.seller.group_ids += self.env.ref("crm.group_use_lead")
        partners_before = self.env["res.partner"].search_count([])
        result = self.accept(self.seller, mode="create", create_lead=True)

        partner = self.env["res.partner"].browse(result["res_id"])
        self.assertEqual(result["res_model"], "res.partner", "the salesperson lands on the new customer")
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 1)
        self.assertEqual(partner.name, "Müller Maschinenbau GmbH")
        self.assertTrue(partner.is_company)
        self.assertEqual(
            (partner.street, partner.city, partner.zip, partner.country_id),
            ("Werkstraße 1", "Stuttgart", "70173", self.germany),
        )
        self.assertEqual(partner.phone, "+49 711 000000")
        self.assertEqual(partner.hubspot_domain, "mueller-maschinen.example")
        self.assertIn("Sondermaschinen", str(partner.comment))
        self.assertEqual(partner.hubspot_lead_score, 42)
        self.assertEqual(partner.ref, "4711")
        self.assertEqual(partner.company_id, self.account.company_id)
        self.assertIn(self.tag, partner.category_id)
        self.assertEqual(partner.user_id, self.seller, "the account manager becomes the salesperson")
        self.assertEqual(
            (partner.hubspot_id, partner.hubspot_account_id, partner.hubspot_object_type, partner.hubspot_linked),
            ("4711", self.account, "companies", True),
        )
        self.assertEqual((self.pending.state, self.pending.partner_id), ("accepted", partner))

        lead = self.env["crm.lead"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.name, "Follow-up: Müller Maschinenbau GmbH")
        self.assertEqual(lead.type, "lead", "the salesperson works with leads")
        self.assertEqual(lead.user_id, self.seller)

        self.assertIn("new customer", self.pending.message_ids[0].body)
        self.assertIn("Created from HubSpot company", partner.message_ids[0].body)

    def test_lead_is_an_opportunity_without_leads(self):
        self.assertFalse(self.seller.has_group("crm.group_use_lead"))
        team = self.env["crm.team"].create({"name": "Key Accounts"})
        result = self.accept(self.seller, mode="create", create_lead=True, lead_name="Call Müller", team_id=team)
        partner = self.env["res.partner"].browse(result["res_id"])
        lead = self.env["crm.lead"].search([("partner_id", "=", partner.id)])
        self.assertEqual(
            (lead.type, lead.name, lead.user_id, lead.team_id), ("opportunity", "Call Müller", self.seller, team)
        )

    def test_salesperson_can_be_changed(self):
        other = new_test_user(self.env, login="hs_other_seller", groups="sales_team.group_sale_salesman")
        self.pending.user_id = False
        result = self.accept(self.seller, mode="create", user_id=other)
        self.assertEqual(self.env["res.partner"].browse(result["res_id"]).user_id, other)

    def test_default_salesperson_is_the_reviewer_when_nobody_is_assigned(self):
        self.pending.user_id = False
        result = self.accept(self.seller, mode="create")
        self.assertEqual(self.env["res.partner"].browse(result["res_id"]).user_id, self.seller)

    def test_no_lead_unless_asked(self):
        result = self.accept(self.seller, mode="create")
        self.assertFalse(self.env["crm.lead"].search([("partner_id", "=", result["res_id"])]))

    def test_link_to_existing_customer(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Müller Maschinenbau",
                "is_company": True,
                "website": "mueller-maschinen.example",
                "phone": "+49 711 123456",
                "ref": "K-1001",
            }
        )
        self.assertEqual(self.pending.suggested_partner_ids, customer)
        partners_before = self.env["res.partner"].search_count([])
        with Form(self.env["hubspot.accept.company"].with_context(default_pending_id=self.pending.id)) as form:
            self.assertEqual(form.mode, "link", "a single look-alike is proposed for linking")
            self.assertEqual(form.partner_id, customer)
        with patch.object(engine_class(self.env), "_import_company_records", return_value={}):
            result = form.record.action_confirm()

        self.assertEqual(self.env["res.partner"].search_count([]), partners_before, "no second partner")
        self.assertEqual(result["res_id"], customer.id)
        self.assertEqual((customer.hubspot_id, customer.hubspot_linked), ("4711", True))
        # The field rules decide (two-way by default: HubSpot's values, as for a duplicate the sync matches).
        self.assertEqual(customer.name, "Müller Maschinenbau GmbH")
        self.assertEqual(customer.phone, "+49 711 000000")
        self.assertEqual(customer.ref, "K-1001", "the customer reference is kept")
        self.assertEqual(customer.city, "Stuttgart", "empty fields are completed from HubSpot")
        self.assertEqual(customer.user_id, self.seller)
        self.assertIn(self.tag, customer.category_id)
        self.assertEqual((self.pending.state, self.pending.partner_id), ("accepted", customer))

    def test_link_refuses_a_partner_linked_to_another_hubspot_company(self):
        customer = self.env["res.partner"].create({"name": "Other GmbH", "is_company": True})
        customer._hubspot_bind(self.account, "companies", "999")
        wizard = self.env["hubspot.accept.company"].create(
            {"pending_id": self.pending.id, "mode": "link", "partner_id": customer.id}
        )
        with self.assertRaisesRegex(UserError, "already linked to HubSpot"):
            wizard.action_confirm()
        self.assertEqual(self.pending.state, "pending")

    def test_hubspot_outage_does_not_undo_the_acceptance(self):
        wizard = self.env["hubspot.accept.company"].create({"pending_id": self.pending.id, "mode": "create"})
        with patch.object(
            engine_class(self.env), "_import_company_records", side_effect=HubSpotConnectionError("down")
        ):
            result = wizard.action_confirm()
        partner = self.env["res.partner"].browse(result["res_id"])
        self.assertEqual((self.pending.state, partner.hubspot_id), ("accepted", "4711"))
        self.assertIn("next sync", partner.message_ids[0].body)

    def test_hubspot_user_accepts_but_cannot_configure(self):
        # The salesperson is a HubSpot User, not a HubSpot Administrator.
        self.assertFalse(self.seller.has_group("hubspot_connector.group_hubspot_manager"))
        result = self.accept(self.seller, mode="create")
        self.assertEqual(self.env["res.partner"].browse(result["res_id"]).hubspot_id, "4711")
        self.assertEqual(self.pending.state, "accepted")
        with self.assertRaises(AccessError):
            self.account.with_user(self.seller).write({"sync_contacts": False})
        with self.assertRaises(AccessError):
            self.account.mapping_ids[:1].with_user(self.seller).write({"rule": "none"})
        with self.assertRaises(AccessError):
            self.env["hubspot.field.mapping"].with_user(self.seller).create(
                {
                    "account_id": self.account.id,
                    "object_type": "companies",
                    "field_id": self.env["ir.model.fields"]._get("res.partner", "ref").id,
                    "hubspot_property": "ref",
                }
            )

    def test_hubspot_user_is_a_salesperson_who_can_accept(self):
        # The HubSpot User group implies Sales' own-documents group: accepting creates a customer.
        self.assertTrue(self.hs_user.has_group("sales_team.group_sale_salesman"))
        wizard = (
            self.env["hubspot.accept.company"]
            .with_user(self.hs_user)
            .create({"pending_id": self.pending.id, "mode": "create", "user_id": self.hs_user.id})
        )
        wizard.action_confirm()
        self.assertEqual(self.pending.state, "accepted")
        self.assertEqual(self.pending.partner_id.user_id, self.hs_user)

    def test_reject_keeps_the_company_out(self):
        self.pending.with_user(self.seller).action_reject()
        self.assertEqual(self.pending.state, "rejected")
        queue = self.env["hubspot.pending.company"].with_user(self.seller)
        self.assertNotIn(self.pending, queue.search([("state", "=", "pending")]), "gone from the review list")
        with self.assertRaises(UserError):
            self.pending.with_user(self.seller).action_accept()
        # HubSpot sends the company again: it stays rejected, no partner appears.
        again = queue._queue(self.account, {"id": "4711", "properties": {"name": "Müller"}}, {"name": "Müller"})
        self.assertFalse(again)
        self.assertEqual(self.pending.state, "rejected")
        self.assertFalse(self.env["res.partner"].search([("hubspot_id", "=", "4711")]))
        self.pending.with_user(self.seller).action_reset()
        self.assertEqual(self.pending.state, "pending", "a rejection can be taken back")

    def test_app_opens_on_pending_companies(self):
        root = self.env.ref("hubspot_connector.hubspot_menu_root")
        menus = self.env["ir.ui.menu"].with_user(self.seller).load_menus(debug=False)
        first = self.env["ir.ui.menu"].browse(menus[root.id]["children"][0])
        self.assertEqual(first, self.env.ref("hubspot_connector.hubspot_pending_company_menu"))
        self.assertEqual(
            first.action, self.env.ref("hubspot_connector.hubspot_pending_company_action"), "users see the queue"
        )
        visible = self.env["ir.ui.menu"].with_user(self.seller)._visible_menu_ids()
        self.assertNotIn(self.env.ref("hubspot_connector.hubspot_menu_configuration").id, visible)
        self.assertIn(self.env.ref("hubspot_connector.hubspot_sync_run_menu").id, visible)


@tagged("post_install", "-at_install")
class TestImportRecord(HubSpotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Acme Corp", "is_company": True, "website": "https://acme.example"}
        )
        cls.person = cls.env["res.partner"].create({"name": "Ada Lovelace", "email": "Ada@Acme.example"})
        cls.seller = new_test_user(
            cls.env,
            login="hs_seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )

    def wizard(self, partner, user=None, **values):
        Wizard = self.env["hubspot.import.record"].with_user(user or self.seller)
        action = partner.with_user(user or self.seller).action_hubspot_import()
        with Form(Wizard.with_context(**action["context"])) as form:
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def hs_company(self, hubspot_id="123", name="Acme Corporation", domain="acme.example"):
        return {
            "id": hubspot_id,
            "properties": {"name": name, "domain": domain, "hs_lastmodifieddate": "2026-05-04T10:00:00.000Z"},
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-05-04T10:00:00.000Z",
            "archived": False,
        }

    def test_defaults(self):
        wizard = self.wizard(self.partner)
        self.assertEqual(
            (wizard.account_id, wizard.object_type, wizard.mode, wizard.search_term),
            (self.account, "companies", "search", "acme.example"),
        )
        wizard = self.wizard(self.person)
        self.assertEqual((wizard.object_type, wizard.search_term), ("contacts", "ada@acme.example"))

    @responses.activate
    def test_link_by_id(self):
        record = self.hs_company()
        responses.get(f"{OBJECTS}/companies/123", json=record)
        wizard = self.wizard(self.partner, mode="id", hubspot_id="123")
        wizard.action_confirm()
        self.assertEqual(
            (
                self.partner.hubspot_id,
                self.partner.hubspot_account_id,
                self.partner.hubspot_object_type,
                self.partner.hubspot_linked,
            ),
            ("123", self.account, "companies", True),
        )
        self.assertEqual(str(self.partner.hubspot_remote_modified_at), "2026-05-04 10:00:00")
        self.assertEqual(self.partner.name, "Acme Corporation", "HubSpot's record was imported at once")
        self.assertEqual([c.request.method for c in responses.calls], ["GET"], "the record read once, nothing sent")
        self.assertIn("Linked to HubSpot Company 123", self.partner.message_ids[0].body)

    @responses.activate
    def test_relink_after_removing_the_link(self):
        self.partner._hubspot_bind(self.account, "companies", "123")
        self.partner.with_user(self.seller).action_hubspot_unlink()
        self.assertFalse(self.partner.hubspot_linked)
        responses.get(f"{OBJECTS}/companies/123", json=self.hs_company())
        wizard = self.wizard(self.partner)
        self.assertEqual((wizard.mode, wizard.hubspot_id), ("id", "123"), "proposes the previous HubSpot record")
        wizard.action_confirm()
        self.assertTrue(self.partner.hubspot_linked)
        self.assertFalse(self.partner.hubspot_unlink_reason)

    @responses.activate
    def test_refuses_an_id_linked_to_another_partner(self):
        responses.get(f"{OBJECTS}/companies/123", json=self.hs_company())
        other = self.env["res.partner"].create({"name": "Acme (old)", "is_company": True})
        other._hubspot_bind(self.account, "companies", "123")
        wizard = self.wizard(self.partner, mode="id", hubspot_id="123")
        with self.assertRaisesRegex(UserError, r"already linked to “Acme \(old\)”"):
            wizard.action_confirm()
        self.assertFalse(self.partner.hubspot_id)
        self.assertEqual(len(responses.calls), 0, "refused before HubSpot is asked")

    @responses.activate
    def test_unknown_id(self):
        responses.get(
            f"{OBJECTS}/companies/404404",
            status=404,
            json={"status": "error", "message": "Object not found", "category": "OBJECT_NOT_FOUND"},
        )
        wizard = self.wizard(self.partner, mode="id", hubspot_id="404404")
        with self.assertRaisesRegex(UserError, "HubSpot has no Company with ID 404404"):
            wizard.action_confirm()
        self.assertFalse(self.partner.hubspot_linked)

    @responses.activate
    def test_hubspot_errors_become_clear_messages(self):
        responses.get(
            f"{OBJECTS}/companies/123",
            status=401,
            json={
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
            },
        )
        wizard = self.wizard(self.partner, mode="id", hubspot_id="123")
        with self.assertRaisesRegex(UserError, "rejected the access token"):
            wizard.action_confirm()

    @responses.activate
    def test_a_person_is_not_a_company(self):
        responses.get(f"{OBJECTS}/companies/123", json=self.hs_company())
        wizard = self.wizard(self.person, mode="id", hubspot_id="123", object_type="companies")
        with self.assertRaisesRegex(UserError, "person links to a HubSpot contact"):
            wizard.action_confirm()
        self.assertEqual(len(responses.calls), 0, "refused before HubSpot is asked")
        self.assertFalse(self.person.hubspot_id)

    @responses.activate
    def test_search_lists_hubspot_results_and_links_one(self):
        responses.post(
            f"{OBJECTS}/companies/search",
            json={
                "total": 2,
                "results": [self.hs_company("123"), self.hs_company("124", name="Acme Holding", domain="acme.example")],
            },
        )
        wizard = self.wizard(self.partner)
        action = wizard.action_search()
        self.assertEqual((action["res_model"], action["res_id"]), ("hubspot.import.record", wizard.id))
        sent = json.loads(responses.calls[0].request.body)
        self.assertEqual(
            sent["filterGroups"], [{"filters": [{"propertyName": "domain", "operator": "EQ", "value": "acme.example"}]}]
        )
        self.assertEqual(wizard.line_ids.mapped("hubspot_id"), ["123", "124"])
        self.assertEqual(wizard.line_ids.mapped("name"), ["Acme Corporation", "Acme Holding"])
        self.assertEqual(wizard.line_ids[0].domain, "acme.example")

        responses.get(f"{OBJECTS}/companies/124", json=self.hs_company("124", name="Acme Holding"))
        wizard.line_ids[1].action_link()
        self.assertEqual((self.partner.hubspot_id, self.partner.hubspot_linked), ("124", True))

    @responses.activate
    def test_search_contacts_by_email_and_by_name(self):
        responses.post(
            f"{OBJECTS}/contacts/search",
            json={
                "total": 1,
                "results": [
                    {
                        "id": "77",
                        "properties": {
                            "firstname": "Ada",
                            "lastname": "Lovelace",
                            "email": "ada@acme.example",
                            "lastmodifieddate": "2026-05-04T10:00:00.000Z",
                        },
                    }
                ],
            },
        )
        wizard = self.wizard(self.person)
        wizard.action_search()
        self.assertEqual(
            json.loads(responses.calls[0].request.body)["filterGroups"],
            [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "ada@acme.example"}]}],
        )
        self.assertEqual((wizard.line_ids.name, wizard.line_ids.email), ("Ada Lovelace", "ada@acme.example"))
        wizard.search_term = "Lovelace"
        wizard.action_search()
        groups = json.loads(responses.calls[1].request.body)["filterGroups"]
        self.assertEqual([g["filters"][0]["propertyName"] for g in groups], ["firstname", "lastname"])
        self.assertEqual(len(wizard.line_ids), 1, "a new search replaces the results")

    @responses.activate
    def test_search_failure_is_explained(self):
        responses.post(f"{OBJECTS}/companies/search", status=503, json={"status": "error", "message": "down"})
        wizard = self.wizard(self.partner)
        with self.assertRaisesRegex(UserError, "HubSpot"):
            wizard.action_search()
        self.assertFalse(wizard.line_ids)


@tagged("post_install", "-at_install")
class TestAcceptAgainstHubSpot(InboundCase):
    """*Accept* with nothing mocked: HubSpot (the sandbox) hands over the company's contacts and
    deals, and the salesperson finds them in Odoo at once."""

    def setUp(self):
        super().setUp()
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.proposal = self.env["crm.stage"].create({"name": "Proposal"})
        self.account.pipeline_ids.stage_ids.filtered(
            lambda s: s.hubspot_id == "contractsent"
        ).crm_stage_id = self.proposal
        self.configure(review_new_companies=True, deal_stage_filter="all")
        self.seller = new_test_user(
            self.env,
            login="hs_accept_seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )

    def deal(self, name, company, amount):
        record = self.state.add_record(
            "deals", {"dealname": name, "amount": amount, "dealstage": "contractsent", "pipeline": "default"}
        )
        self.state.associate("deals", record["id"], "companies", company["id"])
        return record

    def test_accepting_imports_the_company_all_its_contacts_and_its_deals(self):
        self.state.configure(association_page_size=2)  # HubSpot pages a company's list of contacts
        self.addCleanup(self.state.configure, association_page_size=500)
        nordwind = self.hs_company(
            "Nordwind Logistik GmbH",
            domain="nordwind.example",
            phone="+49 40 123456",
            address="Kaistraße 5",
            city="Hamburg",
            zip="20457",
            country="Germany",
        )
        andere = self.hs_company("Andere AG", domain="andere.example")
        people = [
            self.hs_contact(
                f"p{n}@nordwind.example", nordwind, firstname=f"Person{n}", lastname="Nord", jobtitle=f"Role {n}"
            )
            for n in range(5)
        ]
        stranger = self.hs_contact("xaver@andere.example", andere, firstname="Xaver")
        freight = self.deal("Nordwind freight 2027", nordwind, "12500")
        storage = self.deal("Nordwind storage", nordwind, "800")
        elsewhere = self.deal("Andere deal", andere, "99")
        self.sync("companies")
        pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", nordwind["id"])])
        self.assertEqual(pending.state, "pending")
        self.assertFalse(self.partner(nordwind), "waiting for review")
        self.assertFalse(self.Partner.search([("email", "=like", "%@nordwind.example")]), "its contacts wait too")

        action = pending.with_user(self.seller).action_accept()
        form = Form(self.env["hubspot.accept.company"].with_user(self.seller).with_context(**action["context"]))
        form.mode = "create"
        result = form.save().action_confirm()

        customer = self.env["res.partner"].browse(result["res_id"])
        self.assertEqual(customer, self.partner(nordwind))
        self.assertEqual(
            (customer.name, customer.website, customer.phone, customer.street, customer.city, customer.zip),
            ("Nordwind Logistik GmbH", "https://nordwind.example", "+49 40 123456", "Kaistraße 5", "Hamburg", "20457"),
        )
        self.assertEqual(customer.country_id, self.env.ref("base.de"))
        self.assertEqual(customer.user_id, self.seller)
        # Every contact (three pages of HubSpot's association list), with its values, at the customer.
        contacts = customer.child_ids.sorted("email")
        self.assertEqual(contacts.mapped("email"), [p["properties"]["email"] for p in people])
        self.assertEqual(contacts.mapped("name"), [f"Person{n} Nord" for n in range(5)])
        self.assertEqual(contacts.mapped("function"), [f"Role {n}" for n in range(5)])
        self.assertTrue(all(contacts.mapped("hubspot_linked")))
        self.assertFalse(self.partner(stranger, "contacts"), "another company's contact stays in HubSpot")
        # Its deals, as opportunities of the customer.
        Lead = self.env["crm.lead"].with_context(active_test=False)
        leads = Lead.search([("hubspot_object_type", "=", "deals")]).sorted("name")
        self.assertEqual(leads.mapped("hubspot_id"), [freight["id"], storage["id"]], "not the other company's deal")
        self.assertEqual(leads.mapped("name"), ["Nordwind freight 2027", "Nordwind storage"])
        self.assertEqual(leads.mapped("expected_revenue"), [12500, 800])
        self.assertEqual(leads.partner_id, customer)
        self.assertEqual(leads.stage_id, self.proposal)
        self.assertFalse(Lead.search([("hubspot_id", "=", elsewhere["id"])]))
        runs = {run.object_type: run for run in self.account.run_ids}
        self.assertEqual((runs["contacts"].state, runs["contacts"].created_count), ("done", 5))
        self.assertEqual((runs["deals"].state, runs["deals"].created_count), ("done", 2))
        self.assertFalse(pending.followers_pending, "nothing left for the next companies run")


@tagged("post_install", "-at_install")
class TestImportRecordAgainstHubSpot(InboundCase):
    """*Import from HubSpot* on partners with nothing mocked: the search shows what HubSpot's search
    finds for the term typed, and linking imports the record's values at once."""

    def setUp(self):
        super().setUp()
        self.seller = new_test_user(
            self.env,
            login="hs_import_seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )
        self.acme = self.hs_company("Acme Corporation", domain="acme.example", phone="+1 555 0100", city="Boston")
        self.holding = self.hs_company("Acme Holding", domain="acme.example", city="Wilmington")
        self.beta = self.hs_company("Beta Industries", domain="beta.example", city="Denver")
        self.ada = self.hs_contact(
            "ada@acme.example", self.acme, firstname="Ada", lastname="Lovelace", jobtitle="Analyst", phone="+1 555 0101"
        )
        self.hs_contact("ada.byron@beta.example", self.beta, firstname="Ada", lastname="Byron")
        self.partner_record = self.env["res.partner"].create(
            {"name": "Acme Corp", "is_company": True, "website": "https://acme.example", "phone": "+1 000"}
        )

    def wizard(self, record, **values):
        action = record.with_user(self.seller).action_hubspot_import()
        Wizard = self.env["hubspot.import.record"].with_user(self.seller).with_context(**action["context"])
        with Form(Wizard) as form:
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def found(self, wizard, term):
        wizard.search_term = term
        wizard.action_search()
        return sorted(wizard.line_ids.mapped("hubspot_id"))

    def test_the_search_shows_what_hubspot_finds_for_that_term(self):
        wizard = self.wizard(self.partner_record)
        self.assertEqual(self.found(wizard, "acme.example"), [], "HubSpot's index does not show them yet")
        self.settle()
        self.assertEqual(self.found(wizard, "acme.example"), sorted([self.acme["id"], self.holding["id"]]))
        self.assertEqual(
            sorted(wizard.line_ids.mapped("name")), ["Acme Corporation", "Acme Holding"], "HubSpot's names"
        )
        self.assertEqual(self.found(wizard, "beta.example"), [self.beta["id"]], "another domain, another company")
        self.assertEqual(self.found(wizard, "Holding"), [self.holding["id"]], "by a word of its name")
        self.assertEqual(self.found(wizard, "gamma.example"), [], "nothing matches: nothing listed")
        self.assertEqual(self.found(wizard, "Gamma"), [])
        person = self.env["res.partner"].create({"name": "A. Lovelace"})
        wizard = self.wizard(person)
        self.assertEqual(self.found(wizard, "ada@acme.example"), [self.ada["id"]])
        self.assertEqual(len(self.found(wizard, "Ada")), 2, "both Adas")
        self.assertEqual(
            self.found(wizard, "Byron"), [self.state.find("contacts", "ada.byron@beta.example", "email")["id"]]
        )
        self.assertEqual(self.found(wizard, "nobody@acme.example"), [])

    def test_linking_a_company_imports_its_values(self):
        self.settle()
        wizard = self.wizard(self.partner_record)
        wizard.search_term = "Holding"
        wizard.action_search()
        wizard.line_ids.action_link()
        partner = self.partner_record
        self.assertEqual(
            (partner.hubspot_id, partner.hubspot_object_type, partner.hubspot_linked),
            (self.holding["id"], "companies", True),
        )
        self.assertEqual((partner.name, partner.city), ("Acme Holding", "Wilmington"), "HubSpot's values")
        # It syncs like any company from now on.
        self.state.advance(seconds=5)
        self.state.update_record("companies", self.holding["id"], {"city": "Dover"})
        run = self.sync("companies")
        self.assertEqual((run.state, partner.city), ("done", "Dover"))

    def test_linking_a_contact_by_id_imports_its_values_and_its_company(self):
        person = self.env["res.partner"].create({"name": "A. Lovelace", "email": "ada@acme.example"})
        wizard = self.wizard(person, mode="id", hubspot_id=self.ada["id"])
        wizard.action_confirm()
        self.assertEqual(
            (person.hubspot_id, person.hubspot_object_type, person.hubspot_linked), (self.ada["id"], "contacts", True)
        )
        self.assertEqual(
            (person.name, person.function, person.phone), ("Ada Lovelace", "Analyst", "+1 555 0101"), "HubSpot's values"
        )
        self.assertEqual(person.parent_id, self.partner(self.acme), "her company was imported on the way")
        self.assertEqual(person.parent_id.name, "Acme Corporation")
        self.assertIn(f"Linked to HubSpot Contact {self.ada['id']}", person.message_ids[0].body)
