"""jobs.json: a job's details (``job=1/00000510``) or the company's jobs (jobs are the core's
``Job``; the client pickers of jobs.json are in clients.py)."""

from __future__ import annotations

from ....core import query as q
from ....core import timesheets
from ..host import BAD_MODEL, BAD_PARAMETER, Call, Result, SynergistError, action
from ..job_shapes import JOB_DETAILS, JOB_LIST, JOB_SORTS
from .clients import find_client, split_code

JOB_MODELS = {m.name: m for m in (JOB_DETAILS, JOB_LIST)}


def job_number(call: Call, code: str) -> tuple[int, str]:
    """``1/00000510`` -> (1, "00000510"), the company checked."""
    number, job = split_code(call, code)
    call.company_by_number(number)
    return number, job


@action("jobs", model="joblist")
def jobs(call: Call) -> Result:
    """``job=`` one job (the details model), else the company's jobs: ``client=``, ``status=``, paged."""
    filters = [q.Filter("company_id", q.Op.EQUAL, call.company.company_id)]
    default = JOB_LIST
    code = call.param("job").strip()
    if code:
        number, job = job_number(call, code)
        found = timesheets.job_by_code(call.conn, number, job)
        filters = [q.Filter("job_id", q.Op.EQUAL, found["job_id"])]
        default = JOB_DETAILS
    client = call.param("client").strip()
    if client:
        filters.append(q.Filter("debtor_id", q.Op.EQUAL, find_client(call, client)["debtor_id"]))
    status = call.param("status").strip()
    if status:
        if not (status.isascii() and status.isdigit()):
            raise SynergistError(BAD_PARAMETER, f"invalid status {status}")
        filters.append(q.Filter("status", q.Op.EQUAL, int(status)))
    chosen = call.modelstructure
    found_model = JOB_MODELS.get(chosen) if chosen else default
    if found_model is None:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    return call.page_of(found_model, filters=filters, sort=call.sort_from(JOB_SORTS))
