from odoo import api, fields, models

from ..hubspot.values import clean_value


class HubspotOwner(models.Model):
    """A HubSpot owner (a user of the portal), matched to an Odoo user by email."""

    _name = "hubspot.owner"
    _description = "HubSpot Owner"
    _order = "account_id, name"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    hubspot_id = fields.Char(string="Owner ID", required=True, index=True)
    name = fields.Char()
    email = fields.Char()
    owner_type = fields.Selection([("PERSON", "Person"), ("QUEUE", "Queue")], default="PERSON")
    archived = fields.Boolean()
    user_id = fields.Many2one(
        "res.users",
        string="Odoo User",
        help="Matched by email when the owners are refreshed; change it if the emails differ.",
    )
    user_set_manually = fields.Boolean(readonly=True)

    _account_owner_unique = models.Constraint(
        "UNIQUE(account_id, hubspot_id)", "An owner appears once per HubSpot account."
    )

    @api.onchange("user_id")
    def _onchange_user_id(self):
        self.user_set_manually = True

    def _compute_display_name(self):
        for owner in self:
            owner.display_name = f"{owner.name or owner.email or owner.hubspot_id}"

    def _refresh(self, account, client):
        """Fetch the portal's owners and match new ones to users by email."""
        existing = {
            o.hubspot_id: o for o in self.with_context(active_test=False).search([("account_id", "=", account.id)])
        }
        users = self.env["res.users"].search([("share", "=", False)])
        by_email = {(u.email or u.login or "").strip().lower(): u for u in users if u.email or "@" in (u.login or "")}
        to_create = []
        for row in client.iter_owners():
            email = clean_value(row.get("email") or "").strip().lower()
            name = clean_value(" ".join(filter(None, [row.get("firstName"), row.get("lastName")]))) or email
            vals = {
                "name": name,
                "email": email,
                "owner_type": row.get("type") or "PERSON",
                "archived": bool(row.get("archived")),
            }
            owner = existing.get(str(row["id"]))
            if owner:
                if not owner.user_set_manually:
                    vals["user_id"] = by_email.get(email, owner.user_id).id
                current = {key: owner[key] for key in vals if key != "user_id"}
                current["user_id"] = owner.user_id.id
                changed = {key: value for key, value in vals.items() if (current[key] or False) != (value or False)}
                if changed:  # a refresh that finds nothing new writes nothing
                    owner.write(changed)
            else:
                to_create.append(
                    dict(
                        vals,
                        account_id=account.id,
                        hubspot_id=str(row["id"]),
                        user_id=by_email.get(email, users[:0]).id,
                    )
                )
        self.create(to_create)

    def _user_of(self, account, owner_id):
        owner = self.search([("account_id", "=", account.id), ("hubspot_id", "=", str(owner_id))], limit=1)
        return owner.user_id

    def _owner_id_of_user(self, account, user):
        if not user:
            return False
        owner = self.search([("account_id", "=", account.id), ("user_id", "=", user.id)], limit=1)
        return owner.hubspot_id or False
