"""*Import from HubSpot*: the search finds a record by the start of its words, and the term the
wizard proposes finds the record it was opened from, against the sandbox (which matches
CONTAINS_TOKEN as HubSpot does: whole words, ``*`` the only wildcard)."""

from odoo.tests import new_test_user, tagged

from .test_relink import open_wizard
from .test_sandbox import SandboxCase
from .test_sync_tickets import TicketCase


def found(wizard):
    wizard.action_search()
    return wizard.line_ids.mapped("name")


@tagged("post_install", "-at_install")
class TestImportSearch(TicketCase):
    def setUp(self):
        super().setUp()
        self.searcher = new_test_user(
            self.env,
            login="hs_searcher",
            groups="base.group_user,sales_team.group_sale_salesman,project.group_project_user,"
            "hubspot_connector.group_hubspot_user",
        )
        self.varasto = self.hs_company("Varasto Oy Ab", domain="varasto.example")
        self.hs_company("Varastokeskus Pohjola", domain="pohjola.example")
        self.hs_company("Oy Vara Ab", domain="vara.example")

    def wizard(self, record, **values):
        """The user opens it a while after the records were made in HubSpot (its search index shows them)."""
        self.settle()
        return open_wizard(self.env, record, self.searcher, **values)

    def test_part_of_a_word_finds_the_company(self):
        partner = self.env["res.partner"].create({"name": "Lager", "is_company": True})
        wizard = self.wizard(partner, search_term="Varasto")
        self.assertEqual(found(wizard), ["Varasto Oy Ab", "Varastokeskus Pohjola"])
        wizard.search_term = "Varas"
        self.assertEqual(found(wizard), ["Varasto Oy Ab", "Varastokeskus Pohjola"], "the start of a word is enough")
        wizard.search_term = "varasto oy"
        self.assertEqual(found(wizard), ["Varasto Oy Ab"], "every word must match")
        wizard.search_term = "asto"
        self.assertEqual(found(wizard), [], "a word's start, not any part of it (as HubSpot)")

    def test_the_proposed_term_finds_the_company_it_was_opened_from(self):
        with_website = self.env["res.partner"].create(
            {"name": "Lager Varasto", "is_company": True, "website": "https://www.varasto.example"}
        )
        wizard = self.wizard(with_website)
        self.assertEqual(wizard.search_term, "varasto.example", "its domain first")
        self.assertEqual(found(wizard), ["Varasto Oy Ab"])
        # Without a website: its name, as Odoo has it (HubSpot's has a legal suffix more).
        by_name = self.env["res.partner"].create({"name": "Varasto Oy", "is_company": True})
        wizard = self.wizard(by_name)
        self.assertEqual(wizard.search_term, "Varasto Oy")
        self.assertEqual(found(wizard), ["Varasto Oy Ab"])
        wizard.line_ids.action_link()
        self.assertEqual(by_name.hubspot_id, self.varasto["id"])

    def test_the_proposed_term_finds_the_contact_it_was_opened_from(self):
        self.hs_contact("ada@lovelace.example", firstname="Ada", lastname="Lovelace")
        self.hs_contact("ada.byron@lovelace.example", firstname="Ada", lastname="Byron")
        with_email = self.env["res.partner"].create({"name": "A. Lovelace", "email": "Ada@Lovelace.example"})
        wizard = self.wizard(with_email)
        self.assertEqual((wizard.object_type, wizard.search_term), ("contacts", "ada@lovelace.example"))
        self.assertEqual(found(wizard), ["Ada Lovelace"])
        without_email = self.env["res.partner"].create({"name": "Ada Lovelace"})
        wizard = self.wizard(without_email)
        self.assertEqual(wizard.search_term, "Ada Lovelace")
        self.assertEqual(found(wizard), ["Ada Lovelace"], "first and last name, not every Ada")
        wizard.search_term = "Lovelace Ada"
        self.assertEqual(found(wizard), ["Ada Lovelace"], "either way round")
        wizard.search_term = "Love"
        self.assertEqual(found(wizard), ["Ada Lovelace"])

    def test_the_proposed_term_finds_the_deal_it_was_opened_from(self):
        self.configure(deal_stage_filter="all")
        self.state.add_record(
            "deals", {"dealname": "Acme renewals 2026", "dealstage": "contractsent", "pipeline": "default"}
        )
        self.state.add_record("deals", {"dealname": "Beta renewal", "dealstage": "contractsent", "pipeline": "default"})
        lead = self.env["crm.lead"].create({"name": "Acme renewal", "type": "opportunity", "user_id": self.searcher.id})
        wizard = self.wizard(lead)
        self.assertEqual(wizard.search_term, "Acme renewal")
        self.assertEqual(found(wizard), ["Acme renewals 2026"])

    def test_the_proposed_term_finds_the_ticket_it_was_opened_from(self):
        self.ticket("Printer jammed on floor 2")
        self.ticket("Printer toner empty")
        task = self.Task.create({"name": "Printer jam", "project_id": self.project.id})
        wizard = self.wizard(task)
        self.assertEqual((wizard.object_type, wizard.search_term), ("tickets", "Printer jam"))
        self.assertEqual(found(wizard), ["Printer jammed on floor 2"])


@tagged("post_install", "-at_install")
class TestSandboxTokenSearch(SandboxCase):
    """CONTAINS_TOKEN in the sandbox: as strict as HubSpot's, no more, no less."""

    def test_contains_token(self):
        varasto = self.make("companies", name="Varasto Oy Ab")["id"]
        self.make("companies", name="Acme? [Beta] GmbH")

        def where(value):
            return self.found_ids(
                self.search("companies", [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": value}])
            )

        self.assertEqual(where("VARASTO"), [varasto], "a whole word, any case")
        self.assertEqual(where("varas"), [], "no part of a word without a wildcard")
        self.assertEqual(where("varas*"), [varasto])
        self.assertEqual(where("*asto"), [varasto])
        self.assertEqual(where("acm?"), [], "? is no wildcard")
        self.assertEqual(where("[ab]*"), [], "[...] is no character class")
