# Run by tools/soak.py inside `odoo shell` (which provides `env`) once the sync has converged:
# compares both sides record by record, field by field through the account's mappings, and writes
# the figures as JSON to $SOAK_RESULT. HubSpot's side is the sandbox's whole state, read through its
# admin API (no fault touches it) into $SOAK_PORTAL; the facts the driver collected (hostile records, deletions, merges, the
# records its scripted user created and its last edits) come from $SOAK_FACTS.
import json
import os
from collections import Counter, defaultdict

from odoo.tools.mail import html2plaintext

from odoo.addons.hubspot_connector.hubspot.values import clean_record
from odoo.addons.hubspot_connector.models.hubspot_sync_run_state import RunLookups

env = env  # noqa: F821 - provided by odoo shell
with open(os.environ["SOAK_FACTS"], encoding="utf-8") as handle:
    facts = json.load(handle)
with open(os.environ["SOAK_PORTAL"], encoding="utf-8") as handle:
    portal = json.load(handle)
account = env["hubspot.account"].browse(int(os.environ["SOAK_ACCOUNT"]))
engine = env["hubspot.sync.engine"]
cache = RunLookups(env, account)  # what the mappings look up (owners, countries, currencies)
TYPES = ("companies", "contacts", "deals", "tickets", "products", "line_items")
ODOO_ID = "odoo_record_id"
SAMPLES = 8

objects = portal["objects"]
live = {t: {i: r for i, r in objects.get(t, {}).items() if not r["archived"]} for t in TYPES}
hostile = {(h["type"], h["id"]): h for h in facts["hostile"]}
deleted = {tuple(d) for d in facts["deleted"]}
created_in_hubspot = facts["created_in_hubspot"]  # [type, id, token]
created_in_odoo = facts["created_in_odoo"]  # [type, token]: the RPC's answer may have been lost with its server
errors = env["hubspot.sync.error"].search([("account_id", "=", account.id), ("state", "=", "open")])
logged = defaultdict(list)
for error in errors:
    logged[(error.object_type, error.hubspot_id or f"odoo:{error.res_id}")].append(error.reason or "")
mapped_projects = set(
    account.pipeline_ids.filtered(lambda p: p.object_type == "tickets" and p.project_id).mapped("hubspot_id")
)

result = {
    "duplicates_odoo": 0,
    "duplicates_hubspot": 0,
    "lost_in_odoo": 0,
    "lost_in_hubspot": 0,
    "stale_records": 0,
    "stale_fields": 0,
    "explained_fields": Counter(),
    "hostile_total": len(hostile),
    "hostile_synced": 0,
    "hostile_logged": 0,
    "hostile_skipped_by_rule": 0,
    "hostile_deleted": 0,
    "hostile_unaccounted": 0,
    "edits_checked": 0,
    "edits_lost": 0,
    "records_compared": 0,
    "fields_compared": 0,
    "runs_left_running": env["hubspot.sync.run"].search_count([("state", "=", "running")]),
    "open_errors": len(errors),
    "samples": defaultdict(list),
}


def sample(kind, text):
    if len(result["samples"][kind]) < SAMPLES:
        result["samples"][kind].append(text)


def same_odoo(mapping, record, value):
    """Is ``value`` (a mapping's Odoo value for HubSpot's text) what ``record`` holds?"""
    current = record[mapping.field_name]
    if value is None:
        return True  # no opinion (an owner without Odoo user): Odoo keeps its own
    if hasattr(current, "_name"):  # a relation
        if isinstance(value, list):  # Command.set
            return set(current.ids) == set(value[0][2])
        wanted = value.id if hasattr(value, "id") else value or False
        return (current.id or False) == wanted
    if mapping.kind == "html":
        return html2plaintext(current or "").strip() == html2plaintext(value or "").strip()
    if isinstance(current, float) or isinstance(value, float):
        return abs((current or 0.0) - (value or 0.0)) < 0.005
    return (current or False) == (value or False)


def qualifies_in_odoo(object_type, record):
    """Must this live HubSpot record be in Odoo? (the account syncs everything; tickets need a project)"""
    props = record["properties"]
    if object_type == "tickets" and props.get("hs_pipeline") not in mapped_projects:
        return False
    if object_type == "line_items":
        return any(linked_ids["deals"].get(deal_id) for deal_id in deals_of_item.get(record["id"], ()))
    return True


deals_of_item = defaultdict(set)
for from_type, from_id, to_type, to_id, _types in portal["links"]:
    if from_type == "line_items" and to_type == "deals":
        deals_of_item[str(from_id)].add(str(to_id))


# ------------------------------------------------------------------ Odoo's side
linked_ids = {}
by_hubspot_id = {}
for object_type in TYPES:
    spec = engine._spec(object_type)
    Model = env[spec.model].with_context(active_test=False)
    bound = Model.search([("hubspot_account_id", "=", account.id), ("hubspot_object_type", "=", object_type)])
    counts = Counter(bound.mapped("hubspot_id"))
    for hubspot_id, n in counts.items():
        if n > 1:
            result["duplicates_odoo"] += n - 1
            sample("duplicates_odoo", f"{object_type} {hubspot_id}: {n} Odoo records")
    linked = bound.filtered("hubspot_linked")
    linked_ids[object_type] = {r.hubspot_id: r for r in linked}
    by_hubspot_id[object_type] = {r.hubspot_id: r for r in bound}

# Natural keys: one HubSpot company per domain, one contact per email, must be one Odoo record.
Partner = env["res.partner"].with_context(active_test=False)
for object_type, field, prop, normalize in (
    ("companies", "hubspot_domain", "domain", lambda v: (v or "").strip().lower()),
    ("contacts", "email_normalized", "email", lambda v: (v or "").strip().lower()),
):
    spec = engine._spec(object_type)
    rows = Partner.search_read(
        list(spec.domain) + [(field, "!=", False), ("active", "in", (True, False))],
        [field, "hubspot_id", "hubspot_linked"],
    )
    # Two linked records HubSpot merged: Odoo keeps both partners (it merges none by itself), the
    # absorbed one unlinked. Counted apart, not as a duplicate the sync made.
    absorbed = portal.get("aliases", {}).get(object_type, {})
    kept = [r for r in rows if not r["hubspot_linked"] and r["hubspot_id"] in absorbed]
    result["merged_in_hubspot_kept_in_odoo"] = result.get("merged_in_hubspot_kept_in_odoo", 0) + len(kept)
    rows = [r for r in rows if r not in kept]
    odoo_keys = Counter(normalize(r[field]) for r in rows)
    hubspot_keys = Counter(normalize(r["properties"].get(prop)) for r in live[object_type].values())
    for key, n in odoo_keys.items():
        if key and n > max(1, hubspot_keys.get(key, 0)):
            result["duplicates_odoo"] += n - max(1, hubspot_keys.get(key, 0))
            sample(
                "duplicates_odoo", f"{object_type} {prop} {key!r}: {n} in Odoo, {hubspot_keys.get(key, 0)} in HubSpot"
            )

# ------------------------------------------------------------- HubSpot's side
for object_type in TYPES:
    by_odoo_id = Counter(
        r["properties"].get(ODOO_ID) for r in live[object_type].values() if r["properties"].get(ODOO_ID)
    )
    for odoo_id, n in by_odoo_id.items():
        if n > 1:
            result["duplicates_hubspot"] += n - 1
            sample("duplicates_hubspot", f"{object_type} {ODOO_ID}={odoo_id}: {n} HubSpot records")

# What the scripted user created on one side is on the other, once.
NAME_PROP = {"companies": "name", "contacts": "lastname", "deals": "dealname", "tickets": "subject"}
for object_type, token in created_in_odoo:
    model = engine._spec(object_type).model
    records = env[model].with_context(active_test=False).search([("name", "ilike", token)])
    if len(records) > 1:
        result["duplicates_odoo"] += len(records) - 1
        sample("duplicates_odoo", f"{object_type} {token}: created once through RPC, {len(records)} in Odoo")
    found = [r for r in live[object_type].values() if token in (r["properties"].get(NAME_PROP[object_type]) or "")]
    if len(found) > 1:
        result["duplicates_hubspot"] += len(found) - 1
        sample("duplicates_hubspot", f"{object_type} {token}: {len(found)} HubSpot records")
    if records.filtered("active") and not found:
        result["lost_in_hubspot"] += 1
        sample("lost_in_hubspot", f"{object_type} {token} (Odoo {records[:1].id}) is not in HubSpot")
for object_type, _hubspot_id, token in created_in_hubspot:
    model = engine._spec(object_type).model
    found = env[model].with_context(active_test=False).search([("name", "ilike", token)])
    if len(found) > 1:
        result["duplicates_odoo"] += len(found) - 1
        sample("duplicates_odoo", f"{object_type} {token}: {len(found)} Odoo records")

# --------------------------------------------- every HubSpot record that qualifies
for object_type in TYPES:
    for hubspot_id, record in live[object_type].items():
        key = (object_type, hubspot_id)
        odoo = linked_ids[object_type].get(hubspot_id)
        if key in hostile:
            if odoo:
                result["hostile_synced"] += 1
            elif logged.get(key):
                result["hostile_logged"] += 1
            elif not qualifies_in_odoo(object_type, record):
                result["hostile_skipped_by_rule"] += 1
            else:
                result["hostile_unaccounted"] += 1
                sample("hostile_unaccounted", f"{object_type} {hubspot_id} ({hostile[key]['kind']})")
            continue
        if not odoo and qualifies_in_odoo(object_type, record):
            result["lost_in_odoo"] += 1
            reason = "; ".join(logged.get(key, [])) or "no error logged"
            sample("lost_in_odoo", f"{object_type} {hubspot_id}: {reason[:200]}")
for key in hostile:
    if key not in {(t, i) for t in TYPES for i in live[t]}:
        result["hostile_deleted"] += 1  # deleted (permanently, mid-run) or merged away later

# ------------------------------------------- linked pairs, field by field
for object_type in TYPES:
    mappings = account._mappings(object_type)._compile()
    for hubspot_id, odoo in linked_ids[object_type].items():
        remote = live[object_type].get(hubspot_id)
        if remote is None:
            # Linked to a record HubSpot no longer has: the deletion checks must have unlinked it.
            result["lost_in_hubspot"] += 1
            gone = "deleted permanently" if (object_type, hubspot_id) in deleted else "not in HubSpot"
            sample("lost_in_hubspot", f"{object_type} {hubspot_id} (Odoo {odoo.id}) still linked, {gone}")
            continue
        if logged.get((object_type, hubspot_id)):
            continue  # a record HubSpot holds values of that Odoo cannot store: logged, not compared
        props = clean_record(remote)["properties"]
        result["records_compared"] += 1
        stale = []
        for mapping in mappings:
            if mapping.rule == "none":
                continue
            for prop, ours in mapping.to_hubspot(odoo, cache).items():
                result["fields_compared"] += 1
                theirs = props.get(prop) or ""
                if mapping.same_in_hubspot(ours, theirs):
                    continue
                if (
                    object_type == "deals"
                    and mapping.field_name == "expected_revenue"
                    and abs((odoo.expected_revenue or 0) - (odoo.hubspot_amount_base or 0)) < 0.01
                    and mapping.same_in_hubspot(str(odoo.hubspot_amount or 0), theirs or "0")
                ):
                    result["explained_fields"]["deal amount: in the deal's currency, converted in Odoo"] += 1
                    continue
                if mapping.rule == "prefer_hubspot" and not theirs:
                    result["explained_fields"]["prefer HubSpot unless blank: HubSpot blank"] += 1
                    continue
                try:
                    value = mapping.to_odoo(props, cache)
                except Exception:
                    value = "unstorable"
                if value != "unstorable" and same_odoo(mapping, odoo, value):
                    result["explained_fields"][f"{mapping.kind}: HubSpot's spelling is Odoo's value"] += 1
                    continue
                stale.append(f"{mapping.field_name}/{prop}: Odoo {ours[:60]!r} HubSpot {theirs[:60]!r}")
        if stale:
            result["stale_records"] += 1
            result["stale_fields"] += len(stale)
            sample("stale", f"{object_type} {hubspot_id} (Odoo {odoo.id}): " + "; ".join(stale[:3]))

# -------------------------------------------- the scripted user's last edits
for object_type, hubspot_id, prop, value in facts["last_edits"]:
    remote = live[object_type].get(hubspot_id)
    odoo = linked_ids[object_type].get(hubspot_id)
    if remote is None or odoo is None:
        continue
    result["edits_checked"] += 1
    if (remote["properties"].get(prop) or "") != value:
        result["edits_lost"] += 1
        sample(
            "edits_lost",
            f"{object_type} {hubspot_id} {prop}: wanted {value!r}, HubSpot {remote['properties'].get(prop)!r}",
        )

result["explained_fields"] = dict(result["explained_fields"])
result["samples"] = dict(result["samples"])
with open(os.environ["SOAK_RESULT"], "w", encoding="utf-8") as handle:
    json.dump(result, handle, ensure_ascii=False, indent=1)
