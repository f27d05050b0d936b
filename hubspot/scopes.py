"""HubSpot's OAuth scopes, by what the connector does with an object type.

Names as the published API descriptions spell them (each operation's ``security``
block). There is no ``crm.schemas.products.*`` and no ``crm.schemas.line_items.write``:
asking for a scope that does not exist makes HubSpot refuse the whole install. Changing
the properties of products and line items takes ``e-commerce``.
"""

ACCOUNT_SCOPES = ("oauth", "crm.objects.owners.read")  # account details and daily usage; owners
COMMERCE_TYPES = ("products", "line_items")


def record_scopes(object_type):
    """Reading and writing the records of ``object_type``."""
    if object_type == "tickets":
        return ("tickets",)
    return (f"crm.objects.{object_type}.read", f"crm.objects.{object_type}.write")


def schema_scopes(object_type):
    """Reading the type's properties and creating its properties and property groups."""
    if object_type in COMMERCE_TYPES:
        return ("e-commerce",)
    return (f"crm.schemas.{object_type}.read", f"crm.schemas.{object_type}.write")


def scopes_for(object_types, associated=()):
    """Every scope an app needs to sync ``object_types`` (their records and properties) and to
    read and associate the ``associated`` types' records; the account scopes first, no repeats."""
    scopes = list(ACCOUNT_SCOPES)
    for object_type in object_types:
        scopes += [*record_scopes(object_type), *schema_scopes(object_type)]
    for object_type in associated:
        scopes += record_scopes(object_type)
    return list(dict.fromkeys(scopes))
