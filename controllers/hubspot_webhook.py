import json
import logging

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import http
from odoo.http import request

from ..models.hubspot_webhook_notice import MAX_BODY_BYTES, MAX_PORTALS, header_problem, portal_ids

_logger = logging.getLogger(__name__)


class HubspotWebhookController(http.Controller):
    @http.route(
        "/hubspot/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_BODY_BYTES + 1,  # read one byte more than allowed: too large
    )
    def webhook(self, **kwargs):
        """HubSpot's webhook: checks the v3 signature and its 5-minute window, notes which
        object types changed and wakes their sync jobs. Answers at once (HubSpot waits 5 s);
        the sync itself runs in the jobs, with every usual guarantee.

        Cheapest checks first, each refusal a 4xx and one INFO line: the headers' shape
        (401), the body's size (413, unread), its JSON shape (400), then the signature
        against the accounts of the few portals named (401). The same signed request
        replayed within the window does nothing twice."""
        httprequest = request.httprequest
        timestamp = httprequest.headers.get("X-HubSpot-Request-Timestamp")
        signature = httprequest.headers.get("X-HubSpot-Signature-v3")
        problem = header_problem(timestamp, signature)
        if problem:
            return self._refuse(401, problem)
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            return self._refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            raw = httprequest.get_data()  # a stream without Content-Length: up to max_content_length
        except RequestEntityTooLarge:
            raw = None
        if raw is None or len(raw) > MAX_BODY_BYTES:
            return self._refuse(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            events = json.loads(raw)
        except (ValueError, RecursionError):
            return self._refuse(400, "the body is not JSON")
        if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
            return self._refuse(400, "a JSON array of event objects is expected")
        portals = portal_ids(events)
        if len(portals) > MAX_PORTALS:
            return self._refuse(400, f"more than {MAX_PORTALS} portals in one request")
        accounts = (
            request.env["hubspot.webhook.notice"]
            .sudo()
            ._verified_accounts(portals, httprequest.method, self._uri(), raw, timestamp, signature)
        )
        if not accounts:
            return self._refuse(401, "no running account of its portal verified the signature")
        if not request.env["hubspot.webhook.receipt"].sudo()._claim(signature):
            _logger.info("HubSpot webhook: a request already done came again; nothing to do")
            return request.make_response("", status=204)
        request.env["hubspot.webhook.notice"].sudo()._record(accounts, events)
        return request.make_response("", status=204)

    def _uri(self):
        """The URI the request was sent to, as received (HubSpot signs it so, see ``signed_uri``)."""
        httprequest = request.httprequest
        uri = f"{httprequest.scheme}://{httprequest.host}{httprequest.root_path}{httprequest.path}"
        query = httprequest.query_string.decode("latin-1")
        return f"{uri}?{query}" if query else uri

    def _refuse(self, status, reason):
        _logger.info("HubSpot webhook refused (%s): %s", status, reason)
        return request.make_response(reason, status=status, headers=[("Content-Type", "text/plain; charset=utf-8")])
