"""The Jiwa route table: every route, verb, request DTO name and core permission."""

from __future__ import annotations

from ..servicestack.host import Operation, ServiceStackHost
from ..servicestack.types import DtoType, Prop
from .handlers import Collection, JiwaHandlers, Resource
from .shapes import NS, TABLES_NS, build_shapes

DEBTOR = Resource("Debtor", "Debtor", "/Debtors", "DebtorID", "Debtor", "Debtor")
INVENTORY = Resource("InventoryItem", "InventoryItem", "/Inventory", "InventoryID", "Inventory", "InventoryItem")
SALES_ORDER = Resource("SalesOrder", "SalesOrder", "/SalesOrders", "InvoiceID", "SalesOrder", "SalesOrder")
SALES_QUOTE = Resource("SalesQuote", "SalesQuote", "/SalesQuotes", "QuoteID", "SalesQuote", "SalesQuote")

# (view, result DTO, route, request DTO, permission, summary)
QUERIES = [
    ("SalesOrderList", "VJiwaSalesOrderList", "/Queries/SalesOrderList", "SalesOrderListQuery",
     "SalesOrder.List", "Retrieves a list of sales orders"),
    ("SalesQuoteList", "VJiwaSalesQuoteList", "/Queries/SalesQuoteList", "SalesQuoteListQuery",
     "SalesQuote.List", "Retrieves a list of sales quotes"),
    ("DebtorList", "VJiwaDebtorList", "/Queries/DebtorList", "DebtorListQuery", "Debtor.List",
     "Retrieves a list of debtors"),
    ("InventoryItemList", "VJiwaInventoryItemList", "/Queries/InventoryItemList", "InventoryItemListQuery",
     "InventoryItem.List", "Retrieves a list of inventory items"),
    ("DebtorTransactionList", "DBTrans", "/Queries/DebtorTransactionList", "DebtorTransactionListQuery",
     "DebtorTransaction.List", "Retrieves a list of debtor transactions"),
    ("SO_Main", "SOMain", "/Queries/SO_Main", "SO_MainQuery", "SalesOrder.Query", "Retrieves a list of sales orders."),
    ("DB_Main", "DBMain", "/Queries/DB_Main", "DB_MainQuery", "Debtor.Query", "Retrieves a list of debtors."),
    ("IN_Main", "INMain", "/Queries/IN_Main", "IN_MainQuery", "InventoryItem.Query",
     "Retrieves a list of inventory items."),
]


def _collections() -> list[Collection]:
    cols: list[Collection] = []

    def add(res: Resource, segment: str, collection: str, shape: str, key: str, name: str, plural: str,
            **kw: object) -> None:
        cols.append(Collection(res, segment, collection, shape, key, name, plural,
                               permission=kw.pop("permission", name), **kw))  # type: ignore[arg-type]

    add(DEBTOR, "ContactNames", "contact_names", "DebtorContactName", "ContactNameID", "DebtorContactName",
        "DebtorContactNames")
    add(DEBTOR, "DeliveryAddresses", "delivery_addresses", "DebtorDeliveryAddress", "DeliveryAddressID",
        "DebtorDeliveryAddress", "DebtorDeliveryAddresses")
    for res, owner in ((DEBTOR, "Debtor"), (INVENTORY, "InventoryItem"), (SALES_ORDER, "SalesOrder"),
                       (SALES_QUOTE, "SalesQuote")):
        add(res, "Notes", "notes", "Note", "NoteID", f"{res.name}Note", f"{res.name}Notes")
        add(res, "CustomFieldValues", "custom_field_values", "CustomFieldValue", "SettingID",
            f"{res.name}CustomFieldValue", f"{res.name}CustomFieldValues", custom_owner=owner)
    for res, hist_key, line_key in ((SALES_ORDER, "InvoiceHistoryID", "InvoiceLineID"),
                                    (SALES_QUOTE, "QuoteHistoryID", "QuoteLineID")):
        history_field = "invoice_history_id" if res is SALES_ORDER else "quote_history_id"
        add(res, "Historys", "histories", f"{res.name}History", hist_key, f"{res.name}History",
            f"{res.name}Historys")
        add(res, f"Historys/{{{hist_key}}}/Lines", "lines", f"{res.name}Line", line_key, f"{res.name}Line",
            f"{res.name}Lines", scope=("histories", history_field, hist_key))
        add(res, f"Historys/{{{hist_key}}}/Lines/{{{line_key}}}/CustomFieldValues", "custom_field_values",
            "CustomFieldValue", "SettingID", f"{res.name}LineCustomFieldValue",
            f"{res.name}LineCustomFieldValues", via=(("lines", line_key),), custom_owner=f"{res.name}Line")
    return cols


COLLECTIONS = _collections()
# Collections with only reads: histories are made by the business logic, custom values by definition.
READ_ONLY = {"Historys"}
NO_CREATE_DELETE = {"CustomFieldValues"}


def _shape_of(op: Operation | None) -> str:
    if op is None or not op.response:
        return ""
    return op.response.removeprefix("List<").removesuffix(">")


def register_jiwa(host: ServiceStackHost) -> None:
    shapes = build_shapes(host.types)
    handlers = JiwaHandlers(shapes, host.types)
    host.field_namer = lambda op, path: shapes.wire_name(_shape_of(op), path)
    # GETs only read, unless stateful (taking hold of a record writes a draft).
    host.runs_inline = lambda request, op: (op.read_only
                                            and request.headers.get("jiwa-stateful", "").lower() != "true")
    types = host.types

    def request_type(name: str, params: list[str], body_shape: str | None = None, *, namespace: str = NS,
                     extra: list[Prop] | None = None, inherits: str = "") -> None:
        props = [Prop(p, "string") for p in params]
        if body_shape:
            body = types.get(body_shape)
            assert body is not None, body_shape
            props += [p for p in body.props if p.name not in params]
        props += extra or []
        types.add(DtoType(name, props, namespace, inherits=inherits))

    def op(request: str, verb: str, route: str, handler: object, response: str | None, permission: str | None,
           summary: str, *, created: bool = False, tag: str = "") -> None:
        # Every GET here only reads, except Save and KeepAlive (and stateful GETs, see runs_inline).
        read_only = verb == "GET" and not request.endswith(("SAVERequest", "ProcessRequest")) \
            and request != "KeepAliveRequest"
        host.register(Operation(request=request, verb=verb, routes=[route], handler=handler,  # type: ignore[arg-type]
                                response=response, summary=summary, permission=permission,
                                created_status=201 if created else 200, tag=tag, read_only=read_only))

    # Authentication and session upkeep are ServiceStack's; KeepAlive is Jiwa's.
    request_type("KeepAliveRequest", [])
    op("KeepAliveRequest", "GET", "/KeepAlive", handlers.keep_alive, None, "Session.KeepAlive",
       "Extends an authenticated users session", tag="Auth")

    for res in (DEBTOR, INVENTORY, SALES_ORDER, SALES_QUOTE):
        tag = res.base.strip("/")
        item = f"{res.base}/{{{res.key}}}"
        request_type(f"{res.name}GETRequest", [res.key])
        op(f"{res.name}GETRequest", "GET", item, handlers.get(res), res.shape, f"{res.permission}.Get",
           f"Retrieves a {res.entity}.", tag=tag)
        request_type(f"{res.name}POSTRequest", [], res.shape)
        op(f"{res.name}POSTRequest", "POST", res.base, handlers.create(res), res.shape, f"{res.permission}.Create",
           f"Creates a {res.entity}.", created=True, tag=tag)
        request_type(f"{res.name}PATCHRequest", [res.key], res.shape)
        op(f"{res.name}PATCHRequest", "PATCH", item, handlers.patch(res), res.shape, f"{res.permission}.Update",
           f"Updates a {res.entity}.", tag=tag)
        request_type(f"{res.name}DELETERequest", [res.key])
        op(f"{res.name}DELETERequest", "DELETE", item, handlers.delete(res), None, f"{res.permission}.Delete",
           f"Deletes a {res.entity}.", tag=tag)
        stateful_base = item if res in (SALES_ORDER, SALES_QUOTE) else res.base
        request_type(f"{res.name}SAVERequest", [res.key])
        op(f"{res.name}SAVERequest", "GET", f"{stateful_base}/Save", handlers.save(res), res.shape,
           f"{res.permission}.Save", f"Saves a stateful {res.entity}.", tag=tag)
        request_type(f"{res.name}ABANDONRequest", [res.key])
        op(f"{res.name}ABANDONRequest", "DELETE", f"{stateful_base}/Abandon", handlers.abandon(res), None,
           f"{res.permission}.Abandon", f"Abandons a stateful {res.entity}.", tag=tag)
        owner = res.entity
        request_type(f"{res.name}CustomFieldsGETManyRequest", [])
        op(f"{res.name}CustomFieldsGETManyRequest", "GET", f"{res.base}/CustomFields",
           handlers.custom_fields(owner), "List<CustomField>", f"{res.permission}.Definitions",
           f"Retrieves a list of {res.entity} custom fields.", tag=tag)
        for verb, route, response, action in (
                ("GET", f"{res.base}/NoteTypes/{{NoteTypeID}}", "NoteType", "Definitions"),
                ("POST", f"{res.base}/NoteTypes", "NoteType", "Define"),
                ("PATCH", f"{res.base}/NoteTypes/{{NoteTypeID}}", "NoteType", "Define"),
                ("DELETE", f"{res.base}/NoteTypes/{{NoteTypeID}}", None, "Define")):
            request = f"{res.name}NoteType{verb}Request"
            request_type(request, [] if verb == "POST" else ["NoteTypeID"], None if verb in ("GET", "DELETE")
                         else "NoteType")
            op(request, verb, route, handlers.note_type(owner, verb), response, f"{res.permission}.{action}",
               f"{ {'GET': 'Retrieves', 'POST': 'Creates', 'PATCH': 'Updates', 'DELETE': 'Deletes'}[verb]} a "
               f"{res.entity} note type.", created=verb == "POST", tag=tag)
        request_type(f"{res.name}NoteTypesGETManyRequest", [])
        op(f"{res.name}NoteTypesGETManyRequest", "GET", f"{res.base}/NoteTypes", handlers.note_types(owner),
           "List<NoteType>", f"{res.permission}.Definitions", f"Retrieves a list of {res.entity} note types.", tag=tag)
    for kind in ("SalesOrder", "SalesQuote"):
        request_type(f"{kind}LineCustomFieldsGETManyRequest", [])
        op(f"{kind}LineCustomFieldsGETManyRequest", "GET", f"/{kind}s/Lines/CustomFields",
           handlers.custom_fields(f"{kind}Line"), "List<CustomField>", f"{kind}.Definitions",
           f"Retrieves a list of {kind} line custom fields.", tag=f"{kind}s")

    request_type("SalesQuoteMakeOrderRequest", ["QuoteID"])
    op("SalesQuoteMakeOrderRequest", "POST", "/SalesQuotes/{QuoteID}/MakeOrder", handlers.make_order, "SalesOrder",
       "SalesQuote.MakeOrder", "Makes a sales order from a quote.", created=True, tag="SalesQuotes")
    request_type("SalesOrderProcessRequest", ["InvoiceID"])
    op("SalesOrderProcessRequest", "GET", "/SalesOrders/{InvoiceID}/Process", handlers.process_order, "SalesOrder",
       "SalesOrder.Process", "Processes a sales order.", tag="SalesOrders")

    request_type("DebtorAPIKeyGETRequest", [])
    op("DebtorAPIKeyGETRequest", "GET", "/Debtors", handlers.own_debtor("Debtor"), "Debtor", "Debtor.GetOwn",
       "Retrieves a debtor for a API Key authenticated customer.", tag="Debtors")

    for col in COLLECTIONS:
        res = col.resource
        tag = res.base.strip("/")
        parent = f"{res.base}/{{{res.key}}}/{col.segment}"
        params = [res.key, *(p for _, p in col.via)] + ([col.scope[2]] if col.scope else [])
        shape = "CustomFieldValue" if col.custom_owner else col.shape
        request_type(f"{col.plural}GETManyRequest", params)
        op(f"{col.plural}GETManyRequest", "GET", parent, handlers.list_items(col), f"List<{shape}>",
           f"{col.permission}.Get", f"Retrieves a list of {col.name} items.", tag=tag)
        request_type(f"{col.name}GETRequest", [*params, col.key])
        op(f"{col.name}GETRequest", "GET", f"{parent}/{{{col.key}}}", handlers.get_item(col), shape,
           f"{col.permission}.Get", f"Retrieves a {col.name}.", tag=tag)
        if col.segment in READ_ONLY:
            continue
        request_type(f"{col.name}PATCHRequest", [*params, col.key], shape)
        op(f"{col.name}PATCHRequest", "PATCH", f"{parent}/{{{col.key}}}", handlers.patch_item(col), shape,
           f"{col.permission}.Update", f"Updates a {col.name}.", tag=tag)
        if col.segment.endswith("CustomFieldValues"):
            continue
        request_type(f"{col.name}POSTRequest", params, shape)
        op(f"{col.name}POSTRequest", "POST", parent, handlers.post_item(col), shape, f"{col.permission}.Create",
           f"Appends a {col.name}.", created=True, tag=tag)
        request_type(f"{col.name}DELETERequest", [*params, col.key])
        op(f"{col.name}DELETERequest", "DELETE", f"{parent}/{{{col.key}}}", handlers.delete_item(col), None,
           f"{col.permission}.Delete", f"Deletes a {col.name}.", tag=tag)

    query_props = [Prop("Skip", "int"), Prop("Take", "int"), Prop("OrderBy", "string"),
                   Prop("OrderByDesc", "string"), Prop("Include", "string"), Prop("Fields", "string")]
    for view, result, route, request, permission, summary in QUERIES:
        types.add(DtoType(request, list(query_props), TABLES_NS, inherits=f"QueryDb<{result}>"))
        op(request, "GET", route, handlers.auto_query(view, result), f"QueryResponse<{result}>", permission,
           summary, tag="Queries")
