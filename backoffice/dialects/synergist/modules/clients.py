"""clients.json and jobs.json's client pickers (clients are the core's debtors; every company
sees every debtor; a client's code is ``<company number>/<account no>``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ....core import query as q
from ....core.store.tables import ENTITY_TABLES
from ..host import BAD_MODEL, BAD_PARAMETER, NOT_FOUND, Call, Result, SynergistError, action
from ..shapes import CLIENT_CONTACTS, CLIENT_DETAILS, CLIENT_FINANCIAL, CLIENT_SORTS, CLIENTS_LIST, Model
from .general import stored_view, view_list

CLIENT_MODELS = {m.name: m for m in (CLIENTS_LIST, CLIENT_DETAILS, CLIENT_FINANCIAL)}


def split_code(call: Call, code: str) -> tuple[int, str]:
    """``1/C00001`` -> (1, "C00001"); a code without a company is in the call's company."""
    number, slash, rest = code.strip().partition("/")
    if not slash:
        return call.company.number, number
    if not (number.isascii() and number.isdigit()) or len(number) > 10 or not rest:
        raise SynergistError(BAD_PARAMETER, f"invalid code {code}")
    return int(number), rest


def find_client(call: Call, code: str, *, what: str = "client") -> dict[str, Any]:
    """The debtor a client code names (its company must exist), else 404503."""
    number, account = split_code(call, code)
    if not any(c.number == number for c in call.companies):
        raise SynergistError(NOT_FOUND, f"{what} {code} not found")
    debtor = ENTITY_TABLES["Debtor"]
    row = call.conn.execute(sa.select(debtor.c.debtor_id, debtor.c.account_no)
                            .where(debtor.c.account_no == account)).first()
    if row is None:
        raise SynergistError(NOT_FOUND, f"{what} {code} not found")
    return {"debtor_id": row.debtor_id, "account_no": row.account_no}


def client_list(call: Call, default: Model = CLIENTS_LIST, module: str = "clients") -> Result:
    """Clients: ``client=`` one client (details model by default), else a list: ``view``, ``sort``,
    ``search`` (name contains), paged."""
    chosen = call.modelstructure
    filters: list[q.Filter] = []
    code = call.param("client").strip()
    if code:
        default = CLIENT_DETAILS if default is CLIENTS_LIST else default
        filters.append(q.Filter("debtor_id", q.Op.EQUAL, find_client(call, code)["debtor_id"]))
    model = CLIENT_MODELS.get(chosen) if chosen else default
    if model is None:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    view = stored_view(call, module)
    if view is not None:
        filters += view.query_filters(call)
    search = call.param("search").strip()
    if search:
        filters.append(q.Filter("name", q.Op.LIKE, search))
    return call.page_of(model, filters=filters, sort=call.sort_from(CLIENT_SORTS))


@action("clients", model="clientslist")
def clients(call: Call) -> Result:
    return client_list(call)


@action("clients", "viewlist", model="viewlist")
def client_views(call: Call) -> Result:
    return view_list(call, "clients")


@action("jobs", "clients", model="clientslist")
def job_clients(call: Call) -> Result:
    """The clients a job may be for (the client list)."""
    return client_list(call)


@action("jobs", "contacts", model="clientcontacts")
def job_contacts(call: Call) -> Result:
    """A client's contacts: ``client=`` is required; ``variable_selected`` marks its default contact."""
    code = call.param("client").strip()
    if not code:
        raise SynergistError(BAD_PARAMETER, "no client supplied")
    debtor = find_client(call, code)
    return call.page_of(CLIENT_CONTACTS, filters=[q.Filter("debtor_id", q.Op.EQUAL, debtor["debtor_id"])])


@action("contacts", model="clientcontacts")
def contacts(call: Call) -> Result:
    """Contacts (the core's debtor contacts): every client's, or ``client=``'s, by name, paged."""
    filters: list[q.Filter] = []
    code = call.param("client").strip()
    if code:
        filters.append(q.Filter("debtor_id", q.Op.EQUAL, find_client(call, code)["debtor_id"]))
    if call.modelstructure and call.modelstructure != CLIENT_CONTACTS.name:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    return call.page_of(CLIENT_CONTACTS, filters=filters)
