import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class HubspotWebhookController(http.Controller):
    @http.route("/hubspot/webhook", type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def webhook(self, **kwargs):
        """HubSpot's webhook: checks the v3 signature and its 5-minute window, notes which
        object types changed and wakes their sync jobs. Answers at once (HubSpot waits 5 s);
        the sync itself runs in the jobs, with every usual guarantee."""
        raw = request.httprequest.get_data()
        try:
            events = json.loads(raw or b"[]")
        except ValueError:
            return request.make_response("invalid JSON", status=400)
        if not isinstance(events, list):
            return request.make_response("a JSON array of events is expected", status=400)
        headers = request.httprequest.headers
        Notice = request.env["hubspot.webhook.notice"].sudo()
        accounts = Notice._verified_accounts(
            events,
            request.httprequest.method,
            request.httprequest.url,
            raw,
            headers.get("X-HubSpot-Request-Timestamp"),
            headers.get("X-HubSpot-Signature-v3"),
        )
        if not accounts:
            _logger.info("HubSpot webhook refused: no running account of its portal verified its signature")
            return request.make_response("signature refused", status=401)
        Notice._record(accounts, events)
        return request.make_response("", status=204)
