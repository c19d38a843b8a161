"""system.json, users.json (sessions), companies.json and views.json."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ....core import query as q
from ....core.auth import service as auth
from ..host import BAD_PARAMETER, BAD_VIEW, Call, Result, SynergistError, action
from ..shapes import COMPANIES, SESSIONS, SYSTEM, VIEWS, Model, rows_of, wire_uuid

# What system.json?action=version reports as the Synergist release behind the API (3.9 needs 12.9).
VERSION_NO = 12.9
VERSION_REVISION = "a"


@action("system", "version")
def version(call: Call) -> Result:
    return Result(rows_of(SYSTEM, [{
        "uuid": wire_uuid("System", "backoffice"), "systemparameters_versionno": VERSION_NO,
        "systemparameters_versionrevision": VERSION_REVISION, "variable_apiversion": call.version,
    }]), model=SYSTEM)


@action("users", "newsession", write=True, model="session")
def new_session(call: Call) -> Result:
    """A session for the user who logged in (not a ``username`` acted for): ``data[0].session``."""
    session = auth.create_session(call.conn, call.login, timedelta(seconds=call.settings.session_ttl_seconds))
    return Result(rows_of(SESSIONS, [{"session": session}]), message="session created", model=SESSIONS)


@action("users", "endsession", write=True)
def end_session(call: Call) -> Result:
    """Ends the session the call was made with (``session=``)."""
    if call.session is None:
        raise SynergistError(BAD_PARAMETER, "no session supplied")
    auth.end_session(call.conn, call.session)
    return Result(message="session ended")


@action("companies", model="companies")
def companies(call: Call) -> Result:
    """Every company (each user may work in all); the lowest numbered is everyone's default."""
    return call.page_of(COMPANIES, filters=[q.Filter("number", q.Op.IS_NOT_NULL)], sort=[q.Sort("number")])


# --- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredView:
    """A stored query a list call may name with ``view=``: filters on its model's view columns."""

    id: int
    description: str
    module: str
    model: str
    filters: tuple[tuple[str, q.Op, Any], ...] = ()
    mine: str | None = None  # a view column that must name the acting user

    def query_filters(self, call: Call) -> list[q.Filter]:
        found = [q.Filter(name, op, value) for name, op, value in self.filters]
        if self.mine:
            found.append(q.Filter(self.mine, q.Op.EQUAL, call.principal.username))
        return found


STORED_VIEWS = (
    StoredView(-1001, "All clients", "clients", "clientslist"),
    StoredView(-1002, "Clients on hold", "clients", "clientslist", (("account_on_hold", q.Op.EQUAL, True),)),
    StoredView(-1003, "Active clients", "clients", "clientslist", (("trading_status", q.Op.EQUAL, 0),)),
    StoredView(-1700, "All activities", "activities", "activitylist"),
    StoredView(-1701, "Open activities", "activities", "activitylist", (("status", q.Op.NOT_EQUAL, 2),)),
    StoredView(-1702, "My activities", "activities", "activitylist", mine="owner_id__username"),
)


def stored_view(call: Call, module: str) -> StoredView | None:
    """The ``view`` parameter's view of ``module`` (None when not given); another is 404506."""
    text = call.param("view").strip()
    if not text:
        return None
    for view in STORED_VIEWS:
        if view.module == module and str(view.id) == text:
            return view
    raise SynergistError(BAD_VIEW, f"invalid view {text}")


def view_list(call: Call, module: str | None) -> Result:
    chosen = [v for v in STORED_VIEWS if module is None or v.module == module]
    rows = [{"viewID": v.id, "viewDescription": v.description, "viewModule": v.module, "viewModel": v.model}
            for v in chosen]
    return static_page(call, VIEWS, rows)


def static_page(call: Call, model: Model, rows: list[dict[str, Any]]) -> Result:
    """A page of a short list the host holds itself (not records)."""
    if call.rows:
        page = rows[call.skip:call.skip + call.rows]
    else:
        page = rows if call.page == 0 else []
    return Result(rows_of(model, page), total_rows=len(rows), model=model)


@action("views", model="viewlist")
def views(call: Call) -> Result:
    return view_list(call, None)
