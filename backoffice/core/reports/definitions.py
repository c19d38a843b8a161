"""What a report is, and the reports the back office offers.

A report reads a *base view* (a catalog ``View`` over an entity and what it references, compiled by
``core.query`` with its joins, typed filters and debtor scoping) and either lists its rows (a list
report) or groups them with SQL aggregates (an aggregate report). Its filters are catalog
``ViewFilter``s over the base view's columns, so report metadata derives from the catalog the way
view metadata does; its titles, descriptions, column captions and filter captions are ``Labels``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..catalog import AcceptedValues, FieldType, Labels, PredefinedValues, SortField, View, ViewColumn, ViewFilter
from ..catalog import localized as _localized
from ..errors import NotFound
from ..query import Filter, Op, column_field

# An aggregate over the base view's columns (``c["Amount"]`` is the base column Amount).
Measure = Callable[[Any], sa.ColumnElement[Any]]
# Rows in, rows out: computed columns (running balances, ratios) filled in after the rows are read.
Derive = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass(frozen=True)
class ReportColumn:
    """A column of a report's output.

    ``source`` names the base view column it shows (a group key in an aggregate report);
    ``measure`` makes it an aggregate instead; a column with neither is computed by the report's
    ``derive``. ``type`` defaults to the source field's type.
    """

    name: str
    labels: Labels
    source: str | None = None
    measure: Measure | None = None
    type: FieldType | None = None
    width: int = 100

    def caption(self, language: str) -> str:
        return _localized(self.labels, language, self.name)


@dataclass(frozen=True)
class Report:
    name: str
    labels: Labels  # the title
    description: Labels
    base: View
    columns: Sequence[ReportColumn]
    filters: Sequence[ViewFilter] = ()
    # Conditions always applied (e.g. leave comment lines out), over base view columns.
    fixed: Sequence[Filter] = ()
    # List reports: base columns to sort by; aggregate reports: output columns.
    sort: tuple[str, ...] = ()
    aggregate: bool = False
    derive: Derive | None = None
    # The base column holding the debtor a row belongs to: a debtor principal sees only its own rows.
    # A report without one cannot be run by a debtor principal.
    debtor_column: str | None = None
    # Whether a debtor principal (a customer's API key) may run it at all.
    for_debtors: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def title(self, language: str) -> str:
        return _localized(self.labels, language, self.name)

    def describe(self, language: str) -> str:
        return _localized(self.description, language, self.title(language))

    def filter(self, name: str) -> ViewFilter | None:
        folded = name.lower()
        return next((f for f in self.filters if f.name.lower() == folded), None)

    def column(self, name: str) -> ReportColumn:
        for column in self.columns:
            if column.name.lower() == name.lower():
                return column
        raise KeyError(name)

    def column_type(self, column: ReportColumn) -> tuple[FieldType, str | None]:
        """The column's type and, for enum codes, the enum's name."""
        if column.source is not None and column.measure is None:
            f = column_field(self.base, self.base.column(column.source))
            return column.type or f.type, f.enum
        return column.type or FieldType.STRING, None

    def hidden_from_debtor(self, column: ReportColumn) -> bool:
        """True for a column showing a field a debtor principal never sees (costs, margins)."""
        if column.source is None:
            return bool(self.extra.get("hidden_from_debtor", {}).get(column.name, False))
        return column_field(self.base, self.base.column(column.source)).hidden_from_debtor


_REGISTRY: dict[str, Report] = {}


def register_report(report: Report) -> None:
    """Offer a report (by its name, case-insensitively unique)."""
    for column in report.columns:
        if column.source is not None:
            report.base.column(column.source)  # KeyError early for a typo, not at run time
    for flt in report.filters:
        report.base.column(flt.column)
    _REGISTRY[report.name.lower()] = report


def unregister_report(name: str) -> None:
    _REGISTRY.pop(name.lower(), None)


def reports() -> list[Report]:
    """Every report, by name."""
    return sorted(_REGISTRY.values(), key=lambda r: r.name.lower())


def get_report(name: str) -> Report:
    report = _REGISTRY.get((name or "").lower())
    if report is None:
        raise NotFound(f"No report named {name}", code="ReportNotFound")
    return report


# --- building blocks ---------------------------------------------------------------------------

COMPARE = ("Equal", "NotEqual", "Greater", "GreaterOrEqual", "Less", "LessOrEqual")
RANGE = ("Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual")
CHOICE = ("Equal", "NotEqual", "In", "NotIn")
TEXT = (*COMPARE, "Like", "In", "NotIn")

_DEBTOR_LOOKUP = AcceptedValues("lookup:Customer", display_field1="Code", display_field2="Name",
                                key_field="Code", sort_fields=(SortField("Code"),))
_ITEM_LOOKUP = AcceptedValues("lookup:Item", display_field1="Code", display_field2="Description",
                              key_field="Code", sort_fields=(SortField("Code"),))


def _label(en: str, el: str) -> dict[str, str]:
    return {"en": en, "el": el}


def _view(name: str, entity: str, debtor_column: str, *columns: tuple[str, str]) -> View:
    # Named apart from the catalog's views: query caches compiled statements by view name.
    return View(f"Report:{name}", entity, [ViewColumn(n, s) for n, s in columns], debtor_column=debtor_column)


def _signed(value: Any, negative: Any) -> Any:
    """``value``, negated where ``negative`` holds (credit notes, credits)."""
    return sa.case((negative.is_(True), -value), else_=value)


ACCOUNT_NO = _label("Account no.", "Κωδικός λογαριασμού")
NAME = _label("Name", "Επωνυμία")
DATE_FROM_TO = _label("Date", "Ημερομηνία")

# --- CustomerBalances -----------------------------------------------------------------------------


def _available_credit(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["AvailableCredit"] = round((row.get("CreditLimit") or 0.0) - (row.get("CurrentBalance") or 0.0), 2)
    return rows


CUSTOMER_BALANCES = Report(
    name="CustomerBalances",
    labels=_label("Customer balances", "Υπόλοιπα πελατών"),
    description=_label("Debtors with their credit limit, current balance and aged balances.",
                       "Χρεώστες με το πιστωτικό όριο, το τρέχον υπόλοιπο και τα υπόλοιπα ανά περίοδο."),
    base=_view("CustomerBalances", "Debtor", "DebtorID",
               ("DebtorID", "debtor_id"), ("AccountNo", "account_no"), ("Name", "name"),
               ("ClassificationID", "classification_id"), ("Classification", "classification_id.description"),
               ("TradingStatus", "trading_status"), ("OnHold", "account_on_hold"), ("CreditLimit", "credit_limit"),
               ("CurrentBalance", "current_balance"), ("Period1", "period1_balance"),
               ("Period2", "period2_balance"), ("Period3", "period3_balance"), ("Period4", "period4_balance")),
    columns=[
        ReportColumn("AccountNo", ACCOUNT_NO, "AccountNo", width=110),
        ReportColumn("Name", NAME, "Name", width=200),
        ReportColumn("Classification", _label("Classification", "Κατηγορία"), "Classification"),
        ReportColumn("TradingStatus", _label("Trading status", "Κατάσταση"), "TradingStatus", width=85),
        ReportColumn("OnHold", _label("On hold", "Σε αναστολή"), "OnHold", width=85),
        ReportColumn("CreditLimit", _label("Credit limit", "Πιστωτικό όριο"), "CreditLimit"),
        ReportColumn("CurrentBalance", _label("Current balance", "Τρέχον υπόλοιπο"), "CurrentBalance"),
        ReportColumn("Period1", _label("Period 1", "Περίοδος 1"), "Period1", width=80),
        ReportColumn("Period2", _label("Period 2", "Περίοδος 2"), "Period2", width=80),
        ReportColumn("Period3", _label("Period 3", "Περίοδος 3"), "Period3", width=80),
        ReportColumn("Period4", _label("Period 4", "Περίοδος 4"), "Period4", width=80),
        ReportColumn("AvailableCredit", _label("Available credit", "Διαθέσιμο πιστωτικό όριο"),
                     type=FieldType.MONEY),
    ],
    filters=[
        ViewFilter("AccountNo", "AccountNo", ACCOUNT_NO, operators=TEXT, accepted=_DEBTOR_LOOKUP,
                   display_as="LookupSelector"),
        ViewFilter("Classification", "ClassificationID", _label("Classification", "Κατηγορία"), kind="Misc",
                   operators=CHOICE, display_as="LookupSelector",
                   accepted=AcceptedValues("lookup:DebtorClassification", display_field1="Description",
                                           key_field="ID")),
        ViewFilter("TradingStatus", "TradingStatus", _label("Trading status", "Κατάσταση"), kind="Misc",
                   operators=CHOICE, display_as="EnumSelector", accepted=AcceptedValues("enum:TradingStatus")),
        ViewFilter("OnHold", "OnHold", _label("On hold", "Σε αναστολή"), kind="Misc", operators=("Equal",),
                   display_as="CheckBox"),
        ViewFilter("Balance", "CurrentBalance", _label("Current balance", "Τρέχον υπόλοιπο"), kind="Misc",
                   operators=COMPARE, display_as="Number"),
    ],
    sort=("AccountNo",),
    derive=_available_credit,
    debtor_column="DebtorID",
)

# --- SalesByItem -----------------------------------------------------------------------------------


def _average_price(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        quantity = row.get("Quantity") or 0.0
        row["AveragePrice"] = round((row.get("ValueExTax") or 0.0) / quantity, 4) if quantity else None
    return rows


SALES_BY_ITEM = Report(
    name="SalesByItem",
    labels=_label("Sales by item", "Πωλήσεις ανά είδος"),
    description=_label("Quantity and value sold per item, from sales order lines (credit notes subtract).",
                       "Ποσότητα και αξία πωλήσεων ανά είδος, από τις γραμμές των παραγγελιών "
                       "(τα πιστωτικά αφαιρούνται)."),
    base=_view("SalesByItem", "SalesOrderLine", "DebtorID",
               ("LineID", "invoice_line_id"), ("InvoiceID", "invoice_id"), ("DebtorID", "invoice_id.debtor_id"),
               ("AccountNo", "invoice_id.debtor_id.account_no"), ("InvoiceDate", "invoice_id.invoice_init_date"),
               ("Status", "invoice_id.status"), ("CreditNote", "invoice_id.credit_note"),
               ("InventoryID", "inventory_id"), ("PartNo", "inventory_id.part_no"),
               ("Description", "inventory_id.description"), ("CommentLine", "comment_line"),
               ("Quantity", "quantity_ordered"), ("Price", "discounted_price"), ("Tax", "tax_to_charge"),
               ("LineTotal", "line_total")),
    columns=[
        ReportColumn("PartNo", _label("Part no.", "Κωδικός είδους"), "PartNo", width=90),
        ReportColumn("Description", _label("Description", "Περιγραφή"), "Description", width=220),
        ReportColumn("Orders", _label("Orders", "Παραγγελίες"), type=FieldType.INT, width=70,
                     measure=lambda c: sa.func.count(sa.distinct(c["InvoiceID"]))),
        ReportColumn("Quantity", _label("Quantity", "Ποσότητα"), type=FieldType.FLOAT, width=80,
                     measure=lambda c: sa.func.sum(_signed(c["Quantity"], c["CreditNote"]))),
        ReportColumn("ValueExTax", _label("Value ex. tax", "Αξία προ φόρων"), type=FieldType.MONEY,
                     measure=lambda c: sa.func.sum(_signed(c["Quantity"] * c["Price"], c["CreditNote"]))),
        ReportColumn("ValueIncTax", _label("Value inc. tax", "Αξία με φόρους"), type=FieldType.MONEY,
                     measure=lambda c: sa.func.sum(_signed(c["LineTotal"], c["CreditNote"]))),
        ReportColumn("AveragePrice", _label("Average price", "Μέση τιμή"), type=FieldType.MONEY),
    ],
    filters=[
        ViewFilter("InvoiceDate", "InvoiceDate", _label("Order date", "Ημερομηνία παραγγελίας"), operators=RANGE,
                   display_as="DateTime"),
        ViewFilter("PartNo", "PartNo", _label("Part no.", "Κωδικός είδους"), operators=TEXT,
                   accepted=_ITEM_LOOKUP, display_as="LookupSelector"),
        ViewFilter("AccountNo", "AccountNo", ACCOUNT_NO, kind="Misc", operators=TEXT, accepted=_DEBTOR_LOOKUP,
                   display_as="LookupSelector"),
        ViewFilter("Status", "Status", _label("Order status", "Κατάσταση παραγγελίας"), kind="Misc",
                   operators=CHOICE, display_as="EnumSelector", accepted=AcceptedValues("enum:SalesOrderStatus")),
    ],
    # Sales of items: comment lines and lines for no inventory item are left out.
    fixed=(Filter("CommentLine", Op.EQUAL, False), Filter("InventoryID", Op.IS_NOT_NULL)),
    sort=("PartNo",),
    aggregate=True,
    derive=_average_price,
    debtor_column="DebtorID",
)

# --- AccountLedgerExport ----------------------------------------------------------------------------

_TRANSACTIONS = (
    ("TransID", "trans_id"), ("DebtorID", "debtor_id"), ("AccountNo", "debtor_id.account_no"),
    ("DebtorName", "debtor_id.name"), ("CurrentBalance", "debtor_id.current_balance"),
    ("TranDate", "tran_date"), ("DueDate", "due_date"), ("Source", "source"), ("Ref", "ref"),
    ("Remark", "remark"), ("DebitCredit", "debit_credit"), ("Amount", "amount"),
    ("AllocatedAmount", "allocated_amount"), ("InvRemitNo", "inv_remit_no"),
)


def _ledger(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Debit and credit columns, and a running balance per account (rows come sorted by account, date)."""
    balance, account = 0.0, None
    for row in rows:
        if row.get("AccountNo") != account:
            balance, account = 0.0, row.get("AccountNo")
        amount = row.get("Amount") or 0.0
        debit = bool(row.get("DebitCredit"))
        row["Debit"] = amount if debit else None
        row["Credit"] = None if debit else amount
        balance = round(balance + (amount if debit else -amount), 2)
        row["Balance"] = balance
    return rows


ACCOUNT_LEDGER = Report(
    name="AccountLedgerExport",
    labels=_label("Account ledger", "Καρτέλα λογαριασμού"),
    description=_label("The transactions on a debtor's account, with debits, credits and a running balance.",
                       "Οι κινήσεις του λογαριασμού ενός χρεώστη, με χρεώσεις, πιστώσεις και προοδευτικό υπόλοιπο."),
    base=_view("AccountLedgerExport", "DebtorTransaction", "DebtorID", *_TRANSACTIONS),
    columns=[
        ReportColumn("AccountNo", ACCOUNT_NO, "AccountNo", width=110),
        ReportColumn("TranDate", _label("Date", "Ημερομηνία"), "TranDate", width=80),
        ReportColumn("Source", _label("Source", "Προέλευση"), "Source", width=60),
        ReportColumn("Ref", _label("Reference", "Παραστατικό"), "Ref", width=80),
        ReportColumn("Remark", _label("Remark", "Αιτιολογία"), "Remark", width=160),
        ReportColumn("DueDate", _label("Due date", "Ημερομηνία λήξης"), "DueDate", width=80),
        ReportColumn("Debit", _label("Debit", "Χρέωση"), type=FieldType.MONEY),
        ReportColumn("Credit", _label("Credit", "Πίστωση"), type=FieldType.MONEY),
        ReportColumn("Balance", _label("Balance", "Υπόλοιπο"), type=FieldType.MONEY),
    ],
    filters=[
        ViewFilter("AccountNo", "AccountNo", ACCOUNT_NO, required=True, operators=("Equal", "In"),
                   accepted=_DEBTOR_LOOKUP, display_as="LookupSelector"),
        ViewFilter("TranDate", "TranDate", DATE_FROM_TO, operators=RANGE, display_as="DateTime"),
        ViewFilter("Source", "Source", _label("Source", "Προέλευση"), kind="Misc", operators=CHOICE),
    ],
    sort=("AccountNo", "TranDate"),
    derive=_ledger,
    debtor_column="DebtorID",
)

# --- AccountFinExport -------------------------------------------------------------------------------


def _net(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["Net"] = round((row.get("Debits") or 0.0) - (row.get("Credits") or 0.0), 2)
    return rows


ACCOUNT_SUMMARY = Report(
    name="AccountFinExport",
    labels=_label("Account summary", "Σύνοψη λογαριασμών"),
    description=_label("Per debtor account: debits, credits, net movement, transactions and the current balance.",
                       "Ανά λογαριασμό χρεώστη: χρεώσεις, πιστώσεις, καθαρή κίνηση, κινήσεις και τρέχον υπόλοιπο."),
    base=_view("AccountFinExport", "DebtorTransaction", "DebtorID", *_TRANSACTIONS),
    columns=[
        ReportColumn("AccountNo", ACCOUNT_NO, "AccountNo", width=110),
        ReportColumn("Name", NAME, "DebtorName", width=200),
        ReportColumn("Transactions", _label("Transactions", "Κινήσεις"), type=FieldType.INT, width=70,
                     measure=lambda c: sa.func.count()),
        ReportColumn("Debits", _label("Debits", "Χρεώσεις"), type=FieldType.MONEY,
                     measure=lambda c: sa.func.sum(sa.case((c["DebitCredit"].is_(True), c["Amount"]), else_=0.0))),
        ReportColumn("Credits", _label("Credits", "Πιστώσεις"), type=FieldType.MONEY,
                     measure=lambda c: sa.func.sum(sa.case((c["DebitCredit"].is_(True), 0.0), else_=c["Amount"]))),
        ReportColumn("Net", _label("Net movement", "Καθαρή κίνηση"), type=FieldType.MONEY),
        ReportColumn("LastTransaction", _label("Last transaction", "Τελευταία κίνηση"), type=FieldType.DATETIME,
                     measure=lambda c: sa.func.max(c["TranDate"])),
        ReportColumn("CurrentBalance", _label("Current balance", "Τρέχον υπόλοιπο"), type=FieldType.MONEY,
                     measure=lambda c: sa.func.max(c["CurrentBalance"])),
    ],
    filters=[
        ViewFilter("AccountNo", "AccountNo", ACCOUNT_NO, operators=TEXT, accepted=_DEBTOR_LOOKUP,
                   display_as="LookupSelector"),
        ViewFilter("TranDate", "TranDate", DATE_FROM_TO, operators=RANGE, display_as="DateTime"),
    ],
    sort=("AccountNo",),
    aggregate=True,
    derive=_net,
    debtor_column="DebtorID",
)

for _report in (ACCOUNT_SUMMARY, ACCOUNT_LEDGER, CUSTOMER_BALANCES, SALES_BY_ITEM):
    register_report(_report)

__all__ = ["ACCOUNT_LEDGER", "ACCOUNT_SUMMARY", "CUSTOMER_BALANCES", "SALES_BY_ITEM", "PredefinedValues", "Report",
           "ReportColumn", "get_report", "register_report", "reports", "unregister_report"]
