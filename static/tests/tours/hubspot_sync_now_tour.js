import { registry } from "@web/core/registry";

// tests/test_ui.py: a running account on a daily schedule; a company changed in HubSpot since
// its last run. The administrator asks for a run now.
registry.category("web_tour.tours").add("hubspot_sync_now_tour", {
    steps: () => [
        {
            content: "The integration is running",
            trigger: ".o_form_view .alert-success:contains(HubSpot sync is running)",
        },
        {
            content: "Sync now",
            trigger: ".o_form_view button[name=action_sync_now]",
            run: "click",
        },
        {
            content: "The sync is on its way",
            trigger: ".o_notification:contains(The HubSpot sync will run in a moment)",
        },
    ],
});

// After the sync job ran: the partner shows what HubSpot has now.
registry.category("web_tour.tours").add("hubspot_sync_now_partner_tour", {
    steps: () => [
        {
            content: "The new phone number came from HubSpot",
            trigger: '.o_form_view .o_field_widget[name=phone] input:value("+358 9 999 0100")',
        },
        {
            content: "So did the new city",
            trigger: '.o_form_view .o_field_widget[name=city] input:value("Espoo")',
        },
    ],
});
