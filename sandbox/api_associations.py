"""Associations v4: batch read/create/default/archive between two types, and per record."""

from .api_objects import batch_inputs, batch_response, int_arg
from .catalog import ASSOCIATION_TYPES, PRIMARY_TYPES, SINGULAR, TYPE_ID_OF
from .errors import HubSpotHTTPError, bad_request, batch_error
from .paging import decode_cursor, encode_cursor, next_link
from .values import now_iso

PAIR = r"crm/associations/(?P<from_type>[\w-]+)/(?P<to_type>[\w-]+)"
RECORD = r"crm/objects/(?P<object_type>[\w-]+)/(?P<object_id>[^/]+)/associations"
MAX_READ = 1000
MAX_WRITE = 100
MAX_RECORD_PAGE = 500
CURSOR = "associations"


def type_views(type_ids):
    return [
        {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": ASSOCIATION_TYPES[type_id][2]}
        for type_id in type_ids
    ]


def labels(type_ids):
    return [ASSOCIATION_TYPES[t][2] for t in type_ids if ASSOCIATION_TYPES[t][2]]


def _id(value):
    return str((value or {}).get("id") or "") if isinstance(value, dict) else ""


def listed_order(targets):
    """HubSpot's order of ``to`` is unspecified: never count on the primary one coming first
    (here it comes last; the others in id order)."""
    return sorted(targets, key=lambda target: bool(PRIMARY_TYPES.intersection(target[1])))


def to_views(targets):
    return [{"toObjectId": int(to_id), "associationTypes": type_views(t)} for to_id, t in targets]


class AssociationRoutes:
    def _association_routes(self):
        route = self.route
        read, write = ("pair", "read"), ("pair", "write")
        op = "associations.{from_type}.{to_type}."
        # HubSpot exempts every association batch endpoint from the ten-secondly limit.
        batch = {"exempt": True}
        route("POST", f"{PAIR}/batch/read", self.associations_batch_read, read, op + "batch_read", **batch)
        route("POST", f"{PAIR}/batch/create", self.associations_batch_create, write, op + "batch_create", **batch)
        route(
            "POST",
            f"{PAIR}/batch/associate/default",
            self.associations_batch_default,
            write,
            op + "batch_default",
            **batch,
        )
        route("POST", f"{PAIR}/batch/archive", self.associations_batch_archive, write, op + "batch_archive", **batch)
        route(
            "POST",
            f"{PAIR}/batch/labels/archive",
            self.associations_labels_archive,
            write,
            op + "labels_archive",
            **batch,
        )
        route("GET", f"{PAIR}/labels", self.association_labels, read, op + "labels")
        record_read, record_write = ("record_pair", "read"), ("record_pair", "write")
        rop = "associations.{object_type}.{to_type}."
        route(
            "PUT",
            rf"{RECORD}/default/(?P<to_type>[\w-]+)/(?P<to_id>[^/]+)",
            self.record_associate_default,
            record_write,
            rop + "record_default",
        )
        route("GET", rf"{RECORD}/(?P<to_type>[\w-]+)", self.record_associations, record_read, rop + "record_list")
        route(
            "PUT",
            rf"{RECORD}/(?P<to_type>[\w-]+)/(?P<to_id>[^/]+)",
            self.record_associate,
            record_write,
            rop + "record_create",
        )
        route(
            "DELETE",
            rf"{RECORD}/(?P<to_type>[\w-]+)/(?P<to_id>[^/]+)",
            self.record_dissociate,
            record_write,
            rop + "record_archive",
        )

    # -------------------------------------------------------------- batch
    def associations_batch_read(self, request, from_type, to_type):
        """Each record's associations come in pages of ``state.association_page_size``
        (HubSpot: 500): a result with ``paging.next.after`` has more, asked for with
        ``{"id", "after"}``."""
        started = now_iso()
        results, errors = [], []
        size = self.state.association_page_size
        for item in batch_inputs(request.json(), MAX_READ):
            from_id = str(item.get("id"))
            start = int(decode_cursor(CURSOR, item.get("after")) or 0)
            record = self.state.find(from_type, from_id)
            targets = listed_order(self.state.associated(from_type, record["id"], to_type)) if record else []
            page = targets[start : start + size]
            if page:
                result = {"from": {"id": from_id}, "to": to_views(page)}
                if start + size < len(targets):
                    result["paging"] = {"next": {"after": encode_cursor(CURSOR, start + size)}}
                results.append(result)
            else:
                errors.append(
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                        "message": f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {from_id}.",
                        "context": {"fromObjectId": [from_id]},
                    }
                )
        return batch_response(results, errors, started)

    def associations_batch_create(self, request, from_type, to_type):
        started = now_iso()
        results, errors = [], []
        for item in batch_inputs(request.json(), MAX_WRITE):
            from_id, to_id = _id(item.get("from")), _id(item.get("to"))
            try:
                types = item.get("types")
                if not isinstance(types, list) or not types:
                    raise bad_request("Each input needs a non-empty list of types")
                type_ids = [
                    self.state.check_association_type(
                        from_type,
                        to_type,
                        t.get("associationTypeId"),
                        t.get("associationCategory") or "HUBSPOT_DEFINED",
                    )
                    for t in types
                ]
                self.state.associate(from_type, from_id, to_type, to_id, type_ids)
            except HubSpotHTTPError as error:
                errors.append(batch_error(error, fromObjectId=[from_id], toObjectId=[to_id]))
                continue
            results.append(
                {
                    "fromObjectTypeId": TYPE_ID_OF[from_type],
                    "fromObjectId": int(self.state.resolve(from_type, from_id)),
                    "toObjectTypeId": TYPE_ID_OF[to_type],
                    "toObjectId": int(self.state.resolve(to_type, to_id)),
                    "labels": labels(type_ids),
                }
            )
        return batch_response(results, errors, started, ok=201)

    def associations_batch_default(self, request, from_type, to_type):
        started = now_iso()
        results, errors = [], []
        for item in batch_inputs(request.json(), MAX_WRITE):
            from_id, to_id = _id(item.get("from")), _id(item.get("to"))
            try:
                type_id = self.state.default_association_type(from_type, to_type)
                self.state.associate(from_type, from_id, to_type, to_id, [type_id])
            except HubSpotHTTPError as error:
                errors.append(batch_error(error, fromObjectId=[from_id], toObjectId=[to_id]))
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": {"id": to_id},
                    "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
                }
            )
        return batch_response(results, errors, started)

    def associations_batch_archive(self, request, from_type, to_type):
        for item in batch_inputs(request.json(), MAX_WRITE):
            targets = item.get("to") or []
            for target in targets if isinstance(targets, list) else [targets]:
                self.state.dissociate(from_type, _id(item.get("from")), to_type, _id(target))
        return 204, None

    def associations_labels_archive(self, request, from_type, to_type):
        for item in batch_inputs(request.json(), MAX_WRITE):
            type_ids = [
                self.state.check_association_type(from_type, to_type, t.get("associationTypeId"))
                for t in item.get("types") or []
            ]
            self.state.dissociate(from_type, _id(item.get("from")), to_type, _id(item.get("to")), type_ids)
        return 204, None

    def association_labels(self, request, from_type, to_type):
        type_ids = sorted(t for t, (f, to, _l, _i) in ASSOCIATION_TYPES.items() if (f, to) == (from_type, to_type))
        return 200, {"results": type_views(type_ids)}

    # --------------------------------------------------------- per record
    def record_associations(self, request, object_type, object_id, to_type):
        record = self.state.get_record(object_type, object_id)
        size = self.state.association_page_size
        limit = min(int_arg(request.arg("limit"), "limit", MAX_RECORD_PAGE, MAX_RECORD_PAGE), size)
        start = int(decode_cursor(CURSOR, request.arg("after")) or 0)
        targets = listed_order(self.state.associated(object_type, record["id"], to_type))
        body = {"results": to_views(targets[start : start + limit])}
        if start + limit < len(targets):
            after = encode_cursor(CURSOR, start + limit)
            body["paging"] = {"next": {"after": after, "link": next_link(request, after)}}
        return 200, body

    def record_associate_default(self, request, object_type, object_id, to_type, to_id):
        started = now_iso()
        type_id = self.state.default_association_type(object_type, to_type)
        self.state.associate(object_type, object_id, to_type, to_id, [type_id])
        spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
        result = {"from": {"id": str(object_id)}, "to": {"id": str(to_id)}, "associationSpec": spec}
        return batch_response([result], [], started)

    def record_associate(self, request, object_type, object_id, to_type, to_id):
        specs = request.json()
        if not isinstance(specs, list) or not specs:
            raise bad_request("The body must be a list of {associationCategory, associationTypeId}")
        type_ids = [
            self.state.check_association_type(
                object_type, to_type, s.get("associationTypeId"), s.get("associationCategory") or "HUBSPOT_DEFINED"
            )
            for s in specs
        ]
        self.state.associate(object_type, object_id, to_type, to_id, type_ids)
        return 201, {
            "fromObjectTypeId": TYPE_ID_OF[object_type],
            "fromObjectId": int(self.state.resolve(object_type, object_id)),
            "toObjectTypeId": TYPE_ID_OF[to_type],
            "toObjectId": int(self.state.resolve(to_type, to_id)),
            "labels": labels(type_ids),
        }

    def record_dissociate(self, request, object_type, object_id, to_type, to_id):
        self.state.dissociate(object_type, object_id, to_type, to_id)
        return 204, None
