import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

_logger = logging.getLogger(__name__)


class HubspotOAuthController(http.Controller):
    @http.route("/hubspot/oauth/callback", type="http", auth="user", methods=["GET"], readonly=False)
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        """Where HubSpot sends the administrator back after *Request permissions*.

        The ``state`` must be the signed value the button issued (same database, same
        account, recent): anything else is refused before the code is used."""
        Account = request.env["hubspot.account"]
        account = Account._oauth_account_from_state(state)
        if not account:
            _logger.info("HubSpot OAuth callback refused: invalid or expired state")
            raise Forbidden(request.env._("This HubSpot authorization link is invalid or has expired."))
        if not request.env.user.has_group("hubspot_connector.group_hubspot_manager"):
            raise Forbidden(request.env._("Only HubSpot Administrators can connect a portal."))
        if error or not code:
            message = request.env._("HubSpot did not grant access: %s", kwargs.get("error_description") or error)
            account.message_post(body=message)
        else:
            try:
                account._oauth_complete(code)
            except (UserError, AccessError) as failure:
                account.message_post(body=request.env._("HubSpot authorization failed: %s", failure))
        return request.redirect(f"/odoo/action-hubspot_connector.hubspot_account_action/{account.id}")
