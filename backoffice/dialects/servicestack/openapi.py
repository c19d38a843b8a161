"""/openapi: the service as an OpenAPI 2.0 (Swagger) document, as ServiceStack's OpenApiFeature serves it.

Every route and verb is a path item; path variables are path parameters; GET and DELETE take the
remaining request DTO properties from the query string, POST/PUT/PATCH take the request DTO as a
body parameter. Types are ``definitions``; generic ones are named as ServiceStack names them
(``QueryResponse<SOMain>`` is ``QueryResponseSOMain_``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .describe import Described, TypeRef, parse_type, route_params

_SCALARS: dict[str, dict[str, str]] = {
    "string": {"type": "string"}, "Guid": {"type": "string"},
    "int": {"type": "integer", "format": "int32"}, "long": {"type": "integer", "format": "int64"},
    "double": {"type": "number", "format": "double"}, "decimal": {"type": "number", "format": "double"},
    "bool": {"type": "boolean"}, "DateTime": {"type": "string", "format": "date-time"},
}
_BODY_VERBS = {"POST", "PUT", "PATCH"}
STATEFUL_HEADER = {
    "name": "jiwa-stateful", "in": "header", "required": False, "type": "boolean",
    "description": "true to hold the changes in the session until a Save or Abandon request",
}


def definition_name(ref: TypeRef) -> str:
    """ServiceStack's schema name: generic arguments appended, then ``_``."""
    if not ref.args:
        return ref.name
    return ref.name + "".join(definition_name(a)[:1].upper() + definition_name(a)[1:] for a in ref.args) + "_"


class _Schemas:
    """Builds schemas, adding each named type's definition the first time it is referenced."""

    def __init__(self, described: Described) -> None:
        self.described = described
        self.definitions: dict[str, Any] = {}

    def schema(self, ref: TypeRef) -> dict[str, Any]:
        if ref.is_scalar:
            return dict(_SCALARS[ref.name])
        if ref.is_list:
            return {"type": "array", "items": self.schema(ref.args[0])}
        if ref.is_dict:
            return {"type": "object", "additionalProperties": self.schema(ref.args[1])}
        name = definition_name(ref)
        if name not in self.definitions:
            self.definitions[name] = {}  # placeholder: a type may refer to itself
            self.definitions[name] = self._define(ref)
        return {"$ref": f"#/definitions/{name}"}

    def _define(self, ref: TypeRef) -> dict[str, Any]:
        if ref.name == "QueryResponse" and ref.args:
            dto = self.described.dto("QueryResponse")
            props = [(p.name, parse_type(p.type.replace("<T>", f"<{ref.args[0]}>"))) for p in dto.props]
        else:
            dto = self.described.dto(ref.name)
            props = [(p.name, parse_type(p.type)) for p in dto.props]
        definition: dict[str, Any] = {"type": "object", "properties": {n: self.schema(r) for n, r in props}}
        if dto.description:
            definition["description"] = dto.description
        return definition


def _operation_id(request: str, route: str, verb: str) -> str:
    # Jiwa's operationIds read as creditorGETRequestCreditorIDGet: DTO, route variables, verb.
    params = "".join(route_params(route))
    return request[:1].lower() + request[1:] + params + verb.capitalize()


def openapi(described: Described, base_url: str, service_name: str) -> dict[str, Any]:
    schemas = _Schemas(described)
    paths: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    tags: list[str] = []
    for op in described.verbs:
        dto = described.dto(op.request)
        for route in op.routes:
            path = re.sub(r"\{(\w+)\*\}", r"{\1}", route)
            item = paths.setdefault(path, {})
            verb = op.verb.lower()
            if verb in item:
                continue  # a second operation on the same route and verb is unreachable
            in_path = route_params(route)
            parameters: list[dict[str, Any]] = []
            for name in in_path:
                prop = dto.prop(name)
                kind = parse_type(prop.type) if prop else TypeRef("string")
                parameters.append({"name": name, "in": "path", "required": True,
                                   **(_SCALARS.get(kind.name, {"type": "string"}) if kind.is_scalar
                                      else {"type": "string"})})
            if op.verb in _BODY_VERBS:
                parameters.append({"name": "body", "in": "body", "required": True,
                                   "schema": schemas.schema(TypeRef(op.request))})
            else:
                for prop in dto.props:
                    if prop.name.lower() in {p.lower() for p in in_path}:
                        continue
                    ref = parse_type(prop.type)
                    if ref.is_scalar:
                        parameters.append({"name": prop.name, "in": "query", "required": False,
                                           **_SCALARS[ref.name]})
                    elif ref.is_list and ref.args[0].is_scalar:
                        parameters.append({"name": prop.name, "in": "query", "required": False, "type": "array",
                                           "items": _SCALARS[ref.args[0].name], "collectionFormat": "csv"})
            if op.permission is not None:
                parameters.append(dict(STATEFUL_HEADER))
            status = "204" if not op.response else str(op.created_status)
            response: dict[str, Any] = {"description": "No Content" if status == "204" else "Success"}
            if op.response:
                response["schema"] = schemas.schema(parse_type(op.response))
            operation_id = _operation_id(op.request, route, op.verb)
            while operation_id in used_ids:
                operation_id += "_"
            used_ids.add(operation_id)
            entry: dict[str, Any] = {
                "tags": [op.tag or "default"],
                "summary": op.summary,
                "operationId": operation_id,
                "consumes": ["application/json", "application/xml", "application/x-www-form-urlencoded"],
                "produces": ["application/json", "application/xml", "text/csv", "text/html"],
                "parameters": parameters,
                "responses": {status: response},
            }
            if op.permission is not None:
                entry["security"] = [{"basic": []}, {"Bearer": []}]
                entry["responses"]["401"] = {"description": "Not Authenticated"}
                entry["responses"]["403"] = {"description": "Forbidden"}
            item[verb] = entry
            if (op.tag or "default") not in tags:
                tags.append(op.tag or "default")
    url = urlsplit(base_url)
    return {
        "swagger": "2.0",
        "info": {"title": service_name, "version": "1.0"},
        "host": url.netloc,
        "basePath": "/",
        "schemes": [url.scheme or "http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": schemas.definitions,
        "securityDefinitions": {
            "basic": {"type": "basic", "description": "HTTP Basic: a Jiwa user name and password"},
            "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header",
                       "description": "An API key or token: Bearer {key}"},
        },
        "tags": [{"name": tag} for tag in tags],
    }
