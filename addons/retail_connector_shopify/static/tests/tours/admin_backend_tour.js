// An admin connects a Shopify shop (the local sandbox) from the backend form.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("retail_shopify_admin_backend", {
    steps: () => [
        {
            content: "name the backend",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Tour Shop",
        },
        {
            content: "open the channel choices",
            trigger: ".o_field_widget[name='channel'] input",
            run: "click",
        },
        {
            content: "choose the Shopify channel",
            trigger: ".o_select_menu_item:contains(Shopify)",
            run: "click",
        },
        {
            content: "open the Shopify tab",
            trigger: ".o_notebook_headers .nav-link[name='shopify']",
            run: "click",
        },
        {
            content: "shop domain",
            trigger: ".o_field_widget[name='shopify_shop_domain'] input",
            run: "edit tour-shop.myshopify.com",
        },
        {
            content: "Admin API access token",
            trigger: ".o_field_widget[name='shopify_access_token'] input",
            run: "edit shpat_tour_token",
        },
        {
            content: "point the backend at the local sandbox",
            trigger: ".o_field_widget[name='shopify_api_base_url'] input",
            run: "edit http://127.0.0.1:18769",
        },
        {
            content: "save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "test the connection",
            trigger: ".o_form_saved button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "the shop's currency is read from Shopify",
            trigger: ".o_field_widget[name='shopify_shop_currency']:contains(USD)",
        },
        {
            content: "register the webhooks",
            trigger: "button[name='action_shopify_register_webhooks']",
            run: "click",
        },
        {
            content: "Shopify confirms the subscriptions",
            trigger: ".o_notification:contains(created)",
        },
    ],
});
