"""CRM object routes: list, get, create, update, archive, batch, upsert, merge, search."""

from .catalog import DEFAULT_READ_PROPERTIES
from .errors import HubSpotHTTPError, bad_request, batch_error, not_found
from .paging import decode_cursor, encode_cursor, next_link
from .search import Search
from .values import now_iso

TYPE = r"(?P<object_type>[\w-]+)"
ID = r"(?P<object_id>[^/]+)"
MAX_LIST = 100
MAX_BATCH = 100
READ = ("objects", "read")
WRITE = ("objects", "write")


def int_arg(value, name, default, maximum):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be a number, not {value!r}") from None
    if not 0 < number <= maximum:
        raise bad_request(f"{name} must be between 1 and {maximum}, not {number}")
    return number


def batch_inputs(body, maximum=MAX_BATCH):
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        raise bad_request("The request needs 'inputs': a list")
    if len(inputs) > maximum:
        raise bad_request(f"Batch input size {len(inputs)} exceeds the limit of {maximum} inputs")
    if not all(isinstance(item, dict) for item in inputs):
        raise bad_request("Every input must be an object")
    return inputs


def no_duplicate_ids(inputs):
    ids = [str(item.get("id")) for item in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise bad_request(f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique", ids=duplicates[0])


def batch_response(results, errors, started, ok=200):
    body = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return 207, body
    return ok, body


class ObjectRoutes:
    def _object_routes(self):
        base = f"crm/objects/{TYPE}"
        route = self.route
        route("GET", base, self.list_objects, READ, "{object_type}.list")
        route("POST", base, self.create_object, WRITE, "{object_type}.create")
        route("POST", f"{base}/batch/read", self.batch_read, READ, "{object_type}.batch_read")
        route("POST", f"{base}/batch/create", self.batch_create, WRITE, "{object_type}.batch_create")
        route("POST", f"{base}/batch/update", self.batch_update, WRITE, "{object_type}.batch_update")
        route("POST", f"{base}/batch/upsert", self.batch_upsert, WRITE, "{object_type}.batch_upsert")
        route("POST", f"{base}/batch/archive", self.batch_archive, WRITE, "{object_type}.batch_archive")
        route("POST", f"{base}/search", self.search_objects, READ, "{object_type}.search", search=True)
        route("POST", f"{base}/merge", self.merge_objects, WRITE, "{object_type}.merge")
        route("POST", f"{base}/gdpr-delete", self.gdpr_delete, WRITE, "{object_type}.gdpr_delete")
        route("GET", f"{base}/{ID}", self.get_object, READ, "{object_type}.get")
        route("PATCH", f"{base}/{ID}", self.update_object, WRITE, "{object_type}.update")
        route("DELETE", f"{base}/{ID}", self.archive_object, WRITE, "{object_type}.archive")

    # ------------------------------------------------------------ helpers
    def _written(self, object_type, record, properties):
        """A write's answer: the written properties plus the defaults."""
        names = [*DEFAULT_READ_PROPERTIES[object_type], *(properties or {})]
        return self.state.view(object_type, record, list(dict.fromkeys(names)))

    def _associations_arg(self, request):
        return [self.object_type(name) for name in request.args("associations")]

    # ------------------------------------------------------------- single
    def list_objects(self, request, object_type):
        limit = int_arg(request.arg("limit"), "limit", 10, MAX_LIST)
        after = decode_cursor(object_type, request.arg("after"))
        records, last_id = self.state.list_page(object_type, limit, after, archived=request.flag("archived"))
        properties, associations = request.args("properties"), self._associations_arg(request)
        body = {"results": [self.state.view(object_type, r, properties, associations) for r in records]}
        if last_id:
            next_after = encode_cursor(object_type, last_id)
            body["paging"] = {"next": {"after": next_after, "link": next_link(request, next_after)}}
        return 200, body

    def get_object(self, request, object_type, object_id):
        record = self.state.get_record(
            object_type, object_id, request.arg("idProperty"), archived=request.flag("archived")
        )
        return 200, self.state.view(object_type, record, request.args("properties"), self._associations_arg(request))

    def create_object(self, request, object_type):
        body = request.json()
        properties = body.get("properties") or {}
        record = self.state.create_record(object_type, properties, body.get("associations"))
        return 201, self._written(object_type, record, properties)

    def update_object(self, request, object_type, object_id):
        properties = request.json().get("properties") or {}
        record = self.state.update_record(object_type, object_id, properties, request.arg("idProperty"))
        return 200, self._written(object_type, record, properties)

    def archive_object(self, request, object_type, object_id):
        self.state.archive_record(object_type, object_id, request.arg("idProperty"))
        return 204, None

    # -------------------------------------------------------------- batch
    def batch_read(self, request, object_type):
        started = now_iso()
        body = request.json()
        inputs = batch_inputs(body)
        no_duplicate_ids(inputs)
        properties = body.get("properties") or []
        archived = request.flag("archived")
        results, missing = [], []
        for item in inputs:
            record = self.state.find(object_type, item.get("id"), body.get("idProperty"), archived=archived)
            if record is None:
                missing.append(str(item.get("id")))
            else:
                results.append(self.state.view(object_type, record, properties))
        errors = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {object_type} objects, they may be deleted or not exist. "
                    "Check that ids are valid.",
                    "context": {"ids": missing},
                }
            )
        return batch_response(results, errors, started)

    def batch_create(self, request, object_type):
        started = now_iso()
        results, errors = [], []
        for item in batch_inputs(request.json()):
            properties = item.get("properties") or {}
            try:
                record = self.state.create_record(object_type, properties, item.get("associations"))
            except HubSpotHTTPError as error:
                errors.append(batch_error(error, objectWriteTraceId=_trace(item)))
                continue
            results.append(self._written(object_type, record, properties))
        return batch_response(results, errors, started, ok=201)

    def batch_update(self, request, object_type):
        started = now_iso()
        inputs = batch_inputs(request.json())
        no_duplicate_ids(inputs)
        results, errors = [], []
        for item in inputs:
            properties = item.get("properties") or {}
            try:
                record = self.state.update_record(object_type, item.get("id"), properties, item.get("idProperty"))
            except HubSpotHTTPError as error:
                errors.append(batch_error(error, ids=[item.get("id")], objectWriteTraceId=_trace(item)))
                continue
            results.append(self._written(object_type, record, properties))
        return batch_response(results, errors, started)

    def batch_upsert(self, request, object_type):
        started = now_iso()
        inputs = batch_inputs(request.json())
        no_duplicate_ids(inputs)
        results, errors = [], []
        for item in inputs:
            properties = item.get("properties") or {}
            try:
                record, created = self.state.upsert_record(
                    object_type, item.get("id"), properties, item.get("idProperty")
                )
            except HubSpotHTTPError as error:
                errors.append(batch_error(error, ids=[item.get("id")], objectWriteTraceId=_trace(item)))
                continue
            results.append({**self._written(object_type, record, properties), "new": created})
        return batch_response(results, errors, started)

    def batch_archive(self, request, object_type):
        for item in batch_inputs(request.json()):
            self.state.archive_record(object_type, item.get("id"))
        return 204, None

    # ------------------------------------------------------ merge, search
    def merge_objects(self, request, object_type):
        body = request.json()
        primary, merged = body.get("primaryObjectId"), body.get("objectIdToMerge")
        if not primary or not merged:
            raise bad_request("primaryObjectId and objectIdToMerge are required")
        record = self.state.merge_records(object_type, primary, merged)
        return 200, self.state.view(
            object_type, record, [*DEFAULT_READ_PROPERTIES[object_type], "hs_merged_object_ids"]
        )

    def gdpr_delete(self, request, object_type):
        """POST .../contacts/gdpr-delete ``{"objectId", "idProperty"?}``: a permanent deletion (204).
        HubSpot has it for contacts only; an unknown email is blocklisted, an unknown id is a 404."""
        if object_type != "contacts":
            raise HubSpotHTTPError(404, f"No route for {request.method} {request.path}", "OBJECT_NOT_FOUND")
        body = request.json()
        object_id, id_property = body.get("objectId"), body.get("idProperty")
        if not object_id:
            raise bad_request("objectId is required")
        if not self.state.delete_permanently(object_type, object_id, id_property) and not id_property:
            raise not_found(object_type, object_id)
        return 204, None

    def search_objects(self, request, object_type):
        query = request.json()
        if not self.state.opaque_search_cursors:
            return 200, Search(self.state, object_type).run(query)
        if isinstance(query, dict) and query.get("after") not in (None, ""):
            query = {**query, "after": decode_cursor("search", str(query["after"]))}
        body = Search(self.state, object_type).run(query)
        paging = body.get("paging", {}).get("next")
        if paging:
            paging["after"] = encode_cursor("search", paging["after"])
        return 200, body


def _trace(item):
    trace = item.get("objectWriteTraceId")
    return [trace] if trace else []
