import { registry } from "@web/core/registry";

// tests/test_ui.py opens a partner linked to HubSpot whose phone HubSpot owns.
registry.category("web_tour.tours").add("hubspot_partner_tour", {
    steps: () => [
        {
            content: "HubSpot owns the phone: read-only",
            trigger: ".o_form_view .o_field_widget[name=phone].o_readonly_modifier",
        },
        {
            content: "The name stays editable",
            trigger: ".o_form_view .o_field_widget[name=name]:not(.o_readonly_modifier)",
        },
        {
            content: "The mobile number is shown",
            trigger: ".o_form_view .o_field_widget[name=mobile]",
        },
        {
            content: "Open the HubSpot tab",
            trigger: ".o_notebook .nav-link[name=hubspot]",
            run: "click",
        },
        {
            content: "The link is shown",
            trigger: ".o_field_widget[name=hubspot_id]:contains(555)",
        },
        {
            content: "Remove the HubSpot link",
            trigger: "button[name=action_hubspot_unlink]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The partner can now be re-imported",
            trigger: "button[name=action_hubspot_import]",
        },
        {
            content: "The phone is editable again",
            trigger: ".o_form_view .o_field_widget[name=phone]:not(.o_readonly_modifier) input",
            run: "edit +49 30 999",
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
