"""Business operations beyond record edits: turning a quote into an order, processing an order,
the actions on a company.

Every dialect that offers these (Jiwa's process routes, later Galaxy actions and SOAP operations)
calls them here; each runs in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import query, records
from .auth import Principal, require
from .catalog import CATALOG
from .clock import now
from .errors import Conflict, NotFound
from .numbering import next_change
from .rules import cartage_gst
from .services import Param, entity_action, operation
from .store.tables import ENTITY_TABLES

ORDER_ENTERED, ORDER_CLOSED, ORDER_PROCESSED = 0, 1, 2
QUOTE_ENTERED, QUOTE_CLOSED, QUOTE_ORDERED = 0, 1, 2

# What a quote hands on to the order made from it.
_QUOTE_TO_ORDER = ("debtor_id", "order_no", "so_reference", "logical_id", "branch_id", "debtor_contact_name",
                   "delivery_addressee", "delivery_address1", "delivery_address2", "delivery_address3",
                   "delivery_address4", "delivery_postcode", "delivery_country", "delivery_notes",
                   "delivery_courier_details", "cartage1_ex_gst", "cartage2_ex_gst", "cartage3_ex_gst",
                   "cartage_gst_rate", "expected_delivery_date")
_LINE_TO_ORDER = ("inventory_id", "description", "comment_line", "comment_text", "quantity_ordered",
                  "price_ex_gst", "discounted_percentage", "tax_rate", "non_inventory")


def make_order_from_quote(conn: Connection, actor: Principal, quote_id: str) -> dict[str, Any]:
    """A new sales order with the quote's debtor, delivery details and lines at the quoted prices.

    The quote becomes Ordered; a quote that is closed or already ordered is a Conflict.
    """
    quote = records.get(conn, actor, "SalesQuote", quote_id)
    if quote["status"] != QUOTE_ENTERED:
        state = CATALOG.enums["SalesQuoteStatus"].by_code(quote["status"]).name
        raise Conflict(f"Quote {quote['quote_no']} is {state}; only an entered quote can become an order",
                       code="InvalidQuoteState")
    order = {name: quote.get(name) for name in _QUOTE_TO_ORDER}
    order["source_quote_id"] = quote_id
    order["lines"] = [{name: line.get(name) for name in _LINE_TO_ORDER} | {"fix_price": True}
                      for line in quote.get("lines", [])]
    order["notes"] = [{"note_text": f"Made from quote {quote['quote_no']}"}]
    # The quote moves first, on the revision that was checked: of two requests at once, one
    # gets a Conflict instead of both making an order.
    records.update(conn, actor, "SalesQuote", quote_id, {"status": QUOTE_ORDERED},
                   expected_revision=quote["revision"], action="MakeOrder")
    return records.create(conn, actor, "SalesOrder", order, allow_system=True)


def process_order(conn: Connection, actor: Principal, invoice_id: str) -> dict[str, Any]:
    """Invoice an entered order: it becomes Processed, its lines delivered, and the debtor is charged.

    A debit transaction for the order's total is written to the debtor's account and their
    balance and last purchase date move with it. Processing twice is a Conflict.
    """
    order = records.get(conn, actor, "SalesOrder", invoice_id)
    if order["status"] != ORDER_ENTERED:
        state = CATALOG.enums["SalesOrderStatus"].by_code(order["status"]).name
        raise Conflict(f"Sales order {order['invoice_no']} is {state}; only an entered order can be processed",
                       code="InvalidOrderState")
    stamp = now()
    lines = [{"invoice_line_id": line["invoice_line_id"], "quantity_this_del": line["quantity_ordered"],
              "quantity_back_ord": 0.0} for line in order.get("lines", [])]
    current = max(order["histories"], key=lambda h: h["history_no"])
    # On the revision that was checked: of two requests at once, one gets a Conflict rather
    # than the debtor being charged twice.
    processed = records.update(conn, actor, "SalesOrder", invoice_id, {
        "status": ORDER_PROCESSED, "lines": lines,
        "histories": [{"invoice_history_id": current["invoice_history_id"], "delivered": True,
                       "delivered_date": stamp}]}, expected_revision=order["revision"], action="Process")
    total = processed["invoice_total"]
    gst = round(sum((line.get("tax_to_charge") or 0.0) * (line.get("quantity_ordered") or 0.0)
                    for line in processed.get("lines", [])) + sum(cartage_gst(processed, n) for n in (1, 2, 3)), 2)
    transactions = ENTITY_TABLES["DebtorTransaction"]
    conn.execute(transactions.insert().values(
        trans_id=records.new_key(), debtor_id=order["debtor_id"], debit_credit=True, source="SO",
        ref=order["invoice_no"], remark=f"Invoice {order['invoice_no']}", tran_date=stamp, due_date=None,
        amount=total, allocated_amount=0.0, gst_amount=gst, inv_remit_no=order["invoice_no"], revision=1,
        last_saved=stamp, change_no=next_change(conn)))
    debtors = ENTITY_TABLES["Debtor"]
    conn.execute(debtors.update().where(debtors.c.debtor_id == order["debtor_id"]).values(
        current_balance=sa.func.coalesce(debtors.c.current_balance, 0.0) + total, last_purchase_date=stamp,
        revision=debtors.c.revision + 1, last_saved=stamp, change_no=next_change(conn)))
    return processed


# --- company actions ----------------------------------------------------------------------


@entity_action("Company", "CompanyTitle", Param("compid", "string"), Param("distTitle", "boolean", nullable=False),
               description="The company's title, or its distinctive title when asked and it has one.")
def company_title(conn: Connection, actor: Principal, key: str, args: dict[str, Any]) -> str | None:
    company = records.get(conn, actor, "Company", args["compid"] or key)
    if args["distTitle"] and company.get("distinctive_title"):
        return str(company["distinctive_title"])
    return company.get("title")


@entity_action("Company", "CompanySiteDescription", Param("cmpsid", "string"),
               description="The description of one of the company's sites.")
def company_site_description(conn: Connection, actor: Principal, key: str, args: dict[str, Any]) -> str | None:
    company = records.get(conn, actor, "Company", key)
    site = next((s for s in company.get("sites", []) if s["site_id"] == args["cmpsid"]), None)
    if site is None:
        raise NotFound(f"The company {key} has no site {args['cmpsid']}", code="RecordNotFound")
    return site.get("description")


# --- a trader's related records (what AliasMap relations serve) --------------------------------


def _listing(conn: Connection, actor: Principal, view: str, fields: list[str],
             filters: list[query.Filter]) -> list[dict[str, Any]]:
    page = query.run(conn, actor, view, query.Query(fields=fields, filters=filters, take=1000))
    return page.rows


@operation("Traders", "GetSalesDocuments", Param("TraderID", "string", nullable=False),
           Param("CompanyID", "string", required=False),
           description="A customer's sales documents (of one company, when given), newest first.")
def trader_sales_documents(conn: Connection, actor: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    require(actor, "SalesOrder.List")
    filters = [query.Filter("DebtorID", query.Op.EQUAL, args["TraderID"])]
    if args.get("CompanyID"):
        filters.append(query.Filter("CompID", query.Op.EQUAL, args["CompanyID"]))
    rows = _listing(conn, actor, "SalesEntry", ["ID", "TRADECODE", "TRADEDATE", "CoetDescription", "TotalValue",
                                                "STATUS"], filters)
    return sorted(rows, key=lambda r: r["TRADEDATE"] or datetime.min, reverse=True)


@operation("Traders", "GetContacts", Param("TraderID", "string", nullable=False),
           description="The people to contact at a customer.")
def trader_contacts(conn: Connection, actor: Principal, args: dict[str, Any]) -> list[dict[str, Any]]:
    require(actor, "Debtor.Get")
    debtor = records.get(conn, actor, "Debtor", args["TraderID"])
    return [{"ID": c["contact_name_id"], "FirstName": c["first_name"], "LastName": c["surname"],
             "Position": c["primary_position_name"], "Phone": c["phone"], "Email": c["email_address"]}
            for c in debtor.get("contact_names", [])]
