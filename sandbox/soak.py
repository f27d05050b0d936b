"""The soak's portal (``tools/soak.py``): bulk data with the bulk-edit trap, and hostile records.

``seed_soak(state, ...)`` adds, from one fixed seed (same seed, same portal):

- generated companies, contacts, deals with line items and tickets (:func:`seed.seed_generated`);
- the **bulk-edit trap**: a third of the contacts share one last-modified timestamp (as after a
  bulk edit or an import in HubSpot), more than search's 10,000-result cap in the full soak;
- **hostile records** (:func:`seed_hostile`): 100 kB strings, RTL and emoji text, NUL bytes,
  invalid and duplicate emails, non-finite and non-numeric numbers (companies' and contacts'
  scores, deal amounts), garbled dates (the last-modified date included), unknown stages,
  pipelines, owners and countries, dangling and circular associations, merged ids.

Everything is stored without validation, as HubSpot's own imports may store it. The answer
lists each hostile record (type, id, kind) so the soak can account for every one of them.
"""

import random
from datetime import timedelta

from .values import iso, to_ms

HOSTILE_KINDS = {
    "companies": (
        "huge_text",
        "rtl_emoji",
        "nul_bytes",
        "bad_number",
        "unknown_country",
        "unknown_owner",
        "garbled_modified",
        "circular_parent",
        "merged",
    ),
    "contacts": (
        "huge_text",
        "rtl_emoji",
        "nul_bytes",
        "invalid_email",
        "duplicate_email",
        "unknown_owner",
        "garbled_modified",
        "dangling_company",
        "merged",
        "non_finite_number",
    ),
    "deals": (
        "bad_amount",
        "garbled_date",
        "unknown_stage",
        "unknown_pipeline",
        "unknown_owner",
        "dangling_contact",
        "garbled_modified",
        "rtl_emoji",
    ),
    "tickets": ("unknown_pipeline", "unknown_stage", "huge_text", "nul_bytes", "garbled_modified", "dangling_company"),
}
# Shares of the hostile records per type.
HOSTILE_SHARES = (("companies", 0.35), ("contacts", 0.35), ("deals", 0.15), ("tickets", 0.15))
RTL_EMOJI = (
    "شركة الاختبار 🚀",
    "חברת בדיקה ✡️ 👩‍💻",
    "مرحبا بالعالم 🌍👨‍👩‍👧‍👦",
    "ﷺ 🇸🇦 متجر",
    "\u200fשלום\u200e 🙂 עולם",  # right-to-left and left-to-right marks
)
BAD_NUMBERS = ("NaN", "inf", "-Infinity", "1e400", "twelve", "12,5", "")
NON_FINITE = ("NaN", "inf", "-Infinity", "1e400", "Infinity", "-nan")
BAD_DATES = ("31/02/2026", "yesterday", "0000-00-00", "2026-13-45", "99999999999999999999", "NaN")
BAD_EMAILS = ("not-an-email", "a@@b.example", "@example.com", "spaces in@example.com", "ümlaut@exämple")
MISSING_ID = 990_000_000  # no record ever gets such an id


def seed_soak(state, companies=5000, contacts_per_company=2, deals=2000, tickets=1000, hostile=1000, seed=15):
    """The soak's portal (see the module's text). Returns counts, the trap's size and the hostile records."""
    from .seed import seed_generated

    with state.lock:
        counts = seed_generated(
            state,
            companies=companies,
            contacts_per_company=contacts_per_company,
            deals=deals,
            tickets=tickets,
            seed=seed,
        )
        trap = bulk_edit_trap(state, share=1 / 3, seed=seed)
        listed = seed_hostile(state, hostile, seed=seed)
        counts = {object_type: len(records) for object_type, records in state.objects.items()}
        return {"counts": counts, "bulk_edit_trap": trap, "hostile": listed}


def bulk_edit_trap(state, share=1 / 3, seed=15):
    """Put ``share`` of the contacts on one last-modified timestamp (a bulk edit); returns how many."""
    rng = random.Random(seed * 7919)
    with state.lock:
        contacts = [r for r in state.objects["contacts"].values() if not r["archived"]]
        chosen = rng.sample(contacts, int(len(contacts) * share))
        stamp = iso(state.clock() - timedelta(seconds=1))
        index = state._modified["contacts"]
        for record in chosen:
            record["properties"]["lastmodifieddate"] = stamp
            record["updatedAt"] = stamp
            index.add(int(record["id"]), to_ms(stamp))
        return len(chosen)


def seed_hostile(state, count, seed=15):
    """``count`` hostile records, spread over companies, contacts, deals and tickets.

    Returns ``[{"type", "id", "kind"}]``: a merged record is listed under its surviving id.
    """
    rng = random.Random(seed * 104729)
    listed = []
    with state.lock:
        companies = [r["id"] for r in state.objects["companies"].values() if not r["archived"]]
        contacts = [r for r in state.objects["contacts"].values() if not r["archived"]]
        pipelines = state.pipelines["tickets"]
        deal_pipeline = state.pipelines["deals"][0]
        plan = []
        for object_type, share in HOSTILE_SHARES:
            kinds = HOSTILE_KINDS[object_type]
            plan += [(object_type, kinds[n % len(kinds)]) for n in range(round(count * share))]
        plan = plan[:count]
        while len(plan) < count:
            plan.append(("companies", "rtl_emoji"))
        merged_pairs = []
        parents = []
        for n, (object_type, kind) in enumerate(plan):
            tag = f"Hostile {object_type[:-1]} {n:04d}"
            stamp = iso(state.clock() - timedelta(milliseconds=count - n))
            props = _hostile_base(object_type, tag, n, deal_pipeline, pipelines)
            link_to = None
            if kind == "huge_text":
                big = (tag + " ") + ("Ä€字🙂 " * 20000)[:100_000]
                props[
                    "description"
                    if object_type == "companies"
                    else "content"
                    if object_type == "tickets"
                    else "jobtitle"
                ] = big
                if object_type == "contacts":
                    props["lastname"] = big[:100_000]
            elif kind == "rtl_emoji":
                text = rng.choice(RTL_EMOJI)
                key = {"companies": "name", "contacts": "firstname", "deals": "dealname", "tickets": "subject"}[
                    object_type
                ]
                props[key] = f"{text} {n:04d}"
            elif kind == "nul_bytes":
                key = {"companies": "name", "contacts": "lastname", "tickets": "subject"}[object_type]
                props[key] = f"Nul\x00byte\x00 {tag}"
                if object_type == "companies":
                    props["city"] = "Ber\x00lin"
            elif kind == "bad_number":
                props["numberofemployees"] = rng.choice(BAD_NUMBERS[:-1])
                props["hubspotscore"] = rng.choice(BAD_NUMBERS[:-1])
            elif kind == "non_finite_number":  # a contact's score: a number property (the soak maps it)
                props["hubspotscore"] = rng.choice(NON_FINITE)
            elif kind == "bad_amount":
                props["amount"] = rng.choice(BAD_NUMBERS[:-1])
            elif kind == "garbled_date":
                props["closedate"] = rng.choice(BAD_DATES)
            elif kind == "unknown_country":
                props["country"] = rng.choice(("Atlantis", "Zz", "Freedonia", "🏴‍☠️"))
                props["state"] = "Nowhere State"
            elif kind == "unknown_owner":
                props["hubspot_owner_id"] = str(rng.randrange(10**8, 10**9))
            elif kind == "unknown_stage":
                if object_type == "deals":
                    props["dealstage"] = f"ghost_stage_{n}"
                else:
                    props["hs_pipeline_stage"] = f"ghost_status_{n}"
            elif kind == "unknown_pipeline":
                if object_type == "deals":
                    props.update(pipeline=f"ghost_pipeline_{n}", dealstage=f"ghost_stage_{n}")
                else:
                    props.update(hs_pipeline=f"ghost_pipeline_{n}", hs_pipeline_stage=f"ghost_status_{n}")
            elif kind == "invalid_email":
                props["email"] = f"{rng.choice(BAD_EMAILS)}{n}"
            elif kind == "duplicate_email":
                props["email"] = rng.choice(contacts)["properties"].get("email") or f"dup{n}@example.com"
            elif kind in ("dangling_company", "dangling_contact"):
                link_to = kind
            record = state._insert(object_type, props, stamp)
            object_id = record["id"]
            if kind == "garbled_modified":
                # The property holds garbage; the search index keeps the real time (as edit_record).
                record["properties"][_modified(object_type)] = rng.choice(("yesterday", "2026-02-30T25:61:00Z", "NaN"))
            if object_type in ("contacts", "deals", "tickets") and companies and kind != "dangling_company":
                company_id = rng.choice(companies)
                if object_type == "contacts":
                    state._add("contacts", object_id, "companies", company_id, 1)
                    state._add("contacts", object_id, "companies", company_id, 279)
                elif object_type == "deals":
                    state._add("deals", object_id, "companies", company_id, 5)
                    state._add("deals", object_id, "companies", company_id, 341)
                else:
                    state._add("tickets", object_id, "companies", company_id, 26)
                    state._add("tickets", object_id, "companies", company_id, 339)
            if link_to == "dangling_company":
                missing = str(MISSING_ID + n)
                if object_type == "contacts":
                    state._add("contacts", object_id, "companies", missing, 1)
                    state._add("contacts", object_id, "companies", missing, 279)
                else:
                    state._add("tickets", object_id, "companies", missing, 26)
            elif link_to == "dangling_contact":
                state._add("deals", object_id, "contacts", str(MISSING_ID + n), 3)
            if kind == "circular_parent":
                parents.append(object_id)
            if kind == "merged":
                merged_pairs.append((object_type, object_id))
            listed.append({"type": object_type, "id": object_id, "kind": kind})
        # Circular parents: each company the parent of the next, the last the parent of the first.
        for a, b in zip(parents, parents[1:] + parents[:1], strict=True):
            if a != b:
                state._add("companies", a, "companies", b, 13)
        # Merged ids: each "merged" record absorbs a generated one of its type (a new id survives).
        merged = {}
        for object_type, object_id in merged_pairs:
            pool = companies if object_type == "companies" else [c["id"] for c in contacts]
            other = rng.choice(pool)
            if state.find(object_type, other) is None or state.resolve(object_type, other) != other:
                continue
            survivor = state.merge_records(object_type, object_id, other)
            merged[(object_type, object_id)] = survivor["id"]
            pool.remove(other)
        for entry in listed:
            survivor = merged.get((entry["type"], entry["id"]))
            if survivor:
                entry.update(id=survivor, merged_from=entry["id"])
        return listed


def _hostile_base(object_type, tag, n, deal_pipeline, ticket_pipelines):
    slug = tag.lower().replace(" ", "-")
    if object_type == "companies":
        return {"name": tag, "domain": f"{slug}.hostile.example", "city": "Oulu", "country": "Finland"}
    if object_type == "contacts":
        return {"firstname": "Hostile", "lastname": f"Contact {n:04d}", "email": f"{slug}@hostile.example"}
    if object_type == "deals":
        return {
            "dealname": tag,
            "pipeline": deal_pipeline["id"],
            "dealstage": deal_pipeline["stages"][0]["id"],
            "amount": "1000",
            "closedate": "2026-09-30T00:00:00.000Z",
        }
    pipeline = ticket_pipelines[0]
    return {
        "subject": tag,
        "content": "A hostile ticket.",
        "hs_pipeline": pipeline["id"],
        "hs_pipeline_stage": pipeline["stages"][0]["id"],
        "hs_ticket_priority": "HIGH",
    }


def _modified(object_type):
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
