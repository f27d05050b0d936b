"""In-memory state of the sandbox portal, optionally saved to a JSON file."""

import itertools
import json
import os
import threading
from datetime import datetime, timezone

OBJECT_TYPES = ("companies", "contacts", "deals", "tickets", "products", "line_items")
OBJECT_TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-5": "tickets",
    "0-7": "products",
    "0-8": "line_items",
}


def now_iso():
    """HubSpot's timestamp format: UTC, milliseconds, ``Z``."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class SandboxState:
    """Everything the fake portal knows.

    ``tokens`` maps an accepted Bearer token to its granted scopes (``None``: all).
    """

    def __init__(self, portal_id=12345678, ui_domain="app.hubspot.com", tokens=None):
        self.lock = threading.RLock()
        self.portal_id = portal_id
        self.ui_domain = ui_domain
        self.time_zone = "Europe/Berlin"
        self.currency = "EUR"
        self.tokens = dict(tokens or {"sandbox-token": None})
        self.objects = {object_type: {} for object_type in OBJECT_TYPES}
        self._ids = itertools.count(1001)

    # ------------------------------------------------------------ records
    def new_id(self):
        return str(next(self._ids))

    def add_record(self, object_type, properties):
        with self.lock:
            object_id = self.new_id()
            stamp = now_iso()
            props = {k: ("" if v is None else str(v)) for k, v in (properties or {}).items()}
            props.update({"hs_object_id": object_id, "createdate": stamp})
            props[self.modified_property(object_type)] = stamp
            record = {
                "id": object_id,
                "properties": props,
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
            }
            self.objects[object_type][object_id] = record
            return record

    def modified_property_for(self, record):
        return "lastmodifieddate" if "lastmodifieddate" in record["properties"] else "hs_lastmodifieddate"

    @staticmethod
    def modified_property(object_type):
        return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"

    def seed_companies(self, count):
        """Add ``count`` plausible companies (for the demo and benchmarks)."""
        cities = ["Berlin", "Hamburg", "Munich", "Cologne", "Vienna", "Zurich", "Helsinki", "Bangkok"]
        for n in range(1, count + 1):
            self.add_record(
                "companies",
                {
                    "name": f"Sandbox Company {n:05d}",
                    "domain": f"company{n:05d}.example.com",
                    "phone": f"+49 30 {1000000 + n}",
                    "city": cities[n % len(cities)],
                    "country": "Germany",
                },
            )

    # ------------------------------------------------------- persistence
    def to_dict(self):
        with self.lock:
            return {
                "portal_id": self.portal_id,
                "ui_domain": self.ui_domain,
                "tokens": self.tokens,
                "objects": self.objects,
                "next_id": int(self.new_id()),
            }

    def save(self, path):
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.to_dict(), handle)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        state = cls(portal_id=data["portal_id"], ui_domain=data["ui_domain"], tokens=data["tokens"])
        for object_type, records in data["objects"].items():
            state.objects.setdefault(object_type, {}).update(records)
        state._ids = itertools.count(data["next_id"])
        return state
