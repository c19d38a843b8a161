"""The Galaxy route table: ``/api/{domain}/...`` for enums, lookups, views and entities."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from starlette.responses import Response

from ...core import services
from ...core.documents import load_providers
from ..servicestack.host import Call, Handler, Operation, ServiceStackHost
from . import handlers, reports
from .aliasmap import AliasMap
from .documents import Documents
from .shapes import DOMAINS

# Every Galaxy route needs a logged-in user; what they may touch is checked per entity.
PERMISSION = "Galaxy.Use"

ROUTES: list[tuple[str, str, Handler, bool]] = [
    # (verb, route, handler, reads only)
    ("GET", "/api/{domain}/enums", handlers.list_enums, True),
    ("GET", "/api/{domain}/enums/{name}", handlers.enum_members, True),
    ("GET", "/api/{domain}/lookups", handlers.list_lookups, True),
    ("GET", "/api/{domain}/lookups/{name}", handlers.lookup_rows, True),
    ("GET", "/api/{domain}/views", handlers.list_views, True),
    ("GET", "/api/{domain}/views/{view}", handlers.view_rows, True),
    ("GET", "/api/{domain}/views/{view}/metadata", handlers.view_meta, True),
    ("GET", "/api/{domain}/entities", handlers.list_entities, True),
    ("GET", "/api/{domain}/entities/{entity}", handlers.entity_rows, True),
    ("POST", "/api/{domain}/entities/{entity}", handlers.entity_create, False),
    ("GET", "/api/{domain}/entities/{entity}/metadata", handlers.entity_meta, True),
    ("GET", "/api/{domain}/entities/{entity}/template", handlers.entity_template, True),
    ("GET", "/api/{domain}/entities/{entity}/template/metadata", handlers.entity_schema, True),
    ("POST", "/api/{domain}/entities/{entity}/fetch", handlers.entity_fetch, True),
    ("GET", "/api/{domain}/entities/{entity}/{id}", handlers.entity_get, True),
    ("PUT", "/api/{domain}/entities/{entity}/{id}", handlers.entity_replace, False),
    ("PATCH", "/api/{domain}/entities/{entity}/{id}", handlers.entity_patch, False),
    ("DELETE", "/api/{domain}/entities/{entity}/{id}", handlers.entity_delete, False),
    ("GET", "/api/{domain}/entities/{entity}/actions", handlers.entity_actions, True),
    ("GET", "/api/{domain}/entities/{entity}/myviews", handlers.my_views, True),
    ("POST", "/api/{domain}/entities/{entity}/myviews", handlers.create_my_view, False),
    ("GET", "/api/{domain}/entities/{entity}/myviews/{name}", handlers.my_view_rows, True),
    ("DELETE", "/api/{domain}/entities/{entity}/myviews/{name}", handlers.delete_my_view, False),
    ("GET", "/api/{domain}/entities/{entity}/myviews/{name}/metadata", handlers.my_view_meta, True),
    ("GET", "/api/{domain}/entities/{entity}/dyndetails/metadata", handlers.dyndetails_metadata, True),
    ("POST", "/api/{domain}/entities/{entity}/dyndetails", handlers.define_dyndetails, False),
    ("DELETE", "/api/{domain}/entities/{entity}/dyndetails/{table}", handlers.drop_dyndetails, False),
    ("GET", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}/template", handlers.dyndetails_template, True),
    ("GET", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}", handlers.dyndetails_rows, True),
    ("POST", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}", handlers.dyndetails_insert, False),
    ("DELETE", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}", handlers.dyndetails_delete, False),
    ("PUT", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}/{detail}", handlers.dyndetails_update, False),
    ("DELETE", "/api/{domain}/entities/{entity}/{id}/dyndetails/{table}/{detail}", handlers.dyndetails_delete,
     False),
    ("GET", "/api/{domain}/entities/{entity}/{id}/{relation}", handlers.relation_rows, True),
    ("GET", "/api/{domain}/views/{view}/dynviews", handlers.dynamic_views, True),
    ("GET", "/api/{domain}/views/{view}/dynviews/{name}/metadata", handlers.dynamic_view_meta, True),
    ("GET", "/api/{domain}/views/{view}/{key}/dynviews/{name}", handlers.dynamic_view_rows, True),
    ("GET", "/api/{domain}/views/{view}/custom/{name}", handlers.custom_view_rows, True),
    ("GET", "/api/{domain}/views/{view}/custom/{name}/metadata", handlers.custom_view_meta, True),
    ("POST", "/api/{domain}/entities/{entity}/{id}/actions/{action}", handlers.invoke_action, False),
    ("GET", "/api/{domain}/services", handlers.list_services, True),
    ("GET", "/api/{domain}/services/{service}", handlers.service_operations, True),
    ("POST", "/api/{domain}/services/{service}/{operation}", handlers.invoke_service, False),
]


def galaxy_error(status: int, code: str, message: str, details: list[dict[str, str]]) -> dict[str, Any]:
    """The document's error envelope, top level; the same again as ServiceStack's ResponseStatus,
    which Galaxy's real clients read (``ResponseStatus.Message``)."""
    body = {"ErrorCode": code, "Message": message, "Errors": details}
    return {**body, "ResponseStatus": dict(body)}


JSON = "application/json; charset=utf-8"


def _json_answer(handler: Handler) -> Handler:
    """Galaxy answers plain JSON with every property present, nulls included (ServiceStack's own
    serializer would leave nulls out)."""
    def answer(call: Call) -> Any:
        result = handler(call)
        if isinstance(result, Response):
            return result
        return Response(orjson.dumps(result), status_code=call.status or 200, media_type=JSON)
    return answer


def load_alias_map(config_dir: Path) -> AliasMap:
    """``<config_dir>/AliasMap.xml`` (none: no aliases), checked against what is served: an alias may
    not take an existing URL nor name a missing entity. Raises AliasMapError."""
    aliases = AliasMap.load(config_dir / "AliasMap.xml")
    aliases.check(entities={f"Galaxy:{e.name}" for d in DOMAINS.values() for e in d.entities},
                  uris={(d.name, e.name.lower()) for d in DOMAINS.values() for e in d.entities},
                  operations={op for svc in services.SERVICES.values() for op in svc.operations})
    return aliases


def register_galaxy(host: ServiceStackHost) -> None:
    host.error_styles["galaxy"] = galaxy_error
    host.path_styles.append((re.compile(r"^/api/[^/]+/", re.IGNORECASE), "galaxy"))
    docs = Documents(load_providers(host.settings.config_dir))
    context = handlers.GalaxyContext(load_alias_map(host.settings.config_dir))
    routes = [
        *ROUTES,
        ("GET", "/api/{domain}/documents/DownloadFile/{id}", docs.download, True),
        ("GET", "/api/{domain}/documents/{entity}", docs.tree, False),  # a listing may index new files
        ("POST", "/api/{domain}/documents/{entity}", docs.upload, False),
        ("DELETE", "/api/{domain}/documents/{id}", docs.delete, False),
        ("GET", "/api/{domain}/reports", reports.list_reports, True),
        ("GET", "/api/{domain}/reports/history", reports.history, True),
        ("GET", "/api/{domain}/reports/data/{id}", reports.data, True),
        ("GET", "/api/{domain}/reports/{report}/metadata", reports.report_metadata, True),
        ("GET", "/api/{domain}/reports/{report}/custom/{view}/metadata", reports.report_metadata, True),
        ("POST", "/api/{domain}/reports/{report}", reports.execute, False),
        ("POST", "/api/{domain}/reports/{report}/custom", reports.create_view, False),
        ("POST", "/api/{domain}/reports/{report}/custom/{view}", reports.execute, False),
    ]
    for verb, route, handler, read_only in routes:
        name = "Galaxy" + "".join(part.capitalize() for part in re.findall(r"[a-z]+", route)) + verb.capitalize()
        host.register(Operation(request=name, verb=verb, routes=[route], handler=_json_answer(handler),
                                permission=PERMISSION,
                                read_only=read_only, raw_body=True, error_style="galaxy", tag="Galaxy",
                                context=context))
