"""Products (matched by SKU) and deal line items (lines of the opportunity), both ways."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InboundCase


class ProductsCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.Product = self.env["product.product"].with_context(active_test=False)
        self.company_id = self.account.company_id.id

    def hs_product(self, name, sku=None, **props):
        return self.state.add_record("products", dict({"name": name, "hs_sku": sku}, **props))

    def product(self, record):
        return self.Product.search([("hubspot_id", "=", str(record["id"])), ("hubspot_object_type", "=", "products")])

    def push(self, object_type):
        """A push as the schedule makes it: it looks HubSpot's records up once its index caught up."""
        self.settle()
        return self.engine._run_outbound(self.account, object_type)

    def remote(self, record):
        return self.state.get_record(record.hubspot_object_type, record.hubspot_id)["properties"]

    def writes(self):
        """Record writes the sandbox received (creates, updates, upserts, archives, associations),
        not the connector's one-time creation of its own properties."""
        stats = self.state.stats()["by_operation"]
        return {
            op: n
            for op, n in stats.items()
            if any(w in op for w in ("create", "update", "upsert", "archive")) and not op.startswith("properties.")
        }


@tagged("post_install", "-at_install")
class TestProducts(ProductsCase):
    def test_hubspot_products_match_by_sku_or_are_created(self):
        existing = self.Product.create({"name": "Widget (old name)", "default_code": "W-1", "list_price": 5})
        widget = self.hs_product("Widget", "w-1", price="12.5")
        gadget = self.hs_product("Gadget", "G-2", price="19.9", description="Small and useful")
        self.configure(sync_products=True, products_direction="in")
        run = self.sync("products")
        self.assertEqual((run.linked_count, run.created_count, run.failed_count), (1, 1, 0))
        self.assertEqual(self.product(widget), existing, "the same SKU (any case) links, never duplicates")
        self.assertEqual(self.Product.search_count([("default_code", "=ilike", "w-1")]), 1)
        self.assertEqual((existing.name, existing.list_price), ("Widget", 12.5), "HubSpot's newer values")
        new = self.product(gadget)
        self.assertEqual(
            (new.name, new.default_code, new.list_price, new.description_sale),
            ("Gadget", "G-2", 19.9, "Small and useful"),
        )
        self.assertEqual(new.company_id, self.account.company_id)
        self.assertEqual(new.hubspot_url, f"https://app.hubspot.com/contacts/12345678/record/0-7/{gadget['id']}")
        self.assertEqual(new.product_tmpl_id.hubspot_id, gadget["id"], "the product form shows the link")

    def test_odoo_products_created_in_hubspot_by_sku(self):
        remote = self.hs_product("Existing", "E-1", price="10")
        same = self.Product.create({"name": "Existing in Odoo", "default_code": "E-1", "company_id": self.company_id})
        new = self.Product.create(
            {"name": "New in Odoo", "default_code": "N-1", "list_price": 42, "description_sale": "Fresh"}
        )
        no_sku = self.Product.create({"name": "No reference"})
        self.configure(sync_products=True, products_direction="both")
        self.sync("products")
        run = self.push("products")
        self.assertEqual((run.created_count, run.failed_count), (1, 0))
        self.assertEqual(same.hubspot_id, remote["id"])
        props = self.remote(new)
        self.assertEqual(
            (props["name"], props["hs_sku"], props["price"], props["description"]),
            ("New in Odoo", "N-1", "42", "Fresh"),
        )
        self.assertTrue(props["odoo_record_id"].endswith(f"product.product-{new.id}"))
        self.assertFalse(no_sku.hubspot_id, "a product without internal reference is not pushed on its own")
        self.assertEqual(sorted(r["properties"]["hs_sku"] for r in self.state.live_records("products")), ["E-1", "N-1"])

    def test_push_only_links_a_hubspot_product_with_the_same_sku(self):
        remote = self.hs_product("Catalogue item", "CAT-7")
        mine = self.Product.create({"name": "Catalogue item", "default_code": "cat-7", "list_price": 70})
        self.configure(sync_products=True, products_direction="out")
        run = self.push("products")
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertEqual(mine.hubspot_id, remote["id"])
        self.assertEqual(self.remote(mine)["price"], "70", "then Odoo's values are pushed")
        self.assertEqual(len(self.state.live_records("products")), 1)

    def test_price_changed_on_the_product_form_is_pushed(self):
        product = self.Product.create({"name": "Seat", "default_code": "SEAT", "list_price": 100})
        self.configure(sync_products=True, products_direction="out")
        self.push("products")
        # Long after the last push, the price changes on the product form (the template).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE product_product SET write_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=1), product.id),
        )
        self.account.checkpoint_ids.filtered(lambda c: c.direction == "out").last_modified_at = (
            fields.Datetime.now() - timedelta(hours=1)
        )
        product.invalidate_recordset()
        product.product_tmpl_id.list_price = 120
        self.state.clear_log()
        run = self.push("products")
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(self.remote(product)["price"], "120")
        self.state.clear_log()
        self.push("products")
        self.assertEqual(self.writes(), {}, "nothing changed since: nothing sent")

    def test_cron_syncs_products_only_when_enabled(self):
        self.hs_product("Widget", "W-1")
        self.engine._cron_sync("products")
        self.assertFalse(self.account.run_ids.filtered(lambda r: r.object_type == "products"))
        self.configure(sync_products=True, products_direction="in")
        self.settle()
        self.engine._cron_sync("products")
        self.assertEqual(self.account.run_ids.filtered(lambda r: r.object_type == "products").created_count, 1)


class LineItemsCase(ProductsCase):
    def setUp(self):
        super().setUp()
        self.Lead = self.env["crm.lead"].with_context(active_test=False)
        self.acme = self.hs_company("Acme GmbH", domain="acme.example")
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.configure(deal_stage_filter="all")

    def deal(self, name, stage="contractsent", **props):
        record = self.state.add_record(
            "deals", dict({"dealname": name, "dealstage": stage, "pipeline": "default"}, **props)
        )
        self.state.associate("deals", record["id"], "companies", self.acme["id"])
        return record

    def line_item(self, deal, name, **props):
        item = self.state.add_record("line_items", dict({"name": name}, **props))
        if deal:
            self.state.associate("line_items", item["id"], "deals", deal["id"])
        return item

    def lead(self, record):
        return self.Lead.search([("hubspot_id", "=", record["id"]), ("hubspot_object_type", "=", "deals")])

    def line(self, item):
        return self.env["hubspot.deal.line"].search(
            [("hubspot_id", "=", item["id"]), ("hubspot_object_type", "=", "line_items")]
        )

    def amount(self, deal):
        return float(self.state.get_record("deals", deal["id"])["properties"].get("amount") or 0)

    def sync_deal_with_lines(self):
        self.sync("deals")
        return self.sync("line_items")


@tagged("post_install", "-at_install")
class TestLineItemsInbound(LineItemsCase):
    def test_line_items_become_lines_with_the_deals_total(self):
        consulting = self.hs_product("Consulting day", "CONS-1", price="1000")
        deal = self.deal("Rollout")
        self.line_item(deal, "Consulting", hs_product_id=consulting["id"], quantity="3", price="90", discount="9")
        self.line_item(deal, "Set-up fee", quantity="1", price="150.5")
        self.line_item(deal, "Odd discount", quantity="2", price="1000", discount="33.33")
        self.assertEqual(self.amount(deal), 243 + 150.5 + 1933.34, "HubSpot totals the deal")
        run = self.sync_deal_with_lines()
        self.assertEqual((run.created_count, run.failed_count), (3, 0))
        lead = self.lead(deal)
        lines = lead.hubspot_line_ids.sorted("name")
        self.assertEqual(lines.mapped("name"), ["Consulting", "Odd discount", "Set-up fee"])
        first = lines[0]
        self.assertEqual(first.product_id, self.product(consulting), "the product came with its line item")
        self.assertEqual(first.product_id.default_code, "CONS-1")
        self.assertEqual(
            (first.quantity, first.price_unit, first.price_subtotal), (3, 90, 243), "its own price, not the product's"
        )
        self.assertAlmostEqual(first.discount, 10.0, msg="9 off a unit price of 90 is 10 %")
        self.assertFalse(lines[2].product_id, "a line item without product")
        self.assertAlmostEqual(lead.hubspot_lines_total, self.amount(deal), places=2)
        self.assertAlmostEqual(lead.expected_revenue, self.amount(deal), places=2)

    def test_line_item_of_a_deal_not_in_odoo_waits_for_it(self):
        elsewhere = self.state.add_record("deals", {"dealname": "Not synced", "dealstage": "contractsent"})
        self.line_item(elsewhere, "Orphan", quantity="1", price="10")
        self.line_item(None, "No deal at all", quantity="1", price="10")
        run = self.sync("line_items")
        self.assertEqual((run.created_count, run.skipped_count, run.failed_count), (0, 2, 0))
        self.assertFalse(self.lead(elsewhere), "a line item never imports its deal")
        self.assertFalse(self.env["hubspot.deal.line"].search([]))

    def test_line_items_follow_a_deal_that_arrives_later(self):
        self.configure(
            deal_stage_filter="selected",
            deal_stage_ids=[
                (6, 0, self.account.pipeline_ids.stage_ids.filtered(lambda s: s.hubspot_id == "closedwon").ids)
            ],
        )
        # Long ago: a deal outside the selected stages, with a line item.
        self.state.freeze(fields.Datetime.now() - timedelta(minutes=30))
        deal = self.deal("Later", stage="contractsent")
        self.line_item(deal, "Waiting line", quantity="2", price="50")
        self.sync_deal_with_lines()
        self.assertFalse(self.lead(deal))
        # Other line items change since, so the checkpoint moves past the waiting one.
        self.state.advance(seconds=60)
        won = self.deal("Won one", stage="closedwon")
        self.line_item(won, "Other line", quantity="1", price="5")
        self.state.advance(seconds=60)
        self.sync_deal_with_lines()
        self.assertEqual(self.lead(won).hubspot_line_ids.mapped("name"), ["Other line"])
        # Now the deal enters the filter: it comes with its (unchanged) line item.
        self.state.advance(seconds=60)
        self.state.update_record("deals", deal["id"], {"dealstage": "closedwon"})
        self.state.unfreeze()
        run = self.sync_deal_with_lines()
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self.lead(deal).hubspot_line_ids.mapped("name"), ["Waiting line"])
        self.assertEqual(self.lead(deal).hubspot_lines_total, 100)

    def test_dangling_product_gives_a_line_without_product(self):
        deal = self.deal("Dangling")
        self.line_item(deal, "Ghost product", hs_product_id="987654321", quantity="1", price="30")
        self.line_item(deal, "Fine", quantity="2", price="10")
        run = self.sync_deal_with_lines()
        self.assertEqual((run.state, run.created_count, run.failed_count), ("done", 2, 0))
        ghost = self.lead(deal).hubspot_line_ids.filtered(lambda line: line.name == "Ghost product")
        self.assertFalse(ghost.product_id)
        self.assertEqual(ghost.price_subtotal, 30, "the line item's own name and price")
        self.assertEqual(self.lead(deal).hubspot_lines_total, self.amount(deal))

    def test_line_item_deleted_in_hubspot_leaves_the_opportunity(self):
        deal = self.deal("Shrinking")
        gone = self.line_item(deal, "Gone", quantity="1", price="40")
        self.line_item(deal, "Kept", quantity="1", price="60")
        self.sync_deal_with_lines()
        self.state.advance(seconds=5)
        self.state.archive_record("line_items", gone["id"])
        self.account.checkpoint_ids.filtered(lambda c: c.object_type == "line_items").last_archive_check_at = False
        self.sync_deal_with_lines()
        lead = self.lead(deal)
        self.assertEqual(lead.hubspot_line_ids.mapped("name"), ["Kept"])
        self.assertEqual((lead.hubspot_lines_total, self.amount(deal), lead.expected_revenue), (60, 60, 60))

    def test_no_line_items_while_deals_do_not_sync(self):
        deal = self.deal("Rollout")
        item = self.line_item(deal, "Set-up fee", quantity="1", price="150")
        self.configure(deal_stage_filter="none")
        self.settle()
        self.state.clear_log()
        self.engine._cron_sync("deals")
        self.engine._cron_sync("line_items")
        self.assertFalse(self.line(item))
        self.assertEqual(self.state.stats()["total"], 0, "HubSpot was asked nothing")
        # Deals sync again: their line items come with them.
        self.configure(deal_stage_filter="all")
        self.engine._cron_sync("deals")
        self.engine._cron_sync("line_items")
        self.assertEqual(self.line(item).lead_id, self.lead(deal))
        self.assertEqual(self.line(item).price_subtotal, 150)


@tagged("post_install", "-at_install")
class TestLineItemsOutbound(LineItemsCase):
    def setUp(self):
        super().setUp()
        self.deal_record = self.deal("Two-way deal")
        self.first_item = self.line_item(self.deal_record, "Licence", quantity="2", price="1000", discount="33.33")
        self.sync_deal_with_lines()
        self.opportunity = self.lead(self.deal_record)

    def test_line_added_in_odoo_is_pushed_to_the_deal(self):
        self.configure(sync_products=True, products_direction="out")
        product = self.Product.create({"name": "Training", "list_price": 80, "company_id": self.company_id})
        line = self.env["hubspot.deal.line"].create(
            {"lead_id": self.opportunity.id, "product_id": product.id, "quantity": 2, "discount": 25}
        )
        self.assertEqual((line.name, line.price_unit, line.price_subtotal), ("Training", 80, 120))
        self.state.advance(seconds=5)  # HubSpot retotals the deal after the sync that brought it
        run = self.push("line_items")
        self.assertEqual((run.created_count, run.failed_count), (1, 0))
        props = self.remote(line)
        self.assertEqual(
            (props["name"], props["quantity"], props["price"], props["discount"]), ("Training", "2", "80", "20")
        )
        self.assertEqual(
            [to_id for to_id, _types in self.state.associated("line_items", line.hubspot_id, "deals")],
            [self.deal_record["id"]],
        )
        self.assertTrue(product.hubspot_id, "its product (no internal reference) was created for it")
        self.assertEqual(props["hs_product_id"], product.hubspot_id)
        self.assertAlmostEqual(self.amount(self.deal_record), 1933.34 + 120, places=2)
        self.sync("deals")
        self.assertAlmostEqual(self.opportunity.expected_revenue, self.opportunity.hubspot_lines_total, places=2)

    def test_line_without_pushed_product_goes_on_its_own(self):
        product = self.Product.create({"name": "Local only", "list_price": 5, "company_id": self.company_id})
        line = self.env["hubspot.deal.line"].create({"lead_id": self.opportunity.id, "product_id": product.id})
        self.push("line_items")
        self.assertNotIn("hs_product_id", self.remote(line), "products do not sync: HubSpot gets the line alone")
        self.assertEqual(self.remote(line)["price"], "5")
        self.assertFalse(product.hubspot_id)

    def test_changed_quantity_pushes_one_update_and_no_echo(self):
        line = self.line(self.first_item)
        self.assertAlmostEqual(line.discount, 3.333, places=6)
        self.state.clear_log()
        line.quantity = 5
        run = self.push("line_items")
        self.assertEqual((run.updated_count, run.created_count), (1, 0))
        props = self.remote(line)
        self.assertEqual((props["quantity"], props["discount"]), ("5", "33.33"), "the unit discount is unchanged")
        self.assertEqual(self.writes(), {"line_items.batch_update": 1})
        self.assertAlmostEqual(line.price_subtotal, float(props["amount"]), places=2)
        self.state.clear_log()
        inbound = self.sync("line_items")
        outbound = self.push("line_items")
        self.assertEqual((inbound.updated_count, outbound.updated_count), (0, 0))
        self.assertEqual(self.writes(), {}, "what HubSpot has is not sent again")

    def test_line_deleted_in_odoo_is_deleted_in_hubspot(self):
        extra = self.line_item(self.deal_record, "Extra", quantity="1", price="10")
        self.sync("line_items")
        self.line(extra).unlink()
        self.state.advance(seconds=5)
        run = self.push("line_items")
        self.assertEqual(run.archived_count, 1)
        self.assertIsNone(self.state.find("line_items", extra["id"]))
        self.assertAlmostEqual(self.amount(self.deal_record), 1933.34, places=2)
        self.sync("deals")
        self.assertAlmostEqual(self.opportunity.expected_revenue, self.opportunity.hubspot_lines_total, places=2)

    def test_deal_amount_stays_hubspots_while_it_has_line_items(self):
        self.configure(deals_direction="both")
        total = self.amount(self.deal_record)
        self.opportunity.write({"name": "Two-way deal (renamed)", "expected_revenue": 99})
        run = self.push("deals")
        self.assertEqual((run.updated_count, run.failed_count), (1, 0))
        self.assertEqual(self.remote(self.opportunity)["dealname"], "Two-way deal (renamed)")
        self.assertAlmostEqual(self.amount(self.deal_record), total, places=2, msg="HubSpot totals the lines")

    def test_deleted_opportunity_takes_its_deal_and_line_items_along(self):
        self.configure(deals_direction="both")
        self.opportunity.unlink()
        self.assertEqual(self.push("deals").archived_count, 1)
        self.assertEqual(self.push("line_items").archived_count, 1)
        self.assertIsNone(self.state.find("deals", self.deal_record["id"]))
        self.assertIsNone(self.state.find("line_items", self.first_item["id"]))

    def test_lines_added_before_the_opportunity_was_linked_are_pushed(self):
        local = self.env["crm.lead"].create({"name": "Linked later", "type": "opportunity"})
        line = self.env["hubspot.deal.line"].create({"lead_id": local.id, "name": "Early line", "price_unit": 7})
        self.push("line_items")
        self.assertFalse(line.hubspot_id, "not while the opportunity has no deal")
        # Long after that push, the opportunity is linked to a deal (e.g. matched by its reference).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE hubspot_deal_line SET write_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=1), line.id),
        )
        self.account.checkpoint_ids.filtered(
            lambda c: c.object_type == "line_items" and c.direction == "out"
        ).last_modified_at = fields.Datetime.now() - timedelta(hours=1)
        line.invalidate_recordset()
        deal = self.deal("Found in HubSpot")
        local._hubspot_bind(self.account, "deals", deal["id"])
        self.push("line_items")
        self.assertTrue(line.hubspot_id)
        self.assertEqual(self.amount(deal), 7, "the line is on the deal now")

    def test_lines_of_an_opportunity_not_linked_to_a_deal_stay_in_odoo(self):
        local = self.env["crm.lead"].create({"name": "Odoo only", "type": "opportunity"})
        line = self.env["hubspot.deal.line"].create({"lead_id": local.id, "name": "Local", "price_unit": 1})
        self.state.clear_log()
        run = self.push("line_items")
        self.assertEqual((run.state, run.failed_count), ("done", 0), "kept out, not failed")
        self.assertFalse(line.hubspot_id)
        self.assertEqual(self.writes(), {}, "nothing reached HubSpot")
        self.assertNotIn("Local", [r["properties"].get("name") for r in self.state.live_records("line_items")])


@tagged("post_install", "-at_install")
class TestDealLineAccess(ProductsCase):
    def test_salesperson_works_the_lines_of_their_opportunities(self):
        seller = new_test_user(self.env, login="line_seller", groups="sales_team.group_sale_salesman")
        other = new_test_user(self.env, login="other_seller", groups="sales_team.group_sale_salesman")
        mine = self.env["crm.lead"].create({"name": "Mine", "type": "opportunity", "user_id": seller.id})
        theirs = self.env["crm.lead"].create({"name": "Theirs", "type": "opportunity", "user_id": other.id})
        self.env["hubspot.deal.line"].create({"lead_id": theirs.id, "name": "Secret", "price_unit": 9})
        Line = self.env["hubspot.deal.line"].with_user(seller)
        line = Line.create({"lead_id": mine.id, "name": "Visit", "quantity": 2, "price_unit": 50})
        self.assertEqual(mine.with_user(seller).hubspot_lines_total, 100)
        self.assertEqual(Line.search([]), line, "only the lines of opportunities they see")
        line.unlink()
        with self.assertRaises(AccessError):
            Line.create({"lead_id": theirs.id, "name": "Sneaky", "price_unit": 1})
