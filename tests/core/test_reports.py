"""Reports over the demo data: execution through the job queue, pages and page selection,
filters, PDF/XLSX/HTML renderings, history and statuses, failures, custom views, debtor scoping."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from backoffice.core.auth import Principal
from backoffice.core.catalog import PredefinedValues, ViewFilter
from backoffice.core.errors import Conflict, Forbidden, Invalid, NotFound
from backoffice.core.jobs.worker import Worker, run_pending
from backoffice.core.reports import api as reports
from backoffice.core.reports.definitions import ACCOUNT_LEDGER, Report
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES
from backoffice.demo.data import BASE_DATE, DEBTORS

STAFF = Principal(kind="staff", staff_id="S1", username="tester")
OTHER_STAFF = Principal(kind="staff", staff_id="S2", username="someone")
DEBTOR2 = Principal(kind="debtor", staff_id="D", username="DebtorAPI", debtor_id=DEBTORS[1][0])


def run(db: Database, actor: Principal, name: str, filters: list[tuple[str, str, Any]] | None = None,
        **kwargs: Any) -> reports.RunStatus:
    """Execute, let the worker's loop run it here, and return the ended run."""
    with db.write() as conn:
        queued = reports.execute(conn, actor, name, filters or [], **kwargs)
    assert queued.status is reports.Status.QUEUED
    run_pending(db)
    with db.read() as conn:
        return reports.status(conn, actor, queued.document_id)


def rows(db: Database, actor: Principal, document_id: str) -> list[dict[str, Any]]:
    with db.read() as conn:
        doc = reports.document(conn, actor, document_id)
    return [{c.name: v for c, v in zip(doc.columns, values, strict=True)} for _, page in doc.pages for values in page]


def test_the_reports_and_their_metadata() -> None:
    names = [r.name for r in reports.reports()]
    assert {"CustomerBalances", "SalesByItem", "AccountLedgerExport", "AccountFinExport"} <= set(names)
    report = reports.get_report("salesbyitem")
    assert report.title("el") == "Πωλήσεις ανά είδος" and report.title("en") == "Sales by item"
    assert report.describe("el-GR").startswith("Ποσότητα")
    date = report.filter("InvoiceDate")
    assert isinstance(date, ViewFilter) and "GreaterOrEqual" in date.operators and date.labels["el"]
    ledger = reports.get_report("AccountLedgerExport")
    account = ledger.filter("AccountNo")
    assert account is not None and account.required and account.accepted is not None
    with pytest.raises(NotFound):
        reports.get_report("NoSuchReport")


def test_execute_run_and_read_pages(db: Database) -> None:
    # Eight customers (two Greek, 0000000n, then C00001-C00005 and EVENTS), three to a page.
    done = run(db, STAFF, "CustomerBalances", language="el", rows_per_page=3)
    assert (done.status, done.status.value, done.status_name) == (reports.Status.FINISHED, 2, "Finished")
    assert (done.page_count, done.row_count, done.title) == (3, 8, "Υπόλοιπα πελατών")
    assert done.pages == [(793.7008, 1122.52)] * 3
    with db.read() as conn:
        first = reports.pages(conn, STAFF, done.document_id)
        chosen = reports.pages(conn, STAFF, done.document_id, "3,1")
        ranged = reports.pages(conn, STAFF, done.document_id, "2-3")
    assert (first.total_pages, [p.number for p in first.pages]) == (3, [1])
    assert first.pages[0].content.startswith('\ufeff<table border="0" cellspacing="0" cellpadding="0"')
    assert first.pages[0].content.endswith("</table>")
    assert "C00001" in first.pages[0].content and "C00002" not in first.pages[0].content
    assert "Κωδικός λογαριασμού" in first.pages[0].content  # captions in the run's language
    assert [p.number for p in chosen.pages] == [1, 3] and "C00005" in chosen.pages[1].content
    assert [p.number for p in ranged.pages] == [2, 3]
    balances = {r["AccountNo"]: r for r in rows(db, STAFF, done.document_id)}
    assert balances["C00003"]["CurrentBalance"] == 3000.0
    assert balances["C00003"]["AvailableCredit"] == 15000.0 - 3000.0
    assert balances["C00005"]["OnHold"] is True


@pytest.mark.parametrize("selection, expected", [
    (None, [1]), ("", [1]), ("1", [1]), ("1,3,5-7", [1, 3, 5, 6, 7]), (" 7 , 2-3 ,2", [2, 3, 7]), ("4-4", [4]),
])
def test_page_selection(selection: str | None, expected: list[int]) -> None:
    assert reports.parse_pages(selection, 7) == expected


@pytest.mark.parametrize("selection, message", [
    ("8", "past the last page"), ("5-9", "past the last page"), ("0", "numbered from 1"),
    ("7-5", "runs backwards"), ("a", "not a page number"), ("1,,2", "not a page number"), ("1-", "not a page"),
    ("-3", "not a page"), ("1;2", "not a page"), ("٣", "not a page"), ("1" * 3000, "limited"),
])
def test_bad_page_selections_are_invalid(selection: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        reports.parse_pages(selection, 7)
    assert message in caught.value.message and caught.value.errors[0].field == "page"


def test_downloads_default_to_every_page() -> None:
    assert reports.parse_pages(None, 3, default="all") == [1, 2, 3]


def test_a_page_selection_past_the_end_of_a_run(db: Database) -> None:
    done = run(db, STAFF, "CustomerBalances", rows_per_page=3)
    with db.read() as conn, pytest.raises(Invalid, match="the report has 3 page"):
        reports.pages(conn, STAFF, done.document_id, "1,4")


def test_sales_by_item_with_a_date_range(db: Database) -> None:
    everything = {r["PartNo"]: r for r in rows(db, STAFF, run(db, STAFF, "SalesByItem").document_id)}
    # Independently: every line's total, straight from the table.
    with db.read() as conn:
        line = ENTITY_TABLES["SalesOrderLine"]
        # Lines of no inventory item (the Greek demo's services) are not sales of an item.
        total = conn.execute(sa.select(sa.func.sum(line.c.line_total)).where(line.c.inventory_id.is_not(None))).scalar()
    assert sum(r["ValueIncTax"] for r in everything.values()) == pytest.approx(total)
    assert (everything["3002"]["Quantity"], everything["3002"]["Orders"]) == (60.0, 2)  # 20 + 40
    assert everything["1172"]["Quantity"] == 6.0  # 4 + 2
    assert everything["2002"]["ValueExTax"] == pytest.approx(3 * 249.0)
    assert everything["2002"]["AveragePrice"] == pytest.approx(249.0)
    # Orders 3, 4 and 5 are dated BASE_DATE + 3..5 days.
    # (A datetime and ISO text are both accepted.)
    ranged = run(db, STAFF, "SalesByItem", [
        ("InvoiceDate", "GreaterOrEqual", BASE_DATE + timedelta(days=3)),
        ("InvoiceDate", "LessOrEqual", (BASE_DATE + timedelta(days=5)).isoformat())])
    sold = {r["PartNo"]: r["Quantity"] for r in rows(db, STAFF, ranged.document_id)}
    assert sold == {"1170": 1.0, "1172": 2.0, "2003": 10.0, "3001": 3.0, "3002": 20.0}


def test_the_account_ledger_has_a_running_balance(db: Database) -> None:
    done = run(db, STAFF, "AccountLedgerExport", [("AccountNo", "Equal", "C00001")])
    ledger = rows(db, STAFF, done.document_id)
    # C00001 has transactions 1, 6, 11 (150 debit, 900 credit, 1650 debit).
    assert [(r["Ref"], r["Debit"], r["Credit"], r["Balance"]) for r in ledger] == [
        ("90001", 150.0, None, 150.0), ("90006", None, 900.0, -750.0), ("90011", 1650.0, None, 900.0)]
    dated = run(db, STAFF, "AccountLedgerExport", [("AccountNo", "equal", "C00001"),
                                                   ("TranDate", "Greater", "2026-01-10")])
    assert [r["Ref"] for r in rows(db, STAFF, dated.document_id)] == ["90006", "90011"]


def test_the_account_summary(db: Database) -> None:
    summary = {r["AccountNo"]: r for r in rows(db, STAFF, run(db, STAFF, "AccountFinExport").document_id)}
    assert len(summary) == 5
    # C00002: transactions 2 (300 debit), 7 (1050 debit), 12 (1800 credit).
    c2 = summary["C00002"]
    assert (c2["Transactions"], c2["Debits"], c2["Credits"], c2["Net"]) == (3, 1350.0, 1800.0, -450.0)
    assert c2["LastTransaction"].startswith("2026-01-17") and c2["CurrentBalance"] == 2000.0


@pytest.mark.parametrize("report, filters, field, message", [
    ("CustomerBalances", [("Nope", "Equal", "x")], "Nope", "Unknown filter 'Nope'"),
    ("CustomerBalances", [("AccountNo", "Between", "x")], "AccountNo", "does not allow the operator 'Between'"),
    ("CustomerBalances", [("OnHold", "Like", "x")], "OnHold", "does not allow the operator 'Like'"),
    ("CustomerBalances", [("Balance", "Greater", "lots")], "Balance", "Filter 'Balance'"),
    ("SalesByItem", [("InvoiceDate", "Less", "yesterday")], "InvoiceDate", "not a valid datetime"),
    ("AccountLedgerExport", [], "AccountNo", "is required"),
    ("AccountLedgerExport", [("AccountNo", "Equal", {"a": 1})], "AccountNo", "not a filter value"),
])
def test_bad_filters_are_invalid_and_name_the_filter(db: Database, report: str, filters: list[Any],
                                                    field: str, message: str) -> None:
    with db.write() as conn, pytest.raises(Invalid) as caught:
        reports.execute(conn, STAFF, report, filters)
    assert message in caught.value.message
    assert caught.value.errors and caught.value.errors[0].field == field
    with db.read() as conn:
        assert reports.history(conn, STAFF) == []  # nothing was queued


@pytest.fixture
def preset_ledger() -> Iterator[Report]:
    """The ledger with its Required account defaulting to C00002."""
    from dataclasses import replace

    account = replace(ACCOUNT_LEDGER.filters[0], predefined=PredefinedValues(value="C00002"))
    report = replace(ACCOUNT_LEDGER, name="PresetLedger", filters=[account, *ACCOUNT_LEDGER.filters[1:]])
    reports.register_report(report)
    yield report
    reports.unregister_report(report.name)


def test_a_required_filter_left_out_takes_its_predefined_value(db: Database, preset_ledger: Report) -> None:
    done = run(db, STAFF, "PresetLedger")
    assert done.filters == [["AccountNo", "Equal", "C00002"]]
    assert {r["AccountNo"] for r in rows(db, STAFF, done.document_id)} == {"C00002"}
    given = run(db, STAFF, "PresetLedger", [("AccountNo", "Equal", "C00003")])
    assert {r["AccountNo"] for r in rows(db, STAFF, given.document_id)} == {"C00003"}


def test_pdf_has_the_greek_title_and_the_rows(db: Database) -> None:
    done = run(db, STAFF, "CustomerBalances", language="el", rows_per_page=3)
    with db.read() as conn:
        pdf = reports.render_pdf(conn, STAFF, done.document_id)
        part = reports.render_pdf(conn, STAFF, done.document_id, "2")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Υπόλοιπα πελατών" in text and "Επωνυμία" in text
    assert "C00001" in text and "Harbour Electrical" in text
    for number, page in enumerate(reader.pages, start=1):  # each sheet's footer numbers its own page
        assert f"Σελίδα {number} από 3" in page.extract_text()
    assert reader.metadata is not None and reader.metadata.title == "Υπόλοιπα πελατών"
    only = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(part)).pages)
    assert "C00003" in only and "C00001" not in only and "C00005" not in only


def test_xlsx_has_the_rows_typed(db: Database) -> None:
    done = run(db, STAFF, "AccountFinExport", language="en", rows_per_page=2)
    with db.read() as conn:
        data = reports.render_xlsx(conn, STAFF, done.document_id)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Account no.", "Name", "Transactions")
    assert len(values) == 1 + 5  # header and every row of all three pages
    by_account = {row[0]: row for row in values[1:]}
    assert by_account["C00002"][2:6] == (3, 1350.0, 1800.0, -450.0)
    assert by_account["C00002"][6].year == 2026  # a real date cell


def test_html_document_holds_the_selected_pages(db: Database) -> None:
    done = run(db, STAFF, "CustomerBalances", rows_per_page=2)
    with db.read() as conn:
        page = reports.render_html(conn, STAFF, done.document_id, "1-2")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.count("<table") == 2 and "\ufeff" not in page
    assert "Customer balances" in page


def test_history_and_statuses(db: Database) -> None:
    with db.write() as conn:
        queued = reports.execute(conn, STAFF, "CustomerBalances", language="el")
        cancelled = reports.execute(conn, STAFF, "SalesByItem")
        reports.cancel(conn, STAFF, cancelled.document_id)
    with db.read() as conn:
        assert [r.status for r in reports.history(conn, STAFF)] == [reports.Status.CANCELLED,
                                                                     reports.Status.QUEUED]
        with pytest.raises(Conflict, match="not ready"):
            reports.pages(conn, STAFF, queued.document_id)
    run_pending(db)
    with db.read() as conn:
        entries = {r.document_id: r for r in reports.history(conn, STAFF)}
        assert reports.history(conn, OTHER_STAFF) == []
        with pytest.raises(NotFound):  # another's run is not theirs to read
            reports.pages(conn, OTHER_STAFF, queued.document_id)
    finished = entries[queued.document_id]
    assert (finished.status.value, entries[cancelled.document_id].status.value) == (2, 4)
    assert finished.history_title().startswith("Υπόλοιπα πελατών on ")
    assert finished.history_title().endswith(("πμ", "μμ"))
    assert finished.history_description() == "Κατάσταση: Finished, Λεπτομέρειες: Σελίδες: 1 (00:00:00)"
    assert finished.history_description("en") == "Status: Finished, Details: Pages: 1 (00:00:00)"
    with db.read() as conn:  # the cancelled run never produced pages
        with pytest.raises(Conflict):
            reports.pages(conn, STAFF, cancelled.document_id)


@pytest.fixture
def broken() -> Iterator[Report]:
    """A report whose computation fails (as a report over a bad definition would)."""
    from dataclasses import replace

    def explode(_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise ValueError("the totals do not add up")

    report = replace(reports.get_report("CustomerBalances"), name="Broken", derive=explode)
    reports.register_report(report)
    yield report
    reports.unregister_report(report.name)


def test_a_failing_report_is_failed_with_its_error(db: Database, broken: Report) -> None:
    failed = run(db, STAFF, "Broken")
    assert (failed.status, failed.status.value) == (reports.Status.FAILED, 3)
    assert failed.error == "ValueError: the totals do not add up"
    assert failed.history_description("en") == "Status: Failed, Details: ValueError: the totals do not add up"
    with db.read() as conn, pytest.raises(Conflict, match="the totals do not add up"):
        reports.pages(conn, STAFF, failed.document_id)


def test_custom_report_views(db: Database) -> None:
    with db.write() as conn:
        mine = reports.create_view(conn, STAFF, "CustomerBalances", "Two accounts",
                                   columns=["AccountNo", "CurrentBalance"],
                                   filters=[("AccountNo", "In", ["C00001", "C00002"])])
        reports.create_view(conn, STAFF, "CustomerBalances", "Τα μεγάλα υπόλοιπα", public=True,
                            filters=[("Balance", "GreaterOrEqual", 4000)])
        with pytest.raises(Conflict):
            reports.create_view(conn, STAFF, "CustomerBalances", "two ACCOUNTS")
        with pytest.raises(Invalid, match="Unknown column 'Cost'"):
            reports.create_view(conn, STAFF, "CustomerBalances", "Bad", columns=["Cost"])
        with pytest.raises(Invalid, match="Unknown filter"):
            reports.create_view(conn, STAFF, "CustomerBalances", "Bad", filters=[("Cost", "Equal", 1)])
        with pytest.raises(Invalid):
            reports.create_view(conn, STAFF, "CustomerBalances", "../etc")
    assert (mine.columns, mine.public, mine.mine) == (["AccountNo", "CurrentBalance"], False, True)
    with db.read() as conn:
        assert [v.name for v in reports.list_views(conn, STAFF, "CustomerBalances")] == [
            "Two accounts", "Τα μεγάλα υπόλοιπα"]
        others = reports.list_views(conn, OTHER_STAFF, "CustomerBalances")
        assert [(v.name, v.mine) for v in others] == [("Τα μεγάλα υπόλοιπα", False)]
        with pytest.raises(NotFound):
            reports.get_view(conn, OTHER_STAFF, "CustomerBalances", "Two accounts")
    with_view = run(db, STAFF, "CustomerBalances", view="two accounts")
    assert with_view.view == "Two accounts"
    assert rows(db, STAFF, with_view.document_id) == [{"AccountNo": "C00001", "CurrentBalance": 1000.0},
                                                      {"AccountNo": "C00002", "CurrentBalance": 2000.0}]
    # A filter given with the run replaces the view's preset for that filter.
    overridden = run(db, STAFF, "CustomerBalances", [("AccountNo", "Equal", "C00004")], view="Two accounts")
    assert rows(db, STAFF, overridden.document_id) == [{"AccountNo": "C00004", "CurrentBalance": 4000.0}]
    public = run(db, OTHER_STAFF, "CustomerBalances", view="Τα μεγάλα υπόλοιπα")
    assert [r["AccountNo"] for r in rows(db, OTHER_STAFF, public.document_id)] == ["C00004", "C00005"]
    with db.write() as conn:
        with pytest.raises(Forbidden):
            reports.delete_view(conn, OTHER_STAFF, "CustomerBalances", "Τα μεγάλα υπόλοιπα")
        reports.delete_view(conn, STAFF, "CustomerBalances", "Two accounts")
        assert [v.name for v in reports.list_views(conn, STAFF, "CustomerBalances")] == ["Τα μεγάλα υπόλοιπα"]


def test_a_debtor_sees_only_its_own_rows(db: Database) -> None:
    balances = rows(db, DEBTOR2, run(db, DEBTOR2, "CustomerBalances").document_id)
    assert [r["AccountNo"] for r in balances] == ["C00002"]
    # Debtor 2's orders (3 and 4): 2003 x 10, 1170 x 1, 3001 x 3.
    sold = {r["PartNo"]: r["Quantity"] for r in rows(db, DEBTOR2, run(db, DEBTOR2, "SalesByItem").document_id)}
    assert sold == {"2003": 10.0, "1170": 1.0, "3001": 3.0}
    other_account = run(db, DEBTOR2, "AccountLedgerExport", [("AccountNo", "Equal", "C00001")])
    assert other_account.row_count == 0
    with db.read() as conn:
        assert [p.number for p in reports.pages(conn, DEBTOR2, other_account.document_id).pages] == [1]
        assert len(reports.history(conn, DEBTOR2)) == 3 and reports.history(conn, STAFF) == []
        with pytest.raises(NotFound):
            reports.status(conn, STAFF, other_account.document_id)
    with db.write() as conn, pytest.raises(Forbidden):
        reports.create_view(conn, DEBTOR2, "CustomerBalances", "Mine", public=True)


def test_the_worker_thread_runs_a_report_while_the_caller_waits(db: Database) -> None:
    worker = Worker(db, draft_idle=timedelta(hours=1), job_poll=0.05)
    worker.start()
    try:
        with db.write() as conn:
            queued = reports.execute(conn, STAFF, "SalesByItem")
        ended = reports.wait(db, queued.document_id, 10, actor=STAFF)
    finally:
        worker.stop()
    assert ended.status is reports.Status.FINISHED and ended.row_count == 8
    # Waiting on nothing running returns at once with the status as it stands.
    with db.write() as conn:
        pending = reports.execute(conn, STAFF, "SalesByItem")
    assert reports.wait(db, pending.document_id, 0.1).status is reports.Status.QUEUED
    with pytest.raises(NotFound):
        reports.wait(db, pending.document_id, 0.1, actor=OTHER_STAFF)


def test_a_page_longer_than_a_sheet_continues_under_its_captions(db: Database) -> None:
    transactions = ENTITY_TABLES["DebtorTransaction"]
    with db.write() as conn:
        conn.execute(transactions.insert(), [
            dict(trans_id=f"LONG{n:016d}", debtor_id=DEBTORS[0][0], debit_credit=True, source="SO", ref=f"L{n}",
                 remark="A remark far too long for its column " * 3, tran_date=BASE_DATE + timedelta(minutes=n),
                 amount=1.0, allocated_amount=0.0, gst_amount=0.0, revision=1) for n in range(100)])
    done = run(db, STAFF, "AccountLedgerExport", [("AccountNo", "Equal", "C00001")], language="en",
               rows_per_page=103)
    assert (done.page_count, done.row_count) == (1, 103)
    with db.read() as conn:
        reader = PdfReader(io.BytesIO(reports.render_pdf(conn, STAFF, done.document_id)))
    sheets = [page.extract_text() for page in reader.pages]
    assert len(sheets) >= 3
    assert all("Balance" in text and "Page 1 of 1" in text for text in sheets)
    assert "…" in sheets[0]  # the long remark was cut to its column
    refs = {int(n) for n in re.findall(r"\bL(\d+)\b", "\n".join(sheets))}
    assert refs == set(range(100)) and "L99" in sheets[-1]  # every row, once the sheet is full on the next
