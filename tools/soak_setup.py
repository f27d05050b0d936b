# Run by tools/soak.py inside `odoo shell` (which provides `env`): the account of the soak,
# pointing at its sandbox, syncing everything both ways (tools/soak.py makes the jobs run every minute).
# What an administrator does once: ticket pipelines mapped to projects, the portal's currency
# given a rate. The account is started by tools/soak.py (through RPC, as the administrator).
import os

env = env  # noqa: F821 - provided by odoo shell
account = env["hubspot.account"].create(
    {
        "name": "Soak",
        "api_base_url": os.environ["SOAK_SANDBOX_URL"],
        "access_token": "sandbox-token",
        "api_version": "2026-03",
        "rate_limit_per_10s": 190,  # a Professional portal's budget (two servers share it badly: 429s)
        "companies_direction": "both",
        "contacts_direction": "both",
        "deal_stage_filter": "all",
        "deals_direction": "both",
        "sync_tickets": True,
        "tickets_direction": "both",
        "sync_products": True,
        "sync_interval": "5",
    }
)
# A number on contacts too (companies map the score by default): the hostile seed puts NaN and
# infinities there.
env["hubspot.field.mapping"].create(
    {
        "account_id": account.id,
        "object_type": "contacts",
        "sequence": 100,
        "field_id": env["ir.model.fields"]._get("res.partner", "hubspot_lead_score").id,
        "hubspot_property": "hubspotscore",
        "converter": "auto",
        "rule": "hubspot",
    }
)
account.action_test_connection()
env["hubspot.pipeline"]._refresh(account, account._get_client())
for pipeline in account.pipeline_ids.filtered(lambda p: p.object_type == "tickets"):
    project = env["project.project"].create({"name": f"Soak: {pipeline.name}"})
    pipeline.project_id = project
    for stage in pipeline.stage_ids:
        stage.task_stage_id = env["project.task.type"].create({"name": stage.name, "project_ids": [(4, project.id)]})
portal = account._get_client().get_account_details()["companyCurrency"]
currency = env["res.currency"].with_context(active_test=False).search([("name", "=", portal)])
if currency != account.company_id.currency_id:
    currency.active = True
    env["res.currency.rate"].create(
        {"currency_id": currency.id, "name": "2020-01-01", "rate": 0.9, "company_id": account.company_id.id}
    )
# Two servers on other ports: the administrator's login would rewrite web.base.url on each (and
# the two logins collide); a production database behind a proxy freezes it the same way.
env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
env.cr.commit()
os.write(1, f"SOAK_ACCOUNT={account.id} portal={account.portal_id}\n".encode())
