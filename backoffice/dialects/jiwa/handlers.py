"""Jiwa handlers: parse the bound request DTO, make one core call, shape the result as a Jiwa DTO."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...core import actions, drafts, errors, query, records
from ...core.auth import service as auth
from ...core.catalog import CATALOG
from ...wire.dates import parse_wcf
from ..servicestack.formats import Dto
from ..servicestack.host import Call
from ..servicestack.types import SCALAR_DEFAULTS, TypeRegistry
from .shapes import Lookup, Shapes


def is_stateful(call: Call) -> bool:
    return call.headers.get("jiwa-stateful", "").strip().lower() == "true"


def _required(call: Call, name: str) -> str:
    value = call.dto.get(name)
    if value in (None, ""):
        raise errors.Invalid.field(name, f"{name} is required", "NotEmpty")
    return str(value).strip()


def _expected_last_saved(call: Call) -> Any:
    return call.dto.get("LastSavedDateTime")


@dataclass
class Resource:
    """A root record type on the wire: /Debtors/{DebtorID} over the Debtor entity."""

    entity: str
    shape: str
    base: str
    key: str
    name: str  # DTO name prefix: "Debtor" -> DebtorGETRequest
    permission: str  # core permission prefix: "Debtor" -> Debtor.Get


@dataclass
class Collection:
    """A child collection on the wire: /SalesOrders/{InvoiceID}/Notes/{NoteID}."""

    resource: Resource
    segment: str  # the route part after the parent, e.g. "Notes" or "Historys/{InvoiceHistoryID}/Lines"
    collection: str
    shape: str
    key: str  # the item key's route parameter
    name: str  # DTO prefix, singular: "SalesOrderNote"
    plural: str  # DTO prefix for lists: "SalesOrderNotes"
    permission: str
    # Steps from the root to the parent item: (collection, route parameter).
    via: tuple[tuple[str, str], ...] = ()
    # Items belong to one item of another collection, named by a route parameter, and new ones
    # are stamped with it: (container collection, field, parameter) e.g. lines of one history.
    scope: tuple[str, str, str] | None = None
    # For custom field values: items are every defined field, keyed by SettingID.
    custom_owner: str | None = None


class JiwaHandlers:
    def __init__(self, shapes: Shapes, types: TypeRegistry) -> None:
        self.shapes = shapes
        self.types = types

    # --- shaping --------------------------------------------------------------------------

    def dto(self, call: Call, shape: str, doc: dict[str, Any]) -> Dto:
        with call.db.read() as conn:
            return self.shapes.to_dto(shape, doc, Lookup(conn))

    # --- root records -----------------------------------------------------------------------

    def get(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            key = _required(call, res.key)
            if is_stateful(call):
                with call.db.write() as conn:
                    doc = drafts.take(conn, call.owner, call.actor(), res.entity, key)
                    return self.shapes.to_dto(res.shape, doc, Lookup(conn))
            with call.db.read() as conn:
                doc = records.get(conn, call.actor(), res.entity, key)
                return self.shapes.to_dto(res.shape, doc, Lookup(conn))
        return handler

    def create(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            changes = self.shapes.from_dto(res.shape, call.dto)
            with call.db.write() as conn:
                doc = records.create(conn, call.actor(), res.entity, changes)
                return self.shapes.to_dto(res.shape, doc, Lookup(conn))
        return handler

    def patch(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            key = _required(call, res.key)
            changes = self.shapes.from_dto(res.shape, {k: v for k, v in call.dto.items() if k != res.key})
            with call.db.write() as conn:
                if is_stateful(call):
                    doc = drafts.change(conn, call.owner, call.actor(), res.entity, key, changes)
                else:
                    doc = records.update(conn, call.actor(), res.entity, key, changes,
                                         expected_last_saved=_expected_last_saved(call))
                return self.shapes.to_dto(res.shape, doc, Lookup(conn))
        return handler

    def delete(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            key = _required(call, res.key)
            with call.db.write() as conn:
                records.delete(conn, call.actor(), res.entity, key)
            return None
        return handler

    def _held_key(self, call: Call, res: Resource, conn: Any) -> str:
        key = call.dto.get(res.key)
        if key:
            return str(key).strip()
        held = drafts.held_keys(conn, call.owner, res.entity)
        if len(held) == 1:
            return held[0]
        if not held:
            raise errors.NotFound(f"No {res.entity} is held in this session; GET it with the jiwa-stateful "
                                  "header first", code="RecordNotFound")
        raise errors.Invalid.field(res.key, f"Several {res.entity} records are held; say which with {res.key}",
                                   "NotEmpty")

    def save(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            with call.db.write() as conn:
                drafts.expire(conn, timedelta(seconds=call.settings.draft_ttl_seconds))
                key = self._held_key(call, res, conn)
                doc = drafts.save(conn, call.owner, call.actor(), res.entity, key)
                return self.shapes.to_dto(res.shape, doc, Lookup(conn))
        return handler

    def abandon(self, res: Resource) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            with call.db.write() as conn:
                key = self._held_key(call, res, conn)
                if not drafts.abandon(conn, call.owner, res.entity, key):
                    raise errors.NotFound(f"No {res.entity} {key} is held in this session", code="RecordNotFound")
            return None
        return handler

    # --- child collections -------------------------------------------------------------------

    def _path(self, call: Call, col: Collection) -> list[tuple[str, str]]:
        return [(collection, _required(call, param)) for collection, param in col.via]

    def _parent_key(self, call: Call, col: Collection) -> str:
        return _required(call, col.resource.key)

    def _items(self, call: Call, col: Collection, conn: Any) -> list[dict[str, Any]]:
        """The collection's items under the parent the route names, as the actor may see them."""
        within = None
        if col.scope:
            container, field_name, param = col.scope
            within = (container, _required(call, param), field_name)
        return records.children(conn, call.actor(), col.resource.entity, self._parent_key(call, col),
                                self._path(call, col), col.collection, within=within)

    def list_items(self, col: Collection) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            with call.db.read() as conn:
                items = self._items(call, col, conn)
                lookup = Lookup(conn)
                if col.custom_owner:
                    return self.shapes.custom_values(col.custom_owner, items, lookup)
                return [self.shapes.to_dto(col.shape, item, lookup) for item in items]
        return handler

    def get_item(self, col: Collection) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            item_key = _required(call, col.key)
            with call.db.read() as conn:
                items = self._items(call, col, conn)
                lookup = Lookup(conn)
                if col.custom_owner:
                    found = [v for v in self.shapes.custom_values(col.custom_owner, items, lookup)
                             if v["SettingID"] == item_key]
                    if not found:
                        raise errors.NotFound(f"Custom field {item_key} not found", code="RecordNotFound")
                    return found[0]
                item = self._find(col, items, item_key)
                return self.shapes.to_dto(col.shape, item, lookup)
        return handler

    def _find(self, col: Collection, items: list[dict[str, Any]], item_key: str) -> dict[str, Any]:
        key_field = CATALOG.entity(self.shapes.shapes[col.shape].entity).key
        item = next((i for i in items if i.get(key_field) == item_key), None)
        if item is None:
            raise errors.NotFound(f"{col.shape} {item_key} not found", code="RecordNotFound")
        return item

    def _item_changes(self, call: Call, col: Collection) -> dict[str, Any]:
        skip = {col.resource.key, col.key, *(p for _, p in col.via)}
        if col.scope:
            skip.add(col.scope[2])
        return self.shapes.from_dto(col.shape, {k: v for k, v in call.dto.items() if k not in skip})

    def post_item(self, col: Collection) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            changes = self._item_changes(call, col)
            with call.db.write() as conn:
                self._items(call, col, conn)  # the parent (and history) must exist and be visible
                if col.scope:
                    changes[col.scope[1]] = _required(call, col.scope[2])
                item = records.add_child(conn, call.actor(), col.resource.entity, self._parent_key(call, col),
                                         self._path(call, col), col.collection, changes)
                return self.shapes.to_dto(col.shape, item, Lookup(conn))
        return handler

    def patch_item(self, col: Collection) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            item_key = _required(call, col.key)
            changes = self._item_changes(call, col)
            with call.db.write() as conn:
                items = self._items(call, col, conn)
                path = self._path(call, col)
                if col.custom_owner:
                    contents = call.dto.get("Contents")
                    records.update(conn, call.actor(), col.resource.entity, self._parent_key(call, col),
                                   records.nest(col.resource.entity, path, {col.collection: [
                                       {"setting_id": item_key, "contents": contents}]}))
                    items = self._items(call, col, conn)
                    found = [v for v in self.shapes.custom_values(col.custom_owner, items, Lookup(conn))
                             if v["SettingID"] == item_key]
                    return found[0]
                self._find(col, items, item_key)
                item = records.update_child(conn, call.actor(), col.resource.entity, self._parent_key(call, col),
                                            [*path, (col.collection, item_key)], changes)
                return self.shapes.to_dto(col.shape, item, Lookup(conn))
        return handler

    def delete_item(self, col: Collection) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            item_key = _required(call, col.key)
            with call.db.write() as conn:
                items = self._items(call, col, conn)
                self._find(col, items, item_key)
                records.delete_child(conn, call.actor(), col.resource.entity, self._parent_key(call, col),
                                     [*self._path(call, col), (col.collection, item_key)])
            return None
        return handler

    # --- business operations ----------------------------------------------------------------------

    def make_order(self, call: Call) -> Any:
        with call.db.write() as conn:
            order = actions.make_order_from_quote(conn, call.actor(), _required(call, "QuoteID"))
            return self.shapes.to_dto("SalesOrder", order, Lookup(conn))

    def process_order(self, call: Call) -> Any:
        with call.db.write() as conn:
            order = actions.process_order(conn, call.actor(), _required(call, "InvoiceID"))
            return self.shapes.to_dto("SalesOrder", order, Lookup(conn))

    # --- other routes -------------------------------------------------------------------------

    def own_debtor(self, shape: str) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            actor = call.actor()
            if not actor.debtor_id:
                raise errors.NotFound("This route answers for a debtor API key; no debtor is associated "
                                      "with these credentials", code="RecordNotFound")
            with call.db.read() as conn:
                doc = records.get(conn, actor, "Debtor", actor.debtor_id)
                return self.shapes.to_dto(shape, doc, Lookup(conn))
        return handler

    def keep_alive(self, call: Call) -> Any:
        call.actor()
        if call.session_id:
            with call.db.write() as conn:
                auth.touch_session(conn, call.session_id, timedelta(seconds=call.settings.session_ttl_seconds))
        return None

    def custom_fields(self, owner_type: str) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            with call.db.read() as conn:
                return [Dto("CustomField", {"SettingID": f["setting_id"], "SettingName": f["setting_name"],
                                            "PluginID": f["plugin_id"], "PluginName": f["plugin_name"],
                                            "CellType": f["cell_type"], "DisplayOrder": f["display_order"]})
                        for f in Lookup(conn).custom_fields(owner_type)]
        return handler

    def note_types(self, owner_type: str) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            with call.db.read() as conn:
                page = query.run(conn, call.actor(), "NoteType", query.Query(
                    filters=[query.Filter("owner_type", query.Op.EQUAL, owner_type)],
                    sort=[query.Sort("item_no"), query.Sort("description")]))
                lookup = Lookup(conn)
                return [self.shapes.to_dto("NoteType", row, lookup) for row in page.rows]
        return handler

    def _note_type(self, call: Call, conn: Any, owner_type: str) -> dict[str, Any]:
        """The note type the route names, if it types this kind of record."""
        key = _required(call, "NoteTypeID")
        doc = records.get(conn, call.actor(), "NoteType", key)
        if doc["owner_type"] != owner_type:
            raise errors.NotFound(f"{owner_type} note type {key} not found", code="RecordNotFound")
        return doc

    def note_type(self, owner_type: str, verb: str) -> Callable[[Call], Any]:
        def handler(call: Call) -> Any:
            changes = self.shapes.from_dto("NoteType", {k: v for k, v in call.dto.items() if k != "NoteTypeID"})
            with call.db.write() if verb != "GET" else call.db.read() as conn:
                if verb == "POST":
                    doc = records.create(conn, call.actor(), "NoteType", {**changes, "owner_type": owner_type})
                else:
                    doc = self._note_type(call, conn, owner_type)
                    if verb == "PATCH":
                        doc = records.update(conn, call.actor(), "NoteType", doc["note_type_id"], changes)
                    elif verb == "DELETE":
                        records.delete(conn, call.actor(), "NoteType", doc["note_type_id"])
                        return None
                return self.shapes.to_dto("NoteType", doc, Lookup(conn))
        return handler

    # --- AutoQuery ------------------------------------------------------------------------------

    def auto_query(self, view_name: str, result_type: str) -> Callable[[Call], Any]:
        view = CATALOG.views[view_name]
        columns = {c.name.lower(): c.name for c in view.columns}
        view_columns = {c.name for c in view.columns}
        dto_type = self.types.get(result_type)
        assert dto_type is not None

        def handler(call: Call) -> Any:
            q = parse_auto_query(call.dto, columns)
            with call.db.read() as conn:
                page = query.run(conn, call.actor(), view_name, q, max_take=call.settings.max_page_size)
            results = []
            for row in page.rows:
                # A column left out by Fields= keeps its type's default, as AutoQuery does; a member
                # backoffice does not keep at all is left out rather than shown as a made-up 0/false.
                results.append(Dto(result_type, {
                    p.name: row[p.name] if p.name in row else
                    (SCALAR_DEFAULTS.get(p.type) if p.name in view_columns else None) for p in dto_type.props
                }))
            return Dto("QueryResponse", {"Offset": page.skip, "Total": page.total or 0, "Results": results,
                                         "Meta": {}})
        return handler


# AutoQuery's implicit conventions, longest suffix first so GreaterThanOrEqualTo wins over GreaterThan.
_SUFFIXES: list[tuple[str, query.Op]] = sorted([
    ("GreaterThanOrEqualTo", query.Op.GREATER_OR_EQUAL), ("GreaterThan", query.Op.GREATER),
    ("LessThanOrEqualTo", query.Op.LESS_OR_EQUAL), ("LessThan", query.Op.LESS),
    ("NotEqualTo", query.Op.NOT_EQUAL), ("StartsWith", query.Op.STARTS_WITH), ("EndsWith", query.Op.ENDS_WITH),
    ("Contains", query.Op.LIKE), ("Like", query.Op.PATTERN), ("Between", query.Op.BETWEEN),
    ("In", query.Op.IN), ("IsNull", query.Op.IS_NULL), ("IsNotNull", query.Op.IS_NOT_NULL),
], key=lambda s: -len(s[0]))
_PAGING = {"skip", "take", "orderby", "orderbydesc", "fields", "include", "meta"}


def _text_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [v.strip() for v in text.split(",")] if text else []


def _wire_value(value: Any) -> Any:
    if isinstance(value, str) and "Date(" in value:
        try:
            wcf = parse_wcf(value)
        except ValueError:
            return value  # out of range: the core says which field is wrong
        if wcf is not None:
            return wcf
    if isinstance(value, list):
        return [_wire_value(v) for v in value]
    return value


def _int_param(name: str, value: Any) -> int:
    try:
        whole = int(str(value).strip())
    except ValueError as exc:
        raise errors.Invalid.field(name, f"{name} must be a whole number", "InvalidValue") from exc
    if not 0 <= whole < 2**31:
        raise errors.Invalid.field(name, f"{name} must be between 0 and {2**31 - 1}", "InvalidValue")
    return whole


def parse_auto_query(params: dict[str, Any], columns: dict[str, str]) -> query.Query:
    """An AutoQuery request (Skip, Take, OrderBy, Fields, Include and field conventions) as a core Query."""
    q = query.Query()
    lowered = {k.lower(): v for k, v in params.items()}
    if lowered.get("skip") not in (None, ""):
        q.skip = _int_param("Skip", lowered["skip"])
    if lowered.get("take") not in (None, ""):
        q.take = _int_param("Take", lowered["take"])
    for key, descending in (("orderby", False), ("orderbydesc", True)):
        if not lowered.get(key):
            continue
        for item in re.split(r"[,;]", str(lowered[key])):
            item = item.strip()
            if not item:
                continue
            flip = item.startswith("-")
            q.sort.append(query.Sort(item.lstrip("-"), descending != flip))
    if lowered.get("fields"):
        q.fields = [f.strip() for f in str(lowered["fields"]).split(",") if f.strip()]
    if lowered.get("include"):
        tokens = str(lowered["include"]).lower().split(",")
        q.count = any(token.strip() in ("total", "count", "count(*)") for token in tokens)
    for key, value in params.items():
        name = key.lower()
        if name in _PAGING:
            continue
        if name in columns:
            q.filters.append(query.Filter(columns[name], query.Op.EQUAL, _wire_value(value)))
            continue
        for suffix, op in _SUFFIXES:
            if name.endswith(suffix.lower()) and name[: -len(suffix)] in columns:
                column = columns[name[: -len(suffix)]]
                if op in (query.Op.IN, query.Op.BETWEEN):
                    value = _text_list(value)
                if op in (query.Op.IS_NULL, query.Op.IS_NOT_NULL) and str(value).lower() in ("false", "0"):
                    op = query.Op.IS_NOT_NULL if op is query.Op.IS_NULL else query.Op.IS_NULL
                q.filters.append(query.Filter(column, op, _wire_value(value)))
                break
        # Keys that match no column are ignored, as AutoQuery does.
    return q
