"""Galaxy's reports: list, metadata, execution (run by the background worker), paged data in
HTML, PDF or Excel, custom report views and the history of runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ...core import errors
from ...core.auth import require
from ...core.reports import api as reports
from ..servicestack.host import Call
from . import metadata
from .filters import parse_filters
from .handlers import _body, _domain, _name, _params

# How long an execution waits for its run before answering (a longer report answers at once,
# without page sizes, and its progress is in /reports/history).
WAIT_SECONDS = 3.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(call: Call) -> reports.Report:
    name = _name(call, "report")
    try:
        return reports.get_report(name)
    except KeyError as exc:
        raise errors.NotFound(f"Unknown report '{name}'", code="NotFound") from exc


def list_reports(call: Call) -> Any:
    domain = _domain(call)
    return metadata.listing(domain, "reports", [r.name for r in reports.reports()])


def _filters_metadata(call: Call, report: reports.Report) -> list[dict[str, Any]]:
    domain = _domain(call)
    return [metadata.filter_metadata(domain, report.base, f, call.language, report=True) for f in report.filters]


def _views(call: Call, report: reports.Report) -> list[dict[str, Any]]:
    domain = _domain(call)
    with call.db.read() as conn:
        views = reports.list_views(conn, call.actor(), report.name)
    return [{"Name": v.name, "Uri": f"/api/{domain.name}/reports/{report.name.lower()}/custom/"
             f"{metadata.uri_name(v.name)}"} for v in views]


def report_metadata(call: Call) -> Any:
    domain = _domain(call)
    report = _report(call)
    view = _name(call, "view") or None
    if view is not None:
        with call.db.read() as conn:
            view = reports.get_view(conn, call.actor(), report.name, view).name
    base = f"/api/{domain.name}/reports/{report.name.lower()}"
    return {
        "CustomViews": _views(call, report),
        "Filters": _filters_metadata(call, report),
        "CurrentUserReportView": {"Name": view or report.name,
                                  "Uri": f"{base}/custom/{metadata.uri_name(view)}" if view else
                                  f"/api/{domain.name}/reports/{report.name}"},
        "Title": report.title(call.language), "Description": report.describe(call.language),
        "Name": report.name, "Uri": base,
    }


def _triples(body: Any) -> list[tuple[str, str, Any]]:
    """``{"filters": [{"fltBankCode": "[0001,LessOrEqual]"}, ...]}`` (the value in the view grammar, as a
    JSON string, or as a JSON array) as (filter, operator, value) triples; the same filter twice is a range."""
    if body in (None, {}):
        return []
    if not isinstance(body, dict):
        raise errors.Invalid("The body must be an object with a filters array", code="InvalidBody")
    items: Any = next((v for k, v in body.items() if k.lower() == "filters"), []) or []
    if not isinstance(items, list):
        raise errors.Invalid.field("filters", "filters must be an array", "InvalidFilter")
    out: list[tuple[str, str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise errors.Invalid.field("filters", "each filter is an object {name: \"[value,Operator]\"}",
                                       "InvalidFilter")
        for name, spec in item.items():
            if isinstance(spec, list):
                spec = "[" + ",".join('"' + str(v).replace('"', '\\"') + '"' for v in spec) + "]"
            if not isinstance(spec, str):
                raise errors.Invalid.field(name, f"{name}: the filter is \"[value,Operator]\"", "InvalidFilter")
            for condition in parse_filters("{" + f'"{name}"' + ":" + spec + "}"):
                value: Any = condition.values if condition.operator.lower() in ("in", "notin") else (
                    condition.values[0] if condition.values else None)
                out.append((condition.name, condition.operator, value))
    return out


def execute(call: Call) -> Any:
    domain = _domain(call)
    report = _report(call)
    actor = call.actor()
    require(actor, "Report.Run")
    body = _body(call) if call.body.strip() else {}
    view = _name(call, "view") or None
    with call.db.write() as conn:
        run = reports.execute(conn, actor, report.name, _triples(body), view, language=call.language)
    run = reports.wait(call.db, run.document_id, WAIT_SECONDS, actor=actor)
    return {
        "DocumentId": run.document_id,
        "Pages": [{"Height": height, "Width": width} for height, width in run.pages],
        "Title": run.title,
        "Name": "gx" + report.name,
        "Uri": f"/api/{domain.name}/reports/data/{run.document_id}",
    }


def data(call: Call) -> Any:
    actor = call.actor()
    require(actor, "Report.Read")
    params = _params(call)
    document_id = call.path_params["id"]
    selection = params.get("page") or None
    fmt = (params.get("format") or "").lower()
    attachment = (params.get("attachment") or "false").lower()
    if attachment not in ("true", "false"):
        raise errors.Invalid.field("attachment", "attachment must be true or false", "InvalidValue")
    with call.db.read() as conn:
        if fmt == "":
            found = reports.pages(conn, actor, document_id, selection)
            return {"Title": found.title, "TotalPages": found.total_pages, "DocumentId": found.document_id,
                    "PageContents": [{"Content": p.content, "PageNumber": p.number} for p in found.pages]}
        run = reports.status(conn, actor, document_id)
        if fmt == "pdf":
            content: bytes = reports.render_pdf(conn, actor, document_id, selection)
            media, extension = "application/pdf", "pdf"
        elif fmt in ("excel", "xlsx"):
            content = reports.render_xlsx(conn, actor, document_id, selection)
            media, extension = XLSX, "xlsx"
        elif fmt == "html":
            content = reports.render_html(conn, actor, document_id, selection).encode("utf-8")
            media, extension = "text/html; charset=utf-8", "html"
        else:
            raise errors.Invalid.field("format", f"format {fmt!r} is not one of pdf, excel, html", "InvalidValue")
    disposition = "attachment" if attachment == "true" else "inline"
    file_name = quote(f"{run.title}.{extension}")
    return Response(content, media_type=media, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{file_name}", "X-Content-Type-Options": "nosniff"})


def history(call: Call) -> Any:
    domain = _domain(call)
    with call.db.read() as conn:
        runs = reports.history(conn, call.actor())
    return [{"StatusID": run.status.value, "Status": run.status_name, "Title": run.history_title(call.language),
             "Description": run.history_description(call.language), "Name": run.document_id,
             "Uri": f"/api/{domain.name}/reports/data/{run.document_id}"} for run in runs]


def create_view(call: Call) -> Any:
    """Our addition (Galaxy users make custom views in its client): ``{"Name", "Columns", "Filters", "Public"}``."""
    domain = _domain(call)
    report = _report(call)
    body = _body(call)
    if not isinstance(body, dict):
        raise errors.Invalid("The body must be an object", code="InvalidBody")
    lowered = {k.lower(): v for k, v in body.items()}
    public = lowered.get("public", False)
    if not isinstance(public, bool):
        raise errors.Invalid.field("Public", "Public must be true or false", "InvalidValue")
    columns = lowered.get("columns")
    if columns is not None and (not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)):
        raise errors.Invalid.field("Columns", "Columns must be an array of column names", "InvalidValue")
    with call.db.write() as conn:
        view = reports.create_view(conn, call.actor(), report.name, str(lowered.get("name") or ""),
                                   columns=columns, filters=_triples({"filters": lowered.get("filters") or []}),
                                   public=public)
    return {"Name": view.name, "Uri": f"/api/{domain.name}/reports/{report.name.lower()}/custom/"
            f"{metadata.uri_name(view.name)}"}
