"""DTO type descriptions: what each request and response DTO holds, in declaration order.

One description serves request binding (case-insensitive names, typed values), the XML and
CSV writers, /metadata, /openapi and the /types generators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# .NET scalar types the DTOs use, and what an unset one is worth on the wire.
SCALAR_DEFAULTS: dict[str, object] = {
    "string": None, "int": 0, "long": 0, "double": 0.0, "decimal": 0.0, "bool": False, "DateTime": None,
    "Guid": None,
}


@dataclass(frozen=True)
class Prop:
    name: str
    type: str  # "string", "int", "double", "bool", "DateTime", "Note", "List<Note>", "Dictionary<string,string>"
    description: str = ""

    @property
    def is_list(self) -> bool:
        return self.type.startswith("List<") or self.type.endswith("[]")

    @property
    def item_type(self) -> str:
        if self.type.startswith("List<"):
            return self.type[5:-1]
        if self.type.endswith("[]"):
            return self.type[:-2]
        return self.type

    @property
    def is_scalar(self) -> bool:
        return self.item_type in SCALAR_DEFAULTS


@dataclass
class DtoType:
    name: str
    props: list[Prop]
    namespace: str = ""
    description: str = ""
    # Request DTOs: the base ServiceStack type (e.g. "QueryDb<SO_Main>") when there is one.
    inherits: str = ""
    _by_lower: dict[str, Prop] = field(default_factory=dict, repr=False)

    def prop(self, name: str) -> Prop | None:
        if not self._by_lower:
            self._by_lower = {p.name.lower(): p for p in self.props}
        return self._by_lower.get(name.lower())


_TYPE_ALIASES = {"DateTime": "DateTime", "double": "double", "int": "int", "bool": "bool", "string": "string",
                 "long": "long", "decimal": "decimal"}


def parse_props(spec: str) -> list[Prop]:
    """Props from ``"Name: type, Other: Type[]"`` (the reference's notation; ``X_`` generic suffixes kept)."""
    props = []
    for part in re.split(r",\s*(?=\w+:)", spec.strip()):
        name, _, type_name = part.partition(":")
        type_name = type_name.strip()
        if type_name.endswith("[]"):
            type_name = f"List<{_TYPE_ALIASES.get(type_name[:-2], type_name[:-2])}>"
        if type_name == "DictionaryStringString_":
            type_name = "Dictionary<string,string>"
        props.append(Prop(name.strip(), type_name))
    return props


class TypeRegistry:
    def __init__(self) -> None:
        self.types: dict[str, DtoType] = {}

    def add(self, dto: DtoType) -> DtoType:
        self.types[dto.name] = dto
        return dto

    def define(self, name: str, spec: str, *, namespace: str = "", description: str = "",
               inherits: str = "") -> DtoType:
        return self.add(DtoType(name, parse_props(spec) if spec else [], namespace, description, inherits))

    def get(self, name: str) -> DtoType | None:
        return self.types.get(name)
