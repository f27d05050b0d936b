import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A salesperson accepts a company that waits in the HubSpot review queue as a new
// customer (tests/test_ui.py creates the pending company and the salesperson).
registry.category("web_tour.tours").add("hubspot_pending_company_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hubspot_connector.hubspot_menu_root", "Open the HubSpot app"),
        {
            content: "The app opens on the companies waiting for review",
            trigger: ".o_breadcrumb:contains(Pending Companies)",
        },
        {
            content: "Open the company from HubSpot",
            trigger: ".o_data_row td[name=name]:contains(Müller Maschinenbau GmbH)",
            run: "click",
        },
        {
            content: "Accept it",
            trigger: ".o_form_view button[name=action_accept]",
            run: "click",
        },
        {
            content: "Create a new customer",
            trigger: ".modal .o_field_widget[name=mode] input[data-value=create]",
            run: "click",
        },
        {
            content: "No existing customer to pick",
            trigger: ".modal:not(:has(.o_field_widget[name=partner_id]))",
        },
        {
            content: "Confirm",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The new customer's form opens",
            trigger: ".o_breadcrumb .active:contains(Müller Maschinenbau GmbH)",
        },
        {
            content: "It is a customer form",
            trigger: ".o_form_view .o_field_widget[name=company_type] input[data-value=company]:checked",
        },
        {
            content: "Open the HubSpot tab",
            trigger: ".o_notebook .nav-link[name=hubspot]",
            run: "click",
        },
        {
            content: "The customer is linked to HubSpot company 4711",
            trigger: ".o_field_widget[name=hubspot_id]:contains(4711)",
        },
    ],
});
