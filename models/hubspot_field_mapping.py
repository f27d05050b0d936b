import re

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

from ..hubspot import timestamps
from ..hubspot.values import finite_number
from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES

RULES = [
    ("two_way", "Two-way (newest wins)"),
    ("prefer_hubspot", "Prefer HubSpot unless blank"),
    ("hubspot", "Always HubSpot"),
    ("odoo", "Always Odoo"),
    ("none", "Don't sync"),
]
CONVERTERS = [
    ("auto", "By field type"),
    ("full_name", "First + last name"),
    ("website", "Domain ↔ website"),
    ("country", "Country (name or code)"),
    ("state", "State (name or code)"),
    ("owner", "Owner ↔ user"),
    ("ticket_priority", "Ticket priority ↔ task priority"),
]
# HubSpot's ticket priorities and Odoo 19's four task priorities, one to one.
TICKET_PRIORITIES = {"LOW": "0", "MEDIUM": "1", "HIGH": "2", "URGENT": "3"}
MAX_INTEGER = 2**31 - 1  # an Integer field's column (PostgreSQL int4)
# A btree index entry holds at most 2704 bytes (PostgreSQL): longer text in an indexed field (a
# partner's name) is refused by the database with an ERROR. Kept well below, in UTF-8 bytes.
MAX_INDEXED_BYTES = 2000
# What of a mapping decides which HubSpot records qualify: changing it re-reads the object type.
SELECTION_FIELDS = {"active", "account_id", "object_type", "hubspot_property", "rule", "required", "import_only_mapped"}
# Which HubSpot property types fit which Odoo field types (the type check).
COMPATIBLE = {
    "string": {"char", "text", "html", "selection", "many2one"},
    "phone_number": {"char"},
    "number": {"float", "integer", "monetary", "char"},
    "enumeration": {"selection", "char", "boolean", "many2one", "many2many"},
    "bool": {"boolean", "char"},
    "date": {"date", "datetime", "char"},
    "datetime": {"datetime", "date", "char"},
}


class HubspotFieldMapping(models.Model):
    _name = "hubspot.field.mapping"
    _description = "HubSpot Field Mapping"
    _order = "account_id, object_type, sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True)
    model_name = fields.Char(compute="_compute_model_name")
    field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo Field",
        required=True,
        ondelete="cascade",
        domain="[('model', '=', model_name), ('store', '=', True)]",
    )
    field_name = fields.Char(related="field_id.name", store=True, string="Field Name")
    hubspot_property = fields.Char(
        string="HubSpot Property",
        required=True,
        help="Internal name of the HubSpot property (several, comma-separated, for converters that combine them).",
    )
    property_id = fields.Many2one(
        "hubspot.property",
        string="Pick from HubSpot",
        domain="[('account_id', '=', account_id), ('object_type', '=', object_type)]",
        help="The portal's property catalogue (HubSpot > Configuration > Properties, refreshed from the account).",
    )
    converter = fields.Selection(CONVERTERS, default="auto", required=True)
    rule = fields.Selection(RULES, default="two_way", required=True)
    required = fields.Boolean(help="Only HubSpot records with a value for this property are imported.")
    duplicate_key = fields.Boolean(
        help="Used to find an existing Odoo record before creating one. Keys of one group must all match; "
        "groups are tried in order (e.g. companies by domain, then by VAT)."
    )
    duplicate_group = fields.Integer(default=1, help="Keys with the same group number are combined.")
    import_only_mapped = fields.Boolean(
        string="Import only mapped values",
        help="Skip HubSpot records whose value has no value mapping.",
    )
    value_mapping_ids = fields.One2many("hubspot.value.mapping", "mapping_id", string="Value Mappings")

    @api.depends("object_type")
    def _compute_model_name(self):
        models_by_type = self.env["hubspot.sync.engine"]._object_models()
        for mapping in self:
            mapping.model_name = models_by_type.get(mapping.object_type)

    @api.onchange("property_id")
    def _onchange_property_id(self):
        if self.property_id:
            self.hubspot_property = self.property_id.name

    @api.constrains("property_id", "field_id")
    def _check_types(self):
        for mapping in self.filtered("property_id"):
            fits = COMPATIBLE.get(mapping.property_id.property_type)
            if fits and mapping.field_id.ttype not in fits:
                raise ValidationError(
                    self.env._(
                        "HubSpot property %(prop)s (%(ptype)s) cannot fill Odoo field %(field)s (%(ftype)s).",
                        prop=mapping.property_id.name,
                        ptype=mapping.property_id.property_type,
                        field=mapping.field_id.name,
                        ftype=mapping.field_id.ttype,
                    )
                )

    # ---------------------------------------------------------------- CRUD
    @api.model_create_multi
    def create(self, vals_list):
        mappings = super().create(vals_list)
        before = self._selection_keys(mappings.account_id, exclude=mappings)
        self._reread_changed_selection(mappings.account_id, before)
        return mappings

    def write(self, vals):
        if not SELECTION_FIELDS & set(vals):
            return super().write(vals)
        accounts = self.account_id | self.env["hubspot.account"].browse(vals.get("account_id") or [])
        before = self._selection_keys(accounts)
        result = super().write(vals)
        self._reread_changed_selection(accounts, before)
        return result

    def unlink(self):
        accounts = self.account_id
        before = self._selection_keys(accounts)
        result = super().unlink()
        self._reread_changed_selection(accounts, before)
        return result

    # ------------------------------------------------------------- helpers
    def _selection_key(self):
        """What of this mapping decides which records import (``None``: nothing): a required
        property, or the options an "import only mapped values" mapping lets through."""
        self.ensure_one()
        options = tuple(sorted(self.value_mapping_ids.mapped("hubspot_value"))) if self.import_only_mapped else ()
        if not self.active or self.rule == "none" or not (self.required or options):
            return None
        return (tuple(self._properties()), self.required, options)

    @api.model
    def _selection_keys(self, accounts, exclude=None):
        """``{(account id, object type): keys}`` of the mappings of ``accounts`` (but ``exclude``)."""
        found = {}
        domain = [("account_id", "in", accounts.ids)]
        for mapping in self.sudo().with_context(active_test=False).search(domain):
            key = mapping._selection_key()
            if key and (not exclude or mapping not in exclude):
                found.setdefault((mapping.account_id.id, mapping.object_type), []).append(key)
        return {pair: sorted(keys) for pair, keys in found.items()}

    @api.model
    def _reread_changed_selection(self, accounts, before):
        """The object types whose mappings now select other records re-read at their next run."""
        after = self._selection_keys(accounts)
        for account in accounts.sudo():
            types = {t for (a, t) in set(before) | set(after) if a == account.id}
            changed = {t for t in types if before.get((account.id, t)) != after.get((account.id, t))}
            if changed:
                account._reread({t: {f"mappings:{t}"} for t in changed})

    def _properties(self):
        return [p.strip() for p in (self.hubspot_property or "").split(",") if p.strip()]

    def _odoo_field_names(self):
        return {self.field_name} if self.field_name else set()

    def _to_odoo(self, props, cache):
        """The Odoo value for HubSpot ``props`` (None: keep Odoo's; False: clear).

        Raises :class:`SkipRecord` when the record must not be imported (required
        property missing, value not mapped with "import only mapped values").
        """
        return self._compile()[0].to_odoo(props, cache)

    def _compile(self):
        """Plain-Python copies of these mappings for the sync's inner loop (no ORM access per record)."""
        compiled = []
        for mapping in self:
            field = mapping.field_id
            selection = None
            model_field = self.env[field.model]._fields[field.name]
            if field.ttype == "selection":
                selection = {key for key, _label in model_field._description_selection(self.env)}
            compiled.append(
                CompiledMapping(
                    field_name=mapping.field_name,
                    properties=mapping._properties(),
                    converter=mapping.converter,
                    rule=mapping.rule,
                    required=mapping.required,
                    import_only_mapped=mapping.import_only_mapped,
                    value_map={v.hubspot_value: v.odoo_value for v in mapping.value_mapping_ids},
                    ttype=field.ttype,
                    relation=field.relation,
                    selection=selection,
                    indexed=field.ttype in ("char", "text") and model_field.index in (True, "btree", "btree_not_null"),
                    translate=self.env._,
                )
            )
        return compiled

    def _to_hubspot(self, record, cache):
        """The HubSpot property values for ``record`` (outbound sync)."""
        return self._compile()[0].to_hubspot(record, cache)


class HubspotValueMapping(models.Model):
    _name = "hubspot.value.mapping"
    _description = "HubSpot Value Mapping"
    _order = "mapping_id, sequence, id"

    sequence = fields.Integer(default=10)
    mapping_id = fields.Many2one("hubspot.field.mapping", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="mapping_id.company_id", store=True)
    hubspot_value = fields.Char(string="HubSpot Option", required=True)
    odoo_value = fields.Char(required=True)

    _hubspot_value_unique = models.Constraint(
        "UNIQUE(mapping_id, hubspot_value)", "Each HubSpot option maps to one Odoo value."
    )

    # With "import only mapped values", the options mapped decide which records import.
    @api.model_create_multi
    def create(self, vals_list):
        Mapping = self.env["hubspot.field.mapping"]
        mapping_ids = {vals.get("mapping_id") or self.env.context.get("default_mapping_id") for vals in vals_list}
        accounts = Mapping.browse([i for i in mapping_ids if i]).account_id
        before = Mapping._selection_keys(accounts)
        values = super().create(vals_list)
        Mapping._reread_changed_selection(accounts | values.mapping_id.account_id, before)
        return values

    def write(self, vals):
        if not {"hubspot_value", "mapping_id"} & set(vals):
            return super().write(vals)
        Mapping = self.env["hubspot.field.mapping"]
        accounts = self.mapping_id.account_id | Mapping.browse(vals.get("mapping_id") or []).account_id
        before = Mapping._selection_keys(accounts)
        result = super().write(vals)
        Mapping._reread_changed_selection(accounts, before)
        return result

    def unlink(self):
        Mapping = self.env["hubspot.field.mapping"]
        accounts = self.mapping_id.account_id
        before = Mapping._selection_keys(accounts)
        result = super().unlink()
        Mapping._reread_changed_selection(accounts, before)
        return result


class CompiledMapping:
    """One field mapping, detached from the ORM: converts HubSpot values to Odoo's."""

    def __init__(self, **values):
        self.__dict__.update(values)
        converter, relation = self.converter, self.relation
        if converter == "auto" and relation in ("res.country", "res.country.state", "res.users"):
            converter = {"res.country": "country", "res.country.state": "state", "res.users": "owner"}[relation]
        self.kind = converter if converter != "auto" else self.ttype

    def to_odoo(self, props, cache):
        names = self.properties
        if self.converter == "full_name":
            value = " ".join(p for p in (str(props.get(n) or "").strip() for n in names) if p) or None
        else:
            raw = props.get(names[0]) if names else None
            value = None if raw is None or raw == "" else str(raw)
        if value is None:
            if self.required:
                raise SkipRecord(self.translate("HubSpot property %s is empty (required)", names[0] if names else "?"))
            return False
        if self.value_map:
            if value in self.value_map:
                value = self.value_map[value]
            elif self.import_only_mapped:
                raise SkipRecord(
                    self.translate("value “%(value)s” of %(prop)s is not mapped", value=value, prop=names[0])
                )
        if self.indexed and len(value.encode("utf-8", "replace")) > MAX_INDEXED_BYTES:
            raise ValueError(
                self.translate(
                    "HubSpot property %(prop)s: %(size)s bytes, longer than Odoo's field %(field)s can hold "
                    "(it is indexed: at most %(max)s bytes)",
                    prop=",".join(names),
                    size=len(value.encode("utf-8", "replace")),
                    field=self.field_name,
                    max=MAX_INDEXED_BYTES,
                )
            )
        return self.convert(value, cache)

    def convert(self, value, cache):
        kind = self.kind
        if kind == "website":
            return value if "://" in value else f"https://{value}"
        if kind == "country":
            return cache.country(value)
        if kind == "state":
            return cache.state(value)
        if kind == "owner":
            user = cache.user_of_owner(value)
            if user and self.ttype == "many2many":
                return [Command.set([user])]  # e.g. a task's assignees: the owner's user
            return user
        if kind == "ticket_priority":
            return _ticket_priority(value, self.selection, self.translate)
        if kind == "html":
            return Markup("<p>%s</p>") % Markup("<br/>").join(value.splitlines())
        if kind in ("date", "datetime"):
            moment = timestamps.try_parse(value)  # ISO text or epoch milliseconds
            if moment is None:
                raise ValueError(
                    self.translate(
                        "HubSpot property %(prop)s: “%(value)s” is not a date", prop=self.properties[0], value=value
                    )
                )
            return moment.date() if kind == "date" else moment
        if kind in ("float", "monetary", "integer"):
            return self._number(value, kind)
        if kind == "boolean":
            return value.strip().lower() in ("true", "1", "yes")
        if kind == "selection":
            return value if value in self.selection else False
        if kind in ("many2one", "many2many", "one2many"):
            return None  # no generic rule: use a converter
        return value

    def _number(self, value, kind):
        """A finite number Odoo can store; anything else (NaN, inf, 1e400, text) fails the record."""
        number = finite_number(value)
        if number is not None and kind == "integer":
            number = int(number) if abs(number) <= MAX_INTEGER else None
        if number is None:
            raise ValueError(
                self.translate(
                    "HubSpot property %(prop)s: “%(value)s” is not a number Odoo can store",
                    prop=self.properties[0],
                    value=value,
                )
            )
        return number

    def same_in_hubspot(self, value, last):
        """Does HubSpot already hold ``value`` (a text :meth:`to_hubspot` made), given ``last``,
        the text HubSpot gave? HubSpot spells some values its own way (a date property as
        ``2024-06-30T00:00:00.000Z``, ``1000.50`` for 1000.5): equal values are never sent back."""
        value, last = value or "", last or ""
        if value == last:
            return True
        if not (value and last):
            return False
        if self.kind in ("date", "datetime"):
            ours, theirs = timestamps.try_parse(value), timestamps.try_parse(last)
            if ours is None or theirs is None:
                return False
            if self.kind == "date":
                return ours.date() == theirs.date()
            return ours.replace(microsecond=0) == theirs.replace(microsecond=0)
        if self.kind in ("float", "monetary", "integer"):
            ours, theirs = finite_number(value), finite_number(last)
            return ours is not None and ours == theirs
        return False

    def to_hubspot(self, record, cache):
        """``{property: value}`` for ``record``; an owner with no HubSpot owner gives ``{}``."""
        names = self.properties
        value = record[self.field_name]
        kind = self.kind
        if kind == "full_name":
            first, _sep, last = (value or "").strip().partition(" ")
            return dict(zip(names, [first, last.strip()], strict=False))
        if kind == "owner":
            if self.ttype == "many2many":
                value = _main_user(record, value, names[0], cache)
            out = cache.owner_of_user(value) if value else ""
            if out is None:
                return {}  # not mapped: leave HubSpot's owner alone (the run reports it)
        elif kind == "ticket_priority":
            reverse = {odoo: hubspot for hubspot, odoo in (self.value_map or {}).items()}
            out = reverse.get(value) or {v: k for k, v in TICKET_PRIORITIES.items()}.get(value, "")
            return {names[0]: out}
        elif kind in ("country", "state"):
            out = value.with_context(lang="en_US").name if value else ""
        elif kind == "website":
            out = re.sub(r"^[a-z]+://(www\.)?", "", value or "", flags=re.IGNORECASE).rstrip("/")
        elif kind == "html":
            out = html2plaintext(value or "").strip()
        elif kind == "boolean":
            out = "true" if value else "false"
        elif kind in ("date", "datetime"):
            out = value.isoformat() if value else ""
        elif kind in ("float", "monetary", "integer"):
            out = "" if value in (False, None) else _number_text(value)
        elif kind in ("many2one", "many2many", "one2many"):
            return {}
        else:
            out = "" if value is False or value is None else str(value)
        if self.value_map:
            reverse = {odoo: hubspot for hubspot, odoo in self.value_map.items()}
            out = reverse.get(out, out)
        return {names[0]: out}


def _ticket_priority(value, selection, translate):
    """HubSpot's ticket priority (or an Odoo priority a value mapping gave) as Odoo's."""
    odoo = TICKET_PRIORITIES.get(value.strip().upper(), value.strip())
    if selection is not None and odoo not in selection:
        raise ValueError(
            translate(
                "unknown ticket priority “%(value)s” (known: %(known)s; map other options under value mappings)",
                value=value,
                known=", ".join(TICKET_PRIORITIES),
            )
        )
    return odoo


def _main_user(record, users, prop, cache):
    """The one user of a many2many of users HubSpot's owner stands for: the current
    owner's user while still among them (several assignees never flip it), else the first."""
    last = (record.hubspot_last_values or {}).get(prop) if "hubspot_last_values" in record else None
    current = cache.user_of_owner(last) if last else None
    if current and current in users.ids:
        return users.browse(current)
    return users[:1]


def _number_text(value):
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


class SkipRecord(Exception):
    """A HubSpot record that must not be imported; the message says why. A linked one no longer
    qualifies and is unlinked (kept in Odoo), unless it only ``waiting`` (e.g. for its company's
    review)."""

    def __init__(self, message, waiting=False):
        super().__init__(message)
        self.waiting = waiting


def _number(value, kind):
    """``value`` as a finite number of ``kind``; False when it is none."""
    number = finite_number(value)
    return False if number is None else kind(number)
