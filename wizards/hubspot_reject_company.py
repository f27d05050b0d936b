from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class HubspotRejectCompany(models.TransientModel):
    """*Reject & exclude in HubSpot*: says what will be written in HubSpot (which property,
    which value, in which portal) before it is written."""

    _name = "hubspot.reject.company"
    _description = "Reject a HubSpot Company and Exclude it in HubSpot"

    pending_ids = fields.Many2many("hubspot.pending.company", string="HubSpot Companies", required=True, readonly=True)
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    @api.depends("pending_ids")
    def _compute_summary(self):
        for wizard in self:
            parts = []
            for account, pendings in wizard.pending_ids.grouped("account_id").items():
                prop, value = account._exclude_mark()
                companies = Markup("").join(
                    Markup("<li>%s</li>")
                    % self.env._("“%(name)s” (HubSpot ID %(id)s)", name=pending.name, id=pending.hubspot_id)
                    for pending in pendings
                )
                parts.append(
                    Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        self.env._(
                            "In HubSpot, %(portal)s, the company property “%(property)s” will be set to “%(value)s” on:",
                            portal=account._portal_label(),
                            property=prop or "",
                            value=value,
                        ),
                        companies,
                    )
                )
            parts.append(
                Markup("<p>%s</p>")
                % self.env._(
                    "The companies are rejected in Odoo, and the sync keeps them (and their contacts) out of Odoo "
                    "until that property changes in HubSpot. The property is created in HubSpot if the portal "
                    "lacks it."
                )
            )
            wizard.summary = Markup("").join(parts)

    def action_confirm(self):
        """Reject, write the exclude property in HubSpot, and say how it went."""
        self.ensure_one()
        # As chosen, also those the user's record rules hide (which the check below refuses).
        pendings = self.env["hubspot.pending.company"].browse(self.sudo().pending_ids.ids)
        pendings._check_hubspot_rights()
        if not pendings:
            raise UserError(self.env._("Choose the companies to reject."))
        refused = pendings._reject_and_exclude()
        if refused:
            message = "\n".join(
                self.env._("“%(name)s”: %(reason)s", name=pending.name, reason=reason)
                for pending, reason in refused.items()
            )
            params = {
                "title": self.env._("Rejected in Odoo only: HubSpot refused the exclusion"),
                "message": message,
                "type": "warning",
                "sticky": True,
            }
        else:
            params = {
                "title": self.env._("Rejected and excluded in HubSpot"),
                "message": self.env._(
                    "%(count)s company(ies) rejected; HubSpot now keeps them out of Odoo.", count=len(pendings)
                ),
                "type": "success",
            }
        params["next"] = {"type": "ir.actions.act_window_close"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
