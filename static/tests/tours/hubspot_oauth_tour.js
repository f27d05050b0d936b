import { registry } from "@web/core/registry";

// tests/test_oauth.py: an OAuth account pointing at the sandbox, whose consent page
// approves at once and sends the browser back to Odoo's callback.
registry.category("web_tour.tours").add("hubspot_oauth_tour", {
    steps: () => [
        {
            content: "Open the OAuth page",
            trigger: ".o_notebook .nav-link[name=oauth]",
            run: "click",
        },
        {
            content: "The scopes to be granted are listed",
            trigger: ".o_field_widget[name=oauth_scopes]:contains(crm.objects.companies.write)",
        },
        {
            content: "Request permissions: off to HubSpot and back",
            trigger: ".o_form_view button[name=action_oauth_authorize]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the account: the connection was tested",
            trigger: ".o_form_view .o_field_widget[name=portal_id]:contains(12345678)",
        },
        {
            content: "The chatter says how it was connected",
            trigger: ".o-mail-Message:contains(Connected to HubSpot through OAuth)",
        },
    ],
});
