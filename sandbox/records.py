"""CRM records: ids, writes under HubSpot's rules, unique values, merges, list order.

Mixed into :class:`~sandbox.state.SandboxState`. Records keep HubSpot's JSON shape
(``id, properties, createdAt, updatedAt, archived``); the indexes beside them
(creation order, last-modified order, unique values) are rebuilt on load.
"""

import bisect
import zlib

from .catalog import DEFAULT_READ_PROPERTIES, OBJECT_TYPES, SINGULAR, association_type_name, modified_property
from .errors import Conflict, PropertyErrors, bad_request, not_found
from .values import normalize, to_ms, to_number

FIRST_ID = 1001
MERGE_NEW_ID_TYPES = ("contacts", "companies")


class ModifiedIndex:
    """Live (not archived) records of one type in (last-modified ms, numeric id) order.

    ``ready`` holds, per record, the moment (ms) its last write shows in search: HubSpot's
    search index lags writes, and fills in no guaranteed order."""

    def __init__(self):
        self.items = []
        self.keys = {}
        self.ready = {}
        self.latest_ready = 0  # no write is pending once the clock has passed it

    def add(self, numeric_id, ms, ready=0):
        self.discard(numeric_id)
        item = (ms, numeric_id)
        self.keys[numeric_id] = ms
        self.delay(numeric_id, ready)
        if not self.items or item > self.items[-1]:
            self.items.append(item)
        else:
            bisect.insort(self.items, item)

    def delay(self, numeric_id, ready):
        self.ready[numeric_id] = ready
        self.latest_ready = max(self.latest_ready, ready)

    def discard(self, numeric_id):
        ms = self.keys.pop(numeric_id, None)
        self.ready.pop(numeric_id, None)
        if ms is not None:
            del self.items[bisect.bisect_left(self.items, (ms, numeric_id))]

    def build(self, pairs):
        """Replace the content with (numeric id, ms) pairs in one sort (all already searchable)."""
        self.keys = dict(pairs)
        self.ready = dict.fromkeys(self.keys, 0)
        self.latest_ready = 0
        self.items = sorted((ms, numeric_id) for numeric_id, ms in self.keys.items())

    def searchable(self, items, now_ms):
        """Those of ``items`` (index items) the search index shows at ``now_ms``."""
        if self.latest_ready <= now_ms:
            return items
        return [item for item in items if self.ready[item[1]] <= now_ms]

    def span(self, low=None, high=None):
        """Positions [start, end) of the items with low <= ms <= high."""
        start = 0 if low is None else bisect.bisect_left(self.items, (low, -1))
        end = len(self.items) if high is None else bisect.bisect_right(self.items, (high, float("inf")))
        return start, max(start, end)


def unique_key(value):
    return str(value).strip().lower()


class RecordsMixin:
    """Needs ``lock``, ``stamp()``, ``properties``, ``pipelines``, ``owners`` and the links mixin."""

    strict_properties = True  # unknown/read-only/malformed values on HTTP writes are 400s

    def _init_records(self):
        self.objects = {object_type: {} for object_type in OBJECT_TYPES}
        self.aliases = {object_type: {} for object_type in OBJECT_TYPES}  # merged id -> surviving id
        self.next_ids = dict.fromkeys(OBJECT_TYPES, FIRST_ID)
        self._order = {object_type: [] for object_type in OBJECT_TYPES}  # numeric ids, creation order
        self._modified = {object_type: ModifiedIndex() for object_type in OBJECT_TYPES}
        self._unique = {object_type: {} for object_type in OBJECT_TYPES}  # property -> {key: id}
        self._unique_names = {}  # object type -> names of its unique properties

    # ------------------------------------------------------------ helpers
    def _index_write(self, object_type, numeric_id, ms):
        """Index a write stamped ``ms``. Search shows it ``search_lag`` seconds after it was
        made at most, half of that at least, in no guaranteed order: HubSpot's index lags
        writes by "a few moments" and promises no order, so a later write may show first."""
        lag_ms = int(self.search_lag * 1000)
        if not lag_ms:
            self._modified[object_type].add(numeric_id, ms)
            return
        delay = lag_ms - zlib.crc32(f"{object_type}:{numeric_id}:{ms}".encode()) % (lag_ms // 2 + 1)
        self._modified[object_type].add(numeric_id, ms, self.now_ms() + delay)

    def delay_indexing(self, object_type, object_id, seconds):
        """Keep the last write of a live record out of search ``seconds`` from now (tests: the
        index shows a later write of another record first)."""
        with self.lock:
            record = self.get_record(object_type, object_id)
            self._modified[object_type].delay(int(record["id"]), self.now_ms() + int(seconds * 1000))

    def new_id(self, object_type="companies"):
        with self.lock:
            object_id = self.next_ids[object_type]
            self.next_ids[object_type] = object_id + 1
            return str(object_id)

    def modified_property_for(self, record):
        return "lastmodifieddate" if "lastmodifieddate" in record["properties"] else "hs_lastmodifieddate"

    @staticmethod
    def modified_property(object_type):
        return modified_property(object_type)

    def unique_properties(self, object_type):
        names = self._unique_names.get(object_type)
        if names is None:
            names = [name for name, d in self.properties[object_type].items() if d.get("hasUniqueValue")]
            self._unique_names[object_type] = names
        return names

    def catalogue_changed(self):
        """Call after properties were added or removed (unique values are looked up by name)."""
        self._unique_names = {}

    def resolve(self, object_type, object_id):
        """The surviving id of a record, following merges."""
        object_id = str(object_id)
        aliases = self.aliases[object_type]
        for _hop in range(100):
            if object_id not in aliases:
                break
            object_id = aliases[object_id]
        return object_id

    def find(self, object_type, object_id, id_property=None, archived=False):
        """The record with this id (or unique ``id_property`` value), or None."""
        with self.lock:
            if id_property and id_property not in ("hs_object_id", "id"):
                if id_property not in self.unique_properties(object_type):
                    raise bad_request(
                        f"{id_property} is not a unique property of {object_type}; use one of "
                        f"{['hs_object_id', *self.unique_properties(object_type)]}",
                        propertyName=id_property,
                    )
                object_id = self._unique[object_type].get(id_property, {}).get(unique_key(object_id))
                if object_id is None:
                    return None
            record = self.objects[object_type].get(self.resolve(object_type, object_id))
            if record is None or record["archived"] != archived:
                return None
            return record

    def get_record(self, object_type, object_id, id_property=None, archived=False):
        record = self.find(object_type, object_id, id_property, archived)
        if record is None:
            raise not_found(object_type, object_id)
        return record

    def live_records(self, object_type):
        return [r for r in self.objects[object_type].values() if not r["archived"]]

    # -------------------------------------------------------------- views
    def view(self, object_type, record, properties=None, associations=None):
        """HubSpot's JSON for a record: asked-for (or default) properties, optional associations."""
        props = record["properties"]
        wanted = list(properties or DEFAULT_READ_PROPERTIES[object_type])
        wanted += ["hs_object_id", "createdate", modified_property(object_type)]
        body = {
            "id": record["id"],
            "properties": {name: props.get(name) for name in wanted},
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
            "archived": record["archived"],
        }
        if record.get("archivedAt"):
            body["archivedAt"] = record["archivedAt"]
        if associations:
            found = {}
            for to_type in associations:
                results = [
                    {"id": to_id, "type": association_type_name(type_id)}
                    for to_id, type_ids in self.associated(object_type, record["id"], to_type)
                    for type_id in type_ids
                ]
                if results:
                    found[to_type] = {"results": results}
            if found:
                body["associations"] = found
        return body

    # --------------------------------------------------------- validation
    def check_properties(self, object_type, properties, record=None):
        """Normalized values for a write, or PropertyErrors (400) listing every bad one."""
        if not isinstance(properties, dict):
            raise bad_request("properties must be an object of property names to values")
        catalogue = self.properties[object_type]
        clean, problems = {}, []
        for name, value in properties.items():
            definition = catalogue.get(name)
            if definition is None and self.strict_properties:
                problems.append(("PROPERTY_DOESNT_EXIST", name, f'Property "{name}" does not exist'))
                continue
            if definition and definition["modificationMetadata"]["readOnlyValue"] and self.strict_properties:
                problems.append(("READ_ONLY_VALUE", name, f"{name} is a read only property; its value cannot be set."))
                continue
            if value is None or value == "":
                clean[name] = ""
                continue
            if isinstance(value, dict | list):
                problems.append(("INVALID_VALUE", name, f"{name} takes a single value"))
                continue
            text, problem = normalize(definition, value)
            if problem:
                problems.append((problem[0], name, problem[1]))
                continue
            if name == "hubspot_owner_id" and text not in self.owners:
                problems.append(("INVALID_OWNER_ID", name, f"{text} is not a valid owner id"))
                continue
            clean[name] = text
        if record is None:
            self._complete_new(object_type, clean, problems)
        problems += self._check_stage(object_type, clean, record)
        if problems:
            raise PropertyErrors(problems)
        return clean

    def _complete_new(self, object_type, props, problems):
        """Defaults and required values of a new deal or ticket (pipeline, stage)."""
        if object_type == "deals":
            props.setdefault("pipeline", "default")
            if not props.get("dealstage"):
                problems.append(("REQUIRED_PROPERTY", "dealstage", "dealstage is required to create a deal"))
        elif object_type == "tickets":
            props.setdefault("hs_pipeline", "0")
            if not props.get("hs_pipeline_stage"):
                problems.append(("REQUIRED_PROPERTY", "hs_pipeline_stage", "hs_pipeline_stage is required"))

    def _check_stage(self, object_type, props, record):
        names = {"deals": ("pipeline", "dealstage"), "tickets": ("hs_pipeline", "hs_pipeline_stage")}.get(object_type)
        if not names or not (set(names) & set(props)):
            return []
        old = record["properties"] if record else {}
        pipeline_id = props.get(names[0]) or old.get(names[0]) or ("default" if object_type == "deals" else "0")
        stage_id = props.get(names[1], old.get(names[1]))
        pipeline = self.find_pipeline(object_type, pipeline_id)
        if pipeline is None:
            return [("INVALID_OPTION", names[0], f"{pipeline_id} is not a valid pipeline id")]
        if stage_id and stage_id not in {s["id"] for s in pipeline["stages"]}:
            return [("INVALID_OPTION", names[1], f"{stage_id} is not a valid stage of pipeline {pipeline_id}")]
        return []

    def _check_unique(self, object_type, props, own_id):
        for name in self.unique_properties(object_type):
            value = props.get(name)
            if not value:
                continue
            existing = self._unique[object_type].get(name, {}).get(unique_key(value))
            if existing is not None and existing != own_id:
                if object_type == "contacts" and name == "email":
                    raise Conflict(f"Contact already exists. Existing ID: {existing}", existing, name)
                raise Conflict(
                    f"A {SINGULAR[object_type]} with {name} {value!r} already exists. Existing ID: {existing}",
                    existing,
                    name,
                )

    def _index_unique(self, object_type, record, add=True):
        props = record["properties"]
        index = self._unique[object_type]
        keys = [(name, props.get(name)) for name in self.unique_properties(object_type)]
        if object_type == "contacts":
            keys += [("email", e) for e in (props.get("hs_additional_emails") or "").split(";")]
        for name, value in keys:
            if not value:
                continue
            entries = index.setdefault(name, {})
            key = unique_key(value)
            if add:
                entries[key] = record["id"]
            elif entries.get(key) == record["id"]:
                del entries[key]

    # ------------------------------------------------------------ writes
    def _calculate(self, object_type, props):
        """HubSpot's calculated properties of deals and line items."""
        if object_type == "deals" and props.get("dealstage"):
            stage = self.find_stage("deals", props.get("pipeline") or "default", props["dealstage"])
            if stage:
                probability = stage["metadata"].get("probability", "0")
                props["hs_deal_stage_probability"] = probability
                props["hs_is_closed"] = stage["metadata"].get("isClosed", "false")
                props["hs_is_closed_won"] = str(probability == "1.0").lower()
        elif object_type == "line_items":
            quantity, price = to_number(props.get("quantity") or 1), to_number(props.get("price") or 0)
            discount = to_number(props.get("discount") or 0) or 0
            if quantity is not None and price is not None:
                amount = quantity * (price - discount)
                props["amount"] = str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}"

    def _insert(self, object_type, props, stamp, object_id=None):
        """Store a new record (no validation). ``props`` are strings and become the record's."""
        object_id = object_id or self.new_id(object_type)
        props["hs_object_id"] = object_id
        props.setdefault("createdate", stamp)
        props[modified_property(object_type)] = stamp
        self._calculate(object_type, props)
        record = {
            "id": object_id,
            "properties": props,
            "createdAt": props["createdate"],
            "updatedAt": stamp,
            "archived": False,
        }
        self.objects[object_type][object_id] = record
        numeric = int(object_id)
        order = self._order[object_type]
        if not order or numeric > order[-1]:
            order.append(numeric)
        else:
            bisect.insort(order, numeric)
        self._index_write(object_type, numeric, to_ms(stamp))
        self._index_unique(object_type, record)
        return record

    def add_record(self, object_type, properties=None, stamp=None):
        """Store a record as given, without validation (tests and seeding)."""
        with self.lock:
            props = {k: ("" if v is None else str(v)) for k, v in (properties or {}).items()}
            return self._insert(object_type, {k: v for k, v in props.items() if v != ""}, stamp or self.stamp())

    def edit_record(self, object_type, object_id, properties):
        """Change a record as given, without validation (tests: what HubSpot's own UI or an
        import may store). A new version, as any change; a value given for the last-modified
        property itself is stored as given (the search index keeps the real time)."""
        with self.lock:
            record = self.get_record(object_type, object_id)
            props = {k: ("" if v is None else str(v)) for k, v in (properties or {}).items()}
            self._apply(object_type, record, props, self.stamp())
            modified = modified_property(object_type)
            if props.get(modified):
                record["properties"][modified] = props[modified]
            return record

    def create_record(self, object_type, properties=None, associations=None):
        """POST .../{type}: validate, enforce unique values, store, associate. Returns the record."""
        with self.lock:
            props = {k: v for k, v in self.check_properties(object_type, properties or {}).items() if v != ""}
            self._check_unique(object_type, props, None)
            links = self.check_create_associations(object_type, associations or [])
            record = self._insert(object_type, props, self.stamp())
            for to_type, to_id, type_id in links:
                self.associate(object_type, record["id"], to_type, to_id, [type_id])
            return record

    def update_record(self, object_type, object_id, properties, id_property=None):
        """PATCH .../{type}/{id}: an empty string clears a value."""
        with self.lock:
            record = self.get_record(object_type, object_id, id_property)
            changes = self.check_properties(object_type, properties or {}, record)
            self._check_unique(object_type, changes, record["id"])
            self._apply(object_type, record, changes, self.stamp())
            return record

    def _apply(self, object_type, record, changes, stamp):
        props = record["properties"]
        if all(props.get(k, "") == v for k, v in changes.items()):
            return False  # nothing changes: no new modification date
        self._index_unique(object_type, record, add=False)
        for name, value in changes.items():
            if value == "":
                props.pop(name, None)
            else:
                props[name] = value
        self._calculate(object_type, props)
        props[modified_property(object_type)] = stamp
        record["updatedAt"] = stamp
        self._index_unique(object_type, record)
        self._index_write(object_type, int(record["id"]), to_ms(stamp))
        if object_type == "line_items":
            self.retotal_deals(self._linked_ids(object_type, record["id"], "deals"))
        return True

    def archive_record(self, object_type, object_id, id_property=None):
        """DELETE: to the recycle bin. False when there was no such live record."""
        with self.lock:
            record = self.find(object_type, object_id, id_property)
            if record is None:
                return False
            record["archived"] = True
            record["archivedAt"] = self.stamp()
            self._index_unique(object_type, record, add=False)
            self._modified[object_type].discard(int(record["id"]))
            if object_type == "line_items":
                self.retotal_deals(self._linked_ids(object_type, record["id"], "deals"))
            return True

    def delete_permanently(self, object_type, object_id, id_property=None):
        """A permanent (e.g. GDPR) deletion: no recycle bin. The record leaves every listing,
        the archived one included, search, reads and batch reads; its associations go too.
        False when there was no such record (live or archived)."""
        with self.lock:
            record = self.find(object_type, object_id, id_property) or self.find(
                object_type, object_id, id_property, archived=True
            )
            if record is None:
                return False
            deals = self._linked_ids(object_type, record["id"], "deals") if object_type == "line_items" else []
            self._drop(object_type, record)
            self.drop_links(object_type, record["id"])
            self.retotal_deals(deals)
            return True

    def upsert_record(self, object_type, id_value, properties, id_property=None):
        """Batch upsert of one input: (record, created?)."""
        with self.lock:
            if not id_property or id_property in ("hs_object_id", "id"):
                return self.update_record(object_type, id_value, properties), False
            existing = self.find(object_type, id_value, id_property)
            if existing is not None:
                return self.update_record(object_type, existing["id"], properties), False
            values = dict(properties or {})
            values.setdefault(id_property, id_value)
            return self.create_record(object_type, values), True

    def retotal_deals(self, deal_ids):
        """HubSpot totals a deal's amount from its line items."""
        for deal_id in deal_ids:
            deal = self.find("deals", deal_id)
            if deal is None:
                continue
            items = [self.find("line_items", i) for i in self._linked_ids("deals", deal_id, "line_items")]
            amounts = [to_number(i["properties"].get("amount") or 0) or 0 for i in items if i]
            if amounts:
                total = sum(amounts)
                text = str(int(total)) if float(total).is_integer() else f"{total:.2f}"
                self._apply("deals", deal, {"amount": text}, self.stamp())

    # ------------------------------------------------------------- merges
    def merge_records(self, object_type, primary_id, merged_id):
        """POST .../merge. Contacts and companies get a new id; others keep the primary's."""
        with self.lock:
            primary = self.get_record(object_type, primary_id)
            other = self.get_record(object_type, merged_id)
            if primary["id"] == other["id"]:
                raise bad_request("The two records to merge are the same record")
            stamp = self.stamp()
            props = {**other["properties"], **primary["properties"]}
            absorbed = {
                *_split(primary["properties"].get("hs_merged_object_ids")),
                *_split(other["properties"].get("hs_merged_object_ids")),
                other["id"],
            }
            if object_type == "contacts":
                emails = [
                    e
                    for e in (
                        other["properties"].get("email"),
                        *_split(primary["properties"].get("hs_additional_emails")),
                        *_split(other["properties"].get("hs_additional_emails")),
                    )
                    if e and e != props.get("email")
                ]
                if emails:
                    props["hs_additional_emails"] = ";".join(dict.fromkeys(emails))
            props["createdate"] = min(primary["properties"]["createdate"], other["properties"]["createdate"])
            keep_primary = self.primary_company(object_type, primary["id"])
            for old in (primary, other):
                self._drop(object_type, old)
            if object_type in MERGE_NEW_ID_TYPES:
                absorbed.add(primary["id"])
                survivor_id = self.new_id(object_type)
            else:
                survivor_id = primary["id"]
            props["hs_merged_object_ids"] = ";".join(sorted(absorbed, key=int))
            record = self._insert(object_type, props, stamp, object_id=survivor_id)
            record["createdAt"] = min(primary["createdAt"], other["createdAt"])
            moved = [old["id"] for old in (primary, other) if old["id"] != survivor_id]
            for old_id in moved:
                self.aliases[object_type][old_id] = survivor_id
            for old_id in moved:
                self.move_links(object_type, old_id, survivor_id)
            self.keep_one_primary(object_type, survivor_id, keep_primary)
            return record

    def _drop(self, object_type, record):
        """Take a record out of the store and its indexes (merges)."""
        self._index_unique(object_type, record, add=False)
        self._modified[object_type].discard(int(record["id"]))
        del self.objects[object_type][record["id"]]
        order = self._order[object_type]
        position = bisect.bisect_left(order, int(record["id"]))
        if position < len(order) and order[position] == int(record["id"]):
            del order[position]

    # -------------------------------------------------------------- lists
    def list_page(self, object_type, limit, after=None, archived=False):
        """(records, next cursor or None) in id order, like the list endpoint."""
        with self.lock:
            order = self._order[object_type]
            start = bisect.bisect_right(order, int(after)) if after else 0
            records = self.objects[object_type]
            page = []
            for numeric in order[start:]:
                record = records.get(str(numeric))
                if record is not None and record["archived"] == archived:
                    page.append(record)
                    if len(page) > limit:
                        break
            if len(page) > limit:
                return page[:limit], page[limit - 1]["id"]
            return page, None

    def _rebuild_indexes(self):
        for object_type, records in self.objects.items():
            self._order[object_type] = sorted(int(i) for i in records)
            self._unique[object_type] = {}
            pairs = []
            for record in records.values():
                if not record["archived"]:
                    ms = to_ms(record["properties"].get(modified_property(object_type)) or record["updatedAt"])
                    pairs.append((int(record["id"]), ms))
                    self._index_unique(object_type, record)
            self._modified[object_type] = ModifiedIndex()
            self._modified[object_type].build(pairs)


def _split(value):
    return [v for v in (value or "").split(";") if v]
