"""The one list of HubSpot object types the connector syncs, and everything derived from it.

Each type is a :class:`SyncSpec`: the Odoo model its records live in, its labels, which
properties and associations the sync needs, how records are matched. Every other list of
object types (the selections of the models, the cron jobs, the webhook subscriptions, the
types *Import from HubSpot* offers, the HubSpot UI's type ids) is derived from ``SPECS``.
What a type does beyond this data is written as hooks on its model, which override the
no-op ones of ``hubspot.binding.mixin`` (``_hubspot_inbound_values``...). Adding a type: a spec here, the hooks on its model, its views,
its access rows and its cron job (``data/ir_cron_data.xml``; a test checks they agree).
"""

from dataclasses import dataclass, field

from odoo.tools import email_normalize
from odoo.tools.translate import LazyTranslate

from ..hubspot.values import domain_of

_lt = LazyTranslate(__name__)

DEAL_OUTCOME_PROPERTIES = ("dealstage", "pipeline", "closed_lost_reason")
TICKET_STATUS_PROPERTIES = ("hs_pipeline", "hs_pipeline_stage")


@dataclass(frozen=True)
class Association:
    """An association the engine resolves for each record of a spec.

    ``to_type`` records are looked up through their bindings; missing ones are
    fetched and imported first (or, with ``skip_unless_existing`` set on the
    account, the record is skipped). ``inherit_exclusion``: a record whose
    associated record is excluded in HubSpot is excluded too. With ``property``,
    the record names its associated record in one of its own properties (a line
    item's ``hs_product_id``) instead of a v4 association: read from it, pushed
    into it (list it in the spec's ``extra_properties``).
    """

    to_type: str
    field: str
    inherit_exclusion: bool = False
    skip_flag: str = None  # account boolean: skip when the associated record is not in Odoo
    many: bool = False  # every associated record (a many2many field), not only the first
    import_missing: bool = True  # import an associated record Odoo lacks (False: link existing ones only)
    required: bool = False  # skip the record while its associated record is not in Odoo
    push_type_id: int = None  # HUBSPOT_DEFINED association type the push creates (None: not pushed)
    push_path: str = None  # what the push associates, when not ``field`` itself (e.g. a commercial partner;
    # the model's ``_hubspot_push_targets`` may say more)
    property: str = None  # the associated record's id is this property of the record (no v4 association)

    def waits(self, account):
        """Does a record wait for this associated record (skipped while that is not in Odoo)? A
        line item for its deal; a contact for its company with "Only contacts of known companies"."""
        return self.required or bool(self.skip_flag and account[self.skip_flag])


@dataclass(frozen=True)
class SyncSpec:
    object_type: str
    model: str
    label: str  # "Line Item": the selections of object types, "HubSpot line item 42"
    plural_label: str  # "Line Items"
    sentence_name: object  # "line items", translated: "Re-read all line items"
    sequence: int  # where the type is listed on screens
    domain: tuple
    create_values: dict
    name_fallbacks: tuple  # properties to build a name from when the mapping gives none
    default_mappings: tuple  # (field, property, converter, rule, duplicate_key, duplicate_group)
    extra_properties: tuple = ()
    associations: tuple = ()
    exclusion: bool = False  # the account's exclude property applies to this type
    review: bool = False  # new records may wait in the pending queue
    enable_flag: str = None  # account boolean enabling this object type
    match_fields: dict = field(default_factory=dict)  # Odoo field -> (field to search, normalizer)
    push_domain: tuple = ()  # which Odoo records may be pushed, beyond ``domain``
    outbound_properties: tuple = ()  # properties the model's outbound hook sends (remembered inbound: no echo)
    upsert_by_email: bool = False  # a new record is created by upsert on its email (HubSpot's unique key)
    archive_inactive: bool = True  # an archived Odoo record archives its HubSpot object (else: pushed as is)
    push_match: tuple = ()  # properties a new Odoo record is looked up by in HubSpot before it is created
    pipeline_properties: tuple = ()  # the properties naming the record's pipeline and stage
    webhook_kind: str = None  # HubSpot's name in webhook subscriptions ("company.propertyChange")
    ui_type_id: str = None  # HubSpot's object type id in the UI's record URLs (None: no page of its own)
    search_properties: tuple = ()  # *Import from HubSpot* searches this type and shows these (empty: not offered)
    search_name: str = None  # the property that search matches word by word (None: the type's own rules)

    @property
    def cron(self):
        """The type's sync job (``data/ir_cron_data.xml``)."""
        return f"hubspot_connector.ir_cron_sync_{self.object_type}"


SPECS = {
    "companies": SyncSpec(
        object_type="companies",
        model="res.partner",
        label="Company",
        plural_label="Companies",
        sentence_name=_lt("companies"),
        sequence=1,
        domain=(("is_company", "=", True),),
        create_values={"is_company": True},
        name_fallbacks=("name", "domain"),
        default_mappings=(
            ("name", "name", "auto", "two_way", False, 0),
            ("website", "domain", "website", "two_way", True, 1),
            ("phone", "phone", "auto", "two_way", False, 0),
            ("street", "address", "auto", "two_way", False, 0),
            ("city", "city", "auto", "two_way", False, 0),
            ("zip", "zip", "auto", "two_way", False, 0),
            ("state_id", "state", "state", "two_way", False, 0),
            ("country_id", "country", "country", "two_way", False, 0),
            ("comment", "description", "auto", "two_way", False, 0),
            ("vat", "vat_number", "auto", "two_way", True, 2),
            ("user_id", "hubspot_owner_id", "owner", "two_way", False, 0),
            ("hubspot_lead_score", "hubspotscore", "auto", "hubspot", False, 0),
        ),
        extra_properties=("hs_merged_object_ids",),
        exclusion=True,
        review=True,
        webhook_kind="company",
        ui_type_id="0-2",
        search_properties=("name", "domain", "city", "hs_lastmodifieddate"),
        enable_flag="sync_companies",
        push_domain=(("hubspot_exclude", "=", False),),
        push_match=("domain", "name"),
        match_fields={"website": ("hubspot_domain", domain_of), "vat": ("vat", lambda v: (v or "").strip() or False)},
    ),
    "deals": SyncSpec(
        object_type="deals",
        model="crm.lead",
        label="Deal",
        plural_label="Deals",
        sentence_name=_lt("deals"),
        sequence=3,
        domain=(("type", "=", "opportunity"),),
        create_values={"type": "opportunity"},
        name_fallbacks=("dealname",),
        default_mappings=(
            ("name", "dealname", "auto", "two_way", False, 0),
            ("expected_revenue", "amount", "auto", "two_way", False, 0),
            ("date_deadline", "closedate", "auto", "two_way", False, 0),
            ("user_id", "hubspot_owner_id", "owner", "two_way", False, 0),
        ),
        extra_properties=(*DEAL_OUTCOME_PROPERTIES, "hs_merged_object_ids", "deal_currency_code"),
        associations=(
            Association(
                "companies",
                "partner_id",
                inherit_exclusion=True,
                push_type_id=5,  # the deal's primary company
                push_path="partner_id.commercial_partner_id",
            ),
            Association("contacts", "hubspot_contact_ids", many=True, push_type_id=3),
        ),
        webhook_kind="deal",
        ui_type_id="0-3",
        search_properties=("dealname", "amount", "pipeline", "dealstage", "hs_lastmodifieddate"),
        search_name="dealname",
        enable_flag="sync_deals",
        pipeline_properties=("pipeline", "dealstage"),
        outbound_properties=DEAL_OUTCOME_PROPERTIES,
        archive_inactive=False,  # a lost opportunity is archived in Odoo: in HubSpot it moves to a lost stage
    ),
    "contacts": SyncSpec(
        object_type="contacts",
        model="res.partner",
        label="Contact",
        plural_label="Contacts",
        sentence_name=_lt("contacts"),
        sequence=2,
        domain=(("is_company", "=", False),),
        create_values={"is_company": False, "type": "contact"},
        name_fallbacks=("email",),
        default_mappings=(
            ("name", "firstname,lastname", "full_name", "two_way", False, 0),
            ("email", "email", "auto", "two_way", True, 1),
            ("phone", "phone", "auto", "two_way", False, 0),
            ("mobile", "mobilephone", "auto", "two_way", False, 0),
            ("function", "jobtitle", "auto", "two_way", False, 0),
            ("user_id", "hubspot_owner_id", "owner", "two_way", False, 0),
        ),
        extra_properties=("hs_merged_object_ids",),
        associations=(
            Association(
                "companies",
                "parent_id",
                inherit_exclusion=True,
                skip_flag="contacts_only_existing_companies",
                push_type_id=1,
            ),
        ),
        webhook_kind="contact",
        ui_type_id="0-1",
        search_properties=("firstname", "lastname", "email", "company", "lastmodifieddate"),
        enable_flag="sync_contacts",
        push_domain=(
            ("hubspot_exclude", "=", False),
            ("parent_id.is_company", "=", True),
            ("parent_id.hubspot_exclude", "=", False),
        ),
        match_fields={"email": ("email_normalized", lambda v: email_normalize(v) or False)},
        upsert_by_email=True,
    ),
    "tickets": SyncSpec(
        object_type="tickets",
        model="project.task",
        label="Ticket",
        plural_label="Tickets",
        sentence_name=_lt("tickets"),
        sequence=4,
        domain=(("project_id", "!=", False),),
        create_values={},
        name_fallbacks=("subject",),
        default_mappings=(
            ("name", "subject", "auto", "two_way", False, 0),
            ("description", "content", "auto", "two_way", False, 0),
            ("priority", "hs_ticket_priority", "ticket_priority", "two_way", False, 0),
            ("user_ids", "hubspot_owner_id", "owner", "two_way", False, 0),
        ),
        extra_properties=(*TICKET_STATUS_PROPERTIES, "hs_merged_object_ids"),
        associations=(
            Association(
                "companies",
                "partner_id",
                inherit_exclusion=True,
                push_type_id=26,  # the ticket's primary company
                push_path="partner_id.commercial_partner_id",
            ),
            Association("contacts", "hubspot_contact_ids", many=True, push_type_id=16),
            Association("deals", "hubspot_lead_id", import_missing=False, push_type_id=28),
        ),
        webhook_kind="ticket",
        ui_type_id="0-5",
        search_properties=("subject", "hs_pipeline", "hs_pipeline_stage", "hs_lastmodifieddate"),
        search_name="subject",
        enable_flag="sync_tickets",
        pipeline_properties=TICKET_STATUS_PROPERTIES,
        outbound_properties=TICKET_STATUS_PROPERTIES,
    ),
    # Products match by SKU. Only those with an internal reference are pushed on their own;
    # one without is created in HubSpot when a pushed line item needs it.
    "products": SyncSpec(
        object_type="products",
        model="product.product",
        label="Product",
        plural_label="Products",
        sentence_name=_lt("products"),
        sequence=5,
        domain=(),
        create_values={},
        name_fallbacks=("name", "hs_sku"),
        default_mappings=(
            ("name", "name", "auto", "two_way", False, 0),
            ("default_code", "hs_sku", "auto", "two_way", True, 1),
            ("list_price", "price", "auto", "two_way", False, 0),
            ("description_sale", "description", "auto", "two_way", False, 0),
        ),
        webhook_kind="product",
        ui_type_id="0-7",
        enable_flag="sync_products",
        push_domain=(("default_code", "!=", False),),
        push_match=("hs_sku",),
    ),
    # A deal's line items: lines of the opportunity (never without it), their product
    # through ``hs_product_id``. HubSpot totals the deal from them.
    "line_items": SyncSpec(
        object_type="line_items",
        model="hubspot.deal.line",
        label="Line Item",
        plural_label="Line Items",
        sentence_name=_lt("line items"),
        sequence=6,
        domain=(),
        create_values={},
        name_fallbacks=("name", "hs_sku"),
        default_mappings=(
            ("name", "name", "auto", "two_way", False, 0),
            ("quantity", "quantity", "auto", "two_way", False, 0),
            ("price_unit", "price", "auto", "two_way", False, 0),
        ),
        extra_properties=("hs_product_id", "discount"),
        associations=(
            Association("deals", "lead_id", import_missing=False, required=True, push_type_id=20),
            Association("products", "product_id", property="hs_product_id"),
        ),
        webhook_kind="line_item",
        enable_flag="sync_line_items",
        outbound_properties=("hs_product_id", "discount"),
    ),
}


# Derived: every list of object types below comes from SPECS.
OBJECT_TYPES = sorted(SPECS, key=lambda object_type: SPECS[object_type].sequence)  # as screens list them
HUBSPOT_OBJECT_TYPES = [(object_type, SPECS[object_type].label) for object_type in OBJECT_TYPES]  # selections
SINGULAR = {object_type: spec.label.lower() for object_type, spec in SPECS.items()}  # "HubSpot line item 42"
TYPE_NAMES = {object_type: spec.sentence_name for object_type, spec in SPECS.items()}  # "Re-read all line items"
PIPELINE_TYPES = [(t, SPECS[t].plural_label) for t in OBJECT_TYPES if SPECS[t].pipeline_properties]
OBJECT_TYPE_IDS = {object_type: spec.ui_type_id for object_type, spec in SPECS.items() if spec.ui_type_id}
SUBSCRIPTION_TYPES = {spec.webhook_kind: object_type for object_type, spec in SPECS.items() if spec.webhook_kind}
IMPORT_TYPES = [(t, SPECS[t].label) for t in OBJECT_TYPES if SPECS[t].search_properties]  # Import from HubSpot
CRONS = {object_type: spec.cron for object_type, spec in SPECS.items()}
