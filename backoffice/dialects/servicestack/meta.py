"""/metadata, /openapi and /types/{language}: what a ServiceStack service says about itself.

These are registered as ordinary operations with no permission (ServiceStack serves its metadata
to anyone); their handlers return finished ``Response`` objects, which the host passes through.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import orjson
from starlette.responses import Response

from ...core import errors
from .codegen import csharp, python, typescript
from .describe import Described, describe, parse_type, route_params
from .formats import Dto, JsConfig, render_json, render_xml
from .host import Call, Operation, ServiceStackHost
from .openapi import openapi
from .types import DtoType, Prop

_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}.auth{color:#a00}"""
# Sample values a metadata page shows for each .NET type, as ServiceStack's placeholders do.
_SAMPLES: dict[str, Any] = {"string": "String", "Guid": "00000000000000000000000000000000", "int": 0, "long": 0,
                            "double": 0, "decimal": 0, "bool": False, "DateTime": datetime(1, 1, 1)}


def _page(title: str, body: str) -> Response:
    text = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")
    return Response(text, media_type=_HTML)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _requires_auth(op: Operation) -> bool:
    return op.permission is not None


class MetaPages:
    """The handlers; the service description is built once, after every operation is registered."""

    def __init__(self, host: ServiceStackHost) -> None:
        self.host = host
        self._described: Described | None = None

    @property
    def described(self) -> Described:
        if self._described is None:
            self._described = describe(self.host)
        return self._described

    # --- /metadata -----------------------------------------------------------------------

    def index(self, call: Call) -> Response:
        name = self.host.service_name
        rows = []
        for op in sorted(self.described.verbs, key=lambda o: (o.request.lower(), o.verb)):
            links = " ".join(f'<a href="/{fmt}/metadata?op={_e(op.request)}">{fmt.upper()}</a>'
                             for fmt in ("json", "xml"))
            auth = '<span class="auth">Requires Authentication</span>' if _requires_auth(op) else ""
            rows.append(
                f"<tr><td><a href=\"/json/metadata?op={_e(op.request)}\">{_e(op.request)}</a></td>"
                f"<td>{_e(op.verb)}</td><td>{'<br>'.join(_e(r) for r in op.routes)}</td>"
                f"<td>{_e(op.summary)}</td><td>{auth}</td><td>{links}</td></tr>")
        body = (
            f"<h1>{_e(name)}</h1>"
            "<p>The following operations are supported. For a formal definition, please review the "
            '<a href="/openapi">OpenAPI (Swagger 2.0) specification</a>.</p>'
            "<p>Add ServiceStack Reference: "
            '<a href="/types/csharp">C#</a> <a href="/types/typescript">TypeScript</a> '
            '<a href="/types/python">Python</a></p>'
            "<h2>Operations</h2><table><thead><tr><th>Operation</th><th>Verb</th><th>Route</th>"
            "<th>Summary</th><th>Authentication</th><th>Formats</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
        return _page(f"{name} Metadata", body)

    # --- /{format}/metadata?op= ----------------------------------------------------------

    def json_operation(self, call: Call) -> Response:
        return self._operation(call, "json")

    def xml_operation(self, call: Call) -> Response:
        return self._operation(call, "xml")

    def _operation(self, call: Call, fmt: str) -> Response:
        wanted = str(call.dto.get("op") or "")
        op = next((o for o in self.described.operations if o.request.lower() == wanted.lower()), None)
        if op is None:
            raise errors.NotFound(f"Operation not found: {wanted}", code="NotFound")
        dto = self.described.dto(op.request)
        name = self.host.service_name
        in_path = {p.lower() for route in op.routes for p in route_params(route)}
        place = "query" if op.verb in ("GET", "DELETE") else "body"
        parts = [f"<h1>{_e(name)}</h1>", '<p><a href="/metadata">&lt;back to all web services</a></p>',
                 f"<h2>{_e(op.request)}</h2>"]
        if op.summary:
            parts.append(f"<p>{_e(op.summary)}</p>")
        if _requires_auth(op):
            parts.append('<p class="auth">Requires Authentication</p>')
        parts.append("<table><thead><tr><th>Verb</th><th>Route</th></tr></thead><tbody>"
                     + "".join(f"<tr><td>{_e(op.verb)}</td><td>{_e(r)}</td></tr>" for r in op.routes)
                     + "</tbody></table>")
        parts.append(_props_table(op.request + " Parameters", dto.props,
                                  lambda p: "path" if p.name.lower() in in_path else place,
                                  lambda p: "Yes" if p.name.lower() in in_path else "No"))
        if dto.inherits.startswith("QueryDb<"):
            parts.append(f"<p>Inherits {_e(dto.inherits)}: Skip, Take, OrderBy, OrderByDesc, Include and "
                         "Fields page, sort and select the results.</p>")
        if op.response:
            response = parse_type(op.response)
            target = response.args[0] if response.args else response
            shown = self.described.dto(target.name)
            if response.name == "QueryResponse":
                shown = self.described.dto("QueryResponse")
            parts.append(_props_table(f"{op.response} Parameters", shown.props, lambda p: "form", lambda p: "No"))
        host_name = call.headers.get("host", "localhost")
        content_type = "application/json" if fmt == "json" else "application/xml"
        tip = ("To override the Content-type in your clients, use the HTTP Accept Header, append the "
               f".{fmt} suffix or ?format={fmt}")
        parts.append(f"<p>{_e(tip)}</p>")
        if fmt == "json":
            parts.append("<p>To embed the response in a jsonp callback, append ?callback=myCallback</p>")
        request_body = self._sample_text(dto, fmt)
        parts.append("<h3>HTTP + " + fmt.upper() + "</h3><p>The following are sample HTTP requests and responses. "
                     "The placeholders shown need to be replaced with actual values.</p>")
        request_text = (f"POST /{fmt}/reply/{op.request} HTTP/1.1\nHost: {host_name}\nAccept: {content_type}\n"
                        f"Content-Type: {content_type}\nContent-Length: length\n\n{request_body}")
        parts.append(f"<pre>{_e(request_text)}</pre>")
        if op.response:
            response_body = self._response_sample(op.response, fmt)
            response_text = (f"HTTP/1.1 200 OK\nContent-Type: {content_type}\nContent-Length: length\n\n"
                             f"{response_body}")
        else:
            response_text = "HTTP/1.1 204 No Content"
        parts.append(f"<pre>{_e(response_text)}</pre>")
        return _page(f"{op.request} | {name}", "".join(parts))

    def _sample(self, dto: DtoType, depth: int) -> Dto:
        members: dict[str, Any] = {}
        for prop in dto.props:
            members[prop.name] = self._sample_value(prop, depth)
        return Dto(dto.name, members, namespace=dto.namespace or "http://schemas.servicestack.net/types")

    def _sample_value(self, prop: Prop, depth: int) -> Any:
        ref = parse_type(prop.type)
        item = ref.args[0] if ref.is_list else ref
        if ref.is_dict:
            return {"String": "String"}
        if item.is_scalar:
            value = _SAMPLES[item.name]
        elif depth >= 2:
            # Deep object graphs are cut short; the properties tables describe every level.
            return [] if ref.is_list else None
        else:
            value = self._sample(self.described.dto(item.name), depth + 1)
        return [value] if ref.is_list else value

    def _sample_text(self, dto: DtoType, fmt: str) -> str:
        sample = self._sample(dto, 1)
        if fmt == "xml":
            return render_xml(sample).decode("utf-8")
        return render_json(sample, JsConfig(indent=True, include_nulls=True)).decode("utf-8")

    def _response_sample(self, response: str, fmt: str) -> str:
        ref = parse_type(response)
        if ref.is_list:
            sample: Any = [self._sample(self.described.dto(ref.args[0].name), 1)]
        elif ref.name == "QueryResponse":
            sample = Dto(f"QueryResponse{ref.args[0].name}_", {
                "Offset": 0, "Total": 0, "Results": [self._sample(self.described.dto(ref.args[0].name), 1)],
                "Meta": {"String": "String"}, "ResponseStatus": None})
        else:
            sample = self._sample(self.described.dto(ref.name), 1)
        if fmt == "xml":
            return render_xml(sample).decode("utf-8")
        return render_json(sample, JsConfig(indent=True, include_nulls=True)).decode("utf-8")

    # --- /openapi ------------------------------------------------------------------------

    def openapi(self, call: Call) -> Response:
        spec = openapi(self.described, call.base_url, self.host.service_name)
        return Response(orjson.dumps(spec), media_type="application/json; charset=utf-8")

    # --- /types/{Language} ---------------------------------------------------------------

    def types(self, call: Call) -> Response:
        language = str(call.dto.get("Language") or "").lower()
        aliases = {"csharp": "csharp", "cs": "csharp", "typescript": "typescript", "ts": "typescript",
                   "python": "python", "py": "python"}
        chosen = aliases.get(language)
        if chosen is None:
            raise errors.NotFound(f"No DTO generator for language '{language}'; "
                                  "try csharp, typescript or python", code="NotFound")
        if chosen == "csharp":
            text = csharp(self.described, call.base_url, self.host.service_name)
        elif chosen == "typescript":
            text = typescript(self.described, call.base_url)
        else:
            text = python(self.described, call.base_url)
        return Response(text, media_type=_TEXT)


def _props_table(title: str, props: list[Prop], place: Any, required: Any) -> str:
    rows = "".join(
        f"<tr><td>{_e(p.name)}</td><td>{_e(place(p))}</td><td>{_e(p.type)}</td><td>{_e(required(p))}</td>"
        f"<td>{_e(p.description)}</td></tr>" for p in props)
    return (f"<h3>{_e(title)}</h3><table><thead><tr><th>Name</th><th>Parameter</th><th>Data Type</th>"
            f"<th>Required</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>")


def register_meta(host: ServiceStackHost) -> None:
    """Register the self-description operations; call after every other operation is registered."""
    pages = MetaPages(host)
    host.types.add(DtoType("TypesRequest", [Prop("Language", "string")]))
    for request, route, handler, summary in (
        ("MetadataRequest", "/metadata", pages.index, "The list of operations"),
        ("JsonMetadataRequest", "/json/metadata", pages.json_operation, "One operation, with JSON samples"),
        ("XmlMetadataRequest", "/xml/metadata", pages.xml_operation, "One operation, with XML samples"),
        ("OpenApiSpecification", "/openapi", pages.openapi, "The OpenAPI 2.0 specification"),
        ("TypesRequest", "/types/{Language}", pages.types, "DTO source code for a language"),
    ):
        host.register(Operation(request=request, verb="GET", routes=[route], handler=handler, summary=summary,
                                permission=None, tag="Metadata"))
