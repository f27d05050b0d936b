import { registry } from "@web/core/registry";

// tests/test_dashboard.py: an account whose companies synced, whose contacts had nothing to do and
// whose deals failed (the token lacked the deal scopes).
registry.category("web_tour.tours").add("hubspot_dashboard_tour", {
    steps: () => [
        {
            content: "The account's health is the worst of its types",
            trigger: ".o_form_view .o_field_widget[name=health]:contains(Sync failed)",
        },
        {
            content: "It says which type failed and why",
            trigger: ".o_field_widget[name=health_summary]:contains(Deal (HubSpot → Odoo) failed: HubSpot refused)",
        },
        {
            content: "The deals line is failed",
            trigger: ".o_field_widget[name=dashboard_ids] .o_data_row:contains(Deal):contains(Failed)",
        },
        {
            content: "The contacts line was checked although their run left no row",
            trigger: ".o_field_widget[name=dashboard_ids] .o_data_row:contains(Contact):contains(Healthy)",
        },
        {
            content: "The companies line shows their pending companies",
            trigger:
                ".o_field_widget[name=dashboard_ids] .o_data_row:contains(Company):has(td[name=pending_count]:contains(2))",
        },
        {
            content: "Today's API calls, as HubSpot counts them, against the daily limit",
            trigger: ".o_field_widget[name=api_usage_source]:contains(HubSpot (all apps of the portal))",
        },
        {
            content: "Open the graph of calls per day",
            trigger: "button[name=action_view_api_usage]",
            run: "click",
        },
        {
            content: "The graph",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Back to the account",
            trigger: ".o_breadcrumb a:contains(Tour portal)",
            run: "click",
        },
        {
            content: "Open the company runs",
            trigger: ".o_field_widget[name=dashboard_ids] .o_data_row:contains(Company) button[name=action_view_runs]",
            run: "click",
        },
        {
            content: "The runs list shows the direction and every counter",
            trigger:
                ".o_list_view:has(th[data-name=direction]):has(th[data-name=unlinked_count]):has(th[data-name=skipped_count]):has(th[data-name=excluded_count])",
        },
        {
            content: "One run: the import that created the companies' queue entries",
            trigger: ".o_list_view .o_data_row:contains(HubSpot → Odoo):has(td[name=pending_count]:contains(2))",
        },
        {
            content: "Back to the account",
            trigger: ".o_breadcrumb a:contains(Tour portal)",
            run: "click",
        },
        {
            content: "Stop it",
            trigger: ".o_form_view button[name=action_stop]",
            run: "click",
        },
        {
            content: "Stop says what it did",
            trigger: ".o_notification:contains(stopped: no sync job runs until you start it again)",
        },
        {
            content: "The form shows the stopped state",
            trigger: ".o_form_view button[name=action_start]",
        },
    ],
});
