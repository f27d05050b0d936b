# Run by tools/bench.sh inside `odoo shell` (which provides `env`): deals with their line
# items and tickets, from a sandbox seeded with BENCH_DEALS deals and BENCH_TICKETS tickets.
# Prints records/s and API calls per record for each object type.
import json
import os
import time
import urllib.request

env = env  # noqa: F821 - provided by odoo shell
out = os.sys.stdout


def say(text):
    out.write(text + "\n")
    out.flush()


engine = env["hubspot.sync.engine"]
types = engine._object_models()


def sandbox_calls():
    """Every call the sandbox answered (a run that changed nothing may leave no run record)."""
    with urllib.request.urlopen(os.environ["BENCH_SANDBOX_URL"] + "/_sandbox/stats", timeout=30) as answer:
        return json.load(answer)["total"]


account = env["hubspot.account"].create(
    {
        "name": "Bench deals",
        "api_base_url": os.environ["BENCH_SANDBOX_URL"],
        "access_token": "sandbox-token",
        "deal_stage_filter": "all",
        "sync_products": True,
    }
)
account.action_test_connection()
account.state = "running"
# The generated deals have no currency of their own: they are in the portal's, which Odoo
# converts into the company's with its rate (one company in another currency than its CRM's).
portal = account._get_client().get_account_details()["companyCurrency"]
currency = env["res.currency"].with_context(active_test=False).search([("name", "=", portal)])
if currency != account.company_id.currency_id:
    currency.active = True
    env["res.currency.rate"].create(
        {"currency_id": currency.id, "name": "2020-01-01", "rate": 0.9, "company_id": account.company_id.id}
    )
# Ticket pipelines each go to a project, their statuses to its stages (what an admin maps).
env["hubspot.pipeline"]._refresh(account, account._get_client())
for pipeline in account.pipeline_ids.filtered(lambda p: p.object_type == "tickets"):
    project = env["project.project"].create({"name": f"Support: {pipeline.name}"})
    pipeline.project_id = project
    for stage in pipeline.stage_ids:
        stage.task_stage_id = env["project.task.type"].create({"name": stage.name, "project_ids": [(4, project.id)]})
env.cr.commit()

# The companies and contacts the deals and tickets belong to come first (not measured here).
for object_type in ("companies", "contacts"):
    run = engine._run_inbound(account, object_type)
    say(f"(set-up) {object_type}: {run.created_count} created, {run.api_calls} API calls")

measured = [t for t in ("products", "deals", "line_items", "tickets") if t in types]
say("")
for object_type in measured:
    t0 = time.perf_counter()
    run = engine._run_inbound(account, object_type)
    seconds = time.perf_counter() - t0
    records = run.created_count + run.updated_count + run.linked_count
    say(
        f"{object_type:10s}  {records:6d} records in {seconds:6.1f} s = {records / seconds:5.0f} records/s, "
        f"{run.api_calls} API calls = {run.api_calls / max(records, 1):.4f} per record, {run.failed_count} failed"
    )
say("")
say("An idle cycle (nothing changed in HubSpot): the calls each type's job makes, counted by the sandbox")
for object_type in measured:
    t0 = time.perf_counter()
    before = sandbox_calls()
    run = engine._run_inbound(account, object_type)
    say(
        f"unchanged {object_type:10s} {sandbox_calls() - before} API call(s), {time.perf_counter() - t0:.2f} s, "
        f"{run.created_count + run.updated_count} written   (goal: 1 call)"
    )

# Opportunities renamed in Odoo go back to HubSpot.
account.action_stop()
account.deals_direction = "both"
account.state = "running"
env.cr.execute(
    "UPDATE crm_lead SET name = name || ' (Odoo)', write_date = now() at time zone 'UTC' "
    "WHERE hubspot_account_id = %s AND hubspot_linked",
    [account.id],
)
env.invalidate_all()
env.cr.commit()
t0 = time.perf_counter()
run = engine._run_outbound(account, "deals")
seconds = time.perf_counter() - t0
pushed = run.updated_count + run.created_count
say("")
say(
    f"push deals  {pushed:6d} records in {seconds:6.1f} s = {pushed / seconds:5.0f} records/s, "
    f"{run.api_calls} API calls = {run.api_calls / max(pushed, 1):.4f} per record, {run.failed_count} failed"
)
