"""What a ServiceStack service says about itself: its operations and the DTO types they use.

One walk over the host's operations and type registry, shared by /metadata, /openapi and the
/types generators, so that every description lists the same operations and the same types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .host import Operation, ServiceStackHost
from .types import SCALAR_DEFAULTS, DtoType, Prop

# The self-description services themselves: ServiceStack leaves its metadata services out of
# the descriptions it serves, and so do we.
META_REQUESTS = {"MetadataRequest", "JsonMetadataRequest", "XmlMetadataRequest", "OpenApiSpecification",
                 "TypesRequest"}

# Types a client library already defines (ServiceStack's own DTOs); generators may skip them.
SERVICESTACK_TYPES = {"ResponseStatus", "ResponseError", "QueryBase", "QueryDb", "QueryResponse",
                      "Authenticate", "AuthenticateResponse"}
QUERY_BASE_PROPS = ["Skip", "Take", "OrderBy", "OrderByDesc", "Include", "Fields"]
# .NET value types: they are never null on the wire, so an unset one still has a value.
VALUE_TYPES = {"int", "long", "double", "decimal", "bool", "DateTime", "Guid"}

# Declared props of ServiceStack's own types, for languages that must define them.
BUILTIN_PROPS: dict[str, list[Prop]] = {
    "ResponseStatus": [Prop("ErrorCode", "string"), Prop("Message", "string"), Prop("StackTrace", "string"),
                       Prop("Errors", "List<ResponseError>"), Prop("Meta", "Dictionary<string,string>")],
    "ResponseError": [Prop("ErrorCode", "string"), Prop("FieldName", "string"), Prop("Message", "string"),
                      Prop("Meta", "Dictionary<string,string>")],
    "QueryBase": [Prop("Skip", "int"), Prop("Take", "int"), Prop("OrderBy", "string"),
                  Prop("OrderByDesc", "string"), Prop("Include", "string"), Prop("Fields", "string"),
                  Prop("Meta", "Dictionary<string,string>")],
    "QueryResponse": [Prop("Offset", "int"), Prop("Total", "int"), Prop("Results", "List<T>"),
                      Prop("Meta", "Dictionary<string,string>"), Prop("ResponseStatus", "ResponseStatus")],
}


@dataclass(frozen=True)
class TypeRef:
    """A parsed .NET type expression: ``List<Note>`` is TypeRef("List", (TypeRef("Note"),))."""

    name: str
    args: tuple[TypeRef, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.name == "List"

    @property
    def is_dict(self) -> bool:
        return self.name == "Dictionary"

    @property
    def is_scalar(self) -> bool:
        return not self.args and self.name in SCALAR_DEFAULTS

    def walk(self) -> list[TypeRef]:
        """This type and every type argument inside it, outermost first."""
        out = [self]
        for arg in self.args:
            out += arg.walk()
        return out

    def __str__(self) -> str:
        return self.name + (f"<{','.join(map(str, self.args))}>" if self.args else "")


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*|[<>,]|\[\])")


def parse_type(text: str) -> TypeRef:
    """Parse ``Name``, ``Name[]`` and ``Name<A,B<C>>``; an array is read as ``List<Name>``."""
    tokens = _TOKEN.findall(text)
    pos = 0

    def parse() -> TypeRef:
        nonlocal pos
        if pos >= len(tokens) or not re.match(r"[A-Za-z_]", tokens[pos]):
            raise ValueError(f"not a type: {text!r}")
        name = tokens[pos]
        pos += 1
        args: list[TypeRef] = []
        if pos < len(tokens) and tokens[pos] == "<":
            pos += 1
            args.append(parse())
            while pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                args.append(parse())
            if pos >= len(tokens) or tokens[pos] != ">":
                raise ValueError(f"unbalanced generic type: {text!r}")
            pos += 1
        ref = TypeRef(name, tuple(args))
        while pos < len(tokens) and tokens[pos] == "[]":
            pos += 1
            ref = TypeRef("List", (ref,))
        return ref

    result = parse()
    if pos != len(tokens):
        raise ValueError(f"trailing text in type: {text!r}")
    return result


def route_params(route: str) -> list[str]:
    """The variable names of a route template: ``/Debtors/{DebtorID}`` -> ``["DebtorID"]``."""
    return re.findall(r"\{(\w+)\*?\}", route)


@dataclass
class Described:
    """The operations a service describes and every DTO type they reach, in a stable order."""

    operations: list[Operation]
    # Every reachable non-request, non-generic type name (registered or merely referenced).
    types: list[str]
    registry: dict[str, DtoType]
    request_names: set[str] = field(default_factory=set)
    # Each (request, verb) registration, for descriptions that list verbs (/openapi, /metadata).
    verbs: list[Operation] = field(default_factory=list)

    def dto(self, name: str) -> DtoType:
        """A type's description; a type only referenced by name has no known properties."""
        if name in self.registry:
            return self.registry[name]
        if name in BUILTIN_PROPS:
            return DtoType(name, list(BUILTIN_PROPS[name]), "http://schemas.servicestack.net/types")
        return DtoType(name, [])

    def declared_props(self, dto: DtoType) -> list[Prop]:
        """Props a generated class declares itself (QueryDb subclasses inherit QueryBase's)."""
        if dto.inherits.startswith("QueryDb<"):
            return [p for p in dto.props if p.name not in QUERY_BASE_PROPS]
        return list(dto.props)

    def dependencies(self, name: str) -> list[str]:
        """The named types a type's props, base type and (for requests) response refer to."""
        dto = self.dto(name)
        refs = [parse_type(p.type) for p in dto.props]
        if dto.inherits:
            refs.append(parse_type(dto.inherits))
        out: list[str] = []
        for ref in refs:
            for part in ref.walk():
                if _is_named_type(part) and part.name not in out and part.name != name:
                    out.append(part.name)
        return out


def _is_named_type(ref: TypeRef) -> bool:
    return not ref.is_scalar and ref.name not in ("List", "Dictionary", "QueryDb", "QueryResponse", "T")


def describe(host: ServiceStackHost) -> Described:
    operations = [op for op in host.operations.values() if op.request not in META_REQUESTS]
    registry = dict(host.types.types)
    described = Described(operations, [], registry, {op.request for op in operations},
                          [op for op in host.registered if op.request not in META_REQUESTS])
    seen: set[str] = set()
    order: list[str] = []

    def visit(name: str) -> None:
        if name in seen or name in described.request_names:
            return
        seen.add(name)
        order.append(name)
        for dep in described.dependencies(name):
            visit(dep)

    for op in operations:
        roots = [op.response] if op.response else []
        roots += [p.type for p in described.dto(op.request).props]
        if described.dto(op.request).inherits:
            roots.append(described.dto(op.request).inherits)
        for root in roots:
            for part in parse_type(root).walk():
                if _is_named_type(part):
                    visit(part.name)
    # Responses and errors always carry a ResponseStatus even when no DTO names it.
    visit("ResponseStatus")
    visit("ResponseError")
    described.types = order
    return described


def dependency_order(names: list[str], deps: dict[str, list[str]]) -> tuple[list[str], set[tuple[str, str]]]:
    """``names`` ordered so that each comes after the types it uses, where cycles allow.

    Returns the order and the (type, dependency) pairs that still point forward (cycles), which
    a generator must write as forward references.
    """
    placed: list[str] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed
    forward: set[tuple[str, str]] = set()
    wanted = set(names)

    def place(name: str) -> None:
        state[name] = 1
        for dep in deps.get(name, []):
            if dep not in wanted:
                continue
            if state.get(dep) == 1:
                forward.add((name, dep))
            elif dep not in state:
                place(dep)
        state[name] = 2
        placed.append(name)

    for name in names:
        if name not in state:
            place(name)
    return placed, forward
