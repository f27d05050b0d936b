"""HubSpot's fixed vocabulary: object types, association types, default properties, pipelines.

Pure data plus a few small constructors; the state copies what it may change.
"""

OBJECT_TYPES = ("companies", "contacts", "deals", "tickets", "products", "line_items")
OBJECT_TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-5": "tickets",
    "0-7": "products",
    "0-8": "line_items",
}
TYPE_ID_OF = {name: type_id for type_id, name in OBJECT_TYPE_IDS.items()}
SINGULAR = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "tickets": "ticket",
    "products": "product",
    "line_items": "line_item",
}
# Names HubSpot also accepts in object and association paths.
TYPE_ALIASES = {
    **OBJECT_TYPE_IDS,
    **{singular: plural for plural, singular in SINGULAR.items()},
    "line_item": "line_items",
    "lineitems": "line_items",
}


# HubSpot's scope names, as the published API descriptions spell them (each operation's
# ``security`` block), for what the sandbox serves. Authorizing anything else fails, as it
# does at HubSpot: there is no ``crm.schemas.products.*`` nor ``crm.schemas.line_items.write``.
ALL_SCOPES = (
    *(
        f"crm.objects.{t}.{access}"
        for t in ("companies", "contacts", "deals", "line_items", "products")
        for access in ("read", "write")
    ),
    "tickets",
    "crm.objects.owners.read",
    *(
        f"crm.schemas.{t}.{access}"
        for t in ("companies", "contacts", "deals", "tickets")
        for access in ("read", "write")
    ),
    "crm.schemas.line_items.read",
    "e-commerce",
    "oauth",
)
# Products and line items also accept the older, broader ``e-commerce`` scope.
COMMERCE_TYPES = ("products", "line_items")


def scope_for(object_type, access):
    """The scopes a read or write of ``object_type`` records accepts: any one of them will do."""
    if object_type == "tickets":
        return ("tickets",)
    granular = (f"crm.objects.{object_type}.{access}",)
    return (*granular, "e-commerce") if object_type in COMMERCE_TYPES else granular


def schema_scope_for(object_type, access="read"):
    """The scopes that read or change ``object_type``'s properties and property groups (any one).

    Reading: the type's schema scope where HubSpot has one, or a scope on its records.
    Changing: ``crm.schemas.<type>.write``; ``tickets`` for tickets; ``e-commerce`` alone for
    products and line items (HubSpot has no schema write scope for them).
    """
    if access == "write":
        if object_type in COMMERCE_TYPES:
            return ("e-commerce",)
        schema = (f"crm.schemas.{object_type}.write",)
        return (*schema, "tickets") if object_type == "tickets" else schema
    if object_type == "tickets":
        return ("crm.schemas.tickets.read", "tickets")
    if object_type == "products":  # the published descriptions list no products read scope here
        return ("crm.objects.products.write", "e-commerce")
    scopes = (f"crm.schemas.{object_type}.read", f"crm.objects.{object_type}.read", f"crm.objects.{object_type}.write")
    return (*scopes, "e-commerce") if object_type in COMMERCE_TYPES else scopes


def modified_property(object_type):
    """Contacts keep ``lastmodifieddate``; every other object ``hs_lastmodifieddate``."""
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


# --------------------------------------------------------------- associations
# HUBSPOT_DEFINED association types: id -> (from type, to type, label, inverse id).
ASSOCIATION_TYPES = {
    1: ("contacts", "companies", "Primary", 2),
    2: ("companies", "contacts", "Primary", 1),
    279: ("contacts", "companies", None, 280),
    280: ("companies", "contacts", None, 279),
    3: ("deals", "contacts", None, 4),
    4: ("contacts", "deals", None, 3),
    5: ("deals", "companies", "Primary", 6),
    6: ("companies", "deals", "Primary", 5),
    341: ("deals", "companies", None, 342),
    342: ("companies", "deals", None, 341),
    15: ("contacts", "tickets", None, 16),
    16: ("tickets", "contacts", None, 15),
    25: ("companies", "tickets", "Primary", 26),
    26: ("tickets", "companies", "Primary", 25),
    339: ("tickets", "companies", None, 340),
    340: ("companies", "tickets", None, 339),
    27: ("deals", "tickets", None, 28),
    28: ("tickets", "deals", None, 27),
    19: ("deals", "line_items", None, 20),
    20: ("line_items", "deals", None, 19),
    13: ("companies", "companies", "Child Company", 14),
    14: ("companies", "companies", "Parent Company", 13),
}
# The unlabeled type that "associate default" creates, per (from, to).
DEFAULT_ASSOCIATION = {
    (from_type, to_type): type_id
    for type_id, (from_type, to_type, label, _inverse) in ASSOCIATION_TYPES.items()
    if label is None
}
DEFAULT_ASSOCIATION[("companies", "companies")] = 13
# A record has at most one primary company; the primary type implies the unlabeled one.
PRIMARY_TYPES = {type_id for type_id, (_f, _t, label, _i) in ASSOCIATION_TYPES.items() if label == "Primary"}
PRIMARY_PAIRS = {ASSOCIATION_TYPES[type_id][:2] for type_id in PRIMARY_TYPES}


def association_type_name(type_id):
    """v3-style name shown in ``associations=`` of object reads (``contact_to_company``)."""
    from_type, to_type, label, _inverse = ASSOCIATION_TYPES[type_id]
    name = f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
    if type_id in (13, 14):
        return "parent_to_child_company" if type_id == 13 else "child_to_parent_company"
    if label is None and (from_type, to_type) in PRIMARY_PAIRS:
        return f"{name}_unlabeled"
    return name


# ----------------------------------------------------------------- properties
def prop(name, label, kind="string", field="text", group=None, options=None, **flags):
    """One property definition in HubSpot's shape (``/crm/v3/properties``)."""
    read_only = flags.pop("read_only", False)
    return {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": field,
        "description": flags.pop("description", ""),
        "groupName": group,
        "options": [
            {"label": o_label, "value": value, "displayOrder": order, "hidden": False}
            for order, (value, o_label) in enumerate(options or [])
        ],
        "displayOrder": -1,
        "calculated": flags.pop("calculated", False),
        "externalOptions": flags.pop("external_options", False),
        "hasUniqueValue": flags.pop("unique", False),
        "hidden": False,
        "hubspotDefined": flags.pop("hubspot_defined", True),
        "formField": not read_only,
        "modificationMetadata": {"archivable": False, "readOnlyDefinition": True, "readOnlyValue": read_only},
        "archived": False,
    }


def _common(group, modified):
    return [
        prop("createdate", "Create Date", "datetime", "date", group),
        prop(modified, "Last Modified Date", "datetime", "date", group, read_only=True, calculated=True),
        prop("hs_object_id", "Record ID", "number", "number", group, read_only=True),
        prop("hs_merged_object_ids", "Merged Record IDs", "enumeration", "checkbox", group, read_only=True),
        prop("hubspot_owner_id", "Owner", "enumeration", "select", group, external_options=True),
    ]


LIFECYCLE = [
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
]
LEAD_STATUS = [
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
]
INDUSTRIES = [
    ("COMPUTER_SOFTWARE", "Computer Software"),
    ("MACHINERY", "Machinery"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("FOOD_BEVERAGES", "Food & Beverages"),
    ("RETAIL", "Retail"),
    ("CONSTRUCTION", "Construction"),
    ("HOSPITALITY", "Hospitality"),
    ("FINANCIAL_SERVICES", "Financial Services"),
]
CURRENCIES = [("EUR", "Euro"), ("USD", "US Dollar"), ("GBP", "British Pound"), ("THB", "Thai Baht")]


def _address(group):
    return [
        prop("address", "Street Address", group=group),
        prop("address2", "Street Address 2", group=group),
        prop("city", "City", group=group),
        prop("state", "State/Region", group=group),
        prop("zip", "Postal Code", group=group),
        prop("country", "Country/Region", group=group),
        prop("phone", "Phone Number", "string", "phonenumber", group),
    ]


def default_properties():
    """A fresh catalogue: {object type: {name: definition}}."""
    companies = [
        prop("name", "Company name", group="companyinformation"),
        prop("domain", "Company Domain Name", group="companyinformation"),
        prop("website", "Website URL", group="companyinformation"),
        *_address("companyinformation"),
        prop("industry", "Industry", "enumeration", "select", "companyinformation", INDUSTRIES),
        prop("description", "Description", "string", "textarea", "companyinformation"),
        prop("numberofemployees", "Number of Employees", "number", "number", "companyinformation"),
        prop("annualrevenue", "Annual Revenue", "number", "number", "companyinformation"),
        prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "companyinformation", LIFECYCLE),
        prop("hs_lead_status", "Lead Status", "enumeration", "select", "companyinformation", LEAD_STATUS),
        prop(
            "type",
            "Type",
            "enumeration",
            "select",
            "companyinformation",
            [
                ("PROSPECT", "Prospect"),
                ("PARTNER", "Partner"),
                ("RESELLER", "Reseller"),
                ("VENDOR", "Vendor"),
                ("OTHER", "Other"),
            ],
        ),
        prop("hubspotscore", "HubSpot Score", "number", "number", "companyinformation"),
        prop("hs_parent_company_id", "Parent Company", "number", "number", "companyinformation", read_only=True),
        *_common("companyinformation", "hs_lastmodifieddate"),
    ]
    contacts = [
        prop("firstname", "First Name", group="contactinformation"),
        prop("lastname", "Last Name", group="contactinformation"),
        prop("email", "Email", group="contactinformation", unique=True),
        prop(
            "hs_additional_emails",
            "Additional email addresses",
            "enumeration",
            "checkbox",
            "contactinformation",
            read_only=True,
        ),
        prop("mobilephone", "Mobile Phone Number", "string", "phonenumber", "contactinformation"),
        prop("jobtitle", "Job Title", group="contactinformation"),
        prop("salutation", "Salutation", group="contactinformation"),
        prop("company", "Company Name", group="contactinformation"),
        prop("website", "Website URL", group="contactinformation"),
        *_address("contactinformation"),
        prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", LIFECYCLE),
        prop("hs_lead_status", "Lead Status", "enumeration", "select", "contactinformation", LEAD_STATUS),
        prop(
            "hs_language",
            "Preferred language",
            "enumeration",
            "select",
            "contactinformation",
            [("de", "German"), ("en", "English"), ("fi", "Finnish"), ("th", "Thai")],
        ),
        prop("hubspotscore", "HubSpot Score", "number", "number", "contactinformation"),
        *_common("contactinformation", "lastmodifieddate"),
    ]
    deals = [
        prop("dealname", "Deal Name", group="dealinformation"),
        prop("amount", "Amount", "number", "number", "dealinformation"),
        prop("closedate", "Close Date", "datetime", "date", "dealinformation"),
        prop("pipeline", "Pipeline", "enumeration", "select", "dealinformation", external_options=True),
        prop("dealstage", "Deal Stage", "enumeration", "radio", "dealinformation", external_options=True),
        prop(
            "dealtype",
            "Deal Type",
            "enumeration",
            "radio",
            "dealinformation",
            [("newbusiness", "New Business"), ("existingbusiness", "Existing Business")],
        ),
        prop("description", "Deal Description", "string", "textarea", "dealinformation"),
        prop("closed_lost_reason", "Closed Lost Reason", "string", "textarea", "dealinformation"),
        prop("closed_won_reason", "Closed Won Reason", "string", "textarea", "dealinformation"),
        prop("deal_currency_code", "Currency", "enumeration", "select", "dealinformation", CURRENCIES),
        prop(
            "hs_priority",
            "Priority",
            "enumeration",
            "select",
            "dealinformation",
            [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        ),
        prop(
            "hs_deal_stage_probability",
            "Deal probability",
            "number",
            "number",
            "dealinformation",
            read_only=True,
            calculated=True,
        ),
        prop(
            "hs_is_closed",
            "Is Deal Closed?",
            "bool",
            "booleancheckbox",
            "dealinformation",
            read_only=True,
            calculated=True,
        ),
        prop(
            "hs_is_closed_won",
            "Is Closed Won",
            "bool",
            "booleancheckbox",
            "dealinformation",
            read_only=True,
            calculated=True,
        ),
        *_common("dealinformation", "hs_lastmodifieddate"),
    ]
    tickets = [
        prop("subject", "Ticket name", group="ticketinformation"),
        prop("content", "Ticket description", "string", "textarea", "ticketinformation"),
        prop("hs_pipeline", "Pipeline", "enumeration", "select", "ticketinformation", external_options=True),
        prop("hs_pipeline_stage", "Ticket status", "enumeration", "select", "ticketinformation", external_options=True),
        prop(
            "hs_ticket_priority",
            "Priority",
            "enumeration",
            "select",
            "ticketinformation",
            [("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High"), ("URGENT", "Urgent")],
        ),
        prop(
            "hs_ticket_category",
            "Category",
            "enumeration",
            "checkbox",
            "ticketinformation",
            [
                ("PRODUCT_ISSUE", "Product issue"),
                ("BILLING_ISSUE", "Billing issue"),
                ("FEATURE_REQUEST", "Feature request"),
                ("GENERAL_INQUIRY", "General inquiry"),
            ],
        ),
        prop(
            "source_type",
            "Source",
            "enumeration",
            "select",
            "ticketinformation",
            [("EMAIL", "Email"), ("PHONE", "Phone"), ("CHAT", "Chat"), ("FORM", "Form")],
        ),
        prop("closed_date", "Close date", "datetime", "date", "ticketinformation"),
        *_common("ticketinformation", "hs_lastmodifieddate"),
    ]
    products = [
        prop("name", "Name", group="productinformation"),
        prop("description", "Description", "string", "textarea", "productinformation"),
        prop("price", "Unit price", "number", "number", "productinformation"),
        prop("hs_sku", "SKU", group="productinformation"),
        prop("hs_cost_of_goods_sold", "Unit cost", "number", "number", "productinformation"),
        prop(
            "hs_product_type",
            "Product type",
            "enumeration",
            "select",
            "productinformation",
            [("inventory", "Inventory"), ("non_inventory", "Non-inventory"), ("service", "Service")],
        ),
        prop("hs_recurring_billing_period", "Term", group="productinformation"),
        *_common("productinformation", "hs_lastmodifieddate"),
    ]
    line_items = [
        prop("name", "Name", group="lineiteminformation"),
        prop("description", "Description", "string", "textarea", "lineiteminformation"),
        prop("hs_product_id", "Product ID", "number", "number", "lineiteminformation"),
        prop("hs_sku", "SKU", group="lineiteminformation"),
        prop("quantity", "Quantity", "number", "number", "lineiteminformation"),
        prop("price", "Unit price", "number", "number", "lineiteminformation"),
        prop("discount", "Unit discount", "number", "number", "lineiteminformation"),
        prop("amount", "Net price", "number", "number", "lineiteminformation", read_only=True, calculated=True),
        prop("hs_line_item_currency_code", "Currency", "enumeration", "select", "lineiteminformation", CURRENCIES),
        *_common("lineiteminformation", "hs_lastmodifieddate"),
    ]
    catalogue = {
        "companies": companies,
        "contacts": contacts,
        "deals": deals,
        "tickets": tickets,
        "products": products,
        "line_items": line_items,
    }
    result = {}
    for object_type, definitions in catalogue.items():
        result[object_type] = {}
        for order, definition in enumerate(definitions):
            definition["displayOrder"] = order
            result[object_type][definition["name"]] = definition
    return result


# Labels of the default property groups (every default property belongs to one).
GROUP_LABELS = {
    "companyinformation": "Company information",
    "contactinformation": "Contact information",
    "dealinformation": "Deal information",
    "ticketinformation": "Ticket information",
    "productinformation": "Product information",
    "lineiteminformation": "Line item information",
}


def property_group(name, label, display_order=-1, hubspot_defined=False):
    """One property group; the API shows ``name, label, displayOrder, archived``."""
    return {
        "name": name,
        "label": label,
        "displayOrder": display_order,
        "archived": False,
        "hubspotDefined": hubspot_defined,
    }


def default_property_groups(properties):
    """{object type: {group name: group}}: the groups the given properties are in."""
    groups = {}
    for object_type, definitions in properties.items():
        names = dict.fromkeys(d["groupName"] for d in definitions.values() if d.get("groupName"))
        groups[object_type] = {
            name: property_group(name, GROUP_LABELS.get(name, name), order, hubspot_defined=name in GROUP_LABELS)
            for order, name in enumerate(names)
        }
    return groups


# What a read returns when no ``properties`` were asked for.
DEFAULT_READ_PROPERTIES = {
    "companies": ("name", "domain"),
    "contacts": ("firstname", "lastname", "email"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
    "tickets": ("subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority"),
    "products": ("name", "description", "price"),
    "line_items": ("name", "quantity", "price", "amount", "hs_product_id"),
}

# Free-text ``query`` of a search looks in these.
SEARCHABLE_PROPERTIES = {
    "companies": ("name", "domain", "website", "phone"),
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "deals": ("dealname",),
    "tickets": ("subject", "content"),
    "products": ("name", "hs_sku", "description"),
    "line_items": ("name", "hs_sku"),
}


# ------------------------------------------------------------------ pipelines
DEAL_STAGES = [
    ("appointmentscheduled", "Appointment Scheduled", "0.2"),
    ("qualifiedtobuy", "Qualified To Buy", "0.4"),
    ("presentationscheduled", "Presentation Scheduled", "0.6"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"),
    ("contractsent", "Contract Sent", "0.9"),
    ("closedwon", "Closed Won", "1.0"),
    ("closedlost", "Closed Lost", "0.0"),
]
TICKET_STAGES = [
    ("1", "New", "OPEN"),
    ("2", "Waiting on contact", "OPEN"),
    ("3", "Waiting on us", "OPEN"),
    ("4", "Closed", "CLOSED"),
]


def deal_stage(stage_id, label, probability, order, stamp):
    closed = probability in ("0.0", "1.0")
    return {
        "id": stage_id,
        "label": label,
        "displayOrder": order,
        "archived": False,
        "metadata": {"isClosed": str(closed).lower(), "probability": probability},
        "createdAt": stamp,
        "updatedAt": stamp,
        "writePermissions": "CRUD_ALL",
    }


def ticket_stage(stage_id, label, ticket_state, order, stamp):
    return {
        "id": stage_id,
        "label": label,
        "displayOrder": order,
        "archived": False,
        "metadata": {"ticketState": ticket_state, "isClosed": str(ticket_state == "CLOSED").lower()},
        "createdAt": stamp,
        "updatedAt": stamp,
        "writePermissions": "CRUD_ALL",
    }


def pipeline(pipeline_id, label, stages, order, stamp):
    return {
        "id": pipeline_id,
        "label": label,
        "displayOrder": order,
        "archived": False,
        "stages": stages,
        "createdAt": stamp,
        "updatedAt": stamp,
    }


def default_pipelines(stamp):
    """Every portal has a deal pipeline ``default`` and a ticket pipeline ``0``."""
    deals = [deal_stage(sid, label, p, n, stamp) for n, (sid, label, p) in enumerate(DEAL_STAGES)]
    tickets = [ticket_stage(sid, label, s, n, stamp) for n, (sid, label, s) in enumerate(TICKET_STAGES)]
    return {
        "deals": [pipeline("default", "Sales Pipeline", deals, 0, stamp)],
        "tickets": [pipeline("0", "Support Pipeline", tickets, 0, stamp)],
    }
