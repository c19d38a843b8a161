"""diary.json and calendar.json: a resource's diary bookings (the core's ``DiaryBooking``) between
``datefrom`` and ``dateto``, as the compact calendar, as the timesheet lines time may be entered
against (with the units booked and already used), and as the deprecated ``MyCalendar`` model."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ....core import timesheets
from ....core.clock import now
from ..host import BAD_MODEL, BAD_PARAMETER, Call, Result, SynergistError, action
from ..job_shapes import DIARY_COMPACT, DIARY_TIMESHEETS, MY_CALENDAR
from ..shapes import wire_uuid
from .general import static_page
from .time import resource_of

# The week from the day asked for, when no range is given.
_DEFAULT_DAYS = 7


def _range(call: Call) -> tuple[date, date]:
    def day(name: str) -> date | None:
        text = call.param(name).strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise SynergistError(BAD_PARAMETER, f"invalid {name} {text}: YYYY-MM-DD") from None

    low = day("datefrom") or now().date()
    # The calendar's last days have no full week after them.
    high = day("dateto") or (low + timedelta(days=_DEFAULT_DAYS - 1) if low <= date.max - timedelta(days=7)
                             else date.max)
    if high < low:
        raise SynergistError(BAD_PARAMETER, "dateto is before datefrom")
    if (high - low).days > 366:
        raise SynergistError(BAD_PARAMETER, "a diary range is at most a year")
    return low, high


def _bookings(call: Call) -> list[dict[str, Any]]:
    low, high = _range(call)
    staff_id = resource_of(call, required=False)
    assert staff_id is not None
    return timesheets.diary_bookings(call.conn, staff_id=staff_id, date_from=low, date_to=high,
                                     company_number=call.company.number)


def _code(call: Call, value: Any) -> str:
    return f"{call.company.number}/{value}" if value else ""


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _duration(b: dict[str, Any]) -> str:
    if b["all_day"]:
        return f"{b['number_of_days']} day{'s' if b['number_of_days'] != 1 else ''}"
    hours = (b["end_at"] - b["start_at"]).total_seconds() / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


@action("diary", "calendardisplaycompact", model="calendardisplaycompact")
def calendar_compact(call: Call) -> Result:
    rows = [{
        "calAllDay": bool(b["all_day"]), "calChargeCodeDescription": b["charge_code_description"] or "",
        "calClientCode": _code(call, b["client_code"]), "calClientName": b["client_name"] or "",
        "calColourHex": b["colour_hex"] or "", "calCompany": b["company_number"],
        "calDurationDescription": _duration(b), "calFeedback": b["feedback"] or "",
        "calHoursPerDay": float(b["hours_per_day"] or 0.0), "calImportant": bool(b["important"]),
        "calDiaryInternal": bool(b["internal"]), "calIsoDateTimeEnd": _iso(b["end_at"]),
        "calIsoDateTimeStart": _iso(b["start_at"]), "calJobDescription1stLine": b["job_description_1st_line"],
        "calJobAndPhase": _code(call, b["job_and_phase"]), "calJobPhaseNumberSimple": b["job_and_phase"] or "",
        "calJobNumberSimple": b["job_number"] or "", "calRequisitionId": b["booking_id"],
        "calRequisitionSubject": b["subject"] or "", "calNumberOfDays": b["number_of_days"],
        "calPhaseDescription1stLine": b["phase_description_1st_line"], "calRequestStatus": b["status"] or "",
        "calResourceId": _code(call, _username(call)), "calStatus": b["status"] or "",
        "calTaskDateIndicator": b["task_date_indicator"],
        "calTimeSummaryInternal": f"{b['units_allocated']:g}/{b['units_available']:g}",
        "calLinkedBookings": 0, "calStageCode": _code(call, b["stage_code"]),
        "calStageDesc": b["stage_description"] or "",
    } for b in _bookings(call)]
    return static_page(call, DIARY_COMPACT, rows)


def _username(call: Call) -> str:
    code = call.param("resource").strip()
    return code.partition("/")[2] or code if code else call.principal.username


@action("diary", "timesheet", model="calendartimesheet")
def diary_timesheet(call: Call) -> Result:
    """One line per booking to a job phase: what time may be entered against it, the units the
    booking gives and those already used by pending time."""
    if call.modelstructure and call.modelstructure != DIARY_TIMESHEETS.name:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    rows = [{
        # The units the booking still allows (those it gives less those pending time has used).
        "array_allowed__tspending_entryno": round(max(b["units_available"] - b["units_allocated"], 0.0), 4),
        "tspending_chargecode": _code(call, b["charge_code"]),
        "chargecodes_description__tspending_chargecode": b["charge_code_description"] or "",
        "clients_clientname__tspending_entryno": b["client_name"] or "",
        "array_company__tspending_entryno": b["company_number"],
        "tspending_timedate": b["start_at"].date().isoformat(),
        "array_diaryunits__tspending_entryno": b["units_available"],
        "array_existingunits__tspending_entryno": b["units_allocated"],
        "array_jobdescription1stline__tspending_jobandphase": b["job_description_1st_line"],
        "tspending_jobandphase": _code(call, b["job_and_phase"]),
        "array_phasedescription1stline__tspending_jobandphase": b["phase_description_1st_line"],
        "jobphase_jobphasenumbersimple__tspending_jobandphase": b["job_and_phase"] or "",
        "tspending_resourcecode": _code(call, _username(call)), "tspending_taskdesc": "",
        "tspending_hoursnormal": 0.0, "tspending_workdone": "",
        "tspending_workflowcode": _code(call, b["stage_code"]),
        "workflow_workflowdescription__tspending_workflowcode": b["stage_description"] or "",
    } for b in _bookings(call) if b["phase_id"]]
    return static_page(call, DIARY_TIMESHEETS, rows)


@action("calendar", model="mycalendar")
def my_calendar(call: Call) -> Result:
    """The deprecated ``modelstructure=MyCalendar`` (the only model calendar.json has)."""
    if call.modelstructure and call.modelstructure != MY_CALENDAR.name:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    rows = [{
        "calUuid": wire_uuid("DiaryBooking", str(b["booking_id"])), "calTimeStampModified": 0,
        "calRecordVersionNumber": b.get("revision") or 1, "calColour": b["colour_hex"] or "",
        "calDurationDescription": _duration(b), "calTimesheets": b["units_allocated"],
        "calEndTimeDisplay": b["end_at"].strftime("%H:%M"), "calPhaseDescription": b["phase_description_1st_line"],
        "calJobDescription": b["job_description_1st_line"], "calStartTimeDisplay": b["start_at"].strftime("%H:%M"),
        "calStartDate": b["start_at"].date().isoformat(), "calStartTime": b["start_at"].strftime("%H:%M:%S"),
        "calInternalLink": "", "calWeakLink": "", "calJobHandler": "", "calPhaseHandler": "",
        "calTimesheetInternal": "", "calPendingTimesheetInternal": "",
        "calIsoDateTimeStart": _iso(b["start_at"]), "calIsoDateTimeEnd": _iso(b["end_at"]),
        "calDurationDecimalHours": round((b["end_at"] - b["start_at"]).total_seconds() / 3600, 2),
        "calAllDay": bool(b["all_day"]), "calRequestStatus": b["status"] or "", "calStatus": b["status"] or "",
        "calFeedback": b["feedback"] or "", "calJobPhaseNumberSimple": b["job_and_phase"] or "",
    } for b in _bookings(call)]
    return static_page(call, MY_CALENDAR, rows)
