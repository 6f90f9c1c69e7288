// An accountant matches an unmatched payout line by hand and checks the money in transit.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("retail_settlement_accountant_manual_match", {
    steps: () => [
        {
            content: "the phone order's line is unmatched: open the manual match wizard",
            trigger:
                ".o_field_widget[name='line_ids'] .o_data_row:contains(ch_A2) button[name='action_manual_match']",
            run: "click",
        },
        {
            content: "search the phone order's payment",
            trigger: ".modal .o_field_widget[name='payment_id'] input",
            run: "edit PSTRP",
        },
        {
            content: "pick the candidate payment",
            trigger: ".o-autocomplete--dropdown-item:contains(PSTRP/2026/00001)",
            run: "click",
        },
        {
            content: "match",
            trigger: ".modal button[name='action_match']",
            run: "click",
        },
        {
            content: "the line is manually matched",
            trigger:
                ".o_field_widget[name='line_ids'] .o_data_row:contains(ch_A2) td[name='match_state']:contains(Manually Matched)",
        },
        {
            content: "every line is settled: the payout can be posted",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Matched)",
        },
        {
            content: "open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "open the Retail Connector app",
            trigger: ".o_app[data-menu-xmlid='retail_connector_base.menu_retail_root']",
            run: "click",
        },
        {
            content: "open the Settlements menu",
            trigger: ".o_menu_sections [data-menu-xmlid='retail_settlement_recon.menu_retail_settlement_root']",
            run: "click",
        },
        {
            content: "open the money in transit report",
            trigger: ".dropdown-item[data-menu-xmlid='retail_settlement_recon.menu_retail_money_in_transit']",
            run: "click",
        },
        {
            content: "the provider's clearing account holds the payments not yet paid out",
            trigger: ".o_pivot tbody tr:has(th:contains(Stripe in transit)) td:contains(120.00)",
        },
    ],
});
