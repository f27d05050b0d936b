"""HubSpot tickets and Odoo tasks, both ways: pipeline/status ↔ project/stage, priority,
owner ↔ assignee, customer and opportunity."""

from odoo.tests import new_test_user, tagged

from .common import InboundCase


class TicketCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.Task = self.env["project.task"].with_context(active_test=False)
        self.project = self.env["project.project"].create({"name": "Support", "company_id": self.company.id})
        Stage = self.env["project.task.type"]
        self.new, self.waiting, self.done = (
            Stage.create({"name": name, "sequence": seq, "project_ids": [(6, 0, self.project.ids)]})
            for seq, name in ((1, "Inbox"), (2, "Waiting"), (3, "Done"))
        )
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.pipeline = self.account.pipeline_ids.filtered(lambda p: p.object_type == "tickets" and p.hubspot_id == "0")
        self.pipeline.project_id = self.project
        self.status = {s.hubspot_id: s for s in self.pipeline.stage_ids}
        # HubSpot's "Waiting on contact" and "Waiting on us" are both Odoo's "Waiting".
        for hubspot_id, stage in (("1", self.new), ("2", self.waiting), ("3", self.waiting), ("4", self.done)):
            self.status[hubspot_id].task_stage_id = stage
        self.configure(sync_tickets=True)
        self.seller = new_test_user(
            self.env, login="seller", email="seller@example.com", groups="project.group_project_user"
        )
        self.helper = new_test_user(
            self.env, login="helper", email="helper@example.com", groups="project.group_project_user"
        )
        self.seller_owner = self.state.add_owner("seller@example.com", "Sam", "Seller")
        self.helper_owner = self.state.add_owner("helper@example.com", "Hal", "Helper")
        self.acme = self.hs_company("Acme GmbH", domain="acme.example")
        self.anna = self.hs_contact("anna@acme.example", self.acme, firstname="Anna", lastname="Schmidt")

    def ticket(self, subject, status="1", company=None, contact=None, deal=None, **props):
        record = self.state.add_record(
            "tickets", dict({"subject": subject, "hs_pipeline": "0", "hs_pipeline_stage": status}, **props)
        )
        for to_type, other in (("companies", company), ("contacts", contact), ("deals", deal)):
            if other:
                self.state.associate("tickets", record["id"], to_type, other["id"])
        return record

    def task(self, record):
        return self.Task.search([("hubspot_id", "=", str(record["id"])), ("hubspot_object_type", "=", "tickets")])

    def push(self):
        """A push as the schedule makes it: it looks HubSpot's records up once its index caught up."""
        self.settle()
        return self.engine._run_outbound(self.account, "tickets")

    def remote(self, task):
        return self.state.get_record("tickets", task.hubspot_id)["properties"]

    def linked(self, task, to_type):
        return [to_id for to_id, _types in self.state.associated("tickets", task.hubspot_id, to_type)]

    def writes(self):
        """Writes to records and associations (not the connector's one-time property set-up)."""
        stats = self.state.stats()["by_operation"]
        return {
            op: n
            for op, n in stats.items()
            if not op.startswith("properties.") and any(w in op for w in ("create", "update", "upsert", "archive"))
        }


@tagged("post_install", "-at_install")
class TestTicketsInbound(TicketCase):
    def test_ticket_becomes_task_in_the_mapped_project(self):
        self.configure(deal_stage_filter="all")
        deal = self.state.add_record("deals", {"dealname": "Acme renewal", "dealstage": "contractsent"})
        self.state.associate("deals", deal["id"], "companies", self.acme["id"])
        self.sync("deals")
        opportunity = self.env["crm.lead"].search([("hubspot_id", "=", deal["id"])])
        self.assertTrue(opportunity)
        record = self.ticket(
            "Printer on fire",
            status="2",
            company=self.acme,
            contact=self.anna,
            deal=deal,
            content="It smokes.\nPlease hurry.",
            hs_ticket_priority="HIGH",
            hubspot_owner_id=self.seller_owner["id"],
        )

        run = self.sync("tickets")
        self.assertEqual(
            (run.state, run.created_count, run.failed_count), ("done", 1, 0), run.error_ids.mapped("reason")
        )
        task = self.task(record)
        self.assertEqual(task.name, "Printer on fire")
        self.assertEqual((task.project_id, task.stage_id), (self.project, self.waiting))
        self.assertEqual(task.hubspot_stage_id, self.status["2"], "HubSpot's own status is kept too")
        self.assertEqual(task.priority, "2", "HIGH is Odoo's high priority")
        self.assertEqual(task.user_ids, self.seller, "the ticket owner's user is the assignee")
        anna = self.partner(self.anna, "contacts")
        self.assertEqual(task.partner_id, anna, "the contact at the ticket's company is the customer")
        self.assertEqual(task.partner_id.parent_id, self.partner(self.acme), "her company came on the way")
        self.assertEqual(task.hubspot_contact_ids, anna)
        self.assertEqual(task.hubspot_lead_id, opportunity)
        self.assertIn("It smokes.<br>Please hurry.", str(task.description).replace("<br/>", "<br>"))
        self.assertEqual(task.company_id, self.company)
        self.assertTrue(task.hubspot_linked)
        self.assertEqual(task.hubspot_url, f"https://app.hubspot.com/contacts/12345678/record/0-5/{record['id']}")

    def test_a_contact_alone_is_the_customer_and_unknown_deals_stay_in_hubspot(self):
        loner = self.hs_contact("solo@example.com", firstname="Solo")
        deal = self.state.add_record("deals", {"dealname": "Not in Odoo", "dealstage": "contractsent"})
        record = self.ticket("Question", contact=loner, deal=deal)
        company_only = self.ticket("Invoice wrong", company=self.acme)
        run = self.sync("tickets")
        self.assertEqual(run.created_count, 2)
        task = self.task(record)
        self.assertEqual(task.partner_id, self.partner(loner, "contacts"))
        self.assertFalse(task.hubspot_lead_id)
        self.assertFalse(
            self.env["crm.lead"].search_count([("hubspot_id", "=", deal["id"])]), "deals are never imported here"
        )
        self.assertEqual(self.task(company_only).partner_id, self.partner(self.acme))

    def test_changes_in_hubspot_move_and_update_the_task(self):
        record = self.ticket(
            "Slow VPN", company=self.acme, hs_ticket_priority="LOW", hubspot_owner_id=self.seller_owner["id"]
        )
        self.sync("tickets")
        task = self.task(record)
        self.assertEqual((task.stage_id, task.priority, task.user_ids), (self.new, "0", self.seller))
        self.state.advance(seconds=5)
        self.state.update_record(
            "tickets",
            record["id"],
            {
                "hs_pipeline_stage": "4",
                "subject": "Slow VPN (solved)",
                "hs_ticket_priority": "URGENT",
                "hubspot_owner_id": self.helper_owner["id"],
            },
        )
        run = self.sync("tickets")
        self.assertEqual((run.updated_count, run.created_count), (1, 0))
        self.assertEqual(task.stage_id, self.done, "the closed ticket moves the task")
        self.assertEqual((task.name, task.priority), ("Slow VPN (solved)", "3"))
        self.assertEqual(task.user_ids, self.helper, "the new owner replaces the assignee")
        # A change of another field leaves a stage chosen in Odoo alone, and extra assignees too.
        task.write({"stage_id": self.waiting.id, "user_ids": [(4, self.seller.id)]})
        self.state.advance(seconds=5)
        self.state.update_record("tickets", record["id"], {"content": "Rebooted the router."})
        self.sync("tickets")
        self.assertEqual(task.stage_id, self.waiting)
        self.assertEqual(task.user_ids, self.seller | self.helper)
        self.assertIn("Rebooted the router.", str(task.description))
        # The owner leaving the ticket in HubSpot unassigns the task.
        self.state.advance(seconds=5)
        self.state.update_record("tickets", record["id"], {"hubspot_owner_id": ""})
        self.sync("tickets")
        self.assertFalse(task.user_ids)

    def test_pipeline_without_project_is_skipped_until_mapped(self):
        it = self.state.add_pipeline(
            "tickets", "IT Support", [("2001", "Open", "OPEN"), ("2003", "Resolved", "CLOSED")]
        )
        record = self.ticket("Laptop broken", hs_pipeline=it["id"], hs_pipeline_stage="2001")
        kept = self.ticket("Mapped one")
        run = self.sync("tickets")
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        self.assertFalse(self.task(record))
        self.assertTrue(self.task(kept))
        self.assertIn("IT Support", run.message)
        # The admin maps the pipeline: the skipped ticket arrives with the next run.
        it_project = self.env["project.project"].create({"name": "IT"})
        self.account.pipeline_ids.filtered(lambda p: p.hubspot_id == it["id"]).project_id = it_project
        run = self.sync("tickets")
        self.assertEqual((run.created_count, run.skipped_count), (1, 0))
        self.assertEqual(self.task(record).project_id, it_project)
        self.assertEqual(run.message, "Re-read all tickets: a ticket pipeline's project changed.")

    def test_unknown_status_still_syncs_the_other_fields(self):
        record = self.ticket("Status from the future", status="1")
        self.sync("tickets")
        task = self.task(record)
        task.stage_id = self.waiting
        # A status HubSpot gained after the last pipeline refresh: nothing to map it with.
        self.state.advance(seconds=5)
        self.state.objects["tickets"][record["id"]]["properties"].update(hs_pipeline_stage="999")
        self.state.update_record("tickets", record["id"], {"subject": "Renamed", "hs_ticket_priority": "MEDIUM"})
        run = self.sync("tickets")
        self.assertEqual((run.updated_count, run.failed_count), (1, 0))
        self.assertEqual((task.name, task.priority), ("Renamed", "1"))
        self.assertEqual(task.stage_id, self.waiting, "Odoo's stage stays")
        self.assertFalse(task.hubspot_stage_id)
        new = self.ticket("Born in a new status", status="999")
        self.sync("tickets")
        self.assertEqual(self.task(new).stage_id, self.new, "a new task starts in the project's first stage")

    def test_malformed_ticket_is_logged_and_the_run_goes_on(self):
        bad = self.ticket("Bad priority", hs_ticket_priority="SUPERHIGH")
        good = self.ticket("Fine")
        run = self.sync("tickets")
        self.assertEqual((run.state, run.created_count, run.failed_count), ("partial", 1, 1))
        self.assertTrue(self.task(good))
        self.assertFalse(self.task(bad))
        error = run.error_ids
        self.assertEqual(error.hubspot_id, bad["id"])
        self.assertIn("SUPERHIGH", error.reason)
        # Mapped under value mappings, the next run takes it.
        mapping = self.account.mapping_ids.filtered(lambda m: m.object_type == "tickets" and m.field_name == "priority")
        mapping.value_mapping_ids = [(0, 0, {"hubspot_value": "SUPERHIGH", "odoo_value": "3"})]
        run = self.sync("tickets")
        self.assertEqual(self.task(bad).priority, "3")

    def test_default_mappings_catalogue_and_task_form(self):
        mappings = self.account.mapping_ids.filtered(lambda m: m.object_type == "tickets")
        self.assertEqual(
            {(m.field_name, m.hubspot_property) for m in mappings},
            {
                ("name", "subject"),
                ("description", "content"),
                ("priority", "hs_ticket_priority"),
                ("user_ids", "hubspot_owner_id"),
            },
        )
        self.account.action_refresh_catalogue()
        props = self.env["hubspot.property"].search(
            [("account_id", "=", self.account.id), ("object_type", "=", "tickets")]
        )
        by_name = {p.name: p for p in props}
        for mapping in mappings:  # each default passes the type check with the portal's property
            mapping.property_id = by_name[mapping.hubspot_property]
        record = self.ticket("Shown on the form")
        self.sync("tickets")
        task = self.task(record)
        action = task.action_open_in_hubspot()
        self.assertEqual(action["url"], f"https://app.hubspot.com/contacts/12345678/record/0-5/{record['id']}")
        arch = task.get_view(view_type="form")["arch"]
        for name in ("action_open_in_hubspot", "hubspot_lead_id", "hubspot_id", "hubspot_linked"):
            self.assertIn(f'name="{name}"', arch)
        account_arch = self.account.get_view(view_type="form")["arch"]
        self.assertIn('name="tickets_direction"', account_arch)

    def test_cron_syncs_tickets_only_when_enabled(self):
        self.ticket("Via cron")
        self.configure(sync_tickets=False)
        self.engine._cron_sync("tickets")
        self.assertFalse(self.account.run_ids.filtered(lambda r: r.object_type == "tickets"))
        self.configure(sync_tickets=True)
        self.settle()
        self.engine._cron_sync("tickets")
        run = self.account.run_ids.filtered(lambda r: r.object_type == "tickets")
        self.assertEqual((run.direction, run.created_count), ("in", 1))
        self.assertEqual(self.env.ref("hubspot_connector.ir_cron_sync_tickets").code, 'model._cron_sync("tickets")')


@tagged("post_install", "-at_install")
class TestTicketsOutbound(TicketCase):
    def setUp(self):
        super().setUp()
        self.configure(tickets_direction="both")

    def two_way(self):
        return self.sync("tickets"), self.push()

    def test_new_task_creates_a_ticket_with_status_and_associations(self):
        self.configure(deal_stage_filter="all")
        deal = self.state.add_record("deals", {"dealname": "Acme renewal", "dealstage": "contractsent"})
        self.sync("deals")
        self.sync("contacts")
        opportunity = self.env["crm.lead"].search([("hubspot_id", "=", deal["id"])])
        anna = self.partner(self.anna, "contacts")
        self.two_way()
        task = self.Task.create(
            {
                "name": "Install the new printer",
                "project_id": self.project.id,
                "stage_id": self.waiting.id,
                "description": "<p>Model X1</p>",
                "priority": "3",
                "user_ids": [(6, 0, self.seller.ids)],
                "partner_id": anna.id,
                "hubspot_lead_id": opportunity.id,
            }
        )
        elsewhere = self.Task.create(
            {"name": "Internal chore", "project_id": self.env["project.project"].create({"name": "Other"}).id}
        )
        run = self.push()
        self.assertEqual((run.created_count, run.failed_count), (1, 0), run.error_ids.mapped("reason"))
        self.assertTrue(task.hubspot_linked)
        self.assertFalse(elsewhere.hubspot_id, "only tasks of projects mapped to a ticket pipeline are pushed")
        props = self.remote(task)
        self.assertEqual((props["hs_pipeline"], props["hs_pipeline_stage"]), ("0", "2"))
        self.assertEqual((props["subject"], props["content"]), ("Install the new printer", "Model X1"))
        self.assertEqual((props["hs_ticket_priority"], props["hubspot_owner_id"]), ("URGENT", self.seller_owner["id"]))
        self.assertEqual(self.linked(task, "contacts"), [anna.hubspot_id])
        self.assertEqual(self.linked(task, "companies"), [anna.parent_id.hubspot_id], "the customer's company")
        self.assertEqual(self.linked(task, "deals"), [opportunity.hubspot_id])
        self.assertEqual(task.hubspot_stage_id, self.status["2"])
        # Nothing changed: the next runs send nothing and change nothing.
        self.state.clear_log()
        inbound, outbound = self.two_way()
        self.assertEqual((inbound.updated_count, outbound.updated_count, outbound.created_count), (0, 0, 0))
        self.assertEqual(self.writes(), {})

    def test_task_in_an_unmapped_stage_starts_in_the_first_status(self):
        backlog = self.env["project.task.type"].create({"name": "Backlog", "project_ids": [(6, 0, self.project.ids)]})
        task = self.Task.create({"name": "Someday", "project_id": self.project.id, "stage_id": backlog.id})
        self.push()
        self.assertEqual(self.remote(task)["hs_pipeline_stage"], "1")
        self.assertEqual(task.stage_id, backlog)

    def test_updates_both_ways_without_echo(self):
        record = self.ticket(
            "Slow VPN",
            company=self.acme,
            content="Line one\nLine two",
            hs_ticket_priority="MEDIUM",
            hubspot_owner_id=self.seller_owner["id"],
        )
        self.two_way()
        task = self.task(record)
        self.assertEqual(self.writes(), {}, "what came from HubSpot, associations included, is not sent back")
        self.state.clear_log()
        inbound, outbound = self.two_way()
        self.assertEqual((inbound.updated_count, outbound.updated_count), (0, 0))
        self.assertEqual(self.writes(), {})

        # Odoo → HubSpot: the stage goes through the reverse stage mapping.
        task.write({"name": "Slow VPN at home", "stage_id": self.done.id, "priority": "2"})
        run = self.push()
        self.assertEqual(run.updated_count, 1)
        props = self.remote(task)
        self.assertEqual((props["subject"], props["hs_pipeline_stage"]), ("Slow VPN at home", "4"))
        self.assertEqual(props["hs_ticket_priority"], "HIGH")
        self.assertEqual(props["content"], "Line one\nLine two", "unchanged fields are not sent")
        self.state.clear_log()
        inbound, outbound = self.two_way()
        self.assertEqual((inbound.updated_count, outbound.updated_count), (0, 0))
        self.assertEqual(self.writes(), {}, "a second push sends nothing")
        self.assertEqual(task.stage_id, self.done)

        # HubSpot → Odoo, then nothing goes back.
        self.state.advance(seconds=5)
        self.state.update_record("tickets", record["id"], {"hs_pipeline_stage": "3"})
        self.state.clear_log()
        inbound, outbound = self.two_way()
        self.assertEqual((inbound.updated_count, outbound.updated_count), (1, 0))
        self.assertEqual(task.stage_id, self.waiting)
        self.assertEqual(self.writes(), {})
        # Odoo's "Waiting" is two HubSpot statuses: the ticket keeps the one it has.
        task.write({"name": "Slow VPN, waiting"})
        self.push()
        self.assertEqual(self.remote(task)["hs_pipeline_stage"], "3")

    def test_several_assignees_keep_the_hubspot_owner(self):
        record = self.ticket("Shared work", hubspot_owner_id=self.seller_owner["id"])
        self.two_way()
        task = self.task(record)
        task.user_ids = self.helper | self.seller  # the helper sorts first
        self.push()
        self.assertEqual(self.remote(task)["hubspot_owner_id"], self.seller_owner["id"], "the owner is still assigned")
        task.user_ids = self.helper
        self.push()
        self.assertEqual(self.remote(task)["hubspot_owner_id"], self.helper_owner["id"])

    def test_deleted_task_archives_its_ticket(self):
        record = self.ticket("Short-lived")
        self.two_way()
        self.task(record).unlink()
        run = self.push()
        self.assertEqual(run.archived_count, 1)
        self.assertTrue(self.state.get_record("tickets", record["id"], archived=True)["archived"])
