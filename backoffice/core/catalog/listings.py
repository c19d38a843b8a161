"""Listings with captions, widths and named filters: what list screens (and Galaxy views) show.

Column names are the ones those screens have always used (``TRADECODE``, ``CoetDescription``);
their sources are catalog field paths, so a listing never holds data of its own.
"""

from __future__ import annotations

from .model import (
    AcceptedValues,
    Catalog,
    DetailView,
    Lookup,
    SortField,
    View,
    ViewColumn,
    ViewFilter,
)


def _col(name: str, source: str, en: str, el: str, width: int = 100, accepted: AcceptedValues | None = None,
         hidden: bool = False) -> ViewColumn:
    return ViewColumn(name, source, description=en, labels={"en": en, "el": el}, width=width, accepted=accepted,
                      hidden=hidden)


def _text_filter(name: str, column: str, en: str, el: str, **kw: object) -> ViewFilter:
    return ViewFilter(name, column, {"en": en, "el": el}, **kw)  # type: ignore[arg-type]


_BY_CODE = (SortField("Code"),)
ENTRY_TYPES = AcceptedValues("lookup:SalesEntryType", "Code", "Description", "ID", _BY_CODE)
COMPANIES = AcceptedValues("lookup:Company", "Code", "Title", "ID",
                           (SortField("IsSystem", descending=True), SortField("Code"), SortField("Title")))
ENTRY_STATUS = AcceptedValues("enum:SalesOrderStatus", "Code", None, "Value")
ENTRY_KINDS = AcceptedValues("enum:CommercialEntryKind", "Code", None, "Value")
ACTIVE = AcceptedValues("enum:Active", "Code", None, "Value")


def add_listings(catalog: Catalog) -> None:
    catalog.add(View(
        "SalesEntry", "SalesOrder",
        [
            _col("ID", "invoice_id", "Id", "Κωδικός εγγραφής"),
            _col("TentID", "trade_entry_id", "Trade entry", "Κίνηση"),
            _col("CoetID", "entry_type_id", "Document type id", "Τύπος (id)", accepted=ENTRY_TYPES),
            _col("CurrIDTran", "currency_id", "Document currency", "Νόμισμα κίνησης"),
            _col("CurrIDEntity", "currency_id", "Company currency", "Νόμισμα εταιρίας"),
            _col("TotalValue", "invoice_total", "Total value", "Συνολική αξία"),
            _col("CoetCode", "entry_type_id.code", "Type code", "Κωδικός τύπου"),
            _col("CoetDescription", "entry_type_id.description", "Type description", "Περιγραφή τύπου", 200),
            _col("TRADEDATE", "invoice_init_date", "Date", "Ημερομηνία"),
            _col("OFFICIALDATE", "official_date", "Official date", "Επίσημη ημερομηνία"),
            _col("ORIGIN", "origin", "Origin", "Προέλευση"),
            _col("SOURCETYPE", "source_type", "Source type", "Τύπος πηγής"),
            _col("STATUS", "status", "Status", "Κατάσταση", accepted=ENTRY_STATUS),
            _col("TRADECODE", "trade_code", "Document", "Παραστατικό", 150),
            _col("CompID", "company_id", "Company id", "Εταιρία (id)", accepted=COMPANIES),
            _col("CmpsID", "company_site_id", "Site id", "Υποκατάστημα (id)"),
            _col("COMPTITLE", "company_id.title", "Company", "Εταιρία", 200),
            _col("CMPSDESCRIPTION", "company_site_id.description", "Site", "Υποκατάστημα", 200),
            _col("FSYRDESCRIPTION", "fiscal_year", "Fiscal year", "Χρήση"),
            _col("ISOFFICIAL", "is_official", "Official", "Επίσημο"),
            _col("DNUMDISPLAYCODE", "entry_type_id.series", "Series", "Σειρά"),
            _col("ISPRINTED", "printed", "Printed", "Εκτυπωμένο"),
            _col("EMAILSENT", "emailed", "E-mailed", "Απεσταλμένο με email"),
            _col("ICTRANS", "intercompany", "Intercompany", "Ενδοομιλική"),
            _col("GLUPDATED", "ledger_posted", "Posted to the ledger", "Ενημέρωση λογιστικής"),
            _col("CustCode", "debtor_id.account_no", "Customer code", "Κωδικός πελάτη"),
            _col("TrdrName", "debtor_id.name", "Customer", "Επωνυμία", 200),
            _col("CurDescription", "currency_id.description", "Currency", "Νόμισμα"),
            _col("WAREHSDESCR", "logical_id.description", "Warehouse", "Αποθήκη", 150),
            _col("ChangeNo", "change_no", "Change number", "Αριθμός μεταβολής", 80),
            _col("FKIND", "entry_type_id.kind", "Kind", "Είδος", accepted=ENTRY_KINDS, hidden=True),
            _col("DebtorID", "debtor_id", "Customer id", "Πελάτης (id)", hidden=True),
        ],
        default_sort=("TRADEDATE",),
        description="Sales documents with their type, company, site and customer.",
        debtor_column="DebtorID",
        labels={"en": "Sales documents", "el": "Παραστατικά πωλήσεων"},
        filters=[
            # A multi-check picks several types at once, so In is allowed beside the document's Equal and NotIn.
            _text_filter("QCoetID", "CoetID", "Type", "Τύπος", display_as="MultiCheck",
                         operators=("Equal", "In", "NotIn"), accepted=ENTRY_TYPES),
            _text_filter("QTRADECODE", "TRADECODE", "Document", "Παραστατικό"),
            _text_filter("QTRADEDATE", "TRADEDATE", "Date", "Ημερομηνία", display_as="DateRange",
                         operators=("Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "NotEqual")),
            _text_filter("QCustCode", "CustCode", "Customer code", "Κωδικός πελάτη"),
            _text_filter("FKIND", "FKIND", "Kind", "Είδος", kind="Misc", display_as="MultiCheckEnumeration",
                         operators=("In", "NotIn"), accepted=ENTRY_KINDS),
            _text_filter("FSTATUS", "STATUS", "Status", "Κατάσταση", kind="Misc",
                         display_as="MultiCheckEnumeration", operators=("Equal", "In", "NotIn"),
                         accepted=ENTRY_STATUS),
        ],
        identity="ID", sortable=("TRADEDATE",), related=("SalesEntryLine",),
        details=[DetailView("Lines", "SalesEntryLine", "SalesEntryID", {"en": "Lines", "el": "Γραμμές"})],
    ))
    catalog.add(View(
        "SalesEntryLine", "SalesOrderLine",
        [
            _col("ID", "invoice_line_id", "Id", "Κωδικός εγγραφής"),
            _col("SalesEntryID", "invoice_id", "Document id", "Παραστατικό (id)"),
            _col("TRADECODE", "invoice_id.trade_code", "Document", "Παραστατικό", 150),
            _col("LineNo", "item_no", "Line", "Γραμμή", 60),
            _col("ItemCode", "part_no", "Item code", "Κωδικός είδους"),
            _col("ItemDescription", "description", "Item", "Περιγραφή είδους", 200),
            _col("QTY", "quantity_ordered", "Quantity", "Ποσότητα"),
            _col("PRICE", "price_ex_gst", "Price", "Τιμή"),
            _col("NETVALUE", "line_total", "Value", "Αξία"),
            _col("DebtorID", "invoice_id.debtor_id", "Customer id", "Πελάτης (id)", hidden=True),
            _col("ItemID", "inventory_id", "Item id", "Είδος (id)", hidden=True),
        ],
        default_sort=("TRADECODE", "LineNo"),
        description="Lines of sales documents.",
        debtor_column="DebtorID",
        labels={"en": "Sales document lines", "el": "Γραμμές παραστατικών πωλήσεων"},
        filters=[
            _text_filter("QSalesEntryID", "SalesEntryID", "Document", "Παραστατικό", operators=("Equal", "In")),
            _text_filter("QItemCode", "ItemCode", "Item code", "Κωδικός είδους"),
        ],
        identity="ID", sortable=("TRADECODE", "ItemCode"),
    ))
    catalog.add(View(
        "Company", "Company",
        [
            _col("ID", "company_id", "Id", "Κωδικός εγγραφής"),
            _col("Code", "code", "Code", "Κωδικός", 120),
            _col("Title", "title", "Title", "Τίτλος", 200),
            _col("DistinctiveTitle", "distinctive_title", "Distinctive title", "Διακριτικός τίτλος", 200),
            _col("TIN", "tin", "TIN", "ΑΦΜ", 120),
            _col("Active", "active", "Active", "Ενεργή", 60, accepted=ACTIVE),
        ],
        default_sort=("Code",),
        description="The companies of the group.",
        labels={"en": "Companies", "el": "Εταιρίες"},
        filters=[
            _text_filter("QCode", "Code", "Code", "Κωδικός"),
            _text_filter("QTitle", "Title", "Title", "Τίτλος"),
            _text_filter("FActive", "Active", "Active", "Ενεργή", kind="Misc", display_as="MultiCheckEnumeration",
                         operators=("Equal", "In", "NotIn"), accepted=ACTIVE),
        ],
        identity="ID", sortable=("Code",),
        details=[DetailView("Sales documents", "SalesEntry", "CompID",
                            {"en": "Sales documents", "el": "Παραστατικά πωλήσεων"})],
    ))
    catalog.add(View(
        "Customer", "Debtor",
        [
            _col("ID", "debtor_id", "Id", "Κωδικός εγγραφής"),
            _col("Code", "account_no", "Code", "Κωδικός", 120),
            _col("Name", "name", "Name", "Επωνυμία", 200),
            _col("TIN", "abn", "TIN", "ΑΦΜ", 120),
            _col("Phone1", "phone", "Phone", "Τηλέφωνο", 120),
            _col("Email", "email_address", "E-mail", "Email", 200),
            _col("City", "address2", "City", "Πόλη", 120),
            _col("Balance", "current_balance", "Balance", "Υπόλοιπο"),
            _col("MaxBalance", "credit_limit", "Credit limit", "Πιστωτικό όριο"),
            _col("OnHold", "account_on_hold", "On hold", "Σε αναμονή", 60),
            _col("RevNum", "revision", "Revision", "Αναθεώρηση", 60),
            _col("ChangeNo", "change_no", "Change number", "Αριθμός μεταβολής", 80),
        ],
        default_sort=("Code",),
        description="Customers (traders who buy).",
        debtor_column="ID",
        labels={"en": "Customers", "el": "Πελάτες"},
        filters=[
            _text_filter("QCode", "Code", "Code", "Κωδικός"),
            _text_filter("QName", "Name", "Name", "Επωνυμία"),
            _text_filter("QTIN", "TIN", "TIN", "ΑΦΜ"),
        ],
        identity="ID", sortable=("Code", "Name"),
        details=[DetailView("Sales documents", "SalesEntry", "DebtorID",
                            {"en": "Sales documents", "el": "Παραστατικά πωλήσεων"}),
                 DetailView("Activities", "Activities", "DebtorID", {"en": "Activities", "el": "Ενέργειες"})],
    ))
    catalog.add(View(
        "Item", "InventoryItem",
        [
            _col("ID", "inventory_id", "Id", "Κωδικός εγγραφής"),
            _col("Code", "part_no", "Code", "Κωδικός", 120),
            _col("Description", "description", "Description", "Περιγραφή", 200),
            _col("Price", "default_price", "Price", "Τιμή"),
            _col("Unit", "unit_measure", "Unit", "Μονάδα", 60),
            _col("Balance", "available_stock", "Stock", "Υπόλοιπο"),
            _col("RevNum", "revision", "Revision", "Αναθεώρηση", 60),
            _col("ChangeNo", "change_no", "Change number", "Αριθμός μεταβολής", 80),
        ],
        default_sort=("Code",),
        description="Items (goods and services) for sale.",
        labels={"en": "Items", "el": "Είδη"},
        filters=[
            _text_filter("QCode", "Code", "Code", "Κωδικός"),
            _text_filter("QDescription", "Description", "Description", "Περιγραφή"),
        ],
        identity="ID", sortable=("Code", "Description"),
        details=[DetailView("Sales per document \\ line", "SalesEntryLine", "ItemID",
                            {"en": "Sales per document \\ line", "el": "Πωλήσεις ανά παραστατικό \\ γραμμή"})],
    ))
    catalog.add(View(
        "Activities", "Activity",
        [
            _col("ID", "activity_id", "Id", "Κωδικός εγγραφής"),
            _col("Subject", "subject", "Subject", "Θέμα", 200),
            _col("ActivityType", "activity_type_id.description", "Type", "Τύπος"),
            _col("AccountCode", "debtor_id.account_no", "Customer code", "Κωδικός πελάτη"),
            _col("AccountName", "debtor_id.name", "Customer", "Πελάτης", 200),
            _col("StartDate", "start_date", "Start", "Έναρξη"),
            _col("Status", "status", "Status", "Κατάσταση", accepted=AcceptedValues("enum:ActivityStatus",
                                                                                  "Code", None, "Value")),
            _col("DebtorID", "debtor_id", "Customer id", "Πελάτης (id)", hidden=True),
        ],
        default_sort=("StartDate",),
        description="CRM activities.",
        debtor_column="DebtorID",
        labels={"en": "Activities", "el": "Ενέργειες"},
        filters=[_text_filter("QSubject", "Subject", "Subject", "Θέμα")],
        identity="ID", sortable=("StartDate", "Subject"),
    ))
    for name, entity, en, el in (
        ("AcquaintSource", "AcquaintSource", "Sources of acquaintance", "Πηγές γνωριμίας"),
        ("AddressType", "AddressType", "Address types", "Τύποι διευθύνσεων"),
        ("Bank", "Bank", "Banks", "Τράπεζες"),
        ("SalesEntryType", "SalesEntryType", "Sales document types", "Τύποι παραστατικών πωλήσεων"),
        ("Company", "Company", "Companies", "Εταιρίες"),
        ("Currency", "Currency", "Currencies", "Νομίσματα"),
        ("ActivityType", "ActivityType", "Activity types", "Τύποι ενεργειών"),
        ("Warehouse", "Warehouse", "Warehouses", "Αποθήκες"),
        ("Customer", "Debtor", "Customers", "Πελάτες"),
        ("Item", "InventoryItem", "Items", "Είδη"),
        ("DebtorClassification", "DebtorClassification", "Customer classifications", "Κατηγορίες πελατών"),
    ):
        catalog.add(Lookup(name, entity, labels={"en": en, "el": el}))
