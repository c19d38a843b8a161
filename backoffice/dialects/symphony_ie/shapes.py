"""WCF JSON as the Symphony Import/Export service writes and reads it.

DataContractJsonSerializer conventions: members in alphabetical order (base-class members first),
dates as ``\\/Date(ms+hhmm)\\/``, every ``/`` in a string escaped, 64-bit ids as plain numbers,
enums as their position, byte arrays as arrays of numbers, and ``List<Tuple<string,string>>`` as
``[{"m_Item1": ..., "m_Item2": ...}]``. Reading is strict about types (a wrong type is a 400, as
WCF's serializer refuses it) and lenient about what WCF tolerates: member order, unknown members.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson

from ...core.catalog.menu import InterchangeType
from ...core.jobs.requests import RequestRecord, RequestSpec
from ...core.jobs.schedules import Schedule
from ...core.orgs import Language, Node
from ...wire import wcf

INT32 = (-(2 ** 31), 2 ** 31 - 1)
INT64 = (-(2 ** 63), 2 ** 63 - 1)


class WireError(ValueError):
    """A body WCF's serializer would refuse (HTTP 400)."""


def dumps(value: Any) -> bytes:
    """JSON as WCF writes it: every '/' escaped (which is what makes ``\\/Date(...)\\/``)."""
    return orjson.dumps(value).replace(b"/", b"\\/")


def date(value: datetime | None, offset_minutes: int = 0) -> str | None:
    return None if value is None else wcf.format_date(value, offset_minutes)


# --- reading ---------------------------------------------------------------------------------


def load_json(body: bytes) -> Any:
    """The body's JSON value (an empty body is null); WireError when it is not JSON."""
    try:
        return orjson.loads(body.removeprefix(b"\xef\xbb\xbf") or b"null")
    except orjson.JSONDecodeError as exc:
        raise WireError(f"The request body is not valid JSON: {exc}") from None


def load_object(body: bytes, what: str) -> dict[str, Any]:
    value = load_json(body)
    if not isinstance(value, dict):
        raise WireError(f"The request body must be a JSON object ({what})")
    return value


def load_string(body: bytes, what: str) -> str:
    value = load_json(body)
    if not isinstance(value, str):
        raise WireError(f"The request body must be a JSON string ({what})")
    return value


def required_id(body: dict[str, Any], name: str, what: str) -> int:
    value = integer(body, name)
    if value is None:
        raise WireError(f"{name} ({what}) is required")
    return value


def integer(body: dict[str, Any], name: str, bounds: tuple[int, int] = INT64, *,
            default: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        kind = "Int32" if bounds == INT32 else "Int64"
        raise WireError(f"{name} must be an {kind} number, not {orjson.dumps(value).decode()[:40]}")
    return value


def text(body: dict[str, Any], name: str, max_length: int = 4000) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name} must be a string")
    if len(value) > max_length:
        raise WireError(f"{name} is longer than {max_length} characters")
    return value


def boolean(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise WireError(f"{name} must be true or false")
    return value


def moment(body: dict[str, Any], name: str) -> tuple[datetime, int] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name} must be a WCF date such as \"\\/Date(928167600000-0500)\\/\"")
    try:
        return wcf.parse_date(value)
    except ValueError as exc:
        raise WireError(f"{name}: {exc}") from None


def strings(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WireError(f"{name} must be an array of strings")
    return value


def sort_expressions(body: dict[str, Any]) -> list[tuple[str, str]] | None:
    value = body.get("SortExpressions")
    if value is None:
        return None
    if not isinstance(value, list):
        raise WireError('SortExpressions must be an array of {"m_Item1": column, "m_Item2": "asc"|"desc"}')
    pairs = []
    for item in value:
        if (not isinstance(item, dict) or not isinstance(item.get("m_Item1"), str)
                or not isinstance(item.get("m_Item2", "asc") or "asc", str)):
            raise WireError('Each SortExpressions item is {"m_Item1": column, "m_Item2": "asc"|"desc"}')
        pairs.append((item["m_Item1"], item.get("m_Item2") or "asc"))
    return pairs


def request_spec(body: dict[str, Any], data: bytes | None) -> RequestSpec:
    """A SubmitImportExportRequest body (DataForImport already taken out as ``data``)."""
    if body.get("DataForImport") is not None and data is None:
        value = body["DataForImport"]
        try:
            data = wcf.decode_byte_array(value)
        except ValueError as exc:
            raise WireError(f"DataForImport: {exc}") from None
    since = moment(body, "DataSince")
    requested = moment(body, "RequestDate")
    operation = integer(body, "SelectedOperation", INT32, default=0)
    return RequestSpec(
        operation=operation if operation is not None else 0,
        object_type=text(body, "ObjectType", 300) or "",
        hier_struc_id=integer(body, "HierStrucId"),
        language_id=integer(body, "LanguageId", INT32),
        level=integer(body, "Level", INT32, default=0) or 0,
        object_number_filter=text(body, "ObjectNumberFilter"),
        members=strings(body, "SelectedObjectMembers"),
        sort=sort_expressions(body),
        data_since=since[0] if since else None,
        origin=integer(body, "Origin", INT32, default=1) or 0,
        schedule_id=integer(body, "ScheduleId"),
        request_name=text(body, "RequestName", 200),
        request_date=requested[0] if requested else None,
        file_format=integer(body, "SelectedFormat", INT32, default=0) or 0,
        data=data or None,
    )


SCHEDULE_YEARS = (1900, 9998)
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def schedule(body: dict[str, Any], user_name: str) -> Schedule:
    start = moment(body, "StartDate")
    time_of_day = moment(body, "TimeOfDay")
    days = body.get("DaysOfMonth")
    if days is not None and (not isinstance(days, list)
                             or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)):
        raise WireError("DaysOfMonth must be an array of numbers 1 to 31")
    if start is None:
        raise WireError("StartDate is required")
    for name, given in (("StartDate", start), ("TimeOfDay", time_of_day)):
        # The client's local time must be a date a calendar holds (and a schedule can run on).
        if given is None:
            continue
        try:
            year = (given[0] + timedelta(minutes=given[1])).year
        except OverflowError:
            year = 0
        if not SCHEDULE_YEARS[0] <= year <= SCHEDULE_YEARS[1]:
            raise WireError(f"{name} must fall between the years {SCHEDULE_YEARS[0]} and {SCHEDULE_YEARS[1]}")
    return Schedule(
        name=text(body, "Name", 4000) or "", user_name=text(body, "UserName", 60) or user_name,
        start_date=start[0], time_of_day=time_of_day[0] if time_of_day else None,
        weekdays=tuple(boolean(body, day) for day in _DAYS), days_of_month=list(days or []),
        active=boolean(body, "Active", True), offset_minutes=(time_of_day or start)[1],
        schedule_id=integer(body, "Id") or 0,
    )


# --- writing ---------------------------------------------------------------------------------


def request_record(record: RequestRecord) -> dict[str, Any]:
    """A request as GetRequestStatus and GetRequests answer it. The file it imported is not echoed
    (it can be hundreds of megabytes); DataForImport is null."""
    return {
        "DataForImport": None,
        "DataSince": date(record.data_since),
        "HierStrucId": record.hier_struc_id,
        # The document's own spelling (lower-case L); not explained anywhere, echoed as the node id.
        "HierStruclds": str(record.hier_struc_id) if record.hier_struc_id is not None else None,
        "LanguageId": record.language_id,
        "Level": record.level,
        "ObjectNumberFilter": record.object_number_filter,
        "ObjectType": record.type.full_name,
        "OrgCode": record.org_code,
        "Origin": record.origin,
        "OriginalRequestId": record.original_request_id,
        "RequestDate": date(record.request_date),
        "RequestId": record.request_id,
        "RequestName": record.request_name,
        "ScheduleId": record.schedule_id,
        "SelectedFormat": record.file_format,
        "SelectedObjectMembers": record.members,
        "SelectedOperation": record.operation,
        "SortExpressions": [{"m_Item1": c, "m_Item2": d} for c, d in record.sort],
        "Status": record.status,
        "UserName": record.user_name,
    }


def schedule_record(item: Schedule) -> dict[str, Any]:
    return {
        "Active": item.active,
        "DaysOfMonth": item.days_of_month,
        "Friday": item.weekdays[5],
        "Id": item.schedule_id,
        "Monday": item.weekdays[1],
        "Name": item.name,
        "OrgCode": item.org_code,
        "Saturday": item.weekdays[6],
        "StartDate": date(item.start_date, item.offset_minutes),
        "Sunday": item.weekdays[0],
        "Thursday": item.weekdays[4],
        "TimeOfDay": date(item.time_of_day, item.offset_minutes),
        "Tuesday": item.weekdays[2],
        "UserName": item.user_name,
        "Wednesday": item.weekdays[3],
    }


def _names(names: dict[int, str]) -> list[dict[str, Any]]:
    return [{"LangId": lang, "Text": name} for lang, name in sorted(names.items())]


def hierarchy_node(node: Node) -> dict[str, Any]:
    # Base-class members (HierarchyId, Id, ObjectNumber) first, then the node's own: as S9 shows.
    return {
        "HierarchyId": node.defined_at,
        "Id": node.id,
        "ObjectNumber": node.object_number,
        "HierarchyName": _names(node.names),
        "OrganizationId": node.org_id,
        "ParentHierarchyId": node.parent_id if node.parent_id is not None else 0,
        "UnitType": node.unit_type,
    }


def language(item: Language) -> dict[str, Any]:
    return {"HierarchyId": item.hierarchy_id, "Id": item.id, "ObjectNumber": item.object_number,
            "LanguageName": _names(item.names)}


def object_info(kind: InterchangeType) -> dict[str, Any]:
    return {
        "ColumnInfo": [{
            "AllowNullsOnImport": "True" if c.nullable else "False",
            "AlternateColumnType": None,
            "ColumnName": c.name,
            "ColumnType": c.column_type,
            "DefaultValue": c.default,
            "ExportOnly": c.export_only,
            "KeyColumn": c.key,
        } for c in kind.columns],
        "Exportable": kind.exportable,
        "FullTypeName": kind.full_name,
        "Importable": kind.importable,
        "ShortName": kind.short_name,
    }


def byte_array(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A file as WCF writes a ``byte[]``: a JSON array of numbers, streamed."""
    return wcf.encode_byte_array(chunks)
