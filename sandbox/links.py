"""Associations between records (HubSpot's v4 model), always readable from both sides.

``links[(type, id)][to_type][to_id]`` is the set of association type ids from that
record to the other; adding a type adds its inverse on the other side.
"""

from .catalog import ASSOCIATION_TYPES, DEFAULT_ASSOCIATION, PRIMARY_TYPES
from .errors import bad_request


class LinksMixin:
    """Needs ``lock``, ``get_record``, ``find``, ``objects`` and ``retotal_deals``."""

    def _init_links(self):
        self.links = {}

    # ----------------------------------------------------------- storage
    def _add(self, from_type, from_id, to_type, to_id, type_id):
        self.links.setdefault((from_type, from_id), {}).setdefault(to_type, {}).setdefault(to_id, set()).add(type_id)
        inverse = ASSOCIATION_TYPES[type_id][3]
        self.links.setdefault((to_type, to_id), {}).setdefault(from_type, {}).setdefault(from_id, set()).add(inverse)

    def _remove(self, from_type, from_id, to_type, to_id, type_id):
        for (a_type, a_id, b_type, b_id), tid in (
            ((from_type, from_id, to_type, to_id), type_id),
            ((to_type, to_id, from_type, from_id), ASSOCIATION_TYPES[type_id][3]),
        ):
            targets = self.links.get((a_type, a_id), {}).get(b_type, {})
            types = targets.get(b_id)
            if types is not None:
                types.discard(tid)
                if not types:
                    del targets[b_id]

    def _linked_ids(self, from_type, from_id, to_type):
        return list(self.links.get((from_type, from_id), {}).get(to_type, {}))

    def associated(self, from_type, from_id, to_type):
        """[(to id, sorted type ids)] of live records, in id order."""
        with self.lock:
            records = self.objects[to_type]
            found = []
            for to_id, types in self.links.get((from_type, from_id), {}).get(to_type, {}).items():
                record = records.get(to_id)
                if record is not None and not record["archived"] and types:
                    found.append((to_id, sorted(types)))
            found.sort(key=lambda item: int(item[0]))
            return found

    # -------------------------------------------------------------- rules
    @staticmethod
    def check_association_type(from_type, to_type, type_id, category="HUBSPOT_DEFINED"):
        try:
            type_id = int(type_id)
        except (TypeError, ValueError):
            raise bad_request(f"associationTypeId {type_id!r} is not a number") from None
        definition = ASSOCIATION_TYPES.get(type_id)
        if category != "HUBSPOT_DEFINED" or not definition or definition[:2] != (from_type, to_type):
            raise bad_request(
                f"{category} association type {type_id} is not valid from {from_type} to {to_type}",
                associationTypeId=type_id,
            )
        return type_id

    @staticmethod
    def default_association_type(from_type, to_type):
        type_id = DEFAULT_ASSOCIATION.get((from_type, to_type))
        if type_id is None:
            raise bad_request(f"There is no default association from {from_type} to {to_type}")
        return type_id

    def check_create_associations(self, object_type, associations):
        """``associations`` of a create: [(to type, to id, type id)], or 400 before anything is stored."""
        if not isinstance(associations, list):
            raise bad_request("associations must be a list of {to: {id}, types: [...]}")
        links = []
        for item in associations:
            to_id = (item.get("to") or {}).get("id") if isinstance(item, dict) else None
            types = item.get("types") if isinstance(item, dict) else None
            if not to_id or not isinstance(types, list) or not types:
                raise bad_request("Each association needs to.id and a non-empty list of types")
            for spec in types:
                definition = ASSOCIATION_TYPES.get(_int(spec.get("associationTypeId")))
                if not definition or definition[0] != object_type:
                    raise bad_request(
                        f"association type {spec.get('associationTypeId')} is not valid from {object_type}",
                        associationTypeId=spec.get("associationTypeId"),
                    )
                to_type = definition[1]
                self.check_association_type(
                    object_type,
                    to_type,
                    spec.get("associationTypeId"),
                    spec.get("associationCategory", "HUBSPOT_DEFINED"),
                )
                if self.find(to_type, to_id) is None:
                    raise bad_request(f"Cannot associate with {to_type} {to_id}: it does not exist", toObjectId=to_id)
                links.append((to_type, str(to_id), _int(spec["associationTypeId"])))
        return links

    def associate(self, from_type, from_id, to_type, to_id, type_ids=None):
        """Associate two live records (``type_ids`` None: the default type). Returns the types now set."""
        with self.lock:
            from_id = self.get_record(from_type, from_id)["id"]
            to_id = self.get_record(to_type, to_id)["id"]
            if type_ids is None:
                type_ids = [self.default_association_type(from_type, to_type)]
            type_ids = [self.check_association_type(from_type, to_type, t) for t in type_ids]
            for type_id in type_ids:
                if type_id in PRIMARY_TYPES:
                    self._set_primary(from_type, from_id, to_type, to_id, type_id)
                else:
                    self._add(from_type, from_id, to_type, to_id, type_id)
            self._after_link_change(from_type, from_id, to_type, to_id)
            return sorted(self.links[(from_type, from_id)][to_type][to_id])

    def dissociate(self, from_type, from_id, to_type, to_id, type_ids=None):
        """Remove the given types (None: every type) between two records, both ways."""
        with self.lock:
            from_id = self.resolve(from_type, from_id)
            to_id = self.resolve(to_type, to_id)
            current = self.links.get((from_type, from_id), {}).get(to_type, {}).get(to_id)
            if not current:
                return False
            for type_id in list(current if type_ids is None else type_ids):
                if type_id in current:
                    self._remove(from_type, from_id, to_type, to_id, type_id)
            self._after_link_change(from_type, from_id, to_type, to_id)
            return True

    def _after_link_change(self, from_type, from_id, to_type, to_id):
        if {from_type, to_type} == {"deals", "line_items"}:
            self.retotal_deals([from_id if from_type == "deals" else to_id])

    def _set_primary(self, from_type, from_id, to_type, to_id, type_id):
        """One primary company per contact/deal/ticket; primary implies the unlabeled type."""
        if from_type == "companies":
            owner_type, owner_id, company_id = to_type, to_id, from_id
            type_id = ASSOCIATION_TYPES[type_id][3]
        else:
            owner_type, owner_id, company_id = from_type, from_id, to_id
        for other in self._linked_ids(owner_type, owner_id, "companies"):
            if other != company_id:
                self._remove(owner_type, owner_id, "companies", other, type_id)
        self._add(owner_type, owner_id, "companies", company_id, type_id)
        self._add(owner_type, owner_id, "companies", company_id, DEFAULT_ASSOCIATION[(owner_type, "companies")])

    def primary_company(self, object_type, object_id):
        for company_id, types in self.links.get((object_type, object_id), {}).get("companies", {}).items():
            if PRIMARY_TYPES & types:
                return company_id
        return None

    def move_links(self, object_type, old_id, new_id):
        """A merge: the survivor takes over the absorbed record's associations."""
        entry = self.links.pop((object_type, old_id), {})
        for to_type, targets in entry.items():
            for to_id, types in targets.items():
                self.links.get((to_type, to_id), {}).get(object_type, {}).pop(old_id, None)
                target = self.resolve(to_type, to_id)
                if to_type == object_type and target in (old_id, new_id):
                    continue  # the two merged records were associated with each other
                for type_id in types:
                    self._add(object_type, new_id, to_type, target, type_id)

    def drop_links(self, object_type, object_id):
        """A permanent deletion: the record's associations go, on both sides."""
        entry = self.links.pop((object_type, object_id), {})
        for to_type, targets in entry.items():
            for to_id in targets:
                self.links.get((to_type, to_id), {}).get(object_type, {}).pop(object_id, None)

    def keep_one_primary(self, object_type, object_id, keep):
        """After a merge a record may hold two primary companies: keep ``keep`` (or the first)."""
        companies = self.links.get((object_type, object_id), {}).get("companies", {})
        primaries = sorted((c for c, types in companies.items() if PRIMARY_TYPES & types), key=int)
        if len(primaries) < 2:
            return
        keep = keep if keep in primaries else primaries[0]
        for company_id in primaries:
            if company_id != keep:
                for type_id in PRIMARY_TYPES & companies[company_id]:
                    self._remove(object_type, object_id, "companies", company_id, type_id)

    # -------------------------------------------------------- persistence
    def links_to_list(self):
        return [
            [from_type, from_id, to_type, to_id, sorted(types)]
            for (from_type, from_id), by_type in self.links.items()
            for to_type, targets in by_type.items()
            for to_id, types in targets.items()
            if types
        ]

    def links_from_list(self, rows):
        self.links = {}
        for from_type, from_id, to_type, to_id, types in rows:
            self.links.setdefault((from_type, from_id), {}).setdefault(to_type, {})[to_id] = set(types)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
