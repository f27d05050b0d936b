"""``POST {objects}/{type}/search``: HubSpot's filter groups, one sort, offset paging, 10,000 cap."""

import re

from .catalog import SEARCHABLE_PROPERTIES, TYPE_ALIASES, modified_property
from .errors import bad_request
from .values import comparable, to_ms

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10000
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
RANGE_OPERATORS = {"EQ", "GT", "GTE", "LT", "LTE", "BETWEEN"}
TOKEN = re.compile(r"\w+", re.UNICODE)  # the words of a value


def parse_request(body):
    """Validate a search body; return (groups, sort, limit, after, properties, query)."""
    if not isinstance(body, dict):
        raise bad_request("The search request must be a JSON object")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise bad_request("filterGroups must be a list of {filters: [...]}")
    if len(groups) > MAX_GROUPS:
        raise bad_request(f"Too many filter groups: {len(groups)} (at most {MAX_GROUPS})")
    total = 0
    parsed = []
    for group in groups:
        filters = group.get("filters") or []
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise bad_request(f"Too many filters in a group: {len(filters)} (at most {MAX_FILTERS_PER_GROUP})")
        total += len(filters)
        parsed.append([_check_filter(f) for f in filters])
    if total > MAX_FILTERS:
        raise bad_request(f"Too many filters: {total} (at most {MAX_FILTERS} in all groups)")
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise bad_request("sorts must be a list")
    if len(sorts) > 1:
        raise bad_request("Only one sort is allowed per search request")
    sort = _check_sort(sorts[0]) if sorts else None
    try:
        limit = int(body.get("limit", DEFAULT_LIMIT))
        after = int(body.get("after") or 0)
    except (TypeError, ValueError):
        raise bad_request("limit and after must be numbers") from None
    if not 0 < limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if after < 0:
        raise bad_request("after must not be negative")
    if after + limit > MAX_RESULTS:
        raise bad_request(
            f"Search pages past the first {MAX_RESULTS} results are not available "
            f"(after={after}, limit={limit}); narrow the filters instead"
        )
    properties = body.get("properties") or []
    if isinstance(properties, str):
        properties = properties.split(",")
    return parsed, sort, limit, after, properties, (body.get("query") or "").strip()


def _check_filter(item):
    if not isinstance(item, dict):
        raise bad_request("a filter must be an object {propertyName, operator, value}")
    name, operator = item.get("propertyName"), item.get("operator")
    if not name:
        raise bad_request("a filter needs a propertyName")
    if operator not in OPERATORS:
        raise bad_request(f"Unknown operator {operator!r}; use one of {sorted(OPERATORS)}", propertyName=name)
    if operator in ("IN", "NOT_IN"):
        if not isinstance(item.get("values"), list) or not item["values"]:
            raise bad_request(f"{operator} needs a non-empty list in 'values'", propertyName=name)
    elif operator == "BETWEEN":
        if item.get("value") in (None, "") or item.get("highValue") in (None, ""):
            raise bad_request("BETWEEN needs 'value' and 'highValue'", propertyName=name)
    elif operator not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY") and item.get("value") is None:
        raise bad_request(f"{operator} needs a 'value'", propertyName=name)
    return item


def _check_sort(sort):
    if isinstance(sort, str):
        descending = sort.startswith("-")
        return sort.lstrip("-"), descending
    if not isinstance(sort, dict) or not sort.get("propertyName"):
        raise bad_request("a sort must be {propertyName, direction}")
    direction = (sort.get("direction") or "ASCENDING").upper()
    if direction not in ("ASCENDING", "DESCENDING"):
        raise bad_request(f"direction must be ASCENDING or DESCENDING, not {direction}")
    return sort["propertyName"], direction == "DESCENDING"


class Search:
    """One search over one object type of a state (called with the state's lock held)."""

    def __init__(self, state, object_type):
        self.state = state
        self.object_type = object_type
        self.catalogue = state.properties[object_type]
        self.modified = modified_property(object_type)

    def kind(self, name):
        definition = self.catalogue.get(name)
        return definition["type"] if definition else "string"

    def run(self, body):
        groups, sort, limit, after, properties, query = parse_request(body)
        index = self.state._modified[self.object_type]
        start, end = 0, len(index.items)
        rest = groups
        if len(groups) == 1:
            low, high, rest_filters = self._modified_range(groups[0])
            start, end = index.span(low, high)
            rest = [rest_filters] if rest_filters else []
        candidates = index.searchable(index.items[start:end], self.state.now_ms())
        simple = not rest and not query and (sort is None or sort[0] == self.modified)
        records = self.state.objects[self.object_type]
        if simple:
            ordered = candidates
            if sort is None:
                ordered = sorted(candidates, key=lambda item: item[1])
            elif sort[1]:
                ordered = candidates[::-1]
            total = len(ordered)
            page = [records[str(numeric)] for _ms, numeric in ordered[after : after + limit]]
        else:
            matches = [records[str(numeric)] for _ms, numeric in candidates]
            if query:
                matches = [r for r in matches if self._matches_query(r, query)]
            if rest:
                predicates = [[self._predicate(f) for f in group] for group in rest]
                matches = [r for r in matches if any(all(p(r) for p in group) for group in predicates)]
            if sort is None:
                matches.sort(key=lambda r: int(r["id"]))
            elif sort[0] != self.modified:
                matches = self._sorted(matches, *sort)
            elif sort[1]:
                matches.reverse()
            total = len(matches)
            page = matches[after : after + limit]
        body = {
            "total": total,
            "results": [self.state.view(self.object_type, r, properties) for r in page],
        }
        if after + limit < total:
            body["paging"] = {"next": {"after": str(after + limit)}}
        return body

    def _modified_range(self, filters):
        """Bounds on the last-modified property from one group (served by the index)."""
        low = high = None
        rest = []
        for item in filters:
            if item["propertyName"] != self.modified or item["operator"] not in RANGE_OPERATORS:
                rest.append(item)
                continue
            value = to_ms(item.get("value"))
            if value is None:
                rest.append(item)
                continue
            operator = item["operator"]
            if operator == "BETWEEN":
                top = to_ms(item.get("highValue"))
                if top is None:
                    rest.append(item)
                    continue
                bounds = (value, top)
            else:
                bounds = {
                    "EQ": (value, value),
                    "GT": (value + 1, None),
                    "GTE": (value, None),
                    "LT": (None, value - 1),
                    "LTE": (None, value),
                }[operator]
            if bounds[0] is not None:
                low = bounds[0] if low is None else max(low, bounds[0])
            if bounds[1] is not None:
                high = bounds[1] if high is None else min(high, bounds[1])
        return low, high, rest

    def _sorted(self, records, name, descending):
        kind = self.kind(name)
        present = [(comparable(kind, r["properties"].get(name)), int(r["id"]), r) for r in records]
        valued = sorted((item for item in present if item[0] is not None), key=lambda i: (i[0], i[1]))
        missing = [item for item in present if item[0] is None]
        if descending:
            valued.reverse()
            return [r for *_k, r in missing + valued]
        return [r for *_k, r in valued + missing]

    def _matches_query(self, record, query):
        needle = query.lower().strip("*")
        props = record["properties"]
        return any(needle in (props.get(name) or "").lower() for name in SEARCHABLE_PROPERTIES[self.object_type])

    # ------------------------------------------------------------ filters
    def _predicate(self, item):
        name, operator = item["propertyName"], item["operator"]
        if name.startswith("associations."):
            return self._association_predicate(name.split(".", 1)[1], operator, item)
        kind = self.kind(name)
        multi = (self.catalogue.get(name) or {}).get("fieldType") == "checkbox"

        def values_of(record):
            raw = record["properties"].get(name)
            if raw in (None, ""):
                return []
            parts = raw.split(";") if multi else [raw]
            return [comparable(kind, part) for part in parts]

        if operator == "HAS_PROPERTY":
            return lambda r: bool(values_of(r))
        if operator == "NOT_HAS_PROPERTY":
            return lambda r: not values_of(r)
        if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            test = _token_test(str(item["value"]))
            if operator == "CONTAINS_TOKEN":
                return lambda r: test(r["properties"].get(name) or "")
            return lambda r: not test(r["properties"].get(name) or "")
        if operator in ("IN", "NOT_IN"):
            # HubSpot wants lower-case values for text properties: "Foo" never matches.
            wanted = {
                str(v) if kind == "string" else comparable(kind, v) for v in item["values"] if v not in (None, "")
            }
            if operator == "IN":
                return lambda r: any(v in wanted for v in values_of(r))
            return lambda r: not any(v in wanted for v in values_of(r))
        value = comparable(kind, item.get("value"))
        if operator == "EQ":
            return lambda r: value in values_of(r)
        if operator == "NEQ":
            return lambda r: value not in values_of(r)
        if value is None:
            return lambda r: False
        if operator == "BETWEEN":
            high = comparable(kind, item.get("highValue"))
            return lambda r: any(v is not None and value <= v <= high for v in values_of(r))
        compare = {
            "LT": lambda v: v < value,
            "LTE": lambda v: v <= value,
            "GT": lambda v: v > value,
            "GTE": lambda v: v >= value,
        }[operator]
        return lambda r: any(v is not None and compare(v) for v in values_of(r))

    def _association_predicate(self, singular, operator, item):
        to_type = TYPE_ALIASES.get(singular, singular)
        if to_type not in self.state.objects:
            raise bad_request(f"Unknown association filter associations.{singular}")
        if operator == "EQ":
            wanted = {str(item.get("value"))}
        elif operator == "IN":
            wanted = {str(v) for v in item["values"]}
        else:
            raise bad_request("associations.* filters support EQ and IN")
        links = self.state.links

        def linked(record):
            return bool(wanted & set(links.get((self.object_type, record["id"]), {}).get(to_type, {})))

        return linked


def _token_test(pattern):
    """CONTAINS_TOKEN: a whole word of the value (or the whole value), any case. ``*`` is the
    only wildcard HubSpot documents (``*@example.com``, ``varas*``): ``?`` and ``[`` are
    plain characters, and a word without ``*`` never matches part of a word."""
    regex = re.compile(".*".join(re.escape(part) for part in pattern.lower().split("*")), re.DOTALL)

    def test(value):
        value = value.lower()
        return bool(regex.fullmatch(value)) or any(regex.fullmatch(token) for token in TOKEN.findall(value))

    return test
