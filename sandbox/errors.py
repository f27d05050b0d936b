"""HubSpot's error bodies, raised by the state and the routes alike."""

import json
import uuid


def correlation_id():
    return str(uuid.uuid4())


class HubSpotHTTPError(Exception):
    """An HTTP error with HubSpot's JSON body ``{status, message, category, correlationId, ...}``."""

    def __init__(self, status, message, category, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.headers = headers or []
        self.body = {
            "status": "error",
            "message": message,
            "correlationId": correlation_id(),
            **({"category": category} if category else {}),
            **extra,
        }


def not_found(object_type, object_id):
    return HubSpotHTTPError(
        404,
        f"Object not found.  objectId are usually numeric.  Request for {object_type} id {object_id}",
        "OBJECT_NOT_FOUND",
        context={"id": [str(object_id)]},
    )


def bad_request(message, **context):
    """400 VALIDATION_ERROR; ``context`` goes into ``errors[0].context`` when given."""
    extra = {}
    if context:
        extra["errors"] = [{"message": message, "context": {k: [str(v)] for k, v in context.items()}}]
    return HubSpotHTTPError(400, message, "VALIDATION_ERROR", **extra)


class PropertyErrors(HubSpotHTTPError):
    """400 for property values: ``problems`` are (code, property name, message)."""

    def __init__(self, problems):
        listed = [
            {"isValid": False, "message": message, "error": code, "name": name} for code, name, message in problems
        ]
        super().__init__(
            400,
            f"Property values were not valid: {json.dumps(listed)}",
            "VALIDATION_ERROR",
            errors=[
                {"message": message, "code": code, "context": {"propertyName": [name]}}
                for code, name, message in problems
            ],
        )
        self.problems = problems


class Conflict(HubSpotHTTPError):
    """409: a unique value (a contact's email, a unique custom property) is taken."""

    def __init__(self, message, existing_id, property_name=None):
        extra = {}
        if property_name:
            extra["errors"] = [{"message": message, "code": "CONFLICT", "context": {"propertyName": [property_name]}}]
        super().__init__(409, message, "CONFLICT", **extra)
        self.existing_id = existing_id


def batch_error(error, **context):
    """One entry of a batch response's ``errors[]`` (status 207) from a raised error."""
    body = error.body
    entry = {
        "status": "error",
        "category": body.get("category") or "VALIDATION_ERROR",
        "message": body.get("message", ""),
        "context": {key: [str(v) for v in values] for key, values in context.items() if values},
    }
    if body.get("subCategory"):
        entry["subCategory"] = body["subCategory"]
    for item in body.get("errors") or []:
        for key, values in (item.get("context") or {}).items():
            entry["context"].setdefault(key, []).extend(v for v in values if v not in entry["context"].get(key, []))
    if body.get("errors"):
        entry["errors"] = body["errors"]
    return entry
