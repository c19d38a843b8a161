"""Jobs and time (what the Synergist API serves): client jobs with their phases and stages, charge
codes, pending time (timesheet entries not yet posted), posted time and diary bookings.

A ``Job`` (table ``client_job``; ``core/jobs/`` is the background job queue, a different thing) is
work for a client (a ``Debtor``) in one company; its number is unique in that company. A job is
divided into phases (``001``, ``002``); a *two-tier* phase is divided again into stages, and time
booked to it names one. Charge codes (``ART``, ``COPY``) say what kind of work time was; each
company has its own. A staff member is a *resource* and has a default charge code.

Keys: jobs, phases, stages and charge codes have generated string keys; pending time, posted time
and diary bookings integer keys from their own sequences (``PendingTime`` from 3001,
``PostedTime`` from 9001, ``DiaryBooking`` from 1201). Job numbers come from the ``Job`` sequence
(from 510: ``00000510``) and stage codes from ``JobStage`` (from 918: ``W0000000918``).

The rules (numbering, the create-timesheet checks, the statuses) live in ``core/timesheets.py``.
"""

from __future__ import annotations

from .model import Catalog, Child, Entity, EnumDef, EnumValue, Field, View, ViewColumn
from .model import FieldType as T

JOB_STATUS = EnumDef("JobStatus", [
    EnumValue(1, "Quote", "Quoted, not yet won", {"en": "Quote"}),
    EnumValue(2, "Live", "Work in progress: time may be booked to it", {"en": "Live"}),
    EnumValue(3, "Complete", "The work is done", {"en": "Complete"}),
    EnumValue(4, "Cancelled", "Will not go ahead", {"en": "Cancelled"}),
])

# Pending time statuses (Synergist's tspApprovalStatus).
WAITING, SUBMITTED, APPROVED, QUERIED, REJECTED, HELD, POSTING = "W", "S", "A", "Q", "R", "H", "P"
PENDING_STATUSES = {
    WAITING: "Pending: the resource may still change or delete it",
    SUBMITTED: "Submitted for approval",
    APPROVED: "Approved, ready to post",
    QUERIED: "Queried by the approver",
    REJECTED: "Rejected by the approver",
    HELD: "Held",
    POSTING: "Being posted",
}


def _id(name: str) -> Field:
    return Field(name, T.STRING, length=36, system=True)


def _key(name: str) -> Field:
    return Field(name, T.INT, system=True)


def _s(name: str, length: int = 100, **kw: object) -> Field:
    return Field(name, T.STRING, length=length, **kw)  # type: ignore[arg-type]


def _ref(name: str, entity: str, **kw: object) -> Field:
    return Field(name, T.STRING, length=36, ref=entity, index=True, **kw)  # type: ignore[arg-type]


def _hours(name: str, description: str = "") -> Field:
    return Field(name, T.FLOAT, default=0.0, description=description)


def _bool(name: str, **kw: object) -> Field:
    return Field(name, T.BOOL, default=False, **kw)  # type: ignore[arg-type]


def _time_fields() -> list[Field]:
    """What a time entry says, pending or posted."""
    return [
        _ref("company_id", "Company", system=True, description="The job's company (from the phase)"),
        _ref("phase_id", "JobPhase", required=True, description="The job phase the time is booked to"),
        _ref("stage_id", "JobStage", description="The stage (required for a two-tier phase)"),
        _ref("charge_code_id", "ChargeCode", description="The kind of work (default: the resource's)"),
        _ref("staff_id", "Staff", required=True, description="The resource whose time it is"),
        Field("time_date", T.DATE, required=True, description="The day the work was done"),
        _hours("hours_normal", "Normal hours (0 to 24)"),
        _hours("hours_otime1", "Overtime 1 hours (0 to 24)"),
        _hours("hours_otime2", "Overtime 2 hours (0 to 24)"),
        _s("material_code", 20), Field("mat_quantity", T.FLOAT, default=0.0),
        _s("task_desc", 200, description="A task description of the phase (required when it has some)"),
        Field("work_done", T.TEXT),
        *[_s(f"{edge}_time_{kind}", 5, description="HH:MM")
          for kind in ("normal", "ot1", "ot2") for edge in ("start", "end")],
    ]


def add_job_entities(catalog: Catalog) -> None:
    catalog.add(JOB_STATUS)
    catalog.add(Entity("Job", "client_job", "job_id", [
        _id("job_id"),
        _ref("company_id", "Company", required=True),
        _s("job_number", 20, system=True, description="Eight digits (00000510), unique in its company"),
        _ref("debtor_id", "Debtor", required=True, description="The client"),
        _ref("contact_name_id", "DebtorContactName", description="The client's contact for the job"),
        Field("description", T.TEXT, description="Its first line is the job's short description"),
        Field("status", T.INT, default=2, enum="JobStatus"),
        _ref("handler_staff_id", "Staff", description="Who handles the job"),
        Field("date_in", T.DATE), Field("date_due", T.DATE),
        Field("completed_date", T.DATE, description="Set when the job becomes Complete, unless given"),
        _s("order_number", 60),
        Field("quoted_price", T.MONEY, default=0.0),
        _s("currency_code", 3), Field("exchange_rate", T.FLOAT, default=1.0),
        _s("job_type_code", 20), _s("job_type_description", 100),
        _s("project_code", 20),
        Field("comments", T.TEXT),
        _s("won_by", 60),
        _s("tax_code", 20),
    ], children=[
        Child("phases", "JobPhase", "job_id", order_by=("phase_number",)),
    ], unique_together=[("company_id", "job_number")], debtor_field="debtor_id",
        description="A client's job: work done in phases (and stages) that time is booked to."))
    catalog.add(Entity("JobPhase", "client_job_phase", "phase_id", [
        _id("phase_id"),
        _ref("job_id", "Job", system=True),
        _s("phase_number", 3, description="Three digits (001), unique in its job; the next one when not given"),
        Field("description", T.TEXT),
        _ref("handler_staff_id", "Staff"),
        Field("start_date", T.DATE), Field("end_date", T.DATE),
        _bool("two_tier", description="Divided into stages: time booked to it names one"),
        Field("task_descriptions", T.TEXT,
              description="The phase's task descriptions, one a line; when set, time names one of them"),
        _bool("closed", description="Takes no more time"),
    ], children=[
        Child("stages", "JobStage", "phase_id", order_by=("stage_code",)),
    ], root=False, unique_together=[("job_id", "phase_number")], description="A phase of a job."))
    catalog.add(Entity("JobStage", "client_job_stage", "stage_id", [
        _id("stage_id"),
        _ref("phase_id", "JobPhase", system=True),
        _s("stage_code", 20, unique=True, description="W0000000918 style; the next one when not given"),
        _s("description", 200),
        Field("start_date", T.DATE), Field("end_date", T.DATE),
    ], root=False, description="A stage of a two-tier job phase (Synergist's workflow)."))

    catalog.add(Entity("ChargeCode", "charge_code", "charge_code_id", [
        _id("charge_code_id"),
        _ref("company_id", "Company", required=True),
        _s("code", 20, required=True, description="Unique in its company (ART)"),
        _s("description", 200),
        _s("activity_code", 20),
        Field("rate", T.MONEY, default=0.0, description="The hourly rate"),
    ], unique_together=[("company_id", "code")], description="A kind of work time is charged as."))

    catalog.add(Entity("PendingTime", "timesheet_pending", "entry_no", [
        _key("entry_no"),
        *_time_fields(),
        _s("status", 1, default=WAITING,
           description="W pending, S submitted, A approved, Q queried, R rejected, H held, P being posted"),
        Field("approval_notes", T.TEXT), Field("approval_notes_resubmit", T.TEXT),
    ], indexes=[("staff_id", "time_date"), ("status", "time_date")],
        description="A timesheet entry not yet posted (Synergist's tspending)."))
    catalog.add(Entity("PostedTime", "timesheet_posted", "entry_no", [
        _key("entry_no"),
        *_time_fields(),
        Field("approval_notes", T.TEXT),
        Field("pending_entry_no", T.INT, description="The pending entry it was posted from"),
        _s("sales_inv_no", 20, description="The sales invoice the time was billed on"),
        Field("posted_at", T.DATETIME, description="When it was posted (UTC)"),
    ], indexes=[("staff_id", "time_date"), ("time_date",)],
        description="Posted time (Synergist's time.json): written only by posting."))

    catalog.add(Entity("DiaryBooking", "diary_booking", "booking_id", [
        _key("booking_id"),
        _ref("company_id", "Company", description="The phase's company when it names a phase"),
        _ref("staff_id", "Staff", required=True, description="The resource booked"),
        _ref("phase_id", "JobPhase"), _ref("stage_id", "JobStage"), _ref("charge_code_id", "ChargeCode"),
        Field("start_at", T.DATETIME, required=True), Field("end_at", T.DATETIME, required=True),
        _bool("all_day"),
        Field("hours_per_day", T.FLOAT, default=0.0, description="Hours a day the booking allocates (0 to 24)"),
        _s("status", 20),
        Field("feedback", T.TEXT),
        _bool("important"), _bool("internal"),
        _s("colour_hex", 7, description="#RRGGBB"),
        _s("subject", 200),
    ], indexes=[("staff_id", "start_at")], description="A resource's booking in the diary, usually to a job phase."))

    _add_views(catalog)


def _add_views(catalog: Catalog) -> None:
    def time_columns() -> list[ViewColumn]:
        return [ViewColumn(name, source) for name, source in (
            ("entry_no", "entry_no"), ("company_number", "company_id.number"),
            ("job_number", "phase_id.job_id.job_number"), ("phase_number", "phase_id.phase_number"),
            ("phase_description", "phase_id.description"), ("job_description", "phase_id.job_id.description"),
            ("client_code", "phase_id.job_id.debtor_id.account_no"),
            ("client_name", "phase_id.job_id.debtor_id.name"),
            ("stage_code", "stage_id.stage_code"), ("stage_description", "stage_id.description"),
            ("charge_code", "charge_code_id.code"), ("charge_code_description", "charge_code_id.description"),
            ("resource_code", "staff_id.username"), ("resource_first_name", "staff_id.first_name"),
            ("resource_surname", "staff_id.surname"),
            ("time_date", "time_date"), ("hours_normal", "hours_normal"), ("hours_otime1", "hours_otime1"),
            ("hours_otime2", "hours_otime2"), ("material_code", "material_code"),
            ("mat_quantity", "mat_quantity"), ("task_desc", "task_desc"), ("work_done", "work_done"),
            ("start_time_normal", "start_time_normal"), ("end_time_normal", "end_time_normal"),
            ("start_time_ot1", "start_time_ot1"), ("end_time_ot1", "end_time_ot1"),
            ("start_time_ot2", "start_time_ot2"), ("end_time_ot2", "end_time_ot2"),
            ("phase_id", "phase_id"), ("stage_id", "stage_id"), ("charge_code_id", "charge_code_id"),
            ("staff_id", "staff_id"), ("company_id", "company_id"),
            ("revision", "revision"), ("last_saved", "last_saved"))]

    catalog.add(View("PendingTimeList", "PendingTime", [
        *time_columns(),
        ViewColumn("status", "status"), ViewColumn("approval_notes", "approval_notes"),
        ViewColumn("approval_notes_resubmit", "approval_notes_resubmit"),
    ], default_sort=("entry_no",), description="Pending time with its job, phase, stage, charge code and resource."))
    catalog.add(View("PostedTimeList", "PostedTime", [
        *time_columns(),
        ViewColumn("sales_inv_no", "sales_inv_no"), ViewColumn("posted_at", "posted_at"),
        ViewColumn("pending_entry_no", "pending_entry_no"),
    ], default_sort=("entry_no",), description="Posted time with its job, phase, stage, charge code and resource."))
