{
    "name": "HubSpot Connector",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "summary": "Two-way sync of companies, contacts, deals and tickets with HubSpot CRM",
    "author": "hubspot_connector developers",
    "website": "https://github.com/hubspot-connector/hubspot_connector",
    "license": "LGPL-3",
    "depends": ["crm", "project", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/hubspot_connector_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/res_partner_category_data.xml",
        "views/hubspot_account_views.xml",
        "views/res_config_settings_views.xml",
        "views/hubspot_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "hubspot_connector/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
