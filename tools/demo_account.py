# Run by tools/demo.sh inside `odoo shell` (which provides `env`): one account that
# points at the local sandbox, connection tested.
import os

Account = env["hubspot.account"]  # noqa: F821 - provided by odoo shell
values = {
    "name": "HubSpot sandbox",
    "api_base_url": os.environ["SANDBOX_URL"],
    "access_token": "sandbox-token",
    "api_version": "2026-03",
}
account = Account.with_context(active_test=False).search([("name", "=", values["name"])], limit=1)
if account:
    account.write(values)
else:
    account = Account.create(values)
account.action_test_connection()
if account.state != "running":
    # What an admin maps once: each ticket pipeline to a project whose stages are named
    # like its statuses (the pipeline refresh then suggests them by label).
    Pipeline = env["hubspot.pipeline"]  # noqa: F821
    Pipeline._refresh(account, account._get_client())
    for pipeline in account.pipeline_ids.filtered(lambda p: p.object_type == "tickets" and not p.project_id):
        project = env["project.project"].create({"name": f"HubSpot: {pipeline.name}"})  # noqa: F821
        for status in pipeline.stage_ids:
            status.task_stage_id = env["project.task.type"].create(  # noqa: F821
                {"name": status.name, "project_ids": [(4, project.id)]}
            )
        pipeline.project_id = project
    # The demo shows the pending queue too; deals and tickets of accepted companies follow them.
    account.write({"review_new_companies": True, "deal_stage_filter": "all", "sync_tickets": True})
    account.action_start()  # the sync jobs import the portal in the next minute
# The demo portal's deals are in euros, pounds, baht and dollars: Odoo converts them into the
# company's dollars with its rates (sample ones here; a real database keeps its own up to date).
company = account.company_id
if company.currency_id.name == "USD":
    Currency = env["res.currency"].with_context(active_test=False)  # noqa: F821
    for code, rate in (("EUR", 0.92), ("GBP", 0.79), ("THB", 35.0)):
        currency = Currency.search([("name", "=", code)])
        currency.active = True
        if not currency.rate_ids.filtered(lambda r: r.company_id in (company, company.browse())):
            currency.rate_ids = [(0, 0, {"name": "2026-01-01", "rate": rate, "company_id": company.id})]
# `make demo LANG=de` (or fi, th): that language active, with the module's translations, for admin.
lang = os.environ.get("DEMO_LANG")
if lang:
    env["res.lang"]._activate_lang(lang)  # noqa: F821
    env["ir.module.module"].search([("state", "=", "installed")])._update_translations([lang])  # noqa: F821
    env.ref("base.user_admin").lang = lang  # noqa: F821
env.cr.commit()  # noqa: F821
sys_msg = f"   account {account.name!r}: portal {account.portal_id} at {account.api_base_url}\n"
os.write(1, sys_msg.encode())
