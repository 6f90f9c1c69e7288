// A warehouse user grades the received items of a return in the inspection wizard.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("retail_returns_warehouse_inspection", {
    steps: () => [
        {
            content: "the return is received",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Received)",
        },
        {
            content: "the warehouse user cannot refund",
            trigger: ".o_form_view:not(:has(button[name='action_refund']))",
        },
        {
            content: "open the inspection wizard",
            trigger: ".o_statusbar_buttons button[name='action_inspect']",
            run: "click",
        },
        {
            content: "edit the grade of the widgets",
            trigger: ".modal .o_data_row:contains(Widget) td[name='grade_id']",
            run: "click",
        },
        {
            content: "grade the widgets",
            trigger: ".modal .o_data_row:contains(Widget) td[name='grade_id'] input",
            run: "edit As new",
        },
        {
            content: "choose As new",
            trigger: ".o-autocomplete--dropdown-item:contains(As new)",
            run: "click",
        },
        {
            content: "edit the grade of the gadget",
            trigger: ".modal .o_data_row:contains(Gadget) td[name='grade_id']",
            run: "click",
        },
        {
            content: "grade the gadget",
            trigger: ".modal .o_data_row:contains(Gadget) td[name='grade_id'] input",
            run: "edit To check",
        },
        {
            content: "choose To check",
            trigger: ".o-autocomplete--dropdown-item:contains(To check)",
            run: "click",
        },
        {
            content: "confirm the inspection",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "the return is inspected",
            trigger: "body:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains(Inspected)",
        },
        {
            content: "still no refund button for the warehouse user",
            trigger: ".o_form_view:not(:has(button[name='action_refund']))",
        },
    ],
});
