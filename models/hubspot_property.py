import json

from odoo import fields, models

from ..hubspot.values import clean_value
from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES


class HubspotProperty(models.Model):
    """The portal's property catalogue, fetched from HubSpot and cached."""

    _name = "hubspot.property"
    _description = "HubSpot Property"
    _order = "account_id, object_type, label, name"
    _rec_names_search = ["name", "label"]

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    name = fields.Char(string="Internal Name", required=True)
    label = fields.Char()
    property_type = fields.Char(string="Type")
    field_type = fields.Char()
    group_name = fields.Char(string="Group")
    options_json = fields.Text(string="Options")
    read_only = fields.Boolean(string="Read-only in HubSpot")
    unique_value = fields.Boolean(string="Unique Values")

    _account_object_name_unique = models.Constraint(
        "UNIQUE(account_id, object_type, name)", "A property appears once per account and object."
    )

    def _compute_display_name(self):
        for prop in self:
            prop.display_name = f"{prop.label or prop.name} ({prop.name})"

    def _refresh(self, account, object_type, client):
        """Replace the cached catalogue of one object type with HubSpot's (1 API call)."""
        rows = client.get_properties(object_type)
        existing = {
            p.name: p for p in self.search([("account_id", "=", account.id), ("object_type", "=", object_type)])
        }
        to_create = []
        for row in rows:
            vals = {
                "label": clean_value(row.get("label")),
                "property_type": row.get("type"),
                "field_type": row.get("fieldType"),
                "group_name": clean_value(row.get("groupName")),
                "options_json": json.dumps(row.get("options") or []),
                "read_only": bool(
                    (row.get("modificationMetadata") or {}).get("readOnlyValue") or row.get("calculated")
                ),
                "unique_value": bool(row.get("hasUniqueValue")),
            }
            prop = existing.pop(row["name"], None)
            if prop:
                prop.write(vals)
            else:
                to_create.append(dict(vals, account_id=account.id, object_type=object_type, name=row["name"]))
        self.create(to_create)
        self.browse([p.id for p in existing.values()]).unlink()
        return len(rows)
