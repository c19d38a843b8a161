"""Everything a caller (a dialect, a command) uses of reports, in one place.

``from backoffice.core.reports import api as reports`` then ``reports.execute(...)``.
"""

from __future__ import annotations

from .definitions import Report, ReportColumn, get_report, register_report, reports, unregister_report
from .engine import (
    JOB_KIND,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    ROWS_PER_PAGE,
    PageContent,
    ReportPages,
    RunStatus,
    Status,
    cancel,
    document,
    execute,
    history,
    pages,
    produce,
    render_html,
    render_pdf,
    render_xlsx,
    status,
    wait,
)
from .params import FilterTriple, output_columns, owner_of, parse_pages, resolve_filters
from .render import FontMissing
from .views import ReportView, create_view, delete_view, get_view, list_views

__all__ = [
    "JOB_KIND", "PAGE_HEIGHT", "PAGE_WIDTH", "ROWS_PER_PAGE", "FilterTriple", "FontMissing", "PageContent", "Report",
    "ReportColumn", "ReportPages", "ReportView", "RunStatus", "Status", "cancel", "create_view", "delete_view",
    "document", "execute", "get_report", "get_view", "history", "list_views", "output_columns", "owner_of", "pages",
    "parse_pages", "produce", "register_report", "render_html", "render_pdf", "render_xlsx", "reports",
    "resolve_filters", "status", "unregister_report", "wait",
]
