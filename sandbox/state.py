"""In-memory state of the sandbox portal, optionally saved to a JSON file.

Everything a test needs is reachable from Python too (the ``/_sandbox/...`` admin
endpoints call the same methods): records (``create_record``, ``add_record``,
``merge_records``, ``delete_permanently``...), associations (``associate``), owners,
pipelines, properties and property groups,
OAuth (``authorize``), the clock (``freeze``, ``advance``), rate limits and faults
(``set_rate_limits``, ``set_faults``, ``fail_next``), the request log and counters
(``stats``, ``request_log``), ``reset`` and the seeds.
"""

import json
import os
import threading
from collections import Counter, deque
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import seed
from .catalog import (
    OBJECT_TYPE_IDS,
    OBJECT_TYPES,
    deal_stage,
    default_pipelines,
    default_properties,
    default_property_groups,
    pipeline,
    prop,
    property_group,
    ticket_stage,
)
from .errors import HubSpotHTTPError, bad_request, not_found
from .limits import Faults, RateLimiter
from .links import LinksMixin
from .oauth import OAuthMixin
from .records import RecordsMixin
from .values import iso, now_iso, parse_iso, to_ms, utcnow

__all__ = ["OBJECT_TYPES", "OBJECT_TYPE_IDS", "SEARCH_LAG", "Clock", "SandboxState", "now_iso"]

LOG_SIZE = 10000
SEARCH_LAG = 5.0  # seconds: HubSpot's search index shows a write "a few moments" after it
FIRST_OWNER_ID = 70000001
FIRST_USER_ID = 9000001
PROPERTY_TYPES = {
    "string": ("text", "textarea", "phonenumber", "html", "file"),
    "number": ("number",),
    "date": ("date",),
    "datetime": ("date",),
    "enumeration": ("select", "radio", "checkbox", "booleancheckbox"),
    "bool": ("booleancheckbox",),
}


class Clock:
    """A settable clock: frozen at a moment or running, shifted by ``advance``."""

    def __init__(self, frozen=None, offset=None):
        self.frozen = frozen
        self.offset = offset or timedelta()

    def __call__(self):
        return (self.frozen or utcnow()) + self.offset

    def advance(self, **delta):
        self.offset += timedelta(**delta)


class SandboxState(RecordsMixin, LinksMixin, OAuthMixin):
    """Everything the fake portal knows.

    ``tokens`` maps an accepted Bearer token to its granted scopes (``None``: all).
    ``clock`` is a callable returning an aware datetime (real UTC time by default);
    ``freeze(moment)`` stops it, so many records can share one timestamp.
    ``rate_limits`` and ``faults`` are keyword arguments of :class:`RateLimiter` and
    :class:`Faults`; both are off unless asked for. ``association_page_size`` is how many
    associations of one record an association read answers per page (HubSpot: 500; small
    in tests); ``opaque_search_cursors`` makes search's ``after`` an opaque token like every
    other cursor (HubSpot's is an offset today, opaque by contract). ``search_lag``: a write
    shows in search between half of it and all of it later, in no guaranteed order
    (HubSpot: "a few moments"); ``advance`` the clock past it before searching for a write.
    """

    SETTINGS = ("search_lag", "strict_properties", "association_page_size", "opaque_search_cursors")

    def __init__(
        self,
        portal_id=12345678,
        ui_domain="app.hubspot.com",
        tokens=None,
        rate_limits=None,
        faults=None,
        search_lag=SEARCH_LAG,
        strict_properties=True,
        association_page_size=500,
        opaque_search_cursors=False,
    ):
        self.lock = threading.RLock()
        self.portal_id = portal_id
        self.ui_domain = ui_domain
        self.time_zone = "Europe/Berlin"
        self.currency = "EUR"
        self.tokens = dict(tokens or {"sandbox-token": None})
        self.clock = utcnow
        self.search_lag = search_lag  # at most this many seconds a write stays invisible to search
        self.strict_properties = strict_properties
        self.association_page_size = association_page_size
        self.opaque_search_cursors = opaque_search_cursors
        self.rate_limits = RateLimiter(**(rate_limits or {}))
        self.faults = Faults(**(faults or {}))
        self.request_log = deque(maxlen=LOG_SIZE)
        self.calls = Counter()  # per operation, e.g. "contacts.batch_upsert"
        self.route_calls = Counter()  # per route, e.g. "POST crm/objects/{object_type}/search"
        self.status_calls = Counter()
        self.fault_calls = Counter()  # injected faults per kind
        self.in_flight = {}  # the API requests being answered right now: "METHOD path"
        self.errors = []  # tracebacks of sandbox bugs (answered 500)
        self._init_oauth()
        self._init_data()

    def _init_data(self):
        self._init_records()
        self._init_links()
        self.properties = default_properties()
        self.property_groups = default_property_groups(self.properties)
        self.catalogue_changed()
        self.pipelines = default_pipelines(self.stamp())
        self.owners = {}
        self._next_owner_id = FIRST_OWNER_ID

    # -------------------------------------------------------------- clock
    def stamp(self):
        """Now, in HubSpot's timestamp format."""
        return iso(self.clock())

    def now_ms(self):
        return to_ms(self.stamp())

    def freeze(self, moment=None):
        """Stop the clock at ``moment`` (datetime or ISO string; default: now)."""
        if isinstance(moment, str):
            moment = parse_iso(moment)
        moment = moment or utcnow()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        self.clock = Clock(frozen=moment)
        return self.clock

    def advance(self, seconds=0.0, **delta):
        """Move the clock forward (frozen or not)."""
        if not isinstance(self.clock, Clock):
            current = self.clock
            self.clock = Clock(frozen=None if current is utcnow else current())
        self.clock.advance(seconds=seconds, **delta)
        return self.clock()

    def unfreeze(self):
        self.clock = utcnow

    def today(self):
        """The portal's date (daily limits reset at midnight in its time zone)."""
        return self._local(self.clock()).date()

    def _local(self, moment):
        try:
            return moment.astimezone(ZoneInfo(self.time_zone))
        except (ZoneInfoNotFoundError, ValueError):  # no time zone database: UTC
            return moment

    def next_midnight(self):
        local = self._local(self.clock())
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)
        return iso(midnight)

    # ------------------------------------------------------------- owners
    def add_owner(
        self, email, first_name="", last_name="", owner_id=None, user_id=None, teams=None, archived=False, kind="PERSON"
    ):
        with self.lock:
            owner_id = str(owner_id or self._next_owner_id)
            self._next_owner_id = max(self._next_owner_id, int(owner_id)) + 1
            stamp = self.stamp()
            owner = {
                "id": owner_id,
                "email": email,
                "firstName": first_name,
                "lastName": last_name,
                "userId": user_id if user_id is not None else FIRST_USER_ID + int(owner_id) - FIRST_OWNER_ID,
                "type": kind,
                "teams": teams or [],
                "archived": archived,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            self.owners[owner_id] = owner
            return owner

    # ---------------------------------------------------------- pipelines
    def add_pipeline(self, object_type, label, stages, pipeline_id=None):
        """``stages``: (id, label, probability) for deals, (id, label, OPEN|CLOSED) for tickets."""
        with self.lock:
            pipelines = self.pipelines[object_type]
            pipeline_id = str(pipeline_id or (max([int(p["id"]) for p in pipelines if p["id"].isdigit()] + [0]) + 1))
            stamp = self.stamp()
            make = deal_stage if object_type == "deals" else ticket_stage
            built = pipeline(
                pipeline_id, label, [make(*s, n, stamp) for n, s in enumerate(stages)], len(pipelines), stamp
            )
            pipelines.append(built)
            return built

    def find_pipeline(self, object_type, pipeline_id):
        for candidate in self.pipelines.get(object_type, []):
            if candidate["id"] == str(pipeline_id):
                return candidate
        return None

    def find_stage(self, object_type, pipeline_id, stage_id):
        found = self.find_pipeline(object_type, pipeline_id)
        for stage in found["stages"] if found else []:
            if stage["id"] == stage_id:
                return stage
        return None

    # --------------------------------------------------------- properties
    def property_view(self, object_type, definition):
        """A definition with its live options (pipelines, stages, owners)."""
        name = definition["name"]
        options = None
        if name in ("pipeline", "hs_pipeline"):
            options = [(p["id"], p["label"]) for p in self.pipelines.get(object_type, [])]
        elif name in ("dealstage", "hs_pipeline_stage"):
            options = [(s["id"], s["label"]) for p in self.pipelines.get(object_type, []) for s in p["stages"]]
        elif name == "hubspot_owner_id":
            options = [
                (o["id"], f"{o['firstName']} {o['lastName']}".strip() or o["email"])
                for o in self.owners.values()
                if not o["archived"]
            ]
        if options is None:
            return definition
        return {
            **definition,
            "options": [
                {"label": label, "value": value, "displayOrder": n, "hidden": False}
                for n, (value, label) in enumerate(options)
            ],
        }

    def create_property(self, object_type, values):
        """POST /crm/v3/properties/{type}: a custom property. 409 when the name is taken."""
        with self.lock:
            if not isinstance(values, dict):
                raise bad_request("The property must be a JSON object")
            name = values.get("name") or ""
            missing = [key for key in ("name", "label", "type", "fieldType", "groupName") if not values.get(key)]
            if missing:
                raise bad_request(f"Missing required fields: {', '.join(missing)}", propertyName=name)
            if not name[0].isalpha() or not all(c.islower() or c.isdigit() or c == "_" for c in name):
                raise bad_request(
                    f"Property name {name!r} must start with a letter and hold only lower-case letters, digits and _",
                    propertyName=name,
                )
            self._check_group(object_type, values["groupName"], name)
            kind, field = values["type"], values["fieldType"]
            if field not in PROPERTY_TYPES.get(kind, ()):
                raise bad_request(f"fieldType {field} is not valid for type {kind}", propertyName=name)
            if name in self.properties[object_type]:
                raise HubSpotHTTPError(409, f"A property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
            unique = bool(values.get("hasUniqueValue"))
            if unique and kind not in ("string", "number"):
                raise bad_request("Only text and number properties can require unique values", propertyName=name)
            options = values.get("options") or []
            if kind == "enumeration" and not options and field != "booleancheckbox":
                raise bad_request("An enumeration property needs options", propertyName=name)
            definition = prop(
                name,
                values["label"],
                kind,
                field,
                values["groupName"],
                [(o["value"], o.get("label") or o["value"]) for o in options],
                description=values.get("description") or "",
                unique=unique,
                hubspot_defined=False,
            )
            if kind == "enumeration" and field == "booleancheckbox" and not options:
                definition["options"] = [
                    {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
                    {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
                ]
            stamp = self.stamp()
            definition.update(
                {
                    "displayOrder": values.get("displayOrder", -1),
                    "hidden": bool(values.get("hidden")),
                    "formField": bool(values.get("formField", True)),
                    "createdAt": stamp,
                    "updatedAt": stamp,
                    "createdUserId": "sandbox",
                }
            )
            definition["modificationMetadata"].update({"archivable": True, "readOnlyDefinition": False})
            self.properties[object_type][name] = definition
            self.catalogue_changed()
            return definition

    def update_property(self, object_type, name, values):
        with self.lock:
            definition = self.properties[object_type].get(name)
            if definition is None:
                raise not_found(f"{object_type} property", name)
            if definition.get("hubspotDefined"):
                raise bad_request(f"{name} is defined by HubSpot and cannot be changed", propertyName=name)
            if "groupName" in values:
                self._check_group(object_type, values["groupName"], name)
            for key in ("label", "description", "groupName", "hidden", "displayOrder", "formField"):
                if key in values:
                    definition[key] = values[key]
            if "options" in values:
                definition["options"] = [
                    {"label": o.get("label") or o["value"], "value": o["value"], "displayOrder": n, "hidden": False}
                    for n, o in enumerate(values["options"])
                ]
            definition["updatedAt"] = self.stamp()
            return definition

    def archive_property(self, object_type, name):
        with self.lock:
            definition = self.properties[object_type].get(name)
            if definition is None:
                raise not_found(f"{object_type} property", name)
            if definition.get("hubspotDefined"):
                raise bad_request(f"{name} is defined by HubSpot and cannot be deleted", propertyName=name)
            del self.properties[object_type][name]
            self.catalogue_changed()

    def _check_group(self, object_type, group_name, property_name):
        """HubSpot refuses a property in a group the object type does not have."""
        if group_name not in self.property_groups[object_type]:
            raise bad_request(
                f"Property group {group_name!r} does not exist for {object_type}; create it first "
                f"(POST /crm/v3/properties/{object_type}/groups)",
                propertyName=property_name,
            )

    # ---------------------------------------------------- property groups
    @staticmethod
    def property_group_view(group):
        return {key: group[key] for key in ("name", "label", "displayOrder", "archived")}

    def get_property_group(self, object_type, name):
        group = self.property_groups[object_type].get(name)
        if group is None:
            raise HubSpotHTTPError(404, f"Unable to find property group {name} of {object_type}", "OBJECT_NOT_FOUND")
        return group

    def create_property_group(self, object_type, values):
        """POST .../properties/{type}/groups: ``name`` and ``label`` required; 409 when the name is taken."""
        with self.lock:
            if not isinstance(values, dict):
                raise bad_request("The property group must be a JSON object")
            name = values.get("name") or ""
            missing = [key for key in ("name", "label") if not values.get(key)]
            if missing:
                raise bad_request(f"Missing required fields: {', '.join(missing)}")
            if not name[0].isalpha() or not all(c.islower() or c.isdigit() or c == "_" for c in name):
                raise bad_request(
                    f"Property group name {name!r} must start with a letter and hold only lower-case letters, "
                    "digits and _"
                )
            order = values.get("displayOrder", -1)
            if not isinstance(order, int) or isinstance(order, bool):
                raise bad_request(f"displayOrder must be an integer, not {order!r}")
            if name in self.property_groups[object_type]:
                raise HubSpotHTTPError(409, f"A property group named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
            group = property_group(name, values["label"], order)
            self.property_groups[object_type][name] = group
            return group

    def update_property_group(self, object_type, name, values):
        with self.lock:
            group = self.get_property_group(object_type, name)
            if not isinstance(values, dict):
                raise bad_request("The property group must be a JSON object")
            if "label" in values:
                if not values["label"]:
                    raise bad_request("label cannot be empty")
                group["label"] = values["label"]
            if "displayOrder" in values:
                group["displayOrder"] = values["displayOrder"]
            return group

    def archive_property_group(self, object_type, name):
        with self.lock:
            group = self.get_property_group(object_type, name)
            if group.get("hubspotDefined"):
                raise bad_request(f"{name} is defined by HubSpot and cannot be deleted")
            used = sorted(p for p, d in self.properties[object_type].items() if d.get("groupName") == name)
            if used:
                raise bad_request(f"Property group {name} still holds properties: {', '.join(used)}")
            del self.property_groups[object_type][name]

    # ------------------------------------------- settings, rate limits, faults
    def configure(self, **settings):
        """Change some of :attr:`SETTINGS` (the others keep their value); returns them all."""
        unknown = set(settings) - set(self.SETTINGS)
        if unknown:
            raise ValueError(f"unknown sandbox settings: {sorted(unknown)}")
        page_size = settings.get("association_page_size", self.association_page_size)
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise ValueError(f"association_page_size must be a positive whole number, not {page_size!r}")
        with self.lock:
            for name, value in settings.items():
                setattr(self, name, value)
            return self.settings()

    def settings(self):
        return {name: getattr(self, name) for name in self.SETTINGS}

    def set_rate_limits(self, **settings):
        """``enabled``, ``per_ten_seconds``, ``search_per_second``, ``daily``, ``window``, ``search_window``."""
        return self.rate_limits.configure(**settings).settings()

    def set_faults(self, **settings):
        """No arguments: all faults off. Otherwise see :class:`~sandbox.limits.Faults`."""
        if not settings:
            return self.faults.clear().settings()
        return self.faults.configure(**settings).settings()

    def fail_next(self, count=1, status=503, kind="status", path=None, method=None):
        """The next ``count`` API calls (path containing ``path``) answer ``status`` (or time out: kind)."""
        self.faults.fail_next(count, status=status, kind=kind, path=path, method=method)

    # ------------------------------------------------------- log, counts
    def record_call(self, entry):
        with self.lock:
            self.request_log.append(entry)
            self.calls[entry["operation"]] += 1
            self.route_calls[entry["route"]] += 1
            self.status_calls[str(entry["status"])] += 1
            if entry.get("fault"):
                self.fault_calls[entry["fault"]] += 1

    def stats(self):
        """Call counts: total, per operation, per route, per status."""
        with self.lock:
            return {
                "total": sum(self.calls.values()),
                "by_operation": dict(self.calls),
                "by_route": dict(self.route_calls),
                "by_status": dict(self.status_calls),
                "by_fault": dict(self.fault_calls),
                "in_flight": sorted(self.in_flight.copy().values()),  # copy(): atomic, the dict changes meanwhile
            }

    def call_count(self, operation=None):
        with self.lock:
            return self.calls[operation] if operation else sum(self.calls.values())

    def clear_log(self):
        with self.lock:
            self.request_log.clear()
            self.calls.clear()
            self.route_calls.clear()
            self.status_calls.clear()
            self.fault_calls.clear()

    def reset(self):
        """An empty portal again: records, associations, owners, custom properties, extra
        pipelines, issued OAuth tokens, the log and counters and the rate windows go; the
        static tokens, OAuth clients and the fault/rate-limit settings stay."""
        with self.lock:
            for token in self.access_tokens:
                self.tokens.pop(token, None)
            clients = self.oauth_clients
            self._init_oauth()
            self.oauth_clients = clients
            self._init_data()
            self.clear_log()
            self.rate_limits.clear()
            self.faults.scripted = []

    # -------------------------------------------------------------- seeds
    def seed_companies(self, count):
        """Add ``count`` plausible companies (``Sandbox Company 00001``...)."""
        seed.seed_companies(self, count)

    def seed_demo(self):
        """A small hand-written portal: German, Finnish, Thai and English companies and people."""
        return seed.seed_demo(self)

    def seed_generated(self, **options):
        """Deterministic bulk data; see :func:`sandbox.seed.seed_generated` for the options."""
        return seed.seed_generated(self, **options)

    # ------------------------------------------------------- persistence
    def to_dict(self):
        with self.lock:
            return {
                "format": 2,
                "portal_id": self.portal_id,
                "ui_domain": self.ui_domain,
                "time_zone": self.time_zone,
                "currency": self.currency,
                "tokens": self.tokens,
                "objects": self.objects,
                "next_ids": self.next_ids,
                "aliases": self.aliases,
                "links": self.links_to_list(),
                "owners": self.owners,
                "next_owner_id": self._next_owner_id,
                "pipelines": self.pipelines,
                "properties": self.properties,
                "property_groups": self.property_groups,
                "oauth": {
                    "clients": self.oauth_clients,
                    "codes": self.oauth_codes,
                    "refresh_tokens": self.refresh_tokens,
                    "access_tokens": self.access_tokens,
                },
            }

    def save(self, path):
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.to_dict(), handle, ensure_ascii=False)
        os.replace(tmp, path)

    @classmethod
    def from_dict(cls, data):
        state = cls(portal_id=data["portal_id"], ui_domain=data["ui_domain"], tokens=data["tokens"])
        state.time_zone = data.get("time_zone", state.time_zone)
        state.currency = data.get("currency", state.currency)
        for object_type, records in data["objects"].items():
            state.objects.setdefault(object_type, {}).update(records)
        if "next_ids" in data:
            state.next_ids.update(data["next_ids"])
        else:  # the first format: one counter for every type
            state.next_ids = dict.fromkeys(OBJECT_TYPES, data["next_id"])
        for object_type, aliases in data.get("aliases", {}).items():
            state.aliases[object_type].update(aliases)
        state.links_from_list(data.get("links", []))
        state.owners = data.get("owners", {})
        state._next_owner_id = data.get("next_owner_id", FIRST_OWNER_ID)
        state.pipelines = data.get("pipelines", state.pipelines)
        state.properties = data.get("properties", state.properties)
        state.property_groups = data.get("property_groups") or default_property_groups(state.properties)
        state.catalogue_changed()
        oauth = data.get("oauth", {})
        state.oauth_clients = oauth.get("clients", state.oauth_clients)
        state.oauth_codes = oauth.get("codes", {})
        state.refresh_tokens = oauth.get("refresh_tokens", {})
        state.access_tokens = oauth.get("access_tokens", {})
        state._rebuild_indexes()
        return state

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))
