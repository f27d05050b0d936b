import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

function openMenu(parentXmlid, menuXmlid, description) {
    return [
        {
            content: `Open ${description}`,
            trigger: `button[data-menu-xmlid="hubspot_connector.${parentXmlid}"]`,
            run: "click",
        },
        {
            content: description,
            trigger: `a[data-menu-xmlid="hubspot_connector.${menuXmlid}"]`,
            run: "click",
        },
        {
            content: `${description} is shown`,
            trigger: `.o_breadcrumb:contains(${description})`,
        },
    ];
}

// An administrator walks through every screen of the app (tests/test_ui.py sets up
// a pending company, a sync run and a record to retry).
registry.category("web_tour.tours").add("hubspot_admin_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("hubspot_connector.hubspot_menu_root", "Open the HubSpot app"),
        {
            content: "The review queue lists the company",
            trigger: ".o_list_view .o_data_row:contains(Müller Maschinenbau GmbH)",
        },
        {
            content: "Switch to the cards",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The card shows the company and its score",
            trigger: ".o_kanban_record:contains(Müller Maschinenbau GmbH):contains(mueller-maschinenbau.example)",
        },
        ...openMenu("hubspot_menu_sync", "hubspot_sync_run_menu", "Sync Runs"),
        {
            content: "The run is listed with its counts",
            trigger: ".o_data_row:contains(Tour portal) td[name=created_count]:contains(7)",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
        ...openMenu("hubspot_menu_sync", "hubspot_sync_error_menu", "Records to Retry"),
        {
            content: "The failed record is listed with a Retry button",
            trigger: ".o_data_row:contains(9001):contains(Invalid email) button[name=action_retry]",
        },
        ...openMenu("hubspot_menu_configuration", "hubspot_field_mapping_menu", "Field Mappings"),
        {
            content: "Mappings are grouped by account",
            trigger: ".o_group_header:contains(Tour portal)",
        },
        ...openMenu("hubspot_menu_configuration", "hubspot_owner_menu", "HubSpot Owners"),
        ...openMenu("hubspot_menu_configuration", "hubspot_property_menu", "HubSpot Properties"),
        ...openMenu("hubspot_menu_configuration", "hubspot_account_menu", "HubSpot Accounts"),
        {
            content: "Open the account",
            trigger: ".o_data_row td[name=name]:contains(Tour portal)",
            run: "click",
        },
        {
            content: "A stopped account offers to start the integration",
            trigger: ".o_form_view button[name=action_start]",
        },
        {
            content: "Its health reflects the run that had errors",
            trigger: ".o_field_widget[name=health]:contains(Records to retry)",
        },
        {
            content: "Stat button: one record to retry",
            trigger: "button[name=action_view_errors]:contains(1)",
        },
        {
            content: "Open the mappings",
            trigger: ".o_notebook .nav-link[name=mappings]",
            run: "click",
        },
        {
            content: "The default mappings are there",
            trigger: ".o_field_widget[name=mapping_ids] .o_data_row:contains(hubspotscore)",
        },
        {
            content: "Start the integration",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "The form says the sync is running",
            trigger: ".o_form_view .alert:contains(HubSpot sync is running)",
        },
        {
            content: "Settings that change what syncs are locked",
            trigger: ".o_notebook .nav-link[name=sync]",
            run: "click",
        },
        {
            content: "Companies can no longer be switched off",
            trigger: ".o_field_widget[name=sync_companies].o_readonly_modifier",
        },
        {
            content: "Stop it again",
            trigger: ".o_form_view button[name=action_stop]",
            run: "click",
        },
        {
            content: "Settings are editable again",
            trigger: ".o_field_widget[name=sync_companies]:not(.o_readonly_modifier)",
        },
    ],
});
