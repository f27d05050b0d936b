import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// The test stores the URL of the local HubSpot sandbox in sessionStorage before the
// tour starts (tests/test_ui.py), so the account points at a server that answers.
registry.category("web_tour.tours").add("hubspot_account_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hubspot_connector.hubspot_menu_root", "Open the HubSpot app"),
        {
            content: "Open Configuration",
            trigger: 'button[data-menu-xmlid="hubspot_connector.hubspot_menu_configuration"]',
            run: "click",
        },
        {
            content: "Open Accounts",
            trigger: 'a[data-menu-xmlid="hubspot_connector.hubspot_account_menu"]',
            run: "click",
        },
        {
            content: "Create an account",
            trigger: "button.o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Sandbox portal",
        },
        {
            content: "Paste the service key",
            trigger: ".o_field_widget[name=access_token] input",
            run: "edit sandbox-token",
        },
        {
            content: "Point it at the sandbox",
            trigger: ".o_field_widget[name=api_base_url] input",
            async run(actions) {
                await actions.edit(sessionStorage.getItem("hubspot_sandbox_url"));
            },
        },
        {
            content: "Test the connection (saves the record first)",
            trigger: "button[name=action_test_connection]",
            run: "click",
        },
        {
            content: "HubSpot answered",
            trigger: ".o_notification:contains(Connection established (portal 12345678))",
        },
        {
            content: "The portal id is stored on the account",
            trigger: ".o_field_widget[name=portal_id]:contains(12345678)",
        },
    ],
});
