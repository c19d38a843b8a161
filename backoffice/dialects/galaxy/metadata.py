"""What Galaxy clients read about the catalog: view metadata, enum members, JSON Schemas of entities.

All of it is derived from the catalog (views with their captions, widths and named filters;
entities with their fields and detail collections), in the client's language.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_plus

from ...core.catalog import CATALOG, AcceptedValues, EnumDef, FieldType, View, ViewFilter, localized
from ...core.query import column_field
from .shapes import Domain, ObjectShape

_DATA_TYPES = {FieldType.STRING: "String", FieldType.TEXT: "String", FieldType.INT: "Int32",
               FieldType.FLOAT: "Decimal", FieldType.MONEY: "Decimal", FieldType.BOOL: "Int16",
               FieldType.DATETIME: "DateTime", FieldType.DATE: "DateTime"}


def uri_name(name: str) -> str:
    """A name as it appears in a URI: lower case, spaces as ``+`` (``Company balances`` -> ``company+balances``)."""
    return quote_plus(name.lower())


def dynamic_uri_name(name: str) -> str:
    """A dynamic view's name in its URI as Galaxy writes it: case kept, ``+`` for spaces, lower-case hex
    escapes (``Company balances per warehouse \\ Location`` -> ``Company+balances+per+warehouse+%5c+Location``)."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote_plus(name))


def listing(domain: Domain, kind: str, names: list[str], with_domain: bool = False) -> list[dict[str, Any]]:
    """``[{Name, Uri}]`` (with ``Domain`` first for services and entities, as Galaxy lists them)."""
    out = []
    for name in names:
        item: dict[str, Any] = {"Domain": domain.name} if with_domain else {}
        item.update(Name=name, Uri=f"/api/{domain.name}/{kind}/{uri_name(name)}")
        out.append(item)
    return out


def enum_members(enum: EnumDef, language: str) -> list[dict[str, Any]]:
    return [{"Code": v.name, "Value": str(v.code),
             "DisplayValue": localized(v.labels, language, v.description or v.name)} for v in enum.values]


def accepted_values(domain: Domain, accepted: AcceptedValues | None) -> dict[str, Any] | None:
    if accepted is None:
        return None
    if accepted.kind == "enum":
        target = f"/api/{domain.name}/enums/{domain.enum_name(accepted.target).lower()}"
    else:
        target = f"/api/{domain.name}/lookups/{accepted.target.lower()}"
    return {
        "AcceptedValuesList": target, "DisplayField1": accepted.display_field1,
        "DisplayField2": accepted.display_field2, "KeyField": accepted.key_field, "IndexField": None,
        "ParentField": None,
        "SortFields": None if accepted.sort_fields is None else [
            {"Name": s.name, "Direction": "Descending" if s.descending else "Ascending"} for s in accepted.sort_fields],
    }


def data_type(view: View, column_name: str) -> str:
    f = column_field(view, view.column(column_name))
    if f.enum:
        return "Int16"
    return _DATA_TYPES[f.type]


def filter_metadata(domain: Domain, view: View, f: ViewFilter, language: str, *,
                    report: bool = False) -> dict[str, Any]:
    """One named filter as view metadata shows it; a report's filters carry Behaviour, UseRange and
    AllowNullState besides (and may compare a column the report computes: a String then)."""
    try:
        kind = data_type(view, f.column)
    except KeyError:
        kind = "String"
    out: dict[str, Any] = {"Name": f.name, "Description": localized(f.labels, language, f.name),
                           "FieldName": f.column, "Kind": f.kind, "DisplayAs": f.display_as}
    if report:
        out["Behaviour"] = None
    out.update({
        "Required": f.required, "Visible": f.visible, "DataType": kind,
        "PredefinedValues": None if f.predefined is None else {
            "From": f.predefined.low, "To": f.predefined.high, "Value": f.predefined.value},
        "AcceptedValues": accepted_values(domain, f.accepted),
        "AllowedOperators": list(f.operators),
    })
    if report:
        out["UseRange"] = "Between" in f.operators or ("GreaterOrEqual" in f.operators
                                                       and "LessOrEqual" in f.operators)
        out["AllowNullState"] = not f.required
    return out


def view_metadata(domain: Domain, view: View, language: str, *, name: str | None = None,
                  uri: str | None = None, custom: list[dict[str, Any]] | None = None,
                  dynamic: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The metadata of a view (or of an entity's default collection, which is a view)."""
    return {
        "RelativeViews": [{"Name": r, "Uri": f"/api/{domain.name}/views/{uri_name(r)}"} for r in view.related],
        "CustomViews": custom or [],
        "DynamicViews": dynamic or [],
        "Fields": [{
            "Name": c.name, "DataType": data_type(view, c.name),
            "AcceptedValues": accepted_values(domain, c.accepted),
            "Description": localized(c.labels, language, c.description or c.name), "Width": c.width,
            "Editor": "None", "DecimalsProvider": None,
        } for c in view.columns if not c.hidden],
        "Filters": [filter_metadata(domain, view, f, language) for f in view.filters],
        "IdentityField": view.identity,
        "SortByFields": list(view.sortable),
        "Name": name or view.name,
        "Uri": uri or f"/api/{domain.name}/views/{uri_name(view.name)}",
    }


_SCHEMA_TYPES = {FieldType.STRING: "string", FieldType.TEXT: "string", FieldType.INT: "integer",
                 FieldType.BOOL: "integer", FieldType.FLOAT: "number", FieldType.MONEY: "number",
                 FieldType.DATETIME: "object", FieldType.DATE: "object"}


def json_schema(shape: ObjectShape) -> dict[str, Any]:
    """The JSON Schema ("JSchema") of an entity as Galaxy gives it: PKey, definitions of its detail
    objects to any depth (each with the FKey pointing at its parent), properties and required.

    Dates are ``"object"`` as in Galaxy's own schemas; a property that may be empty is ``[type, "null"]``.
    """
    entity = shape.entity_def()
    properties: dict[str, Any] = {}
    required: list[str] = []
    definitions: dict[str, Any] = {}
    for prop in shape.props:
        if prop.source is None:
            properties[prop.name] = {"type": ["string", "null"]}
            continue
        if prop.source == "revision":
            kind, mandatory = FieldType.INT, True
        else:
            f = entity.field(prop.source)
            kind = f.type
            mandatory = f.required or prop.source == entity.key or (
                kind in (FieldType.INT, FieldType.BOOL) and f.default is not None)
        schema_type = _SCHEMA_TYPES[kind]
        properties[prop.name] = {"type": schema_type if mandatory else [schema_type, "null"]}
        if mandatory:
            required.append(prop.name)
    for detail in shape.details:
        if detail.shape is None:
            properties[detail.name] = {"type": ["array", "null"], "items": {"type": "object"}}
            continue
        definitions[detail.shape.definition] = json_schema(detail.shape)
        properties[detail.name] = {"type": ["array", "null"],
                                   "items": {"$ref": f"#/definitions/{detail.shape.definition}"}}
    out: dict[str, Any] = {"PKey": next(p.name for p in shape.props if p.source == entity.key),
                           "definitions": definitions}
    if shape.parent_key:
        out["FKey"] = shape.parent_key
    out["properties"] = properties
    out["required"] = required
    return out


def lookup_entity(name: str) -> str:
    return CATALOG.lookups[name].entity
