import logging

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

_logger = logging.getLogger(__name__)


class HubspotOAuthController(http.Controller):
    @http.route("/hubspot/oauth/callback", type="http", auth="user", methods=["GET"], readonly=False)
    def oauth_callback(self, state=None, code=None, error=None, **kwargs):
        """Where HubSpot sends the administrator back after *Request permissions*.

        The ``state`` must be the signed value the button issued to this same user (a
        HubSpot Administrator of the account's company), recent, the account's latest and
        not used yet: anything else gets a page saying why, before the code is used."""
        try:
            account = request.env["hubspot.account"]._oauth_account_from_state(state)
        except AccessError as refusal:
            _logger.info("HubSpot OAuth callback refused for user %s: %s", request.env.uid, refusal)
            return request.render(
                "hubspot_connector.oauth_refused",
                {"message": str(refusal), "back_url": "/odoo/action-hubspot_connector.hubspot_account_action"},
                status=403,
            )
        if error or not code:
            message = request.env._("HubSpot did not grant access: %s", kwargs.get("error_description") or error)
            account.message_post(body=message)
        else:
            try:
                account._oauth_complete(code)
            except (UserError, AccessError) as failure:
                account.message_post(body=request.env._("HubSpot authorization failed: %s", failure))
        return request.redirect(f"/odoo/action-hubspot_connector.hubspot_account_action/{account.id}")
