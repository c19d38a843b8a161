"""The Synergist XML/JSON API v3 host: what a module is, what it is given, what it returns.

A module action is a function ``(call: Call) -> Result`` registered under ``(module, action)``
with :func:`action`; action ``""`` is the module's call without an ``action`` parameter (its
records). ``routes.py`` does everything around it: the URL, the format, credentials, the version,
the company, paging parameters, ``style=modelstructure``, the transaction and the envelope. A
handler only reads ``call`` and the core, and returns rows in wire names::

    from .host import Call, Result, action
    from .shapes import CLIENTS_LIST

    @action("jobs", "clientpicker", model="clientslist")
    def client_picker(call: Call) -> Result:
        # Paged in SQL: one page of the model's view, its total, the rows in wire names.
        return call.page_of(CLIENTS_LIST, filters=[], sort=call.sort_from({"CLIENT": "account_no"}))

    @action("jobs", "hello", write=True)
    def hello(call: Call) -> Result:
        return Result([{"greeting": f"hello {call.principal.username}"}], message="greeted",
                      root="Greetings", row="Greeting")

Contract:

* ``call.conn`` is the call's connection: a read snapshot, or with ``write=True`` one transaction
  committed only after the answer is written (an error rolls everything back, so an error answer
  always means nothing was done).
* ``call.principal`` acts (the ``username`` user when acting on behalf, else the login);
  ``call.login`` is who logged in. ``call.company`` is the company (``company=``, else the lowest
  numbered one). ``call.params`` holds every parameter, names lower-cased (``call.param(name)``).
* ``call.page`` (from 0) and ``call.rows`` (0 = all) are checked; ``call.skip``/``call.take`` give
  them as a core Query's skip/take; ``call.page_of(model, ...)`` runs one paged core query.
* ``call.modelstructure`` is the ``modelstructure`` parameter lower-cased ('' when absent).
  ``call.input_rows(...)`` parses the ``input`` JSON (``{"data":[{...}]}``) or raises 404507.
* Raise :class:`SynergistError` (or a core error; ``routes.py`` translates those) to answer an
  error; the host answers HTTP 404 with it in the call's format.
* A :class:`Result` with ``total_rows`` set is a list: it gets the paging keys (JSON
  ``totalrows``/``totalpages``/``pagenumber``/``pagerows``; XML ``TotalRows``/``TotalPages``/
  ``MorePages``). Without, it is a single answer (no paging keys). ``model`` names the shapes
  model whose XML names (root, row, field elements) the rows are written with; ``root``/``row``
  set them directly for rows without a model.
* ``model=`` at registration names the model ``style=modelstructure`` describes when the call
  gives no ``modelstructure``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ...core import query as q
from ...core.auth import Principal
from ...settings import Settings

if TYPE_CHECKING:
    from .shapes import Model

# --- errors ---------------------------------------------------------------------------------
# The document's five, then ours (404005-404009 about the request, 4045xx about the module call).
NO_CREDENTIALS = 404001
INVALID_CREDENTIALS = 404002
ACCOUNT_DISABLED = 404003
NOT_RECOGNISED = 404004
BAD_VERSION = 404005
ON_BEHALF_REFUSED = 404006
BAD_USERNAME = 404007
TOO_LARGE = 404008
INVALID_ACTION = 404500
BAD_PARAMETER = 404501
BAD_COMPANY = 404502
NOT_FOUND = 404503
BAD_MODEL = 404504
BAD_SORT = 404505
BAD_VIEW = 404506
BAD_INPUT = 404507
CHANGED = 404508
FORBIDDEN = 404509
INVALID_DATA = 404510
NOT_LIST = 404511

ERROR_TEXTS = {
    NO_CREDENTIALS: "no credentials supplied",
    INVALID_CREDENTIALS: "invalid credentials supplied",
    ACCOUNT_DISABLED: "account disabled",
    NOT_RECOGNISED: "request not recognised",
}


class SynergistError(Exception):
    """An error answer: HTTP 404 with ``error_id`` and ``text`` in the call's format."""

    def __init__(self, error_id: int, text: str | None = None) -> None:
        self.error_id = error_id
        self.text = text if text is not None else ERROR_TEXTS.get(error_id, "error")
        super().__init__(f"{self.error_id} {self.text}")


# --- what a handler is given and returns ----------------------------------------------------


@dataclass(frozen=True)
class CompanyRef:
    number: int
    company_id: str
    name: str


@dataclass
class Result:
    """Rows in wire names (in order), and how to present them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    # Set: a list answer with paging keys; the total of the selection whatever the page.
    total_rows: int | None = None
    message: str = ""
    warning: str = ""
    model: Model | None = None
    root: str | None = None
    row: str | None = None


@dataclass
class Call:
    conn: Connection
    principal: Principal
    login: Principal
    module: str
    action: str
    params: Mapping[str, str]
    company: CompanyRef
    companies: list[CompanyRef]
    page: int
    rows: int
    style: str
    modelstructure: str
    version: str
    format: str  # json | xml | csv
    settings: Settings
    session: str | None = None  # the session the call authenticated with, if any

    def param(self, name: str, default: str = "") -> str:
        return self.params.get(name.lower(), default)

    @property
    def skip(self) -> int:
        # Beyond 2**31 - 1 (SQL's integer offset) every page is past the end anyway.
        return min(self.page * self.rows, 2**31 - 1)

    @property
    def take(self) -> int | None:
        return self.rows or None

    def company_by_number(self, number: int) -> CompanyRef:
        for company in self.companies:
            if company.number == number:
                return company
        raise SynergistError(BAD_COMPANY, f"invalid company {number}")

    def sort_from(self, names: Mapping[str, str], default: list[q.Sort] | None = None) -> list[q.Sort]:
        """The ``sort`` parameter (``NAME``, ``-NAME`` for descending; any case) through ``names``
        (sort name -> view column); unknown names are 404505."""
        wanted = self.param("sort").strip()
        if not wanted:
            return list(default or [])
        descending = wanted.startswith("-")
        column = names.get(wanted.lstrip("-").upper())
        if column is None:
            raise SynergistError(BAD_SORT, f"invalid sort {wanted}")
        return [q.Sort(column, descending)]

    def page_of(self, model: Model, *, filters: list[q.Filter] | None = None,
                sort: list[q.Sort] | None = None) -> Result:
        """One page of ``model``'s view (paged and counted in SQL) as a list Result."""
        if self.rows == 0 and self.page > 0:
            # rows=0 is one page of every row: any later page is past the end.
            counted = q.run(self.conn, self.principal, model.view, q.Query(filters=list(filters or []), take=0,
                                                                           count=True))
            return Result([], total_rows=counted.total or 0, model=model)
        page = q.run(self.conn, self.principal, model.view,
                     q.Query(filters=list(filters or []), sort=list(sort or []), skip=self.skip, take=self.take,
                             count=True), max_take=self.take or 2**31 - 1)
        return Result(model.render(page.rows, self), total_rows=page.total or 0, model=model)

    def input_rows(self, *, required: bool = True) -> list[dict[str, Any]]:
        """The ``input`` parameter's rows: ``{"data":[{...}, ...]}``, each row an object."""
        text = self.param("input")
        if not text.strip():
            if required:
                raise SynergistError(BAD_INPUT, "invalid input: no input supplied")
            return []
        try:
            document = json.loads(text)
            # Text that is not Unicode (a lone surrogate, "\ud800") could be stored nowhere.
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise SynergistError(BAD_INPUT, "invalid input: nested too deeply") from None
        except UnicodeEncodeError:
            raise SynergistError(BAD_INPUT, "invalid input: text that is not Unicode") from None
        except ValueError as exc:
            raise SynergistError(BAD_INPUT, f"invalid input: not JSON ({exc})") from None
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise SynergistError(BAD_INPUT, 'invalid input: expected {"data":[{...}]}')
        rows = document["data"]
        if not rows:
            raise SynergistError(BAD_INPUT, "invalid input: data holds no rows")
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise SynergistError(BAD_INPUT, f"invalid input: data[{i}] is not an object")
        return rows


Handler = Callable[[Call], Result]


@dataclass(frozen=True)
class Action:
    module: str
    name: str
    handler: Handler
    write: bool = False
    model: str | None = None  # the model style=modelstructure describes by default


MODULES: dict[str, dict[str, Action]] = {}


def action(module: str, name: str = "", *, write: bool = False, model: str | None = None) -> Callable[[Handler],
                                                                                                       Handler]:
    """Register ``handler`` as ``module.json?action=name`` (``name`` "" = no action parameter)."""
    def register(handler: Handler) -> Handler:
        actions = MODULES.setdefault(module.lower(), {})
        assert name.lower() not in actions, f"{module}/{name} registered twice"
        actions[name.lower()] = Action(module.lower(), name.lower(), handler, write, model)
        return handler
    return register
