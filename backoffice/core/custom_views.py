"""Custom views: a user's saved way of looking at a listing (columns, preset filters, sort), kept for
themselves or made public, and run like the listing itself with the caller's own filters on top."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal
from .catalog import CATALOG, View
from .clock import now
from .errors import Conflict, Forbidden, Invalid, NotFound
from .query import Filter, Op, Query, Sort
from .store.tables import custom_view

_NAME = re.compile(r"^[\w][\w .()'\-]{0,99}$", re.UNICODE)
MAX_PER_USER_AND_VIEW = 200


@dataclass(frozen=True)
class CustomView:
    view: str
    name: str
    public: bool
    mine: bool  # made by the caller (only they may remove it)
    fields: list[str] | None
    filters: list[Filter]
    sort: list[Sort]

    def query(self, asked: Query) -> Query:
        """The view's query with the caller's on top: their fields and sort win, filters add up."""
        return Query(fields=asked.fields or self.fields, filters=[*self.filters, *asked.filters],
                     sort=asked.sort or self.sort, skip=asked.skip, take=asked.take, count=asked.count)


def _visible(actor: Principal) -> Any:
    return sa.or_(custom_view.c.owner_staff_id.is_(None), custom_view.c.owner_staff_id == actor.staff_id)


def _loaded(row: Any, actor: Principal) -> CustomView:
    return CustomView(row.view, row.name, row.owner_staff_id is None, row.created_by == actor.staff_id,
                      row.fields, [Filter(c, Op(o), v) for c, o, v in row.filters],
                      [Sort(c, bool(d)) for c, d in row.sort])


def _staff_only(actor: Principal) -> None:
    if actor.is_debtor or not actor.staff_id:
        raise Forbidden("Custom views belong to staff users", code="Forbidden")


def create(conn: Connection, actor: Principal, view_name: str, name: str, *, fields: list[str] | None,
           filters: list[Filter], sort: list[Sort], public: bool = False) -> CustomView:
    """Keep a custom view of ``view_name``; its columns, filters and sort are checked against the view."""
    _staff_only(actor)
    view: View = CATALOG.views[view_name]
    name = (name or "").strip()
    if not _NAME.match(name):
        raise Invalid.field("Name", "A view name is 1 to 100 letters, digits, spaces, '.', '-', \"'\", '(' or ')', "
                                    "starting with a letter or digit", "InvalidValue")
    columns = {c.name.lower(): c.name for c in view.columns}
    problems = []
    for label, names in (("Fields", fields or []), ("Filters", [f.field for f in filters]),
                         ("SortBy", [s.field for s in sort])):
        problems += [f"{label}: {n} is not a column of {view.name}" for n in names if n.lower() not in columns]
    if problems:
        raise Invalid("; ".join(problems), code="InvalidField")
    folded = name.casefold()
    clash = conn.execute(sa.select(custom_view.c.custom_view_id).where(
        custom_view.c.view == view.name, custom_view.c.name_folded == folded, _visible(actor))).first()
    if clash is not None:
        raise Conflict(f"A custom view {name} of {view.name} already exists", code="AlreadyExists")
    count = conn.execute(sa.select(sa.func.count()).select_from(custom_view).where(
        custom_view.c.view == view.name, custom_view.c.owner_staff_id == actor.staff_id)).scalar() or 0
    if count >= MAX_PER_USER_AND_VIEW:
        raise Invalid(f"At most {MAX_PER_USER_AND_VIEW} custom views of one listing per user", code="TooMany")
    conn.execute(custom_view.insert().values(
        custom_view_id=str(uuid.uuid4()), view=view.name, name=name, name_folded=folded,
        owner_staff_id=None if public else actor.staff_id, created_by=actor.staff_id,
        fields=[columns[f.lower()] for f in fields] if fields else None,
        filters=[[columns[f.field.lower()], f.op.value, f.value] for f in filters],
        sort=[[columns[s.field.lower()], s.descending] for s in sort], created_at=now()))
    return get(conn, actor, view.name, name)


def list_views(conn: Connection, actor: Principal, view_name: str) -> list[CustomView]:
    """The caller's own custom views of a listing and the public ones, by name."""
    rows = conn.execute(sa.select(custom_view).where(custom_view.c.view == view_name, _visible(actor))
                        .order_by(custom_view.c.name_folded, custom_view.c.owner_staff_id)).all()
    return [_loaded(r, actor) for r in rows]


def get(conn: Connection, actor: Principal, view_name: str, name: str) -> CustomView:
    """A custom view the caller can see, by name in any case; their own wins over a public one."""
    found = [v for v in list_views(conn, actor, view_name) if v.name.casefold() == name.strip().casefold()]
    if not found:
        raise NotFound(f"No custom view {name} of {view_name}", code="NotFound")
    return next((v for v in found if v.mine), found[0])


def delete(conn: Connection, actor: Principal, view_name: str, name: str) -> None:
    """Remove a custom view the caller made (their own, or a public one they made)."""
    _staff_only(actor)
    found = get(conn, actor, view_name, name)
    if not found.mine:
        raise Forbidden(f"The custom view {found.name} was made by someone else", code="Forbidden")
    conn.execute(custom_view.delete().where(custom_view.c.view == view_name,
                                            custom_view.c.name_folded == found.name.casefold(),
                                            custom_view.c.created_by == actor.staff_id))
