"""Galaxy requests: parse the URL and body, make one core call, answer in Galaxy's shapes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_plus

import orjson
import sqlalchemy as sa
from starlette.responses import Response

from ...core import actions as _actions  # noqa: F401  (registers the entity actions)
from ...core import custom_views, dynamic_details, errors, query, records, services
from ...core import messenger as _messenger  # noqa: F401  (registers the Messenger service)
from ...core.auth import require
from ...core.catalog import CATALOG, DetailView, View, localized
from ...core.records import NEW_KEY, Notice
from ...core.store.tables import ENTITY_TABLES
from ..servicestack.host import Call
from . import metadata
from .aliasmap import (
    ActionContext,
    ActionRefused,
    Alias,
    AliasMap,
    IncomingTransformError,
    OutgoingTransformError,
    Relation,
    RelationError,
)
from .filters import Condition, list_query, to_filters
from .shapes import DOMAINS, Domain, GalaxyEntity, ObjectShape, parse, render, template, view_value

log = logging.getLogger("backoffice.galaxy")


def _domain(call: Call) -> Domain:
    name = call.path_params.get("domain", "")
    domain = DOMAINS.get(name.lower())
    if domain is None:
        raise errors.NotFound(f"Unknown business domain '{name}'", code="NotFound")
    return domain


def _name(call: Call, key: str) -> str:
    # Galaxy writes spaces in names as "+" even in the path (e.g. dynamic view names).
    return unquote_plus(call.path_params.get(key, ""))


def _params(call: Call) -> dict[str, str]:
    return {k.lower(): v for k, v in call.raw_query}


def _depth(call: Call, default: int | None) -> int | None:
    text = _params(call).get("depth")
    if text in (None, ""):
        return default
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 32:
        raise errors.Invalid.field("depth", f"depth: {text!r} is not a whole number from 0 to 32", "InvalidValue")
    return int(text)


@dataclass(frozen=True)
class GalaxyContext:
    """The dialect's configuration, loaded at start: the AliasMap."""

    aliases: AliasMap


def _aliases(call: Call) -> AliasMap:
    context = call.context
    return context.aliases if isinstance(context, GalaxyContext) else AliasMap.empty()


def _entity(call: Call, domain: Domain) -> GalaxyEntity:
    """The entity the URL names: one of the domain's, or a second URL the AliasMap gives one."""
    name = _name(call, "entity")
    found = domain.entity(name)
    if found is None:
        alias = _aliases(call).alias(domain.name, name)
        target = domain.entity(alias.entity_name.split(":", 1)[-1]) if alias and alias.entity_name else None
        if alias is not None and target is not None:
            return replace(target, name=alias.uri_name)
        raise errors.NotFound(f"Unknown entity '{name}' in domain {domain.name}", code="NotFound")
    return found


def _alias(call: Call, domain: Domain, entity: GalaxyEntity) -> Alias | None:
    """The AliasMap behaviour (transformations, actions) of the URL the client called, if any."""
    return _aliases(call).alias(domain.name, entity.name)


def _outgoing(alias: Alias | None, shown: Any) -> Any:
    if alias is None:
        return shown
    try:
        return alias.outgoing(shown)
    except OutgoingTransformError as exc:
        # jq's own message may quote the record: it goes to the log, the client gets the public one.
        log.error("%s", exc)
        raise errors.CoreError(exc.public_message, code="TransformationFailed") from exc


def _before_write(call: Call, domain: Domain, entity: GalaxyEntity, alias: Alias | None, body: Any,
                  verb: str, key: str | None) -> Any:
    """JQIncoming, then the OnBeforePost actions, on the payload as the client sent it."""
    if alias is None:
        return body
    try:
        body = alias.incoming(body)
        return alias.run_before_post(body, _action_context(call, domain, alias, verb, key))
    except IncomingTransformError as exc:
        raise errors.Invalid(str(exc), code="TransformationFailed") from exc
    except ActionRefused as exc:
        raise errors.Invalid(exc.message, code="ActionRefused") from exc


def _action_context(call: Call, domain: Domain, alias: Alias, verb: str, key: str | None) -> ActionContext:
    actor = call.actor()
    return ActionContext(verb=verb, alias_key=alias.key, domain=domain.name, uri_name=alias.uri_name,
                         entity_name=alias.entity_name, record_id=key, user=actor.username,
                         profile={"UserName": actor.username, "UserID": actor.staff_id})


def _after_write(call: Call, domain: Domain, entity: GalaxyEntity, alias: Alias | None, verb: str,
                 key: str) -> None:
    """The OnAfterPost actions, with the record as stored (they cannot undo the write)."""
    if alias is None:
        return
    with call.db.read() as conn:
        stored = render(entity.shape, records.get(conn, call.actor(), entity.shape.entity, key))
    alias.run_after_post(stored, _action_context(call, domain, alias, verb, key))


def _view(call: Call, domain: Domain) -> View:
    name = _name(call, "view")
    found = domain.view(name)
    if found is None:
        raise errors.NotFound(f"Unknown view '{name}' in domain {domain.name}", code="NotFound")
    return CATALOG.views[found]


def _wire_errors(exc: errors.Invalid, shape: ObjectShape) -> errors.Invalid:
    """The core's field paths (``sites[0].code``) in the client's names (``Sites[0].Code``)."""
    renamed = [errors.FieldError(shape.wire_name(e.field), e.code, e.message.replace(e.field, shape.wire_name(e.field))
                                 if e.field else e.message) for e in exc.errors]
    message = "; ".join(e.message for e in renamed) or exc.message
    return errors.Invalid(message, renamed, code=exc.code)


# --- enums, lookups, views ----------------------------------------------------------------


def list_enums(call: Call) -> Any:
    domain = _domain(call)
    return metadata.listing(domain, "enums", list(domain.enums))


def enum_members(call: Call) -> Any:
    domain = _domain(call)
    found = domain.enum(_name(call, "name"))
    if found is None:
        raise errors.NotFound(f"Unknown enumeration '{_name(call, 'name')}' in domain {domain.name}",
                              code="NotFound")
    return metadata.enum_members(CATALOG.enums[found[1]], call.language)


def list_lookups(call: Call) -> Any:
    domain = _domain(call)
    return metadata.listing(domain, "lookups", list(domain.lookups))


def lookup_rows(call: Call) -> Any:
    domain = _domain(call)
    found = domain.lookup(_name(call, "name"))
    if found is None:
        raise errors.NotFound(f"Unknown lookup '{_name(call, 'name')}' in domain {domain.name}", code="NotFound")
    name, shape = found
    depth = _depth(call, 1)
    entity = CATALOG.entity(metadata.lookup_entity(name))
    table = ENTITY_TABLES[entity.name]
    order = [table.c.code] if "code" in entity.field_map else [table.c[entity.key]]
    actor = call.actor()
    require(actor, f"{entity.name}.List")
    with call.db.read() as conn:
        keys = conn.execute(sa.select(table.c[entity.key]).order_by(*order)).scalars().all()
        docs = [records.get(conn, actor, entity.name, key) for key in keys]
    return [render(shape, doc, depth) for doc in docs]


def list_views(call: Call) -> Any:
    domain = _domain(call)
    return metadata.listing(domain, "views", list(domain.views))


def _rows(call: Call, view: View, saved: custom_views.CustomView | None = None) -> list[dict[str, Any]]:
    require(call.actor(), f"{view.entity}.List")
    q = list_query(view, _params(call))
    return _run_view(call, view, saved.query(q) if saved else q)


def _run_view(call: Call, view: View, q: query.Query) -> list[dict[str, Any]]:
    """The rows of a view query, with cells written as Galaxy's views write them."""
    with call.db.read() as conn:
        page = query.run(conn, call.actor(), view.name, q, max_take=call.settings.max_page_size)
    kinds = {c.name: c.type for c in view.columns}
    return [{k: view_value(kinds.get(k), v) for k, v in row.items()} for row in page.rows]


def view_rows(call: Call) -> Any:
    return _rows(call, _view(call, _domain(call)))


def view_meta(call: Call) -> Any:
    domain = _domain(call)
    view = _view(call, domain)
    base = f"/api/{domain.name}/views/{metadata.uri_name(view.name)}/custom"
    return metadata.view_metadata(domain, view, call.language, custom=_custom_listing(call, view, base),
                                  dynamic=_dynamic_listing(domain, view))


# --- dynamic views ----------------------------------------------------------------------------


def _dynamic_listing(domain: Domain, view: View) -> list[dict[str, Any]]:
    """``[{Name, Uri}]`` with ``{KeyValue}`` left in the URI for the client to fill, as Galaxy lists them."""
    base = f"/api/{domain.name}/views/{metadata.uri_name(view.name)}/{{KeyValue}}/dynviews"
    return [{"Name": d.name, "Uri": f"{base}/{metadata.dynamic_uri_name(d.name)}"} for d in view.details]


def _detail(call: Call, view: View) -> DetailView:
    name = _name(call, "name")
    found = next((d for d in view.details if d.name.lower() == name.lower()), None)
    if found is None:
        raise errors.NotFound(f"The view {view.name} has no dynamic view '{name}'", code="NotFound")
    return found


def dynamic_views(call: Call) -> Any:
    domain = _domain(call)
    return _dynamic_listing(domain, _view(call, domain))


def dynamic_view_rows(call: Call) -> Any:
    """The detail listing's rows for one master row (``{KeyValue}``: its identity), with every view parameter."""
    domain = _domain(call)
    master = _view(call, domain)
    detail = _detail(call, master)
    key = call.path_params["key"]
    require(call.actor(), f"{master.entity}.List")
    assert master.identity is not None
    with call.db.read() as conn:  # the master row must exist and be the caller's to see
        found = query.run(conn, call.actor(), master.name, query.Query(
            fields=[master.identity], filters=[query.Filter(master.identity, query.Op.EQUAL, key)], take=1))
    if not found.rows:
        raise errors.NotFound(f"No {master.name} row {key}", code="NotFound")
    view = CATALOG.views[detail.view]
    require(call.actor(), f"{view.entity}.List")
    q = list_query(view, _params(call))
    q.filters.append(query.Filter(detail.link_column, query.Op.EQUAL, key))
    return _run_view(call, view, q)


def dynamic_view_meta(call: Call) -> Any:
    domain = _domain(call)
    master = _view(call, domain)
    detail = _detail(call, master)
    uri = f"/api/{domain.name}/views/{metadata.uri_name(master.name)}/dynviews/{metadata.dynamic_uri_name(detail.name)}"
    return metadata.view_metadata(domain, CATALOG.views[detail.view], call.language,
                                  name=localized(detail.labels, call.language, detail.name), uri=uri)


# --- custom views ---------------------------------------------------------------------------


def _custom_listing(call: Call, view: View, base: str) -> list[dict[str, Any]]:
    with call.db.read() as conn:
        saved = custom_views.list_views(conn, call.actor(), view.name)
    return [{"Name": v.name, "Uri": f"{base}/{metadata.uri_name(v.name)}"} for v in saved]


def _saved(call: Call, view: View) -> custom_views.CustomView:
    with call.db.read() as conn:
        return custom_views.get(conn, call.actor(), view.name, _name(call, "name"))


def _custom_meta(call: Call, domain: Domain, view: View, saved: custom_views.CustomView, uri: str) -> Any:
    # Columns the custom view leaves out stay, hidden, for the filters that compare them.
    shown = view if not saved.fields else replace(
        view, columns=[c if c.name in saved.fields else replace(c, hidden=True) for c in view.columns])
    return metadata.view_metadata(domain, shown, call.language, name=saved.name, uri=uri)


def custom_view_rows(call: Call) -> Any:
    """``/views/{view}/custom/{name}``: the rows wrapped in ``Items``, as Galaxy's real clients read them."""
    domain = _domain(call)
    view = _view(call, domain)
    return {"Items": _rows(call, view, _saved(call, view))}


def custom_view_meta(call: Call) -> Any:
    domain = _domain(call)
    view = _view(call, domain)
    saved = _saved(call, view)
    uri = f"/api/{domain.name}/views/{metadata.uri_name(view.name)}/custom/{metadata.uri_name(saved.name)}"
    return _custom_meta(call, domain, view, saved, uri)


def _myviews_base(domain: Domain, entity: GalaxyEntity) -> str:
    return f"/api/{domain.name}/entities/{entity.name.lower()}/myviews"


def my_views(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    return _custom_listing(call, CATALOG.views[entity.view], _myviews_base(domain, entity))


def my_view_rows(call: Call) -> Any:
    domain = _domain(call)
    view = CATALOG.views[_entity(call, domain).view]
    return _rows(call, view, _saved(call, view))


def my_view_meta(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    view = CATALOG.views[entity.view]
    saved = _saved(call, view)
    return _custom_meta(call, domain, view, saved, f"{_myviews_base(domain, entity)}/{metadata.uri_name(saved.name)}")


def create_my_view(call: Call) -> Any:
    """Ours (Galaxy users make them in its client): ``{"Name", "Fields", "Filters", "SortBy", "Public"}`` with
    Fields, Filters and SortBy written as in a view URL."""
    domain = _domain(call)
    entity = _entity(call, domain)
    view = CATALOG.views[entity.view]
    require(call.actor(), f"{view.entity}.List")
    body = _body(call)
    if not isinstance(body, dict):
        raise errors.Invalid("The body must be an object", code="InvalidBody")
    given = {k.lower(): v for k, v in body.items()}
    public = given.get("public", False)
    if not isinstance(public, bool):
        raise errors.Invalid.field("Public", "Public must be true or false", "InvalidValue")
    fields = given.get("fields")
    if isinstance(fields, list) and all(isinstance(f, str) for f in fields):
        fields = ",".join(fields)
    params = {"fields": fields, "filters": given.get("filters"), "sortby": given.get("sortby")}
    for key, value in params.items():
        if value is not None and not isinstance(value, str):
            raise errors.Invalid.field(key, f"{key} must be written as in a view URL", "InvalidValue")
    q = list_query(view, {k: v for k, v in params.items() if v})
    with call.db.write() as conn:
        saved = custom_views.create(conn, call.actor(), view.name, str(given.get("name") or ""), fields=q.fields,
                                    filters=q.filters, sort=q.sort, public=public)
    return {"Name": saved.name, "Uri": f"{_myviews_base(domain, entity)}/{metadata.uri_name(saved.name)}"}


def delete_my_view(call: Call) -> Any:
    domain = _domain(call)
    view = CATALOG.views[_entity(call, domain).view]
    with call.db.write() as conn:
        custom_views.delete(conn, call.actor(), view.name, _name(call, "name"))
    return Response(status_code=200)


# --- entities -----------------------------------------------------------------------------


def list_entities(call: Call) -> Any:
    domain = _domain(call)
    names = [e.name for e in domain.entities] + [a.uri_name for a in _aliases(call).url_aliases(domain.name)]
    return metadata.listing(domain, "entities", names, with_domain=True)


def entity_rows(call: Call) -> Any:
    domain = _domain(call)
    return _rows(call, CATALOG.views[_entity(call, domain).view])


def entity_meta(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    view = CATALOG.views[entity.view]
    return metadata.view_metadata(domain, view, call.language,
                                  custom=_custom_listing(call, view, _myviews_base(domain, entity)))


def entity_template(call: Call) -> Any:
    domain = _domain(call)
    return template(_entity(call, domain).shape)


def entity_schema(call: Call) -> Any:
    domain = _domain(call)
    return metadata.json_schema(_entity(call, domain).shape)


def entity_get(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    catalog_name = entity.shape.entity
    require(call.actor(), f"{catalog_name}.Get")
    include = (_params(call).get("includedyndetails") or "false").lower()
    if include not in ("true", "false"):
        raise errors.Invalid.field("includeDynDetails", "includeDynDetails must be true or false", "InvalidValue")
    with call.db.read() as conn:
        doc = records.get(conn, call.actor(), catalog_name, call.path_params["id"])
        details = dynamic_details.all_rows(conn, call.actor(), catalog_name, call.path_params["id"]) \
            if include == "true" else None
    shown = render(entity.shape, doc, _depth(call, None))
    if details is not None:
        shown["DynamicDetails"] = details
    return _outgoing(_alias(call, domain, entity), shown)


def _body(call: Call) -> Any:
    text = call.body.removeprefix(b"\xef\xbb\xbf")
    if not text.strip():
        raise errors.Invalid("The request body is empty; send the JSON payload", code="InvalidBody")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise errors.Invalid(f"The request body is not valid JSON: {exc}", code="InvalidBody") from exc


def _answer(domain: Domain, entity: GalaxyEntity, key: str, notices: list[Notice]) -> dict[str, Any]:
    messages = [{"Kind": n.kind, "Message": f"[{n.subject}] {n.message}"} for n in notices]
    messages.append({"Kind": "Information", "Message": f"[{entity.name}] The entry was posted successfully"})
    return {"Messages": messages, "ResourceURI": f"/api/{domain.name}/entities/{entity.name.lower()}/{key}",
            "ResourceID": key}


def _incoming(entity: GalaxyEntity, body: Any) -> dict[str, Any]:
    if isinstance(body, dict) and "DynamicDetails" in body:
        # Dynamic details have their own URLs; writing them with the entity would silently drop them.
        raise errors.Invalid.field("DynamicDetails", "Dynamic details cannot be posted with the entity; use "
                                   ".../{ID}/dyndetails/{table}", "DynamicDetailsNotAllowed")
    try:
        return parse(entity.shape, body)
    except errors.Invalid as exc:
        raise _wire_errors(exc, entity.shape) from exc


def entity_create(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    catalog_name = entity.shape.entity
    require(call.actor(), f"{catalog_name}.Create")
    alias = _alias(call, domain, entity)
    doc = _incoming(entity, _before_write(call, domain, entity, alias, _body(call), "POST", None))
    key_field = CATALOG.entity(catalog_name).key
    if doc.get(key_field):
        doc[NEW_KEY] = doc.pop(key_field)
    notices: list[Notice] = []
    try:
        with call.db.write() as conn:
            created = records.create(conn, call.actor(), catalog_name, doc, notices=notices)
    except errors.Invalid as exc:
        raise _wire_errors(exc, entity.shape) from exc
    _after_write(call, domain, entity, alias, "POST", created[key_field])
    return _answer(domain, entity, created[key_field], notices)


def _expected_revision(body: Any) -> int | None:
    if isinstance(body, dict):
        for k, v in body.items():
            if k.lower() == "revnum" and v is not None:
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                if not isinstance(v, int) or isinstance(v, bool):
                    raise errors.Invalid.field("RevNum", "RevNum must be a whole number", "InvalidValue")
                return v
    return None


def entity_replace(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    catalog_name = entity.shape.entity
    require(call.actor(), f"{catalog_name}.Update")
    alias = _alias(call, domain, entity)
    body = _before_write(call, domain, entity, alias, _body(call), "PUT", call.path_params["id"])
    doc = _incoming(entity, body)
    doc.pop(CATALOG.entity(catalog_name).key, None)
    notices: list[Notice] = []
    try:
        with call.db.write() as conn:
            records.replace(conn, call.actor(), catalog_name, call.path_params["id"], doc,
                            expected_revision=_expected_revision(body), notices=notices)
    except errors.Invalid as exc:
        raise _wire_errors(exc, entity.shape) from exc
    _after_write(call, domain, entity, alias, "PUT", call.path_params["id"])
    return _answer(domain, entity, call.path_params["id"], notices)


def entity_patch(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    catalog_name = entity.shape.entity
    require(call.actor(), f"{catalog_name}.Update")
    operations = _body(call)
    if not isinstance(operations, list):
        raise errors.Invalid("A PATCH body is a JSON Patch (RFC 6902): an array of operations", code="InvalidPatch")
    key_field = CATALOG.entity(catalog_name).key
    notices: list[Notice] = []
    alias = _alias(call, domain, entity)
    key = call.path_params["id"]

    def from_document(patched: dict[str, Any]) -> dict[str, Any]:
        doc = _incoming(entity, _before_write(call, domain, entity, alias, patched, "PATCH", key))
        doc.pop(key_field, None)
        return doc

    try:
        with call.db.write() as conn:
            # Paths in the patch are the names the client sees, after any JQOutgoing.
            records.json_patch(conn, call.actor(), catalog_name, key, operations,
                               to_document=lambda d: _outgoing(alias, render(entity.shape, d)),
                               from_document=from_document, notices=notices)
    except errors.Invalid as exc:
        raise _wire_errors(exc, entity.shape) from exc
    _after_write(call, domain, entity, alias, "PATCH", key)
    return _answer(domain, entity, key, notices)


def entity_delete(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    require(call.actor(), f"{entity.shape.entity}.Delete")
    with call.db.write() as conn:
        records.delete(conn, call.actor(), entity.shape.entity, call.path_params["id"])
    return Response(status_code=200)  # Galaxy answers a delete with 200 and no content


def entity_fetch(call: Call) -> Any:
    """``{"SelectProperties": [...], "Filters": [{"Name", "Type", "Operator", "Value"}]}`` -> rows."""
    domain = _domain(call)
    entity = _entity(call, domain)
    view = CATALOG.views[entity.view]
    body = _body(call)
    if not isinstance(body, dict):
        raise errors.Invalid("The fetch body must be an object with SelectProperties and Filters", code="InvalidBody")
    select = body.get("SelectProperties") or None
    if select is not None and (not isinstance(select, list) or not all(isinstance(s, str) for s in select)):
        raise errors.Invalid.field("SelectProperties", "SelectProperties must be an array of names", "InvalidValue")
    raw_filters = body.get("Filters") or []
    if not isinstance(raw_filters, list):
        raise errors.Invalid.field("Filters", "Filters must be an array", "InvalidValue")
    conditions = []
    for i, item in enumerate(raw_filters):
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise errors.Invalid.field(f"Filters[{i}]", f"Filters[{i}] must be an object with a Name",
                                       "InvalidFilter")
        kind = str(item.get("Type") or "Default")
        if kind.lower() != "default":
            raise errors.Invalid.field(f"Filters[{i}].Type", f"Filters[{i}]: filter type {kind} is not supported "
                                       "(Default is)", "InvalidFilter")
        value = item.get("Value")
        values = value if isinstance(value, list) else [value]
        conditions.append(Condition(item["Name"], values, str(item.get("Operator") or "Equal")))
    require(call.actor(), f"{view.entity}.List")
    q = query.Query(fields=select, filters=to_filters(view, conditions))
    return _run_view(call, view, q)



# --- services and entity actions ------------------------------------------------------------


def _parameters(op: services.ServiceOperation, with_clr_type: bool) -> dict[str, Any]:
    params = []
    for p in op.params:
        item: dict[str, Any] = {"Type": f"{p.type}, null" if p.nullable else p.type, "IsArray": p.is_array,
                                "Name": p.name, "Required": p.required, "DefaultValue": p.default}
        if with_clr_type:
            item["ClrType"] = None
        params.append(item)
    return {"Parameters": params}


def _service(call: Call, domain: Domain) -> services.Service:
    name = _name(call, "service")
    found = next((s for s in domain.services if s.lower() == name.lower()), None)
    if found is None or found not in services.SERVICES:
        raise errors.NotFound(f"Unknown service '{name}' in domain {domain.name}", code="NotFound")
    return services.SERVICES[found]


def list_services(call: Call) -> Any:
    domain = _domain(call)
    return metadata.listing(domain, "services", list(domain.services), with_domain=True)


def service_operations(call: Call) -> Any:
    domain = _domain(call)
    service = _service(call, domain)
    base = f"/api/{domain.name}/services/{service.name.lower()}"
    return [{"Arguments": _parameters(op, False), "Name": op.name, "Uri": f"{base}/{op.name.lower()}"}
            for op in service.operations.values()]


def _call_arguments(call: Call) -> Any:
    text = call.body.removeprefix(b"\xef\xbb\xbf")
    return _body(call) if text.strip() else {}


def _run_operation(call: Call, op: services.ServiceOperation, permission: str, key: str | None = None) -> Any:
    actor = call.actor()
    require(actor, permission)
    args = services.arguments(op, _call_arguments(call))
    if op.writes:
        with call.db.write() as conn:
            return services.invoke(conn, actor, op, args, key)
    with call.db.read() as conn:
        return services.invoke(conn, actor, op, args, key)


def invoke_service(call: Call) -> Any:
    domain = _domain(call)
    service = _service(call, domain)
    op = service.operation(_name(call, "operation"))
    if op is None:
        raise errors.NotFound(f"The service {service.name} has no operation '{_name(call, 'operation')}'",
                              code="NotFound")
    return _run_operation(call, op, f"{service.name}.{op.name}")


def entity_actions(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    base = f"/api/{domain.name}/entities/{entity.name.lower()}/{{ID}}/actions"
    actions = services.ENTITY_ACTIONS.get(entity.shape.entity, {})
    return [{"Arguments": _parameters(op, True), "Name": op.name, "Uri": f"{base}/{op.name.lower()}"}
            for op in actions.values()]


def invoke_action(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    wanted = _name(call, "action").lower()
    actions = services.ENTITY_ACTIONS.get(entity.shape.entity, {})
    op = next((a for name, a in actions.items() if name.lower() == wanted), None)
    if op is None:
        raise errors.NotFound(f"The entity {entity.name} has no action '{_name(call, 'action')}'", code="NotFound")
    with call.db.read() as conn:  # the record the URL names must exist (and be the caller's to see)
        records.get(conn, call.actor(), entity.shape.entity, call.path_params["id"])
    return _run_operation(call, op, f"{entity.shape.entity}.{op.name}", key=call.path_params["id"])


# --- dynamic details ---------------------------------------------------------------------------


def _detail_table(call: Call, entity: GalaxyEntity, conn: Any) -> dynamic_details.DetailTable:
    return dynamic_details.get(conn, _name(call, "table"), entity.shape.entity)


def _detail_schema(definition: dynamic_details.DetailTable) -> dict[str, Any]:
    types = {"string": "string", "text": "string", "integer": "integer", "number": "number", "boolean": "boolean",
             "datetime": "object"}
    properties: dict[str, Any] = {definition.key_column: {"type": "string"},
                                  definition.parent_column: {"type": "string"}}
    required = [definition.key_column, definition.parent_column]
    for column in definition.columns:
        properties[column.name] = {"type": types[column.type] if column.required else [types[column.type], "null"]}
        if column.required:
            required.append(column.name)
    return {"title": definition.name, "type": "object", "properties": properties, "required": required}


def dyndetails_metadata(call: Call) -> Any:
    """A JSON Schema for each dynamic detail table of the entity."""
    domain = _domain(call)
    entity = _entity(call, domain)
    require(call.actor(), f"{entity.shape.entity}.Get")
    with call.db.read() as conn:
        return [_detail_schema(d) for d in dynamic_details.tables(conn, entity.shape.entity)]


def define_dyndetails(call: Call) -> Any:
    """Ours (administrators define them in Galaxy's designer): ``{"Name", "Columns": [{"Name", "Type",
    "Length", "Required"}], "KeyColumn", "ParentColumn"}``; answers the new table's schema."""
    domain = _domain(call)
    entity = _entity(call, domain)
    body = _body(call)
    if not isinstance(body, dict):
        raise errors.Invalid("The body must be an object", code="InvalidBody")
    given = {k.lower(): v for k, v in body.items()}
    raw_columns = given.get("columns")
    if not isinstance(raw_columns, list) or not all(isinstance(c, dict) for c in raw_columns):
        raise errors.Invalid.field("Columns", "Columns must be an array of objects", "InvalidValue")
    columns = []
    for i, raw in enumerate(raw_columns):
        column = {k.lower(): v for k, v in raw.items()}
        length = column.get("length", 200)
        required = column.get("required", False)
        if not isinstance(length, int) or isinstance(length, bool) or not isinstance(required, bool):
            raise errors.Invalid.field(f"Columns[{i}]", "Length is a whole number and Required true or false",
                                       "InvalidValue")
        columns.append(dynamic_details.Column(str(column.get("name") or ""), str(column.get("type") or "string"),
                                              length, required))
    with call.db.write() as conn:
        definition = dynamic_details.define(
            conn, call.actor(), entity.shape.entity, str(given.get("name") or ""), columns,
            key_column=str(given.get("keycolumn") or "dyID"),
            parent_column=str(given.get("parentcolumn") or f"{entity.shape.definition}ID"))
    return _detail_schema(definition)


def drop_dyndetails(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    with call.db.write() as conn:
        dynamic_details.drop(conn, call.actor(), _detail_table(call, entity, conn).name)
    return Response(status_code=200)


def dyndetails_template(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    require(call.actor(), f"{entity.shape.entity}.Get")
    with call.db.read() as conn:
        definition = _detail_table(call, entity, conn)
        records.get(conn, call.actor(), entity.shape.entity, call.path_params["id"])
    template = dict.fromkeys(definition.all_columns)
    template[definition.parent_column] = call.path_params["id"]
    return template


def dyndetails_rows(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    with call.db.read() as conn:
        return dynamic_details.rows(conn, call.actor(), _detail_table(call, entity, conn), call.path_params["id"])


def dyndetails_insert(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    with call.db.write() as conn:
        return dynamic_details.insert(conn, call.actor(), _detail_table(call, entity, conn), call.path_params["id"],
                                      _body(call))


def dyndetails_update(call: Call) -> Any:
    domain = _domain(call)
    entity = _entity(call, domain)
    with call.db.write() as conn:
        return dynamic_details.update(conn, call.actor(), _detail_table(call, entity, conn), call.path_params["id"],
                                      call.path_params["detail"], _body(call))


def dyndetails_delete(call: Call) -> Any:
    """One row (with its ID in the URL), or every row of the record (without)."""
    domain = _domain(call)
    entity = _entity(call, domain)
    with call.db.write() as conn:
        dynamic_details.delete(conn, call.actor(), _detail_table(call, entity, conn), call.path_params["id"],
                               call.path_params.get("detail"))
    return Response(status_code=200)


# --- AliasMap relations -------------------------------------------------------------------------


def relation_operation(relation: Relation) -> tuple[str, services.ServiceOperation] | None:
    """The service and core operation a relation names (``RelationOperation``, in the service
    ``RelationObject`` when that names one)."""
    candidates = [services.SERVICES[relation.relation_object]] if relation.relation_object in services.SERVICES \
        else list(services.SERVICES.values())
    return next(((svc.name, op) for svc in candidates
                 if (op := svc.operation(relation.relation_operation)) is not None), None)


def relation_rows(call: Call) -> Any:
    """``/entities/{alias}/{ID}/{relation}``: the rows the relation's operation answers for that record,
    each with its ``Uri`` when the relation says where its results live."""
    domain = _domain(call)
    entity = _entity(call, domain)
    alias = _alias(call, domain, entity)
    name = _name(call, "relation")
    relation = alias.relation(name) if alias is not None else None
    if relation is None:
        raise errors.NotFound(f"Unknown relation '{name}' of {entity.name}", code="NotFound")
    found = relation_operation(relation)
    if found is None:  # checked at start; kept for safety
        raise errors.NotFound(f"The relation {relation.name} names no operation", code="NotFound")
    service, op = found
    actor = call.actor()
    require(actor, f"{entity.shape.entity}.Get")
    require(actor, f"{service}.{op.name}")  # as if the caller had invoked the operation itself
    # An operation that writes (the Messenger's GetMessages marks messages collected) gets a write
    # transaction, as when it is invoked directly.
    with call.db.write() if op.writes else call.db.read() as conn:
        parent = render(entity.shape, records.get(conn, actor, entity.shape.entity, call.path_params["id"]))
        first_company = conn.execute(sa.select(ENTITY_TABLES["Company"].c.company_id)
                                     .order_by(ENTITY_TABLES["Company"].c.code).limit(1)).scalar()
        profile = {"UserName": actor.username, "UserID": actor.staff_id, "CompanyID": first_company}
        try:
            args = services.arguments(op, relation.arguments(profile, parent))
        except RelationError as exc:
            raise errors.CoreError(str(exc), code="RelationFailed") from exc
        rows = services.invoke(conn, actor, op, args)
    if not isinstance(rows, list):
        return rows
    out = []
    for row in rows:
        shown = {k: view_value(None, v) for k, v in row.items()} if isinstance(row, dict) else row
        uri = relation.result_uri(row) if isinstance(row, dict) else None
        if uri is not None:
            shown["Uri"] = uri
        out.append(shown)
    return out
