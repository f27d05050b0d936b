"""Deals in another currency than the company's: converted with Odoo's rates on the way in,
kept in their own currency on the way back."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_sync_outbound import OutboundCase
from .test_sync_products import LineItemsCase

CLOSING_2024 = "2024-06-30T00:00:00.000Z"


def euro_rates(case):
    """EUR active in Odoo: 1 USD = 0.8 EUR in 2024, 0.5 EUR since 2025 (the rate of "today")."""
    company = case.account.company_id
    case.assertEqual(company.currency_id.name, "USD", "the test company works in dollars")
    case.usd, case.eur = company.currency_id, case.env.ref("base.EUR")
    case.eur.active = True
    case.env["res.currency.rate"].create(
        [
            {"currency_id": case.eur.id, "name": day, "rate": rate, "company_id": company.id}
            for day, rate in (("2024-01-01", 0.8), ("2025-01-01", 0.5))
        ]
    )


@tagged("post_install", "-at_install")
class TestDealCurrency(OutboundCase):
    def setUp(self):
        super().setUp()
        euro_rates(self)
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        stages = self.account.pipeline_ids.stage_ids.filtered(lambda s: s.object_type == "deals")
        stages.filtered(lambda s: s.hubspot_id == "contractsent").crm_stage_id = self.env["crm.stage"].create(
            {"name": "Proposal", "sequence": 50}
        )
        self.configure(deal_stage_filter="all", deals_direction="both")

    def deal(self, name, **props):
        return self.state.add_record(
            "deals", dict({"dealname": name, "dealstage": "contractsent", "pipeline": "default"}, **props)
        )

    def lead(self, record):
        return (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("hubspot_id", "=", record["id"]), ("hubspot_object_type", "=", "deals")])
        )

    def hubspot(self, record):
        return self.state.get_record("deals", record["id"])["properties"]

    def deal_writes(self):
        return {op: n for op, n in self.writes().items() if op.startswith("deals.")}

    def test_euro_deal_arrives_converted_and_keeps_its_amount(self):
        closing = self.deal("Closes mid-2024", amount="1000", deal_currency_code="EUR", closedate=CLOSING_2024)
        undated = self.deal("No close date", amount="1000", deal_currency_code="EUR")
        run = self.sync("deals")
        self.assertEqual((run.created_count, run.failed_count), (2, 0))
        lead = self.lead(closing)
        self.assertEqual(lead.expected_revenue, 1250, "1,000 EUR at the close date's rate (1 USD = 0.8 EUR)")
        self.assertEqual((lead.hubspot_amount, lead.hubspot_currency_id), (1000, self.eur), "the original stays")
        self.assertEqual(self.lead(undated).expected_revenue, 2000, "without close date: today's rate")
        # HubSpot changes the amount: converted again.
        self.state.advance(seconds=5)
        self.state.update_record("deals", closing["id"], {"amount": "1100"})
        self.sync("deals")
        self.assertEqual((lead.expected_revenue, lead.hubspot_amount), (1375, 1100))

    def test_deal_without_currency_is_in_the_portals_currency(self):
        self.state.currency = "EUR"
        first, second = self.deal("First", amount="1000"), self.deal("Second", amount="300")
        self.state.clear_log()
        self.sync("deals")
        self.assertEqual(
            (
                self.lead(first).expected_revenue,
                self.lead(second).expected_revenue,
                self.lead(first).hubspot_currency_id,
            ),
            (2000, 600, self.eur),
        )
        self.assertEqual(self.state.call_count("account.details"), 1, "the portal's currency: asked once a run")

    def test_odoo_change_goes_back_in_the_deals_currency_and_nothing_else_does(self):
        record = self.deal("Euro deal", amount="1000", deal_currency_code="EUR")
        self.sync("deals")
        lead = self.lead(record)
        self.assertEqual(lead.expected_revenue, 2000)
        self.state.clear_log()
        self.push("deals")
        self.assertEqual(self.deal_writes(), {}, "2,000 USD is the deal's 1,000 EUR: nothing to send")
        lead.expected_revenue = 1500
        run = self.push("deals")
        self.assertEqual((run.updated_count, run.failed_count), (1, 0))
        props = self.hubspot(record)
        self.assertEqual((props["amount"], props["deal_currency_code"]), ("750", "EUR"), "in euros")
        self.assertEqual(lead.hubspot_amount, 750)
        # A round trip with nothing changed sends nothing and changes nothing.
        self.state.clear_log()
        self.state.advance(seconds=5)
        self.two_way("deals")
        self.assertEqual(self.deal_writes(), {})
        self.assertEqual((lead.expected_revenue, self.hubspot(record)["amount"]), (1500, "750"))
        # Rates move (today's is 0.4 now): the amount nobody changed stays, whatever else is pushed.
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.eur.id,
                "name": fields.Date.today() - timedelta(days=1),
                "rate": 0.4,
                "company_id": self.account.company_id.id,
            }
        )
        lead.name = "Euro deal (renamed)"
        self.push("deals")
        props = self.hubspot(record)
        self.assertEqual((props["dealname"], props["amount"]), ("Euro deal (renamed)", "750"))
        self.assertEqual(lead.expected_revenue, 1500)

    def test_new_opportunity_creates_its_deal_in_the_company_currency(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Odoo opportunity",
                "type": "opportunity",
                "expected_revenue": 1200,
                "company_id": self.account.company_id.id,
            }
        )
        run = self.push("deals")
        self.assertEqual((run.created_count, run.failed_count), (1, 0))
        props = self.state.get_record("deals", lead.hubspot_id)["properties"]
        self.assertEqual((props["deal_currency_code"], float(props["amount"])), ("USD", 1200))
        self.assertEqual((lead.hubspot_currency_id, lead.hubspot_amount), (self.usd, 1200))
        self.state.clear_log()
        self.state.advance(seconds=5)
        self.two_way("deals")
        self.assertEqual(self.deal_writes(), {})
        self.assertEqual(lead.expected_revenue, 1200)

    def test_currency_odoo_cannot_convert_fails_the_deal_and_the_run_goes_on(self):
        gbp, thb = self.env.ref("base.GBP"), self.env.ref("base.THB")
        self.assertFalse(gbp.active)
        thb.active = True  # but without any rate: Odoo would convert one to one
        pounds = self.deal("Pounds", amount="500", deal_currency_code="GBP")
        baht = self.deal("Baht", amount="50000", deal_currency_code="THB")
        unknown = self.deal("Test money", amount="10", deal_currency_code="XTS")
        euros = self.deal("Euros", amount="1000", deal_currency_code="EUR")
        dollars = self.deal("Dollars", amount="10")
        run = self.sync("deals")
        self.assertEqual((run.state, run.created_count, run.failed_count), ("partial", 2, 3))
        reasons = {e.hubspot_id: e.reason for e in run.error_ids}
        self.assertIn("GBP, which is not active in Odoo: activate it", reasons[pounds["id"]])
        self.assertIn("THB, which has no exchange rate in Odoo", reasons[baht["id"]])
        self.assertIn("XTS, a currency Odoo does not know", reasons[unknown["id"]])
        self.assertFalse(self.lead(pounds) | self.lead(baht) | self.lead(unknown), "never imported as raw numbers")
        self.assertEqual((self.lead(euros).expected_revenue, self.lead(dollars).expected_revenue), (2000, 10))
        # The administrator activates pounds with their rate: the next run brings the deal, once.
        gbp.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": gbp.id, "name": "2024-01-01", "rate": 0.5, "company_id": self.account.company_id.id}
        )
        self.state.advance(seconds=5)
        run = self.sync("deals")
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self.lead(pounds).expected_revenue, 1000)
        self.assertEqual(self.env["crm.lead"].search_count([("hubspot_id", "=", euros["id"])]), 1)
        still_open = self.env["hubspot.sync.error"].search(
            [("account_id", "=", self.account.id), ("object_type", "=", "deals"), ("state", "=", "open")]
        )
        self.assertEqual(
            set(still_open.mapped("hubspot_id")), {baht["id"], unknown["id"]}, "they wait for the next run"
        )

    def test_always_odoo_restores_the_amount_in_the_deals_currency(self):
        self.account.mapping_ids.filtered(
            lambda m: m.object_type == "deals" and m.field_name == "expected_revenue"
        ).rule = "odoo"
        record = self.deal("Odoo's amount", amount="1000", deal_currency_code="EUR", closedate=CLOSING_2024)
        self.two_way("deals")
        lead = self.lead(record)
        self.assertEqual(lead.expected_revenue, 1250, "a new opportunity takes HubSpot's amount, converted")
        self.state.advance(seconds=5)
        self.state.update_record("deals", record["id"], {"amount": "3000"})
        self.two_way("deals")
        self.assertEqual(lead.expected_revenue, 1250, "Odoo's stays")
        self.assertEqual(self.hubspot(record)["amount"], "1000", "and goes back as the deal's 1,000 EUR")

    def test_same_currency_deals_are_taken_as_they_are(self):
        record = self.deal("Dollars", amount="5000.5", deal_currency_code="USD", closedate=CLOSING_2024)
        self.two_way("deals")
        lead = self.lead(record)
        self.assertEqual(
            (lead.expected_revenue, lead.hubspot_amount, lead.hubspot_currency_id), (5000.5, 5000.5, self.usd)
        )
        self.state.clear_log()
        self.state.advance(seconds=5)
        self.two_way("deals")
        self.assertEqual(self.deal_writes(), {})
        lead.expected_revenue = 6000
        self.push("deals")
        self.assertEqual(
            (self.hubspot(record)["amount"], self.hubspot(record)["deal_currency_code"], lead.hubspot_amount),
            ("6000", "USD", 6000),
        )


@tagged("post_install", "-at_install")
class TestDealCurrencyWithLineItems(LineItemsCase):
    def test_euro_deal_with_line_items_is_converted_and_its_amount_never_pushed(self):
        euro_rates(self)
        record = self.deal("Euro lines", deal_currency_code="EUR", closedate=CLOSING_2024)
        self.line_item(record, "Licence", quantity="2", price="500")
        self.sync_deal_with_lines()
        lead = self.lead(record)
        self.assertEqual(self.amount(record), 1000, "HubSpot totals the lines in euros")
        self.assertEqual((lead.expected_revenue, lead.hubspot_amount, lead.hubspot_currency_id), (1250, 1000, self.eur))
        self.configure(deals_direction="both")
        lead.write({"name": "Euro lines (renamed)", "expected_revenue": 99})
        run = self.push("deals")
        self.assertEqual((run.updated_count, run.failed_count), (1, 0))
        self.assertEqual(self.remote(lead)["dealname"], "Euro lines (renamed)")
        self.assertEqual(self.amount(record), 1000, "the lines' total, never Odoo's number")
