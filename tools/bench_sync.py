# Run by tools/bench.sh inside `odoo shell` (which provides `env`): the inbound sync, then
# a push of changed companies. Prints the figures.
import json
import os
import resource
import time
import urllib.request

from odoo.addons.hubspot_connector.models.hubspot_sync_run_state import SYNC_CONTEXT

env = env  # noqa: F821 - provided by odoo shell
out = os.sys.stdout


def say(text):
    out.write(text + "\n")
    out.flush()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


account = env["hubspot.account"].create(
    {"name": "Bench", "api_base_url": os.environ["BENCH_SANDBOX_URL"], "access_token": "sandbox-token"}
)
account.action_test_connection()
account.state = "running"
env.cr.commit()
engine = env["hubspot.sync.engine"]
Partner = env["res.partner"]

runs, started = {}, time.perf_counter()
for object_type in ("companies", "contacts"):
    t0 = time.perf_counter()
    runs[object_type] = run = engine._run_inbound(account, object_type)
    say(
        f"{object_type:9s}: {run.created_count} created, {run.failed_count} failed, {run.api_calls} API calls, "
        f"{time.perf_counter() - t0:.1f} s"
    )
elapsed = time.perf_counter() - started
records = sum(r.created_count + r.updated_count + r.linked_count for r in runs.values())
calls = sum(r.api_calls for r in runs.values())
sync_rate = records / elapsed
peak = rss_mb()

# The same rows, created by the bare ORM in batches of the same size, then rolled back.
rows = []
for partner in Partner.search([("hubspot_account_id", "=", account.id)], order="is_company desc, id"):
    rows.append(
        {
            "name": partner.name,
            "is_company": partner.is_company,
            "website": partner.website,
            "phone": partner.phone,
            "email": partner.email,
            "city": partner.city,
            "country_id": partner.country_id.id,
            "function": partner.function,
            "company_id": partner.company_id.id,
            "parent_id": partner.parent_id.id,
            "category_id": [(6, 0, partner.category_id.ids)],
            "ref": partner.ref,
        }
    )
env.cr.commit()
Bare = Partner.with_context(**SYNC_CONTEXT)
t0 = time.perf_counter()
for start in range(0, len(rows), 200):
    Bare.create(rows[start : start + 200])
env.flush_all()
orm_rate = len(rows) / (time.perf_counter() - t0)
env.cr.rollback()


# Nothing changed: the next runs (the calls counted by the sandbox: a run that changed nothing
# may leave no run record).
def sandbox_total():
    with urllib.request.urlopen(os.environ["BENCH_SANDBOX_URL"] + "/_sandbox/stats", timeout=30) as answer:
        return json.load(answer)["total"]


second = {}
for object_type in ("companies", "contacts"):
    t0 = time.perf_counter()
    before = sandbox_total()
    run = engine._run_inbound(account, object_type)
    second[object_type] = (sandbox_total() - before, time.perf_counter() - t0, run.created_count + run.updated_count)

say("")
say(f"records synced          {records}")
say(f"sync rate               {sync_rate:,.0f} records/s")
say(f"bare ORM create rate    {orm_rate:,.0f} records/s")
say(f"sync / ORM              {sync_rate / orm_rate:.0%}   (goal >= 50%)")
say(f"API calls per record    {calls / max(records, 1):.4f}   (goal <= 0.02)")
say(f"peak RSS                {peak:,.0f} MB")
for object_type, (api_calls, seconds, changed) in second.items():
    say(
        f"unchanged {object_type:9s}     {api_calls} API call(s), {seconds:.2f} s, {changed} written   (goal <= 1, < 1 s)"
    )

# ---------------------------------------------------------------- outbound
WRITE_OPERATIONS = ("create", "update", "upsert", "archive", "associat", "merge")


def sandbox_write_calls():
    url = os.environ["BENCH_SANDBOX_URL"] + "/_sandbox/stats"
    with urllib.request.urlopen(url, timeout=30) as answer:
        stats = json.load(answer)["by_operation"]
    return sum(n for op, n in stats.items() if any(w in op for w in WRITE_OPERATIONS))


account.action_stop()
account.companies_direction = "both"
account.state = "running"
env.cr.execute(
    "UPDATE res_partner SET phone = '+49 30 ' || id, write_date = now() at time zone 'UTC' "
    "WHERE hubspot_account_id = %s AND is_company",
    [account.id],
)
env.invalidate_all()
env.cr.commit()
say("")
writes_before = sandbox_write_calls()
t0 = time.perf_counter()
run = engine._run_outbound(account, "companies")
seconds = time.perf_counter() - t0
pushed = run.updated_count + run.created_count
say(f"pushed (changed phone)  {pushed} companies in {seconds:.1f} s, {run.failed_count} failed")
say(f"push rate               {pushed / seconds:,.0f} records/s")
say(f"push API calls/record   {run.api_calls / max(pushed, 1):.4f}   (goal <= 0.02)")
writes_before = sandbox_write_calls()
t0 = time.perf_counter()
run = engine._run_outbound(account, "companies")
say(
    f"unchanged push          {run.api_calls} API call(s), {sandbox_write_calls() - writes_before} write call(s), "
    f"{time.perf_counter() - t0:.2f} s   (goal: 0 write calls)"
)

# ---------------------------------------------- permanent deletions: the daily check
from datetime import timedelta  # noqa: E402

from odoo import fields  # noqa: E402

PROFESSIONAL_DAILY_LIMIT = 625_000


def sandbox_operations():
    with urllib.request.urlopen(os.environ["BENCH_SANDBOX_URL"] + "/_sandbox/stats", timeout=30) as answer:
        return json.load(answer)["by_operation"]


say("")
linked = check_calls = 0
t0 = time.perf_counter()
for object_type in ("companies", "contacts"):
    checkpoint = account.checkpoint_ids.filtered(lambda c, t=object_type: c.object_type == t and c.direction == "in")
    checkpoint.last_deletion_check_at = fields.Datetime.now() - timedelta(days=1, minutes=1)  # the check is due
    env.cr.commit()
    before = sandbox_operations().get(f"{object_type}.batch_read", 0)
    engine._run_inbound(account, object_type)
    check_calls += sandbox_operations().get(f"{object_type}.batch_read", 0) - before
    linked += Partner.search_count(
        [
            ("hubspot_account_id", "=", account.id),
            ("hubspot_object_type", "=", object_type),
            ("hubspot_linked", "=", True),
        ]
    )
per_record = check_calls / max(linked, 1)
extrapolated = per_record * 100_000
say(
    f"daily deletion check    {check_calls} API calls for {linked:,} linked records ({per_record:.4f} per record), "
    f"{time.perf_counter() - t0:.1f} s"
)
say(
    f"  100,000 linked        {extrapolated:,.0f} calls a day = {extrapolated / PROFESSIONAL_DAILY_LIMIT:.2%} of a "
    f"Professional portal's daily limit ({PROFESSIONAL_DAILY_LIMIT:,})   (goal < 1%)"
)
