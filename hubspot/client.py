"""HubSpotClient: the only code in the addon that speaks HTTP to HubSpot.

Public surface (later layers call only this):

* records: :meth:`list_page`, :meth:`iter_objects`, :meth:`get_object`, :meth:`search`,
  :meth:`iter_search`, :meth:`iter_modified_since`, :meth:`merge`;
* batches of any length, chunked by 100 (207 partials returned, not raised):
  :meth:`batch_read`, :meth:`batch_create`, :meth:`batch_update`, :meth:`batch_upsert`,
  :meth:`batch_archive`;
* associations (v4): :meth:`read_associations`, :meth:`create_associations`,
  :meth:`archive_associations`;
* portal: :meth:`iter_owners`, :meth:`get_pipelines`, :meth:`get_properties`,
  :meth:`create_property`, :meth:`get_property_groups`, :meth:`create_property_group`,
  :meth:`ensure_property_group`, :meth:`get_account_details`, :meth:`get_daily_usage`;
* OAuth: :meth:`oauth_exchange_code`, :meth:`oauth_refresh` (and
  :func:`hubspot.tokens.authorize_url`, :class:`hubspot.tokens.OAuthToken`);
* metrics: :attr:`calls` and :attr:`retries` (``Counter`` by operation),
  :attr:`call_count`, :attr:`retry_count`.

Every request has a timeout, waits for the account's rate budget (search: its own 5
per second; search and the association batch endpoints are exempt from the
ten-secondly limit, as HubSpot's published descriptions say), and retries what
is worth retrying, a bounded number of times: 423, 477, 502-504 and 521-524 with
backoff through urllib3's ``Retry``; connection errors, timeouts and garbled bodies
with the same backoff; 429 ``TEN_SECONDLY_ROLLING`` (and search's secondly limit)
after the wait HubSpot asks for. 429 ``DAILY`` raises at once; other 4xx never retry.
"""

import contextlib
import logging
import os
import re
import threading
import time
from collections import Counter

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from . import timestamps
from .batch import BatchError, BatchResult
from .errors import (
    HubSpotConflictError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotTimeoutError,
    error_from_response,
)
from .paths import DEFAULT_API_VERSION, ApiPaths
from .ratelimit import RateLimiter
from .tokens import StaticToken

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.hubapi.com"
# Seconds, for connecting and for each read; HUBSPOT_CONNECTOR_TIMEOUT in the server's environment
# changes it (a slow proxy; `make soak`, whose injected timeouts would otherwise cost 30 s each).
DEFAULT_TIMEOUT = float(os.environ.get("HUBSPOT_CONNECTOR_TIMEOUT") or 30)
USER_AGENT = "hubspot_connector (Odoo 19)"
BATCH_SIZE = 100  # HubSpot's maximum inputs per batch call
ASSOCIATION_READ_BATCH = 1000
PAGE_SIZE = 100  # list endpoints
SEARCH_PAGE_SIZE = 200
SEARCH_CAP = 10_000  # search cannot page past this many results
RETRY_STATUSES = (423, 477, 502, 503, 504, 521, 522, 523, 524)
# Association batch endpoints (v4 and date-versioned): exempt from the ten-secondly limit.
ASSOCIATION_BATCH = re.compile(r"^/crm/(?:v4/associations|associations/[^/]+)/[^/]+/[^/]+/batch/")
# HubSpot-defined association types that mark the primary company (and their inverses).
PRIMARY_TYPE_IDS = frozenset({1, 2, 5, 6, 25, 26})
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate"}  # all other objects: hs_lastmodifieddate


def modified_property(object_type):
    """The last-modified property HubSpot maintains for ``object_type``."""
    return MODIFIED_PROPERTY.get(object_type, "hs_lastmodifieddate")


def chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _CountingRetry(Retry):
    """urllib3's Retry for transient statuses, reporting each retry to the client's metrics."""

    on_retry = None

    def new(self, **kw):
        retry = super().new(**kw)
        retry.on_retry = self.on_retry
        return retry

    def get_backoff_time(self):
        """Retry n waits ``backoff_factor * 2 ** n`` seconds (2, 4, 8 with the default 1):
        HubSpot asks for at least 2 s after a 423."""
        consecutive = len(self.history)
        if not consecutive or not self.backoff_factor:
            return 0
        return min(getattr(self, "DEFAULT_BACKOFF_MAX", 120), self.backoff_factor * 2**consecutive)

    def increment(self, *args, **kwargs):
        retry = super().increment(*args, **kwargs)  # raises MaxRetryError when spent
        if self.on_retry:
            self.on_retry()
        return retry


class HubSpotClient:
    """One client per HubSpot portal (account).

    :param base_url: API root, HubSpot's public one by default; tests and the demo
        point it at the local sandbox.
    :param token: a token provider (``.get()`` returns the Bearer token) or a string.
    :param api_version: ``2026-03`` (date-versioned paths) or ``v3``.
    :param timeout: seconds to connect and to wait for each read; every request has one.
    :param rate_limit: requests per 10 seconds this client may send (None: no limit).
    :param limiter_key: share the rate budget with other clients of the same key.
    :param max_retries: retries of transient failures (5xx, 423, 477, timeouts, connection errors).
    :param max_rate_limit_retries: retries of ten-secondly/secondly 429s.
    :param backoff_factor: seconds; retry n waits ``backoff_factor * 2 ** n``.
    :param sleep: how to wait for 429 retries (tests pass a recorder).
    """

    def __init__(
        self,
        base_url=DEFAULT_BASE_URL,
        token=None,
        api_version=DEFAULT_API_VERSION,
        timeout=DEFAULT_TIMEOUT,
        rate_limit=None,
        limiter_key=None,
        max_retries=3,
        max_rate_limit_retries=5,
        backoff_factor=1.0,
        sleep=time.sleep,
    ):
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token = StaticToken(token) if isinstance(token, str) or token is None else token
        if hasattr(self.token, "bind"):
            self.token.bind(self)
        self.paths = ApiPaths(api_version)
        self.timeout = timeout
        self.search_cap = SEARCH_CAP
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self.backoff_factor = backoff_factor
        self.sleep = sleep
        self.calls = Counter()  # HTTP requests sent per operation name, retries included
        self.retries = Counter()  # retries per operation name
        self._local = threading.local()
        if rate_limit:
            key = (limiter_key or self.base_url, "all")
            self.limiter = RateLimiter.shared(key, rate_limit, 10.0) if limiter_key else RateLimiter(rate_limit, 10.0)
            search_key = (limiter_key or self.base_url, "search")
            self.search_limiter = RateLimiter.shared(search_key, 5, 1.0) if limiter_key else RateLimiter(5, 1.0)
        else:
            self.limiter = self.search_limiter = None

        retry = _CountingRetry(
            total=max_retries,
            connect=0,  # connection errors and timeouts: see request()
            read=0,
            status=max_retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # batch calls are POSTs; HubSpot's own SDKs retry them too
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.on_retry = self._count_retry
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})

    def __repr__(self):
        return f"HubSpotClient({self.base_url!r}, api_version={self.paths.version!r})"

    @property
    def call_count(self):
        return sum(self.calls.values())

    @property
    def retry_count(self):
        return sum(self.retries.values())

    def _count_retry(self):
        """A transport retry (urllib3) is one more HTTP request of the same operation."""
        operation = getattr(self._local, "operation", None) or "?"
        self.retries[operation] += 1
        self.calls[operation] += 1

    # ------------------------------------------------------------------ HTTP
    def request(self, method, path, operation, params=None, json=None, data=None, auth=True):
        """Send one request (with retries); return the decoded JSON body, or None.

        Errors are raised as :class:`HubSpotError` subclasses whose text holds the
        method, the path and HubSpot's message, never a header or the token.
        """
        where = f"{method} {path}"
        is_search = path.endswith("/search")
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, operation, where, params, json, data, auth, is_search)
            except (HubSpotTimeoutError, HubSpotConnectionError) as error:
                # Handled here rather than by urllib3's Retry, which logs a WARNING per retry.
                if attempt > self.max_retries:
                    raise
                wait = self._backoff(attempt)
                _logger.info("HubSpot %s: %s; retrying in %.1f s", where, error.message, wait)
            else:
                if response.status_code == 429:
                    error = error_from_response(429, self._body(response), operation=where)
                    if error.policy == "DAILY" or attempt > self.max_rate_limit_retries:
                        raise error
                    wait = self._rate_limit_wait(response, error.policy, attempt, is_search)
                    _logger.info("HubSpot rate limit (%s) on %s: waiting %.1f s", error.policy, where, wait)
                elif response.status_code >= 400:
                    raise error_from_response(response.status_code, self._body(response), operation=where)
                else:
                    try:
                        return response.json() if response.content else None
                    except ValueError:
                        # A truncated or garbled body: as transient as a 502.
                        if attempt > self.max_retries:
                            raise HubSpotServerError(
                                "HubSpot answered with a body that is not JSON", operation=where
                            ) from None
                        wait = self._backoff(attempt)
                        _logger.info("HubSpot answered %s with a body that is not JSON: retrying", where)
            self.retries[operation] += 1
            self.sleep(wait)

    def _backoff(self, attempt):
        return min(120.0, self.backoff_factor * 2**attempt)

    def _send(self, method, path, operation, where, params, json, data, auth, is_search):
        headers = {}
        if auth:
            token = self.token.get() if self.token else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
        if self.limiter:
            if is_search:
                self.search_limiter.acquire()  # its own 5/s; exempt from the ten-secondly limit
            elif not ASSOCIATION_BATCH.match(path):
                self.limiter.acquire()
        self.calls[operation] += 1
        self._local.operation = operation
        url = self.base_url + path
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise self._transport_error(exc, where) from None
        finally:
            self._local.operation = None
        if self.limiter and not is_search:
            self.limiter.observe(
                _int(response.headers.get("X-HubSpot-RateLimit-Remaining")),
                _int(response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")),
            )
        return response

    def _transport_error(self, exc, where):
        """A HubSpotError for a failure below HTTP; no text of the original (it may hold the URL)."""
        reason = getattr(exc.args[0] if exc.args else None, "reason", None)
        # urllib3 files a refused connection under ConnectTimeoutError: tell them apart.
        if isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError):
            return HubSpotConnectionError(
                f"cannot reach {self.base_url} (connection refused or no route)", operation=where
            )
        if isinstance(exc, requests.Timeout) or isinstance(reason, ReadTimeoutError | ConnectTimeoutError):
            return HubSpotTimeoutError(f"no answer from {self.base_url} within {self.timeout} s", operation=where)
        if isinstance(exc, requests.exceptions.RetryError):
            return HubSpotServerError(f"{self.base_url} kept failing", operation=where)
        if isinstance(exc, requests.ConnectionError):
            return HubSpotConnectionError(f"cannot reach {self.base_url} ({type(exc).__name__})", operation=where)
        return HubSpotError(f"request to {self.base_url} failed ({type(exc).__name__})", operation=where)

    @staticmethod
    def _rate_limit_wait(response, policy, attempt, is_search):
        retry_after = response.headers.get("Retry-After")
        if retry_after and retry_after.replace(".", "", 1).isdigit():
            return float(retry_after)
        interval = _int(response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds"))
        if interval:
            return interval / 1000.0
        if is_search or "SECONDLY" in (policy or "").upper().replace("TEN_SECONDLY", ""):
            return 1.0 * attempt  # search: 5 requests per second
        return 10.0 * attempt  # what HubSpot's own SDK waits for TEN_SECONDLY_ROLLING

    @staticmethod
    def _body(response):
        """The error body as a dict (HubSpot's JSON, or a stand-in when it is not JSON)."""
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {"message": f"HubSpot answered HTTP {response.status_code} with a body that is not JSON"}

    # --------------------------------------------------------------- records
    def list_page(self, object_type, after=None, properties=None, associations=None, archived=False, limit=PAGE_SIZE):
        """One page of the list endpoint: ``(results, next_after)``; next_after is None at the end."""
        params = {"limit": min(limit, PAGE_SIZE), "archived": "true" if archived else "false"}
        if after:
            params["after"] = after
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        path = self.paths.objects(object_type)
        body = self.request("GET", path, "list", params=params) or {}
        next_after = ((body.get("paging") or {}).get("next") or {}).get("after")
        return body.get("results") or [], next_after

    def iter_objects(self, object_type, properties=None, associations=None, archived=False, after=None):
        """Every record of a type, streamed page by page (no 10,000 cap)."""
        while True:
            results, after = self.list_page(object_type, after, properties, associations, archived)
            yield from results
            if not after:
                return

    def get_object(self, object_type, object_id, properties=None, associations=None, id_property=None):
        params = {}
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        if id_property:
            params["idProperty"] = id_property
        return self.request("GET", self.paths.objects(object_type, object_id), "get", params=params)

    def search(
        self, object_type, filter_groups=(), sorts=(), properties=None, limit=SEARCH_PAGE_SIZE, after=None, query=None
    ):
        """One page of search: the raw body ``{total, results, paging}``. One sort at most."""
        if len(sorts) > 1:
            raise ValueError("HubSpot's search accepts one sort rule only")
        payload = {"filterGroups": list(filter_groups), "sorts": list(sorts), "limit": min(limit, SEARCH_PAGE_SIZE)}
        if properties:
            payload["properties"] = list(properties)
        if after:
            payload["after"] = str(after)
        if query:
            payload["query"] = query
        return self.request("POST", self.paths.objects(object_type, "search"), "search", json=payload) or {}

    def iter_search(self, object_type, filter_groups=(), sorts=(), properties=None):
        """All results of a search, up to HubSpot's 10,000 cap.

        The cursor is opaque: the cap is kept by counting the pages asked for (each
        covers up to 200 results), never by reading the cursor as a number."""
        after, asked = None, 0
        while True:
            body = self.search(object_type, filter_groups, sorts, properties, after=after)
            asked += SEARCH_PAGE_SIZE
            yield from body.get("results") or []
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after or asked + SEARCH_PAGE_SIZE > self.search_cap:
                return

    def iter_modified_since(self, object_type, since=None, properties=None):
        """Records modified at or after ``since``, oldest first, beyond the 10,000 cap.

        Each page after the first starts at the last timestamp seen (``GTE`` it again) and
        drops the (id, timestamp) pairs already yielded: search's cursor is an offset, and a
        record changed while the run pages moves to the end, so an offset would skip another
        one (it also keeps every window under search's 10,000-result cap). When one timestamp alone holds more records than the cap (a bulk
        edit), the list endpoint (no cap) supplies that timestamp's records. Callers
        keep the highest timestamp they processed as their checkpoint (see
        :func:`record_modified_at`) and should start the next run a little before it,
        because the search index lags writes by a few moments.
        """
        prop = modified_property(object_type)
        props = sorted(set(properties or ()) | {prop})
        lower = timestamps.to_millis(since) if since is not None else 0
        operator = "GTE"
        seen = set()  # (id, millis) yielded at the window's current upper timestamp
        while True:
            last_millis = None
            after = None
            asked = 0  # results this window asked for: the cursor is opaque, the cap is counted
            exhausted = False
            while True:
                body = self.search(
                    object_type,
                    [{"filters": [{"propertyName": prop, "operator": operator, "value": str(lower)}]}],
                    [{"propertyName": prop, "direction": "ASCENDING"}],
                    props,
                    after=after,
                )
                for record in body.get("results") or []:
                    # A garbled timestamp (None) moves no window: the caller fails that record alone.
                    millis = timestamps.try_millis((record.get("properties") or {}).get(prop))
                    key = (record["id"], millis)
                    if key in seen:
                        continue
                    if millis is not None and millis != last_millis:
                        if last_millis is not None:
                            seen = set()  # older timestamps cannot come back in a GTE window
                        last_millis = millis
                    seen.add(key)
                    yield record
                asked += SEARCH_PAGE_SIZE
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    exhausted = True
                    break
                if last_millis is not None and last_millis > lower:
                    # The next page starts at the last timestamp seen, not at an offset: a record
                    # changed meanwhile moves to the end of the order, and an offset would then
                    # skip the record that took its place (found by `make soak`).
                    break
                if asked + SEARCH_PAGE_SIZE > self.search_cap:
                    break  # the next page would pass the cap: restart the window
            if exhausted:
                return
            if last_millis is not None and last_millis > lower:
                lower, operator = last_millis, "GTE"
                continue
            # A whole window of one timestamp: take that timestamp from the list endpoint.
            for record in self.iter_objects(object_type, properties=props):
                millis = timestamps.try_millis((record.get("properties") or {}).get(prop))
                if millis == lower and (record["id"], millis) not in seen:
                    seen.add((record["id"], millis))
                    yield record
            operator = "GT"

    def merge(self, object_type, primary_id, merged_id):
        """Merge ``merged_id`` into ``primary_id``; returns the surviving record (maybe a new id)."""
        payload = {"primaryObjectId": str(primary_id), "objectIdToMerge": str(merged_id)}
        return self.request("POST", self.paths.objects(object_type, "merge"), "merge", json=payload)

    # --------------------------------------------------------------- batches
    def _batch(self, object_type, action, inputs, extra=None, size=BATCH_SIZE):
        """POST ``inputs`` to ``batch/<action>`` in chunks; collect results and errors.

        A 207 reports per-input failures; a chunk refused as a whole (400, 404, 409)
        becomes one :class:`BatchError` naming the chunk's inputs. Authentication,
        scope, daily-limit and exhausted transient errors still raise: no later
        chunk could succeed.
        """
        total = BatchResult()
        path = self.paths.objects(object_type, "batch", action)
        for chunk in chunks(inputs, size):
            payload = dict(extra or {}, inputs=chunk)
            try:
                body = self.request("POST", path, f"batch_{action}", json=payload) or {}
            except HubSpotError as error:
                if error.status not in (400, 404, 409, 422) or isinstance(error, HubSpotRateLimitError):
                    raise
                context = (error.errors[0].get("context") if error.errors else None) or {}
                total.errors.append(BatchError(error.message, error.category, error.status, context, chunk))
                continue
            total.results.extend(body.get("results") or [])
            for err in body.get("errors") or []:
                total.errors.append(
                    BatchError(err.get("message") or "", err.get("category"), 207, err.get("context") or {}, [])
                )
        return total

    def batch_read(self, object_type, ids, properties=None, id_property=None):
        extra = {"properties": list(properties or [])}
        if id_property:
            extra["idProperty"] = id_property
        return self._batch(object_type, "read", [{"id": str(i)} for i in ids], extra)

    def batch_create(self, object_type, inputs):
        """``inputs``: ``[{"properties": {...}, "associations": [...]}]``."""
        return self._batch(object_type, "create", inputs)

    def batch_update(self, object_type, inputs):
        """``inputs``: ``[{"id": "123", "properties": {...}}]``."""
        return self._batch(object_type, "update", inputs)

    def batch_upsert(self, object_type, inputs, id_property):
        """``inputs``: ``[{"id": "<unique value>", "properties": {...}}]``; results carry ``new``."""
        return self._batch(object_type, "upsert", [dict(i, idProperty=id_property) for i in inputs])

    def batch_archive(self, object_type, ids):
        return self._batch(object_type, "archive", [{"id": str(i)} for i in ids])

    # ---------------------------------------------------------- associations
    def read_associations(self, from_type, to_type, ids):
        """``{from_id: [to_id, ...]}`` for ``ids``: every associated id, the primary ones first.

        Read in batches of 1,000 records. HubSpot pages each record's list (a result with
        ``paging.next.after``); the next pages of all such records are asked for together,
        ``{"id", "after"}`` per record, until none has more. HubSpot's order is unspecified:
        the ids labelled primary (a contact's, deal's or ticket's primary company) come
        first, so ``ids[0]`` is the primary one, or the first listed when none is.
        """
        primary, others = {}, {}
        path = self.paths.associations(from_type, to_type, "batch", "read")
        inputs = [{"id": str(i)} for i in ids]
        asked = set()  # (id, cursor) pairs already read: a repeated cursor ends that record's paging
        while inputs:
            pending = []
            for chunk in chunks(inputs, ASSOCIATION_READ_BATCH):
                body = self.request("POST", path, "associations_read", json={"inputs": chunk})
                for row in (body or {}).get("results") or []:
                    from_id = str((row.get("from") or {}).get("id"))
                    for to in row.get("to") or []:
                        target = primary if _is_primary(to) else others
                        target.setdefault(from_id, {})[str(to["toObjectId"])] = None
                    after = ((row.get("paging") or {}).get("next") or {}).get("after")
                    if after and (from_id, after) not in asked:
                        asked.add((from_id, after))
                        pending.append({"id": from_id, "after": after})
            inputs = pending
        return {
            from_id: list(dict.fromkeys([*primary.get(from_id, {}), *others.get(from_id, {})]))
            for from_id in dict.fromkeys([*primary, *others])
        }

    def create_associations(self, from_type, to_type, pairs, type_id=None, category="HUBSPOT_DEFINED"):
        """Associate ``(from_id, to_id)`` pairs; with no ``type_id``, HubSpot's default type."""
        if type_id is None:
            action, make = "associate/default", lambda f, t: {"from": {"id": str(f)}, "to": {"id": str(t)}}
        else:
            types = [{"associationCategory": category, "associationTypeId": type_id}]
            action, make = "create", lambda f, t: {"from": {"id": str(f)}, "to": {"id": str(t)}, "types": types}
        return self._association_batch(from_type, to_type, action, [make(f, t) for f, t in pairs])

    def archive_associations(self, from_type, to_type, pairs):
        grouped = {}
        for from_id, to_id in pairs:
            grouped.setdefault(str(from_id), []).append({"id": str(to_id)})
        inputs = [{"from": {"id": f}, "to": to} for f, to in grouped.items()]
        return self._association_batch(from_type, to_type, "archive", inputs)

    def _association_batch(self, from_type, to_type, action, inputs):
        total = BatchResult()
        path = self.paths.associations(from_type, to_type, "batch", *action.split("/"))
        for chunk in chunks(inputs, BATCH_SIZE):
            body = self.request("POST", path, f"associations_{action.replace('/', '_')}", json={"inputs": chunk}) or {}
            total.results.extend(body.get("results") or [])
            for err in body.get("errors") or []:
                total.errors.append(
                    BatchError(err.get("message") or "", err.get("category"), 207, err.get("context") or {})
                )
        return total

    # ---------------------------------------------------------------- portal
    def iter_owners(self, email=None, archived=False):
        params = {"limit": PAGE_SIZE, "archived": "true" if archived else "false"}
        if email:
            params["email"] = email
        while True:
            body = self.request("GET", self.paths.owners(), "owners", params=params) or {}
            yield from body.get("results") or []
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            params["after"] = after

    def get_pipelines(self, object_type):
        """Pipelines with their stages (``deals`` or ``tickets``)."""
        return (self.request("GET", self.paths.pipelines(object_type), "pipelines") or {}).get("results") or []

    def get_properties(self, object_type):
        """The portal's property catalogue for an object type."""
        return (self.request("GET", self.paths.properties(object_type), "properties") or {}).get("results") or []

    def create_property(self, object_type, definition):
        """Create a custom property; its ``groupName`` must be a group the type has."""
        return self.request("POST", self.paths.properties(object_type), "create_property", json=definition)

    def get_property_groups(self, object_type):
        """The type's property groups: ``[{name, label, displayOrder, archived}]``."""
        path = self.paths.properties(object_type, "groups")
        return (self.request("GET", path, "property_groups") or {}).get("results") or []

    def create_property_group(self, object_type, name, label, display_order=-1):
        payload = {"name": name, "label": label, "displayOrder": display_order}
        path = self.paths.properties(object_type, "groups")
        return self.request("POST", path, "create_property_group", json=payload)

    def ensure_property_group(self, object_type, name, label):
        """The group ``name`` of the type, read from HubSpot and created when missing; returns its name."""
        if name in {group.get("name") for group in self.get_property_groups(object_type)}:
            return name
        with contextlib.suppress(HubSpotConflictError):  # created meanwhile by another worker
            self.create_property_group(object_type, name, label)
        return name

    def get_account_details(self):
        """Portal id, UI domain, time zone and currency of the token's portal."""
        return self.request("GET", self.paths.account_details(), "account_details")

    def get_daily_usage(self):
        """Today's API usage and limit of private apps (a list of usage rows)."""
        return self.request("GET", self.paths.daily_usage(), "daily_usage")

    # ----------------------------------------------------------------- OAuth
    def _token_call(self, form):
        return self.request("POST", self.paths.oauth_token(), "oauth_token", data=form, auth=False)

    def oauth_exchange_code(self, client_id, client_secret, redirect_uri, code):
        """Trade an authorization code for ``{access_token, refresh_token, expires_in, ...}``."""
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "code": code,
        }
        return self._token_call(form)

    def oauth_refresh(self, client_id, client_secret, refresh_token, redirect_uri=None):
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        return self._token_call(form)


def record_modified_at(object_type, record):
    """The record's last-modified time as a naive UTC datetime (None if absent or garbled)."""
    return timestamps.try_parse((record.get("properties") or {}).get(modified_property(object_type)))


def _is_primary(to):
    """Does an associated record carry HubSpot's primary label (``associationTypes``)?"""
    return any(
        kind.get("category") == "HUBSPOT_DEFINED"
        and (kind.get("typeId") in PRIMARY_TYPE_IDS or kind.get("label") == "Primary")
        for kind in to.get("associationTypes") or ()
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
