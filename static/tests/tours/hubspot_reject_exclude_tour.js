import { registry } from "@web/core/registry";

// tests/test_reject_exclude.py: a company from the sandbox portal waits for review; the
// reviewer rejects it and excludes it in HubSpot, after reading what will be written.
registry.category("web_tour.tours").add("hubspot_reject_exclude_tour", {
    steps: () => [
        {
            content: "Reject & exclude in HubSpot",
            trigger: ".o_form_view button[name=action_reject_and_exclude]",
            run: "click",
        },
        {
            content: "The dialog says which property gets which value, in which portal",
            trigger:
                ".modal .o_field_widget[name=summary]:contains(“sync_to_odoo”):contains(“no”):contains(portal 12345678)",
        },
        {
            content: "Confirm",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Done: the notification says so",
            trigger: ".o_notification:contains(Rejected and excluded in HubSpot)",
        },
        {
            content: "The company is rejected",
            trigger: ".o_form_view .ribbon:contains(Rejected)",
        },
        {
            content: "Its chatter says what HubSpot now holds",
            trigger: ".o-mail-Message:contains(Excluded in HubSpot: the property “sync_to_odoo”)",
        },
    ],
});
