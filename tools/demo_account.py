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
    # The demo shows the pending queue too; deals of accepted companies follow them.
    account.write({"review_new_companies": True, "deal_stage_filter": "all"})
    account.action_start()  # the sync jobs import the portal in the next minute
env.cr.commit()  # noqa: F821
sys_msg = f"   account {account.name!r}: portal {account.portal_id} at {account.api_base_url}\n"
os.write(1, sys_msg.encode())
