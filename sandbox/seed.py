"""Seed data: a small hand-written demo portal and deterministic bulk data for benchmarks."""

import random
from datetime import timedelta

from .values import iso

CITIES = [
    ("Berlin", "10115", "Germany", "+49 30"),
    ("Hamburg", "20095", "Germany", "+49 40"),
    ("München", "80331", "Germany", "+49 89"),
    ("Köln", "50667", "Germany", "+49 221"),
    ("Helsinki", "00100", "Finland", "+358 9"),
    ("Tampere", "33100", "Finland", "+358 3"),
    ("Oulu", "90100", "Finland", "+358 8"),
    ("Bangkok", "10110", "Thailand", "+66 2"),
    ("Chiang Mai", "50200", "Thailand", "+66 53"),
    ("London", "EC1A 1BB", "United Kingdom", "+44 20"),
    ("Manchester", "M1 1AE", "United Kingdom", "+44 161"),
    ("Boston", "02108", "United States", "+1 617"),
]
NAME_HEADS = [
    "Nord",
    "Süd",
    "Alpen",
    "Baltic",
    "Siam",
    "Lapin",
    "Harbour",
    "River",
    "Metro",
    "Polar",
    "Golden",
    "Järvi",
]
NAME_TAILS = [
    "Logistik",
    "Technik",
    "Systems",
    "Foods",
    "Trading",
    "Solutions",
    "Maschinenbau",
    "Puu",
    "Energy",
    "Analytics",
]
LEGAL_FORMS = ["GmbH", "AG", "KG", "Oy", "Co., Ltd.", "Ltd", "Inc."]
INDUSTRIES = [
    "COMPUTER_SOFTWARE",
    "MACHINERY",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "FOOD_BEVERAGES",
    "RETAIL",
    "CONSTRUCTION",
]
FIRST_NAMES = [
    "Anna",
    "Lukas",
    "Sophie",
    "Jürgen",
    "Marie",
    "Felix",
    "Mikko",
    "Aino",
    "Jussi",
    "Liisa",
    "Somchai",
    "Suda",
    "Niran",
    "Ploy",
    "Emily",
    "James",
    "Olivia",
    "Noah",
]
LAST_NAMES = [
    "Schmidt",
    "Müller",
    "Weiß",
    "Becker",
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Srisuk",
    "Wongsawat",
    "Chaiyaporn",
    "Smith",
    "Clarke",
    "O'Connor",
    "Taylor",
    "Hoffmann",
]
JOB_TITLES = [
    "Einkaufsleiterin",
    "Geschäftsführer",
    "Toimitusjohtaja",
    "Ostopäällikkö",
    "ผู้จัดการฝ่ายจัดซื้อ",
    "Head of Operations",
    "CFO",
    "IT Manager",
]
PRODUCT_WORDS = ["Service plan", "Spare part kit", "Installation day", "Licence", "Training", "Sensor", "Support hours"]
TICKET_SUBJECTS = [
    "Lieferung verspätet",
    "Rechnung fehlerhaft",
    "Laskussa virhe",
    "Toimitus myöhässä",
    "ไม่สามารถเข้าสู่ระบบได้",
    "Login page broken",
    "Export fails",
    "Wrong quantity delivered",
]
PARTNER_STAGES = [
    ("1001", "Lead", "0.1"),
    ("1002", "Negotiation", "0.5"),
    ("1003", "Won", "1.0"),
    ("1004", "Lost", "0.0"),
]
IT_TICKET_STAGES = [("2001", "Open", "OPEN"), ("2002", "In progress", "OPEN"), ("2003", "Resolved", "CLOSED")]
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "'": "", " ": ""})


def slug(text):
    return text.translate(ASCII).lower()


def seed_companies(state, count):
    """``count`` companies named ``Sandbox Company 00001``... (the first seed's shape)."""
    cities = ["Berlin", "Hamburg", "Munich", "Cologne", "Vienna", "Zurich", "Helsinki", "Bangkok"]
    with state.lock:
        for n in range(1, count + 1):
            state.add_record(
                "companies",
                {
                    "name": f"Sandbox Company {n:05d}",
                    "domain": f"company{n:05d}.example.com",
                    "phone": f"+49 30 {1000000 + n}",
                    "city": cities[n % len(cities)],
                    "country": "Germany",
                },
            )


def _extra_pipelines(state):
    if not any(p["label"] == "Partner Pipeline" for p in state.pipelines["deals"]):
        state.add_pipeline("deals", "Partner Pipeline", PARTNER_STAGES)
    if not any(p["label"] == "IT Support" for p in state.pipelines["tickets"]):
        state.add_pipeline("tickets", "IT Support", IT_TICKET_STAGES)


def seed_generated(
    state,
    companies=100,
    contacts_per_company=2,
    deals=None,
    tickets=None,
    products=20,
    owners=5,
    line_items_per_deal=2,
    seed=1,
):
    """Deterministic bulk data (same options and clock: same records, ids and associations).

    Companies with unique domains; ``contacts_per_company`` contacts each with unique
    emails and a primary company; owners; the default and a partner deal pipeline;
    deals (default: one per company) on companies and their contacts, with up to
    ``line_items_per_deal`` line items of the products (matched by ``hs_sku``);
    tickets (default: one per two companies). Timestamps are one second apart,
    the last one at the state's clock. Returns the counts per object type.
    """
    rng = random.Random(seed)
    deals = companies if deals is None else deals
    tickets = companies // 2 if tickets is None else tickets
    with state.lock:
        _extra_pipelines(state)
        owner_ids = [
            state.add_owner(
                f"{slug(first)}.{slug(last)}@sandbox-portal.example.com",
                first,
                last,
                teams=[{"id": "1", "name": "Sales", "primary": True}],
            )["id"]
            for first, last in (
                (FIRST_NAMES[(i * 7) % len(FIRST_NAMES)], LAST_NAMES[(i * 5) % len(LAST_NAMES)]) for i in range(owners)
            )
        ]
        deal_stages = {p["id"]: [s["id"] for s in p["stages"]] for p in state.pipelines["deals"]}
        ticket_stages = {p["id"]: [s["id"] for s in p["stages"]] for p in state.pipelines["tickets"]}
        total = companies * (1 + contacts_per_company) + deals * (1 + line_items_per_deal) + tickets + products
        start = state.clock() - timedelta(seconds=total)
        tick = iter(range(1, 10**12))

        def stamp():
            return iso(start + timedelta(seconds=next(tick)))

        insert = state._insert
        link = state._add
        product_rows = []
        for n in range(1, products + 1):
            price = f"{rng.randrange(1000, 500000) / 100:.2f}"
            props = {
                "name": f"{PRODUCT_WORDS[n % len(PRODUCT_WORDS)]} {n:04d}",
                "hs_sku": f"SKU-{n:05d}",
                "price": price,
                "hs_product_type": rng.choice(["inventory", "non_inventory", "service"]),
            }
            product_rows.append(insert("products", props, stamp()))
        company_rows = []
        for n in range(1, companies + 1):
            head, tail = rng.choice(NAME_HEADS), rng.choice(NAME_TAILS)
            city, zip_code, country, prefix = rng.choice(CITIES)
            domain = f"{slug(head)}{slug(tail)}{n}.example.com"
            props = {
                "name": f"{head} {tail} {rng.choice(LEGAL_FORMS)}",
                "domain": domain,
                "website": f"https://www.{domain}",
                "phone": f"{prefix} {rng.randrange(1000000, 9999999)}",
                "address": f"{tail}straße {rng.randrange(1, 200)}",
                "zip": zip_code,
                "city": city,
                "country": country,
                "industry": rng.choice(INDUSTRIES),
                "numberofemployees": str(rng.randrange(2, 5000)),
                "lifecyclestage": rng.choice(["lead", "opportunity", "customer"]),
            }
            if owner_ids:
                props["hubspot_owner_id"] = rng.choice(owner_ids)
            company = insert("companies", props, stamp())
            people = []
            for _k in range(contacts_per_company):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                number = state.next_ids["contacts"]
                contact = insert(
                    "contacts",
                    {
                        "firstname": first,
                        "lastname": last,
                        "email": f"{slug(first)}.{slug(last)}.{number}@{domain}",
                        "phone": f"{prefix} {rng.randrange(1000000, 9999999)}",
                        "jobtitle": rng.choice(JOB_TITLES),
                        "company": props["name"],
                        "city": city,
                        "country": country,
                        "lifecyclestage": props["lifecyclestage"],
                    },
                    stamp(),
                )
                link("contacts", contact["id"], "companies", company["id"], 1)
                link("contacts", contact["id"], "companies", company["id"], 279)
                people.append(contact["id"])
            company_rows.append((company, people))
        for n in range(1, deals + 1):
            if not company_rows:
                break
            company, people = rng.choice(company_rows)
            pipeline_id = "default" if rng.random() < 0.8 else next(p for p in deal_stages if p != "default")
            props = {
                "dealname": f"{company['properties']['name']} #{n:05d}",
                "pipeline": pipeline_id,
                "dealstage": rng.choice(deal_stages[pipeline_id]),
                "closedate": iso(start + timedelta(days=rng.randrange(0, 120))),
                "amount": str(rng.randrange(500, 250000)),
                "dealtype": rng.choice(["newbusiness", "existingbusiness"]),
            }
            if owner_ids:
                props["hubspot_owner_id"] = rng.choice(owner_ids)
            deal = insert("deals", props, stamp())
            link("deals", deal["id"], "companies", company["id"], 5)
            link("deals", deal["id"], "companies", company["id"], 341)
            for contact_id in people[: rng.randrange(0, 3)]:
                link("deals", deal["id"], "contacts", contact_id, 3)
            total_amount = 0.0
            for _k in range(rng.randrange(0, line_items_per_deal + 1) if product_rows else 0):
                product = rng.choice(product_rows)["properties"]
                quantity = rng.randrange(1, 10)
                item = insert(
                    "line_items",
                    {
                        "name": product["name"],
                        "hs_product_id": product["hs_object_id"],
                        "hs_sku": product["hs_sku"],
                        "quantity": str(quantity),
                        "price": product["price"],
                    },
                    stamp(),
                )
                link("line_items", item["id"], "deals", deal["id"], 20)
                total_amount += float(item["properties"]["amount"])
            if total_amount:
                deal["properties"]["amount"] = f"{total_amount:.2f}"
        for n in range(1, tickets + 1):
            if not company_rows:
                break
            company, people = rng.choice(company_rows)
            pipeline_id = "0" if rng.random() < 0.8 else next(p for p in ticket_stages if p != "0")
            ticket = insert(
                "tickets",
                {
                    "subject": f"{rng.choice(TICKET_SUBJECTS)} #{n:05d}",
                    "content": "Generated by the sandbox seed.",
                    "hs_pipeline": pipeline_id,
                    "hs_pipeline_stage": rng.choice(ticket_stages[pipeline_id]),
                    "hs_ticket_priority": rng.choice(["LOW", "MEDIUM", "HIGH", "URGENT"]),
                },
                stamp(),
            )
            link("tickets", ticket["id"], "companies", company["id"], 26)
            link("tickets", ticket["id"], "companies", company["id"], 339)
            if people:
                link("tickets", ticket["id"], "contacts", people[0], 16)
    return {object_type: len(records) for object_type, records in state.objects.items()}


# --------------------------------------------------------------------- demo
DEMO_OWNERS = [
    ("admin@yourcompany.example.com", "Mitchell", "Admin"),
    ("lena.hoffmann@sandbox-portal.example.com", "Lena", "Hoffmann"),
    ("matti.laine@sandbox-portal.example.com", "Matti", "Laine"),
    ("pim.srisuk@sandbox-portal.example.com", "Pim", "Srisuk"),
    ("oliver.grant@sandbox-portal.example.com", "Oliver", "Grant"),
]
# key: (name, domain, street, zip, city, country, phone, industry, owner index, extra properties)
DEMO_COMPANIES = {
    "mueller": (
        "Müller Maschinenbau GmbH",
        "mueller-maschinenbau.example",
        "Königstraße 12",
        "70173",
        "Stuttgart",
        "Germany",
        "+49 711 2345670",
        "MACHINERY",
        1,
        {},
    ),
    "mueller_service": (
        "Müller Maschinenbau Service GmbH",
        "service.mueller-maschinenbau.example",
        "Prager Straße 8",
        "01069",
        "Dresden",
        "Germany",
        "+49 351 4401200",
        "MACHINERY",
        1,
        {},
    ),
    "schaefer": (
        "Bäckerei Schäfer KG",
        "baeckerei-schaefer.example",
        "Marienplatz 3",
        "80331",
        "München",
        "Germany",
        "+49 89 5512340",
        "FOOD_BEVERAGES",
        1,
        {"sync_to_odoo": "nein"},
    ),
    "nordlicht": (
        "Nordlicht Logistik GmbH",
        "nordlicht-logistik.example",
        "Am Sandtorkai 40",
        "20457",
        "Hamburg",
        "Germany",
        "+49 40 3009870",
        "LOGISTICS_AND_SUPPLY_CHAIN",
        0,
        {},
    ),
    "jarvinen": (
        "Järvinen Teknologia Oy",
        "jarvinen-teknologia.example",
        "Hämeenkatu 5",
        "33100",
        "Tampere",
        "Finland",
        "+358 3 2126000",
        "COMPUTER_SOFTWARE",
        2,
        {},
    ),
    "pohjolan": (
        "Pohjolan Puu Oy",
        "pohjolanpuu.example",
        "Kirkkokatu 22",
        "90100",
        "Oulu",
        "Finland",
        "+358 8 5581200",
        "CONSTRUCTION",
        2,
        {},
    ),
    "siamtech": (
        "บริษัท สยามเทคโนโลยี จำกัด",
        "siamtech.example",
        "99 ถนนสุขุมวิท",
        "10110",
        "กรุงเทพมหานคร",
        "Thailand",
        "+66 2 2541234",
        "COMPUTER_SOFTWARE",
        3,
        {},
    ),
    "organic": (
        "บริษัท เชียงใหม่ ออร์แกนิค ฟาร์ม จำกัด",
        "cm-organic.example",
        "12 ถนนนิมมานเหมินท์",
        "50200",
        "เชียงใหม่",
        "Thailand",
        "+66 53 221987",
        "FOOD_BEVERAGES",
        3,
        {},
    ),
    "riverside": (
        "Riverside Analytics Ltd",
        "riverside-analytics.example",
        "1 Spinningfields",
        "M3 3AP",
        "Manchester",
        "United Kingdom",
        "+44 161 4960000",
        "COMPUTER_SOFTWARE",
        4,
        {},
    ),
    "blueharbour": (
        "Blue Harbour Trading Inc.",
        "blueharbour.example",
        "200 Atlantic Ave",
        "02110",
        "Boston",
        "United States",
        "+1 617 5550100",
        "RETAIL",
        4,
        {"sync_to_odoo": "no"},
    ),
}
# (key, company key or None, first, last, email, job title, phone, language)
DEMO_CONTACTS = [
    (
        "anna",
        "mueller",
        "Anna",
        "Schmidt",
        "anna.schmidt@mueller-maschinenbau.example",
        "Einkaufsleiterin",
        "+49 711 2345671",
        "de",
    ),
    (
        "juergen",
        "mueller",
        "Jürgen",
        "Weiß",
        "juergen.weiss@mueller-maschinenbau.example",
        "Geschäftsführer",
        "+49 711 2345672",
        "de",
    ),
    (
        "karl",
        "mueller_service",
        "Karl",
        "Neumann",
        "karl.neumann@service.mueller-maschinenbau.example",
        "Serviceleiter",
        "+49 351 4401201",
        "de",
    ),
    (
        "sophie",
        "schaefer",
        "Sophie",
        "Becker",
        "sophie.becker@baeckerei-schaefer.example",
        "Inhaberin",
        "+49 89 5512341",
        "de",
    ),
    (
        "lukas",
        "nordlicht",
        "Lukas",
        "Fischer",
        "lukas.fischer@nordlicht-logistik.example",
        "Disponent",
        "+49 40 3009871",
        "de",
    ),
    (
        "mikko",
        "jarvinen",
        "Mikko",
        "Virtanen",
        "mikko.virtanen@jarvinen-teknologia.example",
        "Toimitusjohtaja",
        "+358 40 1234567",
        "fi",
    ),
    (
        "aino",
        "jarvinen",
        "Aino",
        "Korhonen",
        "aino.korhonen@jarvinen-teknologia.example",
        "Ostopäällikkö",
        "+358 40 7654321",
        "fi",
    ),
    (
        "jussi",
        "pohjolan",
        "Jussi",
        "Mäkinen",
        "jussi.makinen@pohjolanpuu.example",
        "Tuotantopäällikkö",
        "+358 50 5551234",
        "fi",
    ),
    ("somchai", "siamtech", "สมชาย", "ใจดี", "somchai.j@siamtech.example", "ผู้จัดการฝ่ายไอที", "+66 81 2345678", "th"),
    ("sunee", "siamtech", "สุนีย์", "วงศ์สวัสดิ์", "sunee.w@siamtech.example", "ผู้จัดการฝ่ายจัดซื้อ", "+66 89 8765432", "th"),
    ("niran", "organic", "นิรันดร์", "ชัยพร", "niran@cm-organic.example", "เจ้าของกิจการ", "+66 53 221988", "th"),
    (
        "emily",
        "riverside",
        "Emily",
        "Clarke",
        "emily.clarke@riverside-analytics.example",
        "Head of Data",
        "+44 7700 900123",
        "en",
    ),
    (
        "james",
        "riverside",
        "James",
        "O'Connor",
        "james.oconnor@riverside-analytics.example",
        "CFO",
        "+44 7700 900456",
        "en",
    ),
    (
        "olivia",
        "blueharbour",
        "Olivia",
        "Taylor",
        "olivia.taylor@blueharbour.example",
        "Procurement Manager",
        "+1 617 5550101",
        "en",
    ),
    ("hannah", None, "Hannah", "Weber", "hannah.weber@freelance.example", "Beraterin", "+49 170 1234567", "de"),
]
DEMO_PRODUCTS = [
    ("maintenance", "Wartungspaket Premium", "MNT-PREM", "4800", "service"),
    ("spares", "Ersatzteilset A", "SP-A-100", "350", "inventory"),
    ("install", "Installation (Tag)", "SRV-DAY", "1200", "service"),
    ("seat", "Analytics Seat (12 months)", "AN-SEAT", "600", "non_inventory"),
]
# (name, company, contacts, stage, amount, currency, owner index, close date, line items [(product, quantity)])
DEMO_DEALS = [
    (
        "Wartungsvertrag 2027",
        "mueller",
        ["juergen"],
        "contractsent",
        None,
        "EUR",
        1,
        "2027-01-31",
        [("maintenance", 1), ("install", 2)],
    ),
    ("Neue Verpackungslinie", "mueller", ["anna"], "qualifiedtobuy", "85000", "EUR", 1, "2027-03-15", []),
    (
        "Varastojärjestelmän uusiminen",
        "jarvinen",
        ["mikko", "aino"],
        "presentationscheduled",
        "42000",
        "EUR",
        2,
        "2027-02-28",
        [],
    ),
    ("ระบบ ERP สำหรับโรงงาน", "siamtech", ["somchai"], "decisionmakerboughtin", "1200000", "THB", 3, "2027-04-30", []),
    ("Analytics platform renewal", "riverside", ["emily"], "closedwon", None, "GBP", 4, "2026-11-30", [("seat", 40)]),
    ("Pilot project", "blueharbour", ["olivia"], "closedlost", "5000", "USD", 4, "2026-10-15", []),
]
# (subject, content, company, contact, stage, priority)
DEMO_TICKETS = [
    ("Lieferung verspätet", "Die Ersatzteile für Linie 3 sind noch nicht angekommen.", "mueller", "anna", "1", "HIGH"),
    ("Rechnung fehlerhaft", "Auf der Rechnung fehlt der vereinbarte Rabatt.", "schaefer", "sophie", "3", "MEDIUM"),
    ("Laskussa virhe", "Laskun viitenumero on väärä.", "jarvinen", "aino", "2", "LOW"),
    ("ไม่สามารถเข้าสู่ระบบได้", "ผู้ใช้ไม่สามารถเข้าสู่ระบบได้ตั้งแต่เช้านี้", "siamtech", "somchai", "1", "URGENT"),
    ("Dashboard export fails", "CSV export of the revenue dashboard times out.", "riverside", "emily", "4", "MEDIUM"),
]


def seed_demo(state):
    """The demo portal (validated like API writes). Returns {key: record id} of what it made."""
    ids = {}
    with state.lock:
        if "sync_to_odoo" not in state.properties["companies"]:
            state.create_property(
                "companies",
                {
                    "name": "sync_to_odoo",
                    "label": "Sync to Odoo",
                    "type": "string",
                    "fieldType": "text",
                    "groupName": "companyinformation",
                    "description": "'no'/'nein' keeps the company (and its contacts and deals) out of Odoo",
                },
            )
        owners = [state.add_owner(email, first, last)["id"] for email, first, last in DEMO_OWNERS]
        for key, (
            name,
            domain,
            street,
            zip_code,
            city,
            country,
            phone,
            industry,
            owner,
            extra,
        ) in DEMO_COMPANIES.items():
            ids[key] = state.create_record(
                "companies",
                {
                    "name": name,
                    "domain": domain,
                    "website": f"https://www.{domain}",
                    "address": street,
                    "zip": zip_code,
                    "city": city,
                    "country": country,
                    "phone": phone,
                    "industry": industry,
                    "hubspot_owner_id": owners[owner],
                    "lifecyclestage": "customer",
                    **extra,
                },
            )["id"]
        state.associate("companies", ids["mueller"], "companies", ids["mueller_service"], [13])
        for key, company, first, last, email, title, phone, language in DEMO_CONTACTS:
            ids[key] = state.create_record(
                "contacts",
                {
                    "firstname": first,
                    "lastname": last,
                    "email": email,
                    "jobtitle": title,
                    "phone": phone,
                    "hs_language": language,
                    "lifecyclestage": "customer" if company else "lead",
                },
            )["id"]
            if company:
                state.associate("contacts", ids[key], "companies", ids[company], [1])
        for key, name, sku, price, kind in DEMO_PRODUCTS:
            ids[key] = state.create_record(
                "products", {"name": name, "hs_sku": sku, "price": price, "hs_product_type": kind}
            )["id"]
        for n, (name, company, contacts, stage, amount, currency, owner, close, items) in enumerate(DEMO_DEALS):
            props = {
                "dealname": name,
                "pipeline": "default",
                "dealstage": stage,
                "deal_currency_code": currency,
                "hubspot_owner_id": owners[owner],
                "closedate": close,
            }
            if amount:
                props["amount"] = amount
            deal_id = ids[f"deal{n}"] = state.create_record("deals", props)["id"]
            state.associate("deals", deal_id, "companies", ids[company], [5])
            for contact in contacts:
                state.associate("deals", deal_id, "contacts", ids[contact])
            for product, quantity in items:
                product_props = state.objects["products"][ids[product]]["properties"]
                item = state.create_record(
                    "line_items",
                    {
                        "name": product_props["name"],
                        "hs_product_id": ids[product],
                        "hs_sku": product_props["hs_sku"],
                        "quantity": quantity,
                        "price": product_props["price"],
                    },
                )
                state.associate("line_items", item["id"], "deals", deal_id)
        for n, (subject, content, company, contact, stage, priority) in enumerate(DEMO_TICKETS):
            ticket_id = ids[f"ticket{n}"] = state.create_record(
                "tickets",
                {
                    "subject": subject,
                    "content": content,
                    "hs_pipeline": "0",
                    "hs_pipeline_stage": stage,
                    "hs_ticket_priority": priority,
                },
            )["id"]
            state.associate("tickets", ticket_id, "companies", ids[company], [26])
            state.associate("tickets", ticket_id, "contacts", ids[contact])
    return ids
