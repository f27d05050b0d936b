import { registry } from "@web/core/registry";

function pickTag(field, label) {
    return [
        {
            content: `Type ${label}`,
            trigger: `.o_field_widget[name=${field}] input`,
            run: `edit ${label}`,
        },
        {
            content: `Pick ${label}`,
            trigger: `.o-autocomplete--dropdown-item:contains(${label})`,
            run: "click",
        },
        {
            content: `${label} is selected`,
            trigger: `.o_field_widget[name=${field}] .o_tag:contains(${label})`,
        },
    ];
}

// tests/test_ui.py: the account of the sandbox portal, its pipelines cached, stopped.
// The administrator keeps two deal stages and maps one of them to an Odoo stage.
registry.category("web_tour.tours").add("hubspot_deal_filter_tour", {
    steps: () => [
        {
            content: "Open the Sync tab",
            trigger: ".o_notebook .nav-link[name=sync]",
            run: "click",
        },
        {
            content: "Deals sync in selected stages only",
            trigger: ".o_field_widget[name=deal_stage_filter] input[data-value=selected]",
            run: "click",
        },
        ...pickTag("deal_stage_ids", "Contract Sent"),
        ...pickTag("deal_stage_ids", "Closed Won"),
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Open the HubSpot configuration",
            trigger: 'button[data-menu-xmlid="hubspot_connector.hubspot_menu_configuration"]',
            run: "click",
        },
        {
            content: "Open the pipelines",
            trigger: 'a[data-menu-xmlid="hubspot_connector.hubspot_pipeline_menu"]',
            run: "click",
        },
        {
            content: "Open the deal pipeline",
            trigger: ".o_data_row:contains(Sales Pipeline) td[name=name]",
            run: "click",
        },
        {
            content: "Edit the Odoo stage of Contract Sent",
            trigger: ".o_field_widget[name=stage_ids] .o_data_row:contains(Contract Sent) td[name=crm_stage_id]",
            run: "click",
        },
        {
            content: "Map it to Proposal",
            trigger: ".o_field_widget[name=stage_ids] .o_selected_row .o_field_widget[name=crm_stage_id] input",
            run: "edit Proposal",
        },
        {
            content: "Pick Proposal",
            trigger: ".o-autocomplete--dropdown-item:contains(Proposal)",
            run: "click",
        },
        {
            content: "Save the pipeline",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Back to the account",
            trigger: 'button[data-menu-xmlid="hubspot_connector.hubspot_menu_configuration"]',
            run: "click",
        },
        {
            content: "Open the accounts",
            trigger: 'a[data-menu-xmlid="hubspot_connector.hubspot_account_menu"]',
            run: "click",
        },
        {
            content: "Open the sandbox portal",
            trigger: ".o_data_row td[name=name]:contains(Sandbox portal)",
            run: "click",
        },
        {
            content: "Start the integration",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
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

// After the sync: the salesperson's view of the opportunities.
registry.category("web_tour.tours").add("hubspot_deal_list_tour", {
    steps: () => [
        {
            content: "Show every opportunity, not only mine",
            trigger: ".o_searchview_facet:contains(My Pipeline) .o_facet_remove",
            run: "click",
        },
        {
            content: "The deal in Contract Sent is an opportunity, in the mapped stage",
            trigger: ".o_data_row:contains(Deal in contract):contains(Proposal)",
        },
        {
            content: "The won deal is one too",
            trigger: ".o_data_row:contains(Deal signed)",
        },
        {
            content: "The deal in another stage is not there",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Deal too early)))",
        },
        {
            content: "Open the deal in contract",
            trigger: ".o_data_row:contains(Deal in contract) td[name=name]",
            run: "click",
        },
        {
            content: "It links to HubSpot",
            trigger: ".o_form_view button[name=action_open_in_hubspot]",
        },
    ],
});
