"""One list of object types (``models/hubspot_sync_spec.py``): every place that lists them agrees."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.hubspot_sync_spec import IMPORT_TYPES, OBJECT_TYPES, PIPELINE_TYPES, SPECS
from ..sandbox.catalog import SINGULAR as HUBSPOT_NAMES
from ..sandbox.catalog import TYPE_ID_OF
from .common import HubSpotCase


@tagged("post_install", "-at_install")
class TestOneListOfObjectTypes(HubSpotCase):
    def selection(self, model, field_name):
        field = self.env[model]._fields[field_name]
        return field._description_selection(self.env)

    def test_each_type_has_its_sync_job(self):
        """Sync now and the webhooks wake a type's job by its id: each type has one, running its type."""
        for object_type, spec in SPECS.items():
            cron = self.env.ref(spec.cron, raise_if_not_found=False)
            self.assertTrue(cron, f"{object_type}: no job {spec.cron}")
            self.assertEqual(cron.model_id.model, "hubspot.sync.engine")
            self.assertEqual(cron.code.strip(), f'model._cron_sync("{object_type}")')
        jobs = (
            self.env["ir.cron"].with_context(active_test=False).search([("model_id.model", "=", "hubspot.sync.engine")])
        )
        synced = sorted(job.code.strip() for job in jobs if "_cron_sync" in job.code)
        self.assertEqual(synced, sorted(f'model._cron_sync("{t}")' for t in SPECS), "a job for a type nobody lists")

    def test_every_selection_of_object_types_is_the_specs(self):
        """Runs, errors, checkpoints, mappings, notices, links...: the same types, labels and order."""
        expected = [(t, SPECS[t].label) for t in OBJECT_TYPES]
        checked = set()
        for name in self.env.registry:
            Model = self.env[name]
            for field_name in ("object_type", "hubspot_object_type"):
                field = Model._fields.get(field_name)
                if not field or field.type != "selection" or not (name.startswith("hubspot.") or field_name[0] == "h"):
                    continue
                checked.add(name)
                wanted = {
                    "hubspot.pipeline": PIPELINE_TYPES,
                    "hubspot.pipeline.stage": PIPELINE_TYPES,
                    "hubspot.import.record": IMPORT_TYPES,
                }.get(name, expected)
                self.assertEqual(self.selection(name, field_name), wanted, f"{name}.{field_name}")
        for name in (
            "res.partner",
            "crm.lead",
            "project.task",
            "product.product",
            "hubspot.deal.line",
            "hubspot.sync.run",
            "hubspot.sync.error",
            "hubspot.sync.checkpoint",
            "hubspot.sync.status",
            "hubspot.sync.request",
            "hubspot.field.mapping",
            "hubspot.webhook.notice",
            "hubspot.tombstone",
            "hubspot.pipeline",
            "hubspot.import.record",
        ):
            self.assertIn(name, checked)
        self.assertEqual([t for t, _label in PIPELINE_TYPES], [t for t in OBJECT_TYPES if SPECS[t].pipeline_properties])

    def test_each_type_lives_on_a_linked_model(self):
        for object_type, spec in SPECS.items():
            self.assertIn("hubspot_id", self.env[spec.model]._fields, object_type)
            if spec.ui_type_id:  # the "Open in HubSpot" links
                self.assertEqual(spec.ui_type_id, TYPE_ID_OF[object_type], object_type)
            fields = self.env[spec.model]._fields
            for field_name, *_rest in spec.default_mappings:
                self.assertIn(field_name, fields, f"{object_type}: default mapping of an unknown field")

    def test_import_from_hubspot_offers_the_types_of_each_model(self):
        """The wizard offers, for a record, the types its model holds; and only models it can open."""
        models = [model for model, _label in self.env["hubspot.import.record"]._fields["record_ref"].selection]
        self.assertEqual(sorted(models), sorted({SPECS[t].model for t, _label in IMPORT_TYPES}))
        partner = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        wizard = self.env["hubspot.import.record"].new({"record_ref": f"res.partner,{partner.id}"})
        self.assertEqual(wizard.object_type, "companies")
        lead = self.env["crm.lead"].create({"name": "Big deal", "type": "opportunity"})
        wizard = self.env["hubspot.import.record"].new({"record_ref": f"crm.lead,{lead.id}"})
        self.assertEqual(wizard.object_type, "deals")

    def test_each_type_has_its_switch_and_direction_which_wait_for_stop(self):
        self.account.state = "running"
        for object_type, spec in SPECS.items():
            self.assertIn(spec.enable_flag, self.account._fields, object_type)
            direction = f"{object_type}_direction"
            self.assertIn(direction, self.account._fields, object_type)
            for values in ({spec.enable_flag: not self.account[spec.enable_flag]}, {direction: "out"}):
                with self.assertRaisesRegex(UserError, "Stop the integration"):
                    self.account.write(values)

    def test_a_webhook_of_each_type_wakes_its_job(self):
        """HubSpot names each type in its subscriptions (``line_item.propertyChange``): each wakes its job."""
        self.account.write({"portal_id": "12345678", "state": "running", "products_direction": "in"})
        Notice = self.env["hubspot.webhook.notice"]
        for object_type, spec in SPECS.items():
            kind = HUBSPOT_NAMES[object_type]  # as HubSpot (its stand-in) names the type
            event = {"subscriptionType": f"{kind}.propertyChange", "portalId": 12345678, "objectId": 1}
            self.assertEqual(Notice._record(self.account, [event]), 1, object_type)
            notice = Notice.search([("account_id", "=", self.account.id), ("object_type", "=", object_type)])
            self.assertEqual(len(notice), 1, object_type)
            cron = self.env.ref(spec.cron)
            self.assertTrue(
                self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), f"{object_type}: job not woken"
            )
