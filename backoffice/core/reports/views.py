"""Custom report views: a named choice of a report's columns and preset filters, kept by its owner
for themselves or offered to everyone (public)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..auth import Principal
from ..clock import now
from ..errors import Conflict, Forbidden, Invalid, NotFound
from .definitions import get_report
from .params import output_columns, owner_of, resolve_filters
from .tables import report_view

# Names appear in URIs (/reports/{Report}/custom/{Name}): letters of any script, digits, space, _ . -
_NAME = re.compile(r"^[\w][\w .-]{0,99}$")


@dataclass(frozen=True)
class ReportView:
    report: str
    name: str
    public: bool
    mine: bool  # made by the actor asking (only they may delete it)
    columns: list[str] | None  # None: every column
    filters: list[list[Any]]  # preset [filter, operator, value] triples
    created_at: datetime


def _view(row: Any, actor: Principal) -> ReportView:
    return ReportView(row.report, row.name, bool(row.public), row.owner == owner_of(actor),
                      list(row.columns) if row.columns is not None else None, list(row.filters or []),
                      row.created_at)


def _visible(actor: Principal) -> sa.ColumnElement[bool]:
    return sa.or_(report_view.c.owner == owner_of(actor), report_view.c.public.is_(True))


def create_view(conn: Connection, actor: Principal, report_name: str, name: str, *,
                columns: Sequence[str] | None = None, filters: Iterable[Sequence[Any]] = (),
                public: bool = False) -> ReportView:
    """Keep a custom view of a report. Its columns and filters are checked as a run would check them;
    the name must be new among the views the actor can see. Customers (debtor principals) cannot
    make public views."""
    report = get_report(report_name)
    name = (name or "").strip()
    if not _NAME.match(name):
        raise Invalid.field("name", "A view name is 1 to 100 letters, digits, spaces, '_', '.' or '-', "
                                    "starting with a letter or digit", "InvalidValue")
    if public and actor.is_debtor:
        raise Forbidden("Customers cannot publish report views", code="Forbidden")
    chosen = [c.name for c in output_columns(report, actor, list(columns))] if columns is not None else None
    # Presets are stored as given (no Required defaults): a run resolves them afresh.
    presets = [list(t) for t in filters]
    resolve_filters(report, actor, presets)
    taken = conn.execute(sa.select(report_view.c.view_id).where(
        report_view.c.report == report.name, sa.func.lower(report_view.c.name) == name.lower(),
        _visible(actor))).first()
    if taken is not None:
        raise Conflict(f"A view named '{name}' of {report.name} exists already", code="AlreadyExists")
    conn.execute(report_view.insert().values(
        view_id=str(uuid.uuid4()), report=report.name, name=name, owner=owner_of(actor), public=public,
        columns=chosen, filters=[[str(t[0]), str(t[1]), t[2]] for t in presets], created_at=now()))
    return get_view(conn, actor, report.name, name)


def list_views(conn: Connection, actor: Principal, report_name: str) -> list[ReportView]:
    """The actor's own views of a report and the public ones, by name."""
    report = get_report(report_name)
    rows = conn.execute(sa.select(report_view).where(report_view.c.report == report.name, _visible(actor))
                        .order_by(report_view.c.name, report_view.c.public)).all()
    return [_view(row, actor) for row in rows]


def get_view(conn: Connection, actor: Principal, report_name: str, name: str) -> ReportView:
    """A view the actor can see, by name (case-insensitive); their own wins over a public one."""
    report = get_report(report_name)
    rows = conn.execute(sa.select(report_view).where(
        report_view.c.report == report.name, sa.func.lower(report_view.c.name) == (name or "").strip().lower(),
        _visible(actor))).all()
    if not rows:
        raise NotFound(f"No view named '{name}' of {report.name}", code="ReportViewNotFound")
    own = [r for r in rows if r.owner == owner_of(actor)]
    return _view((own or rows)[0], actor)


def delete_view(conn: Connection, actor: Principal, report_name: str, name: str) -> None:
    """Delete one of the actor's own views."""
    view = get_view(conn, actor, report_name, name)
    if not view.mine:
        raise Forbidden(f"The view '{view.name}' is not yours to delete", code="Forbidden")
    conn.execute(report_view.delete().where(report_view.c.report == view.report, report_view.c.name == view.name,
                                            report_view.c.owner == owner_of(actor)))
