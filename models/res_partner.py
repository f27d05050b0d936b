import re

from odoo import api, fields, models
from odoo.exceptions import UserError

_DOMAIN_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)


def domain_of(website):
    """``https://www.Acme.com/about`` -> ``acme.com`` (False when there is none)."""
    match = _DOMAIN_RE.match((website or "").strip())
    return match.group(1).lower() if match and "." in match.group(1) else False


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "hubspot.binding.mixin"]

    # Odoo 18 dropped the partner's mobile number; HubSpot contacts have one.
    mobile = fields.Char()
    hubspot_lead_score = fields.Float(string="HubSpot Score", readonly=True, copy=False)
    hubspot_domain = fields.Char(
        string="Web Domain",
        compute="_compute_hubspot_domain",
        store=True,
        index=True,
        help="The website's domain, used to find the partner of a HubSpot company.",
    )
    hubspot_exclude = fields.Boolean(
        string="Keep out of HubSpot",
        copy=False,
        help="Never export this partner (and its contacts) to HubSpot.",
    )
    hubspot_master_fields = fields.Char(
        compute="_compute_hubspot_master_fields",
        help="Fields HubSpot owns on this linked partner (read-only in Odoo).",
    )

    @api.model
    def _hubspot_push_domain(self, account):
        # Shared partners are pushed too (a partner created in Odoo has no company by
        # default), but never the partners that stand for the Odoo companies themselves.
        own = self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id
        return [*super()._hubspot_push_domain(account), ("id", "not in", own.ids)]

    @api.depends("website")
    def _compute_hubspot_domain(self):
        for partner in self:
            partner.hubspot_domain = domain_of(partner.website)

    @api.depends("hubspot_linked", "hubspot_account_id", "hubspot_object_type")
    def _compute_hubspot_master_fields(self):
        masters = self._hubspot_master_field_map()
        for partner in self:
            key = (partner.hubspot_account_id.id, partner.hubspot_object_type)
            names = masters.get(key, ()) if partner.hubspot_linked else ()
            partner.hubspot_master_fields = ",".join(sorted(names))

    def _hubspot_master_field_map(self):
        """``{(account id, object type): {field names HubSpot owns}}`` for these partners."""
        linked = self.filtered("hubspot_linked")
        if not linked:
            return {}
        mappings = (
            self.env["hubspot.field.mapping"]
            .sudo()
            .search(
                [
                    ("account_id", "in", linked.hubspot_account_id.ids),
                    ("object_type", "in", list(set(linked.mapped("hubspot_object_type")))),
                    ("rule", "=", "hubspot"),
                ]
            )
        )
        found = {}
        for mapping in mappings:
            found.setdefault((mapping.account_id.id, mapping.object_type), set()).update(mapping._odoo_field_names())
        return found

    def write(self, vals):
        if not self.env.context.get("hubspot_sync") and any(self._ids):
            self._hubspot_check_master_fields(vals)
        return super().write(vals)

    def _hubspot_check_master_fields(self, vals):
        """HubSpot is the master of some fields of linked partners: refuse edits."""
        masters = self._hubspot_master_field_map()
        if not masters:
            return
        for partner in self.filtered("hubspot_linked"):
            owned = masters.get((partner.hubspot_account_id.id, partner.hubspot_object_type), set())
            changed = [
                name
                for name in owned & set(vals) - {"ref"}
                if partner._fields[name].convert_to_write(partner[name], partner) != vals[name]
            ]
            if changed:
                labels = ", ".join(
                    partner._fields[name].get_description(self.env)["string"] for name in sorted(changed)
                )
                raise UserError(
                    self.env._(
                        "“%(partner)s” is synced from HubSpot, which owns: %(fields)s. Change it in HubSpot, "
                        "or use “Remove HubSpot link” to edit it in Odoo.",
                        partner=partner.display_name,
                        fields=labels,
                    )
                )

    def action_hubspot_import(self):
        """*Import from HubSpot*: re-link this partner (wizard)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "hubspot.import.record",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
