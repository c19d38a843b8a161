"""Synergist's job, time and diary models over the core's jobs, phases, pending and posted time
and diary bookings (core/catalog/jobs.py). Codes are company-prefixed as everywhere
(``1/00000510``, ``1/00000510.001``, ``1/ART``, ``1/Admin``); names and order are the vendor's.
"""

from __future__ import annotations

from typing import Any

from .shapes import (
    Model,
    Row,
    WireField,
    as_code,
    as_date,
    as_timestamp,
    as_uuid,
    blank,
    column_name,
    first_line,
    full_name,
    model,
)

# The currency symbols of the codes the demo and most agencies use; others show the code.
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "$", "NZD": "$"}


def _job_and_phase(value: Any, row: Row, call: Any) -> str:
    job, phase = row.get(column_name("phase_id.job_id.job_number")), row.get(column_name("phase_id.phase_number"))
    return f"{call.company.number}/{job}.{phase}" if job and phase else ""


def _hhmm(value: Any, row: Row, call: Any) -> str:
    """An HH:MM time as Synergist writes times (HH:MM:SS), or its empty time."""
    return f"{value}:00" if value else "00:00:00"


def _status_name(value: Any, row: Row, call: Any) -> str:
    from ...core.catalog import CATALOG

    try:
        return CATALOG.enums["JobStatus"].by_code(int(value)).name if value is not None else ""
    except (KeyError, ValueError):
        return ""


def _symbol(value: Any, row: Row, call: Any) -> str:
    return _SYMBOLS.get(str(value or "").upper(), str(value or ""))


def _hours_total(value: Any, row: Row, call: Any) -> float:
    return round(sum(float(row.get(h) or 0.0) for h in ("hours_normal", "hours_otime1", "hours_otime2")), 4)


_JOB_FIELDS = [
    WireField("jobUuid", "job_id", as_uuid("Job"), label="Uuid", attribute=True),
    WireField("jobTimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    # (sic: the vendor's name for the record version number in this model)
    WireField("jobRecommendedVersionNumber", "revision", label="Version"),
    WireField("jobDescription1stLine", "description", first_line, label="Description", fieldtype="text"),
    WireField("jobWonBy", "won_by", label="Won By"),
    WireField("jobCustomField290", render=blank(), label="Custom Field 290"),
    WireField("jobCurrencySymbol", "currency_code", _symbol, label="Currency Symbol"),
    WireField("jobCurrency", "currency_code", label="Currency"),
    WireField("jobExchangeRate", "exchange_rate", label="Exchange Rate"),
    WireField("jobClientCode", "debtor_id.account_no", as_code, label="Client"),
    WireField("jobClientName", "debtor_id.name", label="Client Name"),
    WireField("jobComments", "comments", label="Comments"),
    WireField("jobCurQuotedPrice", "quoted_price", label="Quoted Price (currency)"),
    WireField("jobDateIn", "date_in", as_date, label="Date In", fieldtype="date"),
    WireField("jobDateDue", "date_due", as_date, label="Date Due", fieldtype="date"),
    WireField("jobCompletedDate", "completed_date", as_date, label="Completed", fieldtype="date"),
    WireField("jobDescription", "description", label="Description"),
    WireField("jobNumber", "job_number", as_code, label="Job"),
    WireField("jobStatus", "status", label="Status"),
    WireField("jobStatusDescription", "status", _status_name, label="Status Description", fieldtype="text"),
    WireField("jobLeadClosedDate", render=blank("date"), label="Lead Closed", fieldtype="date"),
    WireField("jobOrderNumber", "order_number", label="Order Number"),
    WireField("jobQuotedPrice", "quoted_price", label="Quoted Price"),
    WireField("jobReferenceJob", render=blank(), label="Reference Job"),
    WireField("jobTaxCode", "tax_code", label="Tax Code"),
    WireField("jobOppCurrentStatus", render=blank(), label="Opportunity Status"),
    WireField("jobOppLeadRating", render=blank(), label="Lead Rating"),
    WireField("jobOppSource", render=blank(), label="Source"),
    WireField("jobOppWeighting", render=blank("number"), label="Weighting", fieldtype="number"),
    WireField("jobStageNotes", render=blank(), label="Stage Notes"),
    WireField("jobHandlerUserID", "handler_staff_id.username", label="Handler"),
    WireField("jobHandlerFullName", render=full_name("handler_staff_id.first_name", "handler_staff_id.surname",
                                                     "handler_staff_id.username"), label="Handler Name"),
    WireField("jobHandlerTeam", render=blank(), label="Team"),
    WireField("jobTeamDescription", render=blank(), label="Team Description"),
    WireField("jobCampaignNo", render=blank(), label="Campaign"),
    WireField("jobCampaignDescription", render=blank(), label="Campaign Description"),
    WireField("jobContactInternalRef", "contact_name_id.contact_number", label="Contact"),
    WireField("jobContactFullName", render=full_name("contact_name_id.first_name", "contact_name_id.surname"),
              label="Contact Name"),
    WireField("jobCurrencyCode", "currency_code", label="Currency Code"),
    WireField("jobJobtypeCode", "job_type_code", label="Job Type"),
    WireField("jobJobtypeDescription", "job_type_description", label="Job Type Description"),
    WireField("jobProjectCode", "project_code", label="Project"),
    WireField("jobProjectDescription", render=blank(), label="Project Description"),
]
_JOB_EXTRA = ("company_id", "handler_staff_id.first_name", "handler_staff_id.surname",
              "contact_name_id.first_name", "contact_name_id.surname")
JOB_SORTS = {"JOB": "job_number", "CLIENT": "debtor_id__account_no", "DUE": "date_due", "STATUS": "status",
             "MODIFIED": "last_saved"}

JOB_DETAILS = model(Model("jobdetails", "Job", _JOB_FIELDS, root="Jobs", row="Job", extra=_JOB_EXTRA,
                          default_sort=("job_number",)))
JOB_LIST = model(Model("joblist", "Job", [f for f in _JOB_FIELDS if f.name in (
    "jobUuid", "jobTimeStampModified", "jobRecommendedVersionNumber", "jobNumber", "jobDescription1stLine",
    "jobClientCode", "jobClientName", "jobStatus", "jobStatusDescription", "jobDateIn", "jobDateDue",
    "jobHandlerUserID", "jobOrderNumber")], root="Jobs", row="Job", extra=_JOB_EXTRA, default_sort=("job_number",)))


# --- pending time (tspending.json, timesheets.json) ---------------------------------------------

_TIME_EXTRA = ("company_id", "status", "phase_id.job_id.job_number", "phase_id.phase_number", "hours_normal",
               "hours_otime1", "hours_otime2", "staff_id.first_name", "staff_id.surname")
_RESOURCE_NAME = full_name("staff_id.first_name", "staff_id.surname", "staff_id.username")


def _time_fields(prefix: str, entity: str) -> list[WireField]:
    """The fields pending (``tsp``) and posted (``ts``) time share, in the vendor's order."""
    return [
        WireField(f"{prefix}Uuid", "entry_no", as_uuid(entity), label="Uuid", attribute=True),
        WireField(f"{prefix}TimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
        WireField(f"{prefix}RecordVersionNumber", "revision", label="Version", editable=True),
        WireField(f"{prefix}EntryNo", "entry_no", label="Entry No"),
        WireField(f"{prefix}JobAndPhase", "phase_id", _job_and_phase, label="Job and Phase", fieldtype="text",
                  editable=True, mandatory=True),
        WireField(f"{prefix}StageCode", "stage_id.stage_code", as_code, label="Stage", editable=True),
        WireField(f"{prefix}StageDescription", "stage_id.description", label="Stage Description"),
        WireField(f"{prefix}ChargeCode", "charge_code_id.code", as_code, label="Charge Code", editable=True),
        WireField(f"{prefix}ChargeCodeDescription", "charge_code_id.description", label="Charge Code Description"),
        WireField(f"{prefix}ResourceCode", "staff_id.username", as_code, label="Resource", editable=True,
                  mandatory=True),
        WireField(f"{prefix}ResourceName", "staff_id.username", _RESOURCE_NAME, label="Resource Name"),
        WireField(f"{prefix}MaterialCode", "material_code", label="Material", editable=True),
        WireField(f"{prefix}MatQuantity", "mat_quantity", label="Quantity", editable=True),
        WireField(f"{prefix}HoursNormal", "hours_normal", label="Hours", editable=True, mandatory=True),
        WireField(f"{prefix}HoursOtime1", "hours_otime1", label="Overtime 1", editable=True),
        WireField(f"{prefix}HoursOtime2", "hours_otime2", label="Overtime 2", editable=True),
        WireField(f"{prefix}TimeDate", "time_date", as_date, label="Date", fieldtype="date", editable=True,
                  mandatory=True),
        WireField(f"{prefix}LocalDate", "time_date", as_date, label="Local Date", fieldtype="date"),
        WireField(f"{prefix}LocalTime", "start_time_normal", _hhmm, label="Local Time", fieldtype="time"),
        WireField(f"{prefix}LocalTimezone", render=lambda v, row, call: "UTC", label="Time Zone", fieldtype="text"),
        WireField(f"{prefix}LocalTimezoneOffset", render=blank("int"), label="Offset", fieldtype="int"),
        WireField(f"{prefix}StartTimeNormal", "start_time_normal", _hhmm, label="Start", fieldtype="time",
                  editable=True),
        WireField(f"{prefix}EndTimeNormal", "end_time_normal", _hhmm, label="End", fieldtype="time", editable=True),
        WireField(f"{prefix}StartTimeOT1", "start_time_ot1", _hhmm, label="Start OT1", fieldtype="time",
                  editable=True),
        WireField(f"{prefix}EndTimeOT1", "end_time_ot1", _hhmm, label="End OT1", fieldtype="time", editable=True),
        WireField(f"{prefix}StartTimeOT2", "start_time_ot2", _hhmm, label="Start OT2", fieldtype="time",
                  editable=True),
        WireField(f"{prefix}EndTimeOT2", "end_time_ot2", _hhmm, label="End OT2", fieldtype="time", editable=True),
    ]


PENDING_SORTS = {"ENTRY": "entry_no", "DATE": "time_date", "RESOURCE": "staff_id__username",
                 "JOB": "phase_id__job_id__job_number", "MODIFIED": "last_saved"}

TSPENDING_LIST = model(Model("tspendingslist", "PendingTime", _time_fields("tsp", "PendingTime"),
                             root="TSPendings", row="TSPending", extra=_TIME_EXTRA, default_sort=("entry_no",)))
TSPENDING_DETAILS = model(Model("tspendingdetails", "PendingTime", [
    *_time_fields("tsp", "PendingTime"),
    WireField("tspApprovalStatus", "status", label="Approval Status"),
    WireField("tspApprovalNotes", "approval_notes", label="Approval Notes"),
    WireField("tspApprovalNotesReSubmit", "approval_notes_resubmit", label="Resubmit Notes"),
    WireField("tspWorkDone", "work_done", label="Work Done", editable=True),
    WireField("tspTaskDescription", "task_desc", label="Task", editable=True),
], root="TSPendings", row="TSPending", extra=_TIME_EXTRA, default_sort=("entry_no",)))
# What tspending.json?action=delete|pendingcopy answers for each entry.
TSPENDING_KEYS = model(Model("tspendingkeys", "PendingTime", [
    WireField("tspEntryNo", "entry_no", label="Entry No"),
    WireField("tspUuid", "entry_no", as_uuid("PendingTime"), label="Uuid", attribute=True),
], root="TSPendings", row="TSPending", default_sort=("entry_no",)))

# timesheets.json (v3.1) lists pending time under its own names.
TIMESHEETS_LIST = model(Model("timesheetspendinglist", "PendingTime", [
    WireField("tsUuid", "entry_no", as_uuid("PendingTime"), label="Uuid", attribute=True),
    WireField("tsTimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    WireField("tspending_recordversionnumber", "revision", label="Version"),
    WireField("tsEntryNo", "entry_no", label="Entry No"),
    WireField("tsJobAndPhase", "phase_id", _job_and_phase, label="Job and Phase", fieldtype="text"),
    WireField("tsStageCode", "stage_id.stage_code", as_code, label="Stage"),
    WireField("tsTaskDescription", "task_desc", label="Task"),
    WireField("tsChargeCode", "charge_code_id.code", as_code, label="Charge Code"),
    WireField("tsResourceCode", "staff_id.username", as_code, label="Resource"),
    WireField("tsMaterialCode", "material_code", label="Material"),
], root="Timesheets", row="Timesheet", extra=_TIME_EXTRA, default_sort=("entry_no",)))


# --- posted time (time.json) ----------------------------------------------------------------

POSTED_LIST = model(Model("timesheetslist", "PostedTime", [
    WireField("tsUuid", "entry_no", as_uuid("PostedTime"), label="Uuid", attribute=True),
    WireField("tsTimestampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    WireField("tsRecordVersionNumber", "revision", label="Version"),
    WireField("tsJobAndPhase", "phase_id", _job_and_phase, label="Job and Phase", fieldtype="text"),
    WireField("tsPhaseDescription", "phase_id.description", label="Phase"),
    WireField("tsStageCode", "stage_id.stage_code", as_code, label="Stage"),
    WireField("tsStageDescription", "stage_id.description", label="Stage Description"),
    WireField("tsTaskDesc", "task_desc", label="Task"),
    WireField("tsChargeCode", "charge_code_id.code", as_code, label="Charge Code"),
    WireField("tsChargeCodeDescription", "charge_code_id.description", label="Charge Code Description"),
    WireField("tsTimeDate", "time_date", as_date, label="Date", fieldtype="date"),
    WireField("tsResourceCode", "staff_id.username", as_code, label="Resource"),
    WireField("tsResource", "staff_id.username", _RESOURCE_NAME, label="Resource Name"),
    WireField("tsSalesInvNo", "sales_inv_no", label="Sales Invoice"),
    WireField("tsHoursTotal", "hours_normal", _hours_total, label="Hours", fieldtype="number"),
    WireField("tsHoursNormal", "hours_normal", label="Normal"),
    WireField("tsHoursOtime1", "hours_otime1", label="Overtime 1"),
    WireField("tsHoursOtime2", "hours_otime2", label="Overtime 2"),
    WireField("tsWorkDone", "work_done", label="Work Done"),
    WireField("tsClientCode", "phase_id.job_id.debtor_id.account_no", as_code, label="Client"),
    WireField("tsClientName", "phase_id.job_id.debtor_id.name", label="Client Name"),
    WireField("tsJobDescription", "phase_id.job_id.description", first_line, label="Job", fieldtype="text"),
    WireField("tsLocalDate", "time_date", as_date, label="Local Date", fieldtype="date"),
    WireField("tsStartTimeNormal", "start_time_normal", _hhmm, label="Start", fieldtype="time"),
    WireField("tsEndTimeNormal", "end_time_normal", _hhmm, label="End", fieldtype="time"),
], root="Timesheets", row="Timesheet", extra=tuple(p for p in _TIME_EXTRA if p != "status"),
    default_sort=("entry_no",)))
POSTED_SORTS = {"ENTRY": "entry_no", "DATE": "time_date", "RESOURCE": "staff_id__username",
                "JOB": "phase_id__job_id__job_number", "CLIENT": "phase_id__job_id__debtor_id__account_no"}


# --- lookups (timesheets.json) and the diary: rows made from core lookups ---------------------------

def _by_hand(name: str, root: str, row: str, fields: list[tuple[str, str]]) -> Model:
    return model(Model(name, None, [WireField(n, fieldtype=kind, attribute=n.endswith("_uuid"))
                                    for n, kind in fields], root=root, row=row))


TS_COMPANIES = _by_hand("tscompanylist", "Companies", "Company", [
    ("control_uuid", "text"), ("control_number", "int"), ("control_ourname", "text")])
TS_PHASES = _by_hand("phaseslist", "phases", "phase", [
    ("jobphase_uuid", "text"), ("jobphase_displayorder", "int"), ("jobphase_jobandphase", "text"),
    ("jobphase_phase", "text"), ("variable_phasedescription1stline__jobphase_jobandphase", "text"),
    ("variable_jobnumber__jobphase_jobnumber", "text"),
    ("variable_jobdescription1stline__jobphase_jobnumber", "text")])
TS_CHARGE_CODES = _by_hand("chargecodelist", "chargecodes", "chargecode", [
    ("chargecodes_uuid", "text"), ("chargecodes_activitycode", "text"), ("chargecodes_chargecode", "text"),
    ("array_chargecodeuserdefault__chargecodes_chargecode", "boolean"), ("chargecodes_description", "text")])
TS_RESOURCES = _by_hand("resourcelist", "resources", "resource", [
    ("resources_uuid", "text"), ("resources_resourcecode", "text"), ("resources_resourcename", "text")])
DIARY_TIMESHEETS = _by_hand("calendartimesheet", "calendartimesheets", "calendartimesheet", [
    ("array_allowed__tspending_entryno", "number"), ("tspending_chargecode", "text"),
    ("chargecodes_description__tspending_chargecode", "text"), ("clients_clientname__tspending_entryno", "text"),
    ("array_company__tspending_entryno", "int"), ("tspending_timedate", "date"),
    ("array_diaryunits__tspending_entryno", "number"), ("array_existingunits__tspending_entryno", "number"),
    ("array_jobdescription1stline__tspending_jobandphase", "text"), ("tspending_jobandphase", "text"),
    ("array_phasedescription1stline__tspending_jobandphase", "text"),
    ("jobphase_jobphasenumbersimple__tspending_jobandphase", "text"), ("tspending_resourcecode", "text"),
    ("tspending_taskdesc", "text"), ("tspending_hoursnormal", "number"), ("tspending_workdone", "text"),
    ("tspending_workflowcode", "text"), ("workflow_workflowdescription__tspending_workflowcode", "text")])
DIARY_COMPACT = _by_hand("calendardisplaycompact", "calendars", "calendar", [
    ("calAllDay", "boolean"), ("calChargeCodeDescription", "text"), ("calClientCode", "text"),
    ("calClientName", "text"), ("calColourHex", "text"), ("calCompany", "int"), ("calDurationDescription", "text"),
    ("calFeedback", "text"), ("calHoursPerDay", "number"), ("calImportant", "boolean"), ("calDiaryInternal", "boolean"),
    ("calIsoDateTimeEnd", "datetime"), ("calIsoDateTimeStart", "datetime"), ("calJobDescription1stLine", "text"),
    ("calJobAndPhase", "text"), ("calJobPhaseNumberSimple", "text"), ("calJobNumberSimple", "text"),
    ("calRequisitionId", "int"), ("calRequisitionSubject", "text"), ("calNumberOfDays", "int"),
    ("calPhaseDescription1stLine", "text"), ("calRequestStatus", "text"), ("calResourceId", "text"),
    ("calStatus", "text"), ("calTaskDateIndicator", "text"), ("calTimeSummaryInternal", "text"),
    ("calLinkedBookings", "int"), ("calStageCode", "text"), ("calStageDesc", "text")])
MY_CALENDAR = _by_hand("mycalendar", "calendars", "calendar", [
    ("calUuid", "text"), ("calTimeStampModified", "int"), ("calRecordVersionNumber", "int"), ("calColour", "text"),
    ("calDurationDescription", "text"), ("calTimesheets", "number"), ("calEndTimeDisplay", "text"),
    ("calPhaseDescription", "text"), ("calJobDescription", "text"), ("calStartTimeDisplay", "text"),
    ("calStartDate", "date"), ("calStartTime", "time"), ("calInternalLink", "text"), ("calWeakLink", "text"),
    ("calJobHandler", "text"), ("calPhaseHandler", "text"), ("calTimesheetInternal", "text"),
    ("calPendingTimesheetInternal", "text"), ("calIsoDateTimeStart", "datetime"),
    ("calIsoDateTimeEnd", "datetime"), ("calDurationDecimalHours", "number"), ("calAllDay", "boolean"),
    ("calRequestStatus", "text"), ("calStatus", "text"), ("calFeedback", "text"),
    ("calJobPhaseNumberSimple", "text")])
