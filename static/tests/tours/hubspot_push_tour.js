import { registry } from "@web/core/registry";

// tests/test_ui.py: a partner linked to the sandbox portal, pushing to HubSpot.
registry.category("web_tour.tours").add("hubspot_push_edit_tour", {
    steps: () => [
        {
            content: "The partner is linked: Open in HubSpot is offered",
            trigger: ".o_form_view button[name=action_open_in_hubspot]",
        },
        {
            content: "Change the phone",
            trigger: ".o_form_view .o_field_widget[name=phone] input",
            run: "edit +49 40 555 0199",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("hubspot_push_run_tour", {
    steps: () => [
        {
            content: "The push run says: updated 1",
            trigger: ".o_list_view .o_data_row td[name=updated_count]:contains(1)",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:has(td[name=updated_count]:contains(1)) td[name=account_id]",
            run: "click",
        },
        {
            content: "It is the push to HubSpot",
            trigger: ".o_form_view .o_field_widget[name=direction]:contains(Odoo → HubSpot)",
        },
        {
            content: "The run form shows the count",
            trigger: ".o_form_view .o_field_widget[name=updated_count]:contains(1)",
        },
    ],
});
