"""/types/{language}: DTO source code as ServiceStack's "Add ServiceStack Reference" writes it.

Each generator takes the ``Described`` service (operations and reachable types) and returns the
text of one source file: an ``Options`` header naming the server that was called, then every
reachable type, then every request DTO with its routes, return marker and verb marker.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from datetime import UTC, datetime

from .describe import (
    BUILTIN_PROPS,
    SERVICESTACK_TYPES,
    VALUE_TYPES,
    Described,
    TypeRef,
    dependency_order,
    parse_type,
)
from .formats import camel_case
from .host import Operation
from .types import DtoType, Prop

# The ServiceStack version these descriptions imitate; clients only show it.
VERSION = "5.104"
SERVICESTACK_NS = "http://schemas.servicestack.net/types"
VERB_MARKERS = {"GET": "IGet", "POST": "IPost", "PUT": "IPut", "PATCH": "IPatch", "DELETE": "IDelete"}
TIP = 'Tip: To override a DTO option, remove "//" prefix before updating'


def _header(base_url: str, comment: str, options: list[tuple[str, str]], *, opener: str = "/* Options:",
            closer: str = "*/") -> list[str]:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    lines = [opener, f"Date: {now}", f"Version: {VERSION}", TIP, f"BaseUrl: {base_url}", ""]
    lines += [f"{comment}{name}: {value}" for name, value in options]
    lines += [closer, ""]
    return lines


def _return_marker(op: Operation, lang: str) -> str:
    if not op.response:
        return "IReturnVoid"
    response = _type_expr(parse_type(op.response), lang)
    return {"csharp": f"IReturn<{response}>", "typescript": f"IReturn<{response}>"}.get(
        lang, f"IReturn[{response}]")


def _is_nullable(dto_is_request: bool, ref: TypeRef) -> bool:
    """Request DTO value types are nullable: the server changes only what a request sends, so an
    unset number or flag must stay off the wire rather than overwrite a value with 0 or false."""
    return dto_is_request and ref.name in VALUE_TYPES and not ref.args


# --- type expressions ----------------------------------------------------------------------

_CS_SCALARS = {"string": "string", "int": "int", "long": "long", "double": "double", "decimal": "decimal",
               "bool": "bool", "DateTime": "DateTime", "Guid": "Guid"}
_TS_SCALARS = {"string": "string", "int": "number", "long": "number", "double": "number", "decimal": "number",
               "bool": "boolean", "DateTime": "string", "Guid": "string"}
_PY_SCALARS = {"string": "str", "int": "int", "long": "int", "double": "float", "decimal": "decimal.Decimal",
               "bool": "bool", "DateTime": "datetime.datetime", "Guid": "str"}


def _type_expr(ref: TypeRef, lang: str) -> str:
    if lang == "csharp":
        if ref.is_scalar:
            return _CS_SCALARS[ref.name]
        if ref.args:
            return f"{ref.name}<{', '.join(_type_expr(a, lang) for a in ref.args)}>"
        return ref.name
    if lang == "typescript":
        if ref.is_scalar:
            return _TS_SCALARS[ref.name]
        if ref.is_list:
            return f"{_type_expr(ref.args[0], lang)}[]"
        if ref.is_dict:
            return f"{{ [index: {_type_expr(ref.args[0], lang)}]: {_type_expr(ref.args[1], lang)}; }}"
        if ref.args:
            return f"{ref.name}<{', '.join(_type_expr(a, lang) for a in ref.args)}>"
        return ref.name
    if ref.is_scalar:
        return _PY_SCALARS[ref.name]
    if ref.is_list:
        return f"List[{_type_expr(ref.args[0], lang)}]"
    if ref.is_dict:
        return f"Dict[{_type_expr(ref.args[0], lang)}, {_type_expr(ref.args[1], lang)}]"
    if ref.args:
        return f"{ref.name}[{', '.join(_type_expr(a, lang) for a in ref.args)}]"
    return ref.name


def _requests(described: Described) -> list[tuple[Operation, DtoType]]:
    return [(op, described.dto(op.request)) for op in described.operations]


def _base_types(dto: DtoType, op: Operation | None, lang: str) -> list[str]:
    bases = []
    if dto.inherits:
        bases.append(_type_expr(parse_type(dto.inherits), lang))
    if op is not None:
        bases.append(_return_marker(op, lang))
        marker = VERB_MARKERS.get(op.verb)
        if marker:
            bases.append(marker)
    return bases


def _route_args(route: str, verb: str) -> str:
    return f'"{route}", "{verb}"'


# --- C# --------------------------------------------------------------------------------------


def _cs_namespace(xml_namespace: str, default: str) -> str:
    prefix = "http://schemas.datacontract.org/2004/07/"
    if xml_namespace.startswith(prefix):
        return xml_namespace[len(prefix):]
    return default


def csharp(described: Described, base_url: str, service_name: str) -> str:
    counts = Counter(dto.namespace for dto in described.registry.values()
                     if dto.namespace and dto.namespace != SERVICESTACK_NS)
    default_xml_ns = counts.most_common(1)[0][0] if counts else ""
    default_ns = _cs_namespace(default_xml_ns, service_name)
    options = [("GlobalNamespace", ""), ("MakePartial", "True"), ("MakeVirtual", "True"), ("MakeInternal", "False"),
               ("MakeDataContractsExtensible", "False"), ("AddReturnMarker", "True"),
               ("AddDescriptionAsComments", "True"), ("AddDataContractAttributes", "False"),
               ("AddIndexesToDataMembers", "False"), ("AddGeneratedCodeAttributes", "False"),
               ("AddResponseStatus", "False"), ("AddImplicitVersion", ""), ("InitializeCollections", "True"),
               ("ExportValueTypes", "False"), ("IncludeTypes", ""), ("ExcludeTypes", ""), ("AddNamespaces", ""),
               ("AddDefaultXmlNamespace", SERVICESTACK_NS)]
    lines = _header(base_url, "//", [(f"{k}", v) for k, v in options])
    # One namespace block per .NET namespace, as the server declares its DTOs.
    blocks: dict[str, list[str]] = {}

    def namespace_of(dto: DtoType) -> str:
        return _cs_namespace(dto.namespace or default_xml_ns, default_ns)

    for name in described.types:
        if name in SERVICESTACK_TYPES:
            continue
        dto = described.dto(name)
        blocks.setdefault(namespace_of(dto), []).extend(_cs_class(described, dto, None))
    for op, dto in _requests(described):
        if op.request in SERVICESTACK_TYPES:
            continue
        blocks.setdefault(namespace_of(dto), []).extend(_cs_class(described, dto, op))
    usings = ["System", "System.Collections", "System.Collections.Generic", "System.Runtime.Serialization",
              "ServiceStack", "ServiceStack.DataAnnotations", *sorted(blocks)]
    lines += [f"using {u};" for u in usings]
    lines.append("")
    for namespace in sorted(blocks):
        lines += [f"namespace {namespace}", "{", ""]
        lines += blocks[namespace]
        lines += ["}", ""]
    return "\n".join(lines)


def _cs_class(described: Described, dto: DtoType, op: Operation | None) -> list[str]:
    out: list[str] = []
    if op is not None:
        out += [f"    [Route({_route_args(route, op.verb)})]" for route in op.routes]
        if op.summary:
            out.append(f"    [Api(Description={_cs_string(op.summary)})]")
    bases = _base_types(dto, op, "csharp")
    out.append(f"    public partial class {dto.name}" + (f" : {', '.join(bases)}" if bases else ""))
    out.append("    {")
    for prop in described.declared_props(dto):
        ref = parse_type(prop.type)
        kind = _type_expr(ref, "csharp") + ("?" if _is_nullable(op is not None, ref) else "")
        out.append(f"        public virtual {kind} {_cs_identifier(prop.name)} {{ get; set; }}")
    out += ["    }", ""]
    return out


def _cs_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_CS_KEYWORDS = {"class", "string", "int", "object", "event", "namespace", "public", "private", "return", "base",
                "this", "new", "operator", "params", "ref", "out", "checked", "fixed", "lock", "default"}


def _cs_identifier(name: str) -> str:
    return "@" + name if name in _CS_KEYWORDS else name


# --- TypeScript --------------------------------------------------------------------------------

_TS_PRELUDE = """export interface IReturn<T>
{
    createResponse(): T;
}

export interface IReturnVoid
{
    createResponse(): void;
}

export interface IGet {}
export interface IPost {}
export interface IPut {}
export interface IDelete {}
export interface IPatch {}
"""


def typescript(described: Described, base_url: str) -> str:
    options = [("GlobalNamespace", ""), ("MakePropertiesOptional", "False"), ("AddServiceStackTypes", "True"),
               ("AddResponseStatus", "False"), ("AddImplicitVersion", ""), ("AddDescriptionAsComments", "True"),
               ("IncludeTypes", ""), ("ExcludeTypes", ""), ("DefaultImports", "")]
    lines = _header(base_url, "//", options)
    lines += [_TS_PRELUDE]
    # A TypeScript client has no ServiceStack types of its own, so they are written out here,
    # base classes first because `extends` needs them defined.
    lines += _ts_class(described, DtoType("ResponseError", BUILTIN_PROPS["ResponseError"]), None)
    lines += _ts_class(described, DtoType("ResponseStatus", BUILTIN_PROPS["ResponseStatus"]), None)
    lines += _ts_class(described, DtoType("QueryBase", BUILTIN_PROPS["QueryBase"]), None)
    lines += [
        "export class QueryDb<T> extends QueryBase",
        "{",
        "    public constructor(init?: Partial<QueryDb<T>>) { super(init); (Object as any).assign(this, init); }",
        "}",
        "",
    ]
    lines += _ts_class(described, DtoType("QueryResponse<T>", BUILTIN_PROPS["QueryResponse"]), None)
    for name in described.types:
        if name not in ("ResponseError", "ResponseStatus"):
            lines += _ts_class(described, described.dto(name), None)
    for op, dto in _requests(described):
        lines += _ts_class(described, dto, op)
    return "\n".join(lines)


def _ts_class(described: Described, dto: DtoType, op: Operation | None) -> list[str]:
    out: list[str] = []
    if op is not None:
        if op.summary:
            out.append(f"/** @description {op.summary} */")
        out += [f"// @Route({_route_args(route, op.verb)})" for route in op.routes]
    bare = dto.name.split("<")[0]
    declared = dto.name
    extends = f" extends {_type_expr(parse_type(dto.inherits), 'typescript')}" if dto.inherits else ""
    markers = _base_types(dto, op, "typescript")[1 if dto.inherits else 0:]
    implements = f" implements {', '.join(markers)}" if markers else ""
    out += [f"export class {declared}{extends}{implements}", "{"]
    for prop in described.declared_props(dto):
        ref = parse_type(prop.type)
        # Property names are the wire names: this server writes PascalCase JSON (TextCase=Default).
        optional = "?" if (ref.name not in VALUE_TYPES or ref.args or op is not None) else ""
        out.append(f"    public {prop.name}{optional}: {_type_expr(ref, 'typescript')};")
    if out[-1] != "{":
        out.append("")
    super_call = "super(init); " if dto.inherits else ""
    assign = f"{super_call}(Object as any).assign(this, init);"
    out.append(f"    public constructor(init?: Partial<{declared}>) {{ {assign} }}")
    if op is not None:
        out.append(f"    public getTypeName() {{ return '{bare}'; }}")
        out.append(f"    public getMethod() {{ return '{op.verb}'; }}")
        if op.response:
            ref = parse_type(op.response)
            created = f"new {_type_expr(ref, 'typescript')}()" if not ref.is_list else "[]"
            out.append(f"    public createResponse() {{ return {created}; }}")
        else:
            out.append("    public createResponse() {}")
    out += ["}", ""]
    return out


# --- Python ------------------------------------------------------------------------------------

_PY_IMPORTS = """import datetime
import decimal
from marshmallow.fields import *
from servicestack import *
from typing import *
from dataclasses import dataclass, field
from dataclasses_json import dataclass_json, LetterCase, Undefined, config
from enum import Enum, IntEnum
"""
_PY_DECORATOR = "@dataclass_json(letter_case=LetterCase.CAMEL, undefined=Undefined.EXCLUDE)"
# Names a field must not take: keywords, and the names the annotations and defaults use.
_PY_RESERVED = set(keyword.kwlist) | {"datetime", "decimal", "field", "config", "int", "str", "float", "bool"}


def _dcj_camel(name: str) -> str:
    """What dataclasses_json's LetterCase.CAMEL makes of a field name (requests are sent so)."""
    name = re.sub(r"^[-_.]", "", name)
    if not name:
        return name
    return name[0].lower() + re.sub(r"[-_.\s]([a-z0-9])", lambda m: m.group(1).upper(), name[1:])


def _ss_camel(name: str) -> str:
    """What the servicestack client's camelcase makes of a field name (responses are read so)."""
    if not name:
        return name
    return name[0].lower() + re.sub(r"[-_.\s]([a-z])", lambda m: m.group(1).upper(), name[1:])


def python_field_name(wire: str) -> tuple[str, str | None]:
    """The python name for a wire property, and the JSON name to declare when casing cannot recover it.

    A capital becomes ``_`` + its lower case, so ``DebtorID`` -> ``debtor_i_d``, whose camelCase
    ``debtorID`` is ServiceStack's camelCase of the wire name (which the server binds case-insensitively).
    """
    camel = camel_case(wire)
    snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in camel)
    if snake in _PY_RESERVED:
        return snake + "_", camel
    if _dcj_camel(snake) == camel and _ss_camel(snake) == camel:
        return snake, None
    # Names with underscores (IN_LogicalID) may survive both casings unchanged.
    if camel.isidentifier() and not keyword.iskeyword(camel) and _dcj_camel(camel) == camel \
            and _ss_camel(camel) == camel:
        return camel, None
    return snake, camel


def _py_field(prop: Prop, nullable: bool, forward: bool) -> str:
    ref = parse_type(prop.type)
    expr = _type_expr(ref, "python")
    if ref.is_scalar and ref.name in VALUE_TYPES and ref.name != "Guid" and not nullable:
        default = {"int": "0", "long": "0", "double": "0.0", "decimal": "decimal.Decimal(0)", "bool": "False",
                   "DateTime": "datetime.datetime(1, 1, 1)"}[ref.name]
        annotation = expr
    else:
        default, annotation = "None", f"Optional[{expr}]"
    if forward:
        # A whole-annotation string: the servicestack client resolves it in this module's namespace.
        annotation = f'"{annotation}"'
    name, json_name = python_field_name(prop.name)
    if json_name is not None:
        return f"    {name}: {annotation} = field(metadata=config(field_name={json_name!r}), default={default})"
    return f"    {name}: {annotation} = {default}"


def python(described: Described, base_url: str) -> str:
    options = [("GlobalNamespace", ""), ("MakePropertiesOptional", "False"), ("AddServiceStackTypes", "True"),
               ("AddResponseStatus", "False"), ("AddImplicitVersion", ""), ("AddDescriptionAsComments", "True"),
               ("IncludeTypes", ""), ("ExcludeTypes", ""),
               ("DefaultImports", "datetime,decimal,marshmallow.fields:*,servicestack:*,typing:*,"
                                  "dataclasses:dataclass/field,dataclasses_json:dataclass_json/LetterCase/"
                                  "Undefined/config,enum:Enum/IntEnum"),
               ("DataClass", ""), ("DataClassJson", "")]
    lines = _header(base_url, "#", options, opener='""" Options:', closer='"""')
    lines += [_PY_IMPORTS]
    names = [n for n in described.types if n not in SERVICESTACK_TYPES]
    deps = {n: described.dependencies(n) for n in names}
    ordered, forward = dependency_order(names, deps)
    for name in ordered:
        lines += _py_class(described, described.dto(name), None, forward)
    # Requests come last: every type they name is defined by then.
    for op, dto in _requests(described):
        if op.request not in SERVICESTACK_TYPES:
            lines += _py_class(described, dto, op, set())
    return "\n".join(lines)


def _py_class(described: Described, dto: DtoType, op: Operation | None,
              forward: set[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    if op is not None:
        out += [f"# @Route({_route_args(route, op.verb)})" for route in op.routes]
    out += [_PY_DECORATOR, "@dataclass"]
    bases = _base_types(dto, op, "python")
    out.append(f"class {dto.name}" + (f"({', '.join(bases)})" if bases else "") + ":")
    if op is not None and op.summary:
        out.append(f"    {_py_docstring(op.summary)}")
    props = described.declared_props(dto)
    late = {dep for owner, dep in forward if owner == dto.name}
    for prop in props:
        refs = {part.name for part in parse_type(prop.type).walk()}
        out.append(_py_field(prop, op is not None, bool(refs & late)))
    if not props and not (op is not None and op.summary):
        out.append("    pass")
    out += ["", ""]
    return out


def _py_docstring(text: str) -> str:
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'

