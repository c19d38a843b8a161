"""The one command: serve, worker, db upgrade, demo, users and keys."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .app import ConfigurationError, check_configuration
from .bootstrap import SchemaMismatch, prepare_database
from .core import dynamic_details, errors, mail
from .core.auth import Principal, signing
from .core.auth import service as auth
from .core.auth.tokens import OrgPrincipal
from .core.store import Database
from .settings import Settings

app = typer.Typer(help="backoffice: one back-office core that speaks five vendors' APIs.", no_args_is_help=True)
users_app = typer.Typer(help="Staff users who may log in.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for staff and debtors.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
details_app = typer.Typer(help="Dynamic detail tables administrators add to an entity.", no_args_is_help=True)
app.add_typer(details_app, name="dyndetails")
console = Console()

DatabaseOption = Annotated[str | None, typer.Option("--database", help="Database URL (default: SQLite in ./var/)")]


def _settings(database: str | None = None, **overrides: object) -> Settings:
    return Settings.from_env(None, database_url=database, **overrides)


def _db(database: str | None) -> Database:
    db = Database(_settings(database).database_url)
    _prepare(db, demo=False)
    return db


def _prepare(db: Database, *, demo: bool) -> bool:
    try:
        return prepare_database(db, demo=demo)
    except SchemaMismatch as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


def _fail(exc: errors.CoreError) -> None:
    console.print(f"[red]{exc.message}[/red]")
    raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: 8000]")] = None,
    database: DatabaseOption = None,
    workers: Annotated[int | None, typer.Option(help="Server processes sharing the database [default: 1]")] = None,
    no_demo: Annotated[bool, typer.Option("--no-demo", help="Do not load the demo data set")] = False,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Run background work elsewhere")] = False,
) -> None:
    """Start the server (upgrading the schema, and loading the demo data into an empty database)."""
    import uvicorn

    # Options left out fall back to BACKOFFICE_HOST / _PORT / _WORKERS, then to the defaults.
    settings = _settings(database, host=host, port=port, workers=workers)
    try:
        check_configuration(settings)
    except ConfigurationError as exc:
        console.print(f"[red]Cannot start:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(1) from exc
    db = Database(settings.database_url)
    if _prepare(db, demo=not no_demo):
        console.print("Loaded the demo data set (log in as [bold]Admin[/bold] / [bold]password[/bold]).")
    db.dispose()
    if not no_demo:
        from .demo.sample_downloads import install_demo_downloads

        # The Symphony Download Service's sample files, unless the operator has put files there.
        install_demo_downloads(settings.downloads_dir)
    # Worker processes build their own settings from the environment.
    os.environ["BACKOFFICE_DATABASE_URL"] = settings.database_url
    os.environ["BACKOFFICE_RUN_WORKER"] = "0" if no_worker else "1"
    console.print(f"backoffice on http://{settings.host}:{settings.port}/ ({settings.workers} process(es), "
                  f"database {db.url!r})")
    uvicorn.run("backoffice.app:app_factory", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers,
                log_level="warning", access_log=False, server_header=False)


@app.command()
def worker(database: DatabaseOption = None,
           interval: Annotated[float, typer.Option(help="Seconds between rounds")] = 60.0) -> None:
    """Run background work in this process (for deployments that serve with --no-worker)."""
    from .core.jobs.worker import Worker

    settings = _settings(database)
    db = _db(database)
    console.print("backoffice worker running; Ctrl-C to stop.")
    Worker(db, draft_idle=timedelta(seconds=settings.draft_ttl_seconds), interval=interval).run_forever()


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Bring the schema up to date."""
    _db(database)
    console.print("Schema is up to date.")


@app.command()
def demo(
    scale: Annotated[int, typer.Option(help="Debtors to create; 10 sales orders each")] = 0,
    database: DatabaseOption = None,
) -> None:
    """Load the demo data set, or with --scale N a large deterministic set for benchmarks."""
    db = Database(_settings(database).database_url)
    loaded = _prepare(db, demo=True)
    if scale:
        from .demo.scale import load_scale

        load_scale(db, scale, console=console)
    elif not loaded:
        console.print("The database is not empty; the demo set was not loaded again.")


@users_app.command("add")
def users_add(
    name: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    allow: Annotated[list[str] | None, typer.Option(
        help="Limit the user to these operations (repeat; e.g. SalesOrder.Get). Default: every operation")] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a staff user (or set an existing one's password and permissions)."""
    db = _db(database)
    try:
        with db.write() as conn:
            auth.add_user(conn, name, password, permissions=allow or None)
    except errors.CoreError as exc:
        _fail(exc)
    console.print(f"User {name} can now log in.")


@users_app.command("disable")
def users_disable(name: str, database: DatabaseOption = None) -> None:
    """Stop a staff user: their sessions and API keys stop working at once."""
    _set_enabled(name, False, database)


@users_app.command("enable")
def users_enable(name: str, database: DatabaseOption = None) -> None:
    """Let a disabled staff user log in again."""
    _set_enabled(name, True, database)


def _set_enabled(name: str, enabled: bool, database: str | None) -> None:
    db = _db(database)
    try:
        with db.write() as conn:
            auth.set_enabled(conn, name, enabled)
    except errors.CoreError as exc:
        _fail(exc)
    console.print(f"User {name} is {'enabled' if enabled else 'disabled'}.")


@keys_app.command("create")
def keys_create(
    staff: Annotated[str | None, typer.Option(help="Staff user name the key acts as")] = None,
    debtor: Annotated[str | None, typer.Option(help="Debtor account number the key is confined to")] = None,
    expires: Annotated[str | None, typer.Option(help="Last day the key works, YYYY-MM-DD")] = None,
    soap: Annotated[bool, typer.Option("--soap", help="A Symphony SOAP API key with its secret key (signed "
                                       "requests); acts as --staff, else the first unrestricted staff member")] = False,
    database: DatabaseOption = None,
) -> None:
    """Create an API key. It is printed once and only its hash is stored."""
    db = _db(database)
    if soap:
        _create_soap_key(db, staff, database)
        return
    try:
        expiry = date.fromisoformat(expires) if expires else None
    except ValueError:
        console.print("[red]--expires must be YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    try:
        with db.write() as conn:
            issued = auth.create_api_key(conn, staff_username=staff, debtor_account_no=debtor, expires=expiry)
    except errors.CoreError as exc:
        _fail(exc)
        return
    console.print(f"{issued.kind} key {issued.key_id}: {issued.key}")
    console.print("Keep it now: it cannot be shown again.")


def _create_soap_key(db: Database, staff: str | None, database: str | None) -> None:
    try:
        with db.write() as conn:
            issued = signing.create_soap_key(conn, _settings(database).master_key(), staff_username=staff)
    except errors.CoreError as exc:
        _fail(exc)
        return
    console.print(f"soap key {issued.key_id}, acting as {issued.staff}")
    console.print(f"API key:    {issued.api_key}")
    console.print(f"Secret key: {issued.secret_key}")
    console.print("Keep both now: they cannot be shown again.")


@keys_app.command("revoke")
def keys_revoke(key: str, database: DatabaseOption = None) -> None:
    """Revoke a key, given the key itself or its id."""
    db = _db(database)
    try:
        with db.write() as conn:
            auth.revoke_api_key(conn, key)
    except errors.CoreError as exc:
        _fail(exc)
    console.print("Key revoked.")


@keys_app.command("list")
def keys_list(database: DatabaseOption = None) -> None:
    """List keys (never the keys themselves)."""
    db = _db(database)
    with db.read() as conn:
        rows = auth.list_api_keys(conn)
    table = Table("id", "starts", "kind", "staff", "debtor", "created", "expires", "enabled")
    for r in rows:
        table.add_row(r["key_id"], r["prefix"] + "…", r["kind"], r["staff"] or "", r["debtor"] or "",
                      f"{r['created_at']:%Y-%m-%d %H:%M}", f"{r['expires_at']:%Y-%m-%d}" if r["expires_at"] else "",
                      "yes" if r["enabled"] else "revoked")
    console.print(table)


# The command line acts as the administrator who runs it.
_ADMINISTRATOR = Principal(kind="staff", staff_id="", username="(command line)")


@details_app.command("define")
def details_define(
    entity: Annotated[str, typer.Argument(help="The entity (catalog name), e.g. Activity, Company, Debtor")],
    name: Annotated[str, typer.Argument(help="The table's name, e.g. dycmActivitiesDynDetails")],
    column: Annotated[list[str], typer.Option(help="NAME[:TYPE[:LENGTH[:required]]]; TYPE one of string, text, "
                                                    "integer, number, boolean, datetime")],
    key_column: Annotated[str, typer.Option(help="The row key column")] = "dyID",
    parent_column: Annotated[str | None, typer.Option(help="The column holding the record's key "
                                                            "[default: <Entity>ID]")] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a detail table to an entity; it becomes a real table at once."""
    columns = []
    for spec in column:
        name_, _, rest = spec.partition(":")
        kind, _, rest = rest.partition(":")
        length, _, flag = rest.partition(":")
        if (length and not length.isdigit()) or flag not in ("", "required"):
            console.print(f"[red]--column {spec}: write NAME[:TYPE[:LENGTH[:required]]][/red]")
            raise typer.Exit(2)
        columns.append(dynamic_details.Column(name_, kind or "string", int(length) if length else 200,
                                              flag == "required"))
    db = _db(database)
    try:
        with db.write() as conn:
            dynamic_details.define(conn, _ADMINISTRATOR, entity, name, columns, key_column=key_column,
                                   parent_column=parent_column)
    except errors.CoreError as exc:
        _fail(exc)
    console.print(f"Defined {name} on {entity}.")


@details_app.command("list")
def details_list(database: DatabaseOption = None) -> None:
    """The dynamic detail tables and their columns."""
    db = _db(database)
    with db.read() as conn:
        found = dynamic_details.tables(conn)
    # One line each (a table would cut long names short in a narrow terminal); * marks a required column.
    for d in found:
        columns = ", ".join(f"{c.name}:{c.type}{'*' if c.required else ''}" for c in d.columns)
        console.print(f"{d.name} on {d.entity}: key {d.key_column}, parent {d.parent_column}; {columns}",
                      soft_wrap=True, highlight=False)


@details_app.command("drop")
def details_drop(name: str, database: DatabaseOption = None) -> None:
    """Remove a dynamic detail table with all its rows."""
    db = _db(database)
    try:
        with db.write() as conn:
            dynamic_details.drop(conn, _ADMINISTRATOR, name)
    except errors.CoreError as exc:
        _fail(exc)
    console.print(f"Dropped {name}.")


@app.command("outbox")
def outbox_command(
    show: Annotated[str | None, typer.Option(help="Print this message (its id, or 'last')")] = None,
) -> None:
    """The mail backoffice wrote to the outbox (when no SMTP server is configured), oldest first."""
    settings = _settings()
    messages = mail.outbox(settings.mail())
    if show is not None:
        chosen = messages[-1:] if show == "last" else [m for m in messages if m.id == show]
        if not chosen:
            console.print(f"[red]No message {show} in {settings.var_dir / 'outbox'}[/red]")
            raise typer.Exit(1)
        message = chosen[0]
        console.print(f"To: {message.to}\nSubject: {message.subject}\nDate: {message.date:%Y-%m-%d %H:%M:%S %Z}\n",
                      highlight=False, soft_wrap=True)
        console.print(message.body(), highlight=False, soft_wrap=True, markup=False)
        return
    if not messages:
        console.print(f"The outbox ({settings.var_dir / 'outbox'}) is empty.")
    for message in messages:
        console.print(f"{message.id}  {message.date:%Y-%m-%d %H:%M:%S}  {message.to}  {message.subject}",
                      highlight=False, soft_wrap=True, markup=False)


# --- Symphony import and export, through the same job engine as the API -----------------------

OrgOption = Annotated[str, typer.Option("--org", help="The organization (its orgCode)")]
UserOption = Annotated[str | None, typer.Option("--user", help="The member acting (default: the first)")]
err_console = Console(stderr=True)


def _run_request(db: Database, request_id: int, total: int | None, label: str) -> None:
    """Run the request's job here (as the worker would) with a progress bar on stderr."""
    import threading
    import time

    import sqlalchemy as sa
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from .core.jobs import requests
    from .core.jobs.tables import ie_request
    from .core.jobs.worker import run_pending

    def state() -> tuple[str | None, int]:
        with db.read() as conn:
            row = conn.execute(sa.select(ie_request.c.job_id, ie_request.c.status)
                               .where(ie_request.c.request_id == request_id)).one()
        return row.job_id, row.status

    job_id, _ = state()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                  console=err_console, transient=False) as progress:
        task = progress.add_task(label, total=total)
        requests.watch(request_id, lambda done: progress.update(task, completed=done))
        # Only this request's job: other clients' requests are the server's to run.
        worker = threading.Thread(target=run_pending, args=(db,),
                                  kwargs={"kinds": [requests.JOB_KIND], "job_id": job_id})
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
        requests.watch(request_id, None)
        # A server's worker may have taken the job first: wait for it to finish there.
        while state()[1] not in requests.FINISHED:
            time.sleep(0.2)
        if total is not None:
            progress.update(task, completed=total)


def _report(db: Database, principal: OrgPrincipal, request_id: int) -> int:
    """Print the request's outcome and failed rows on stderr; returns the exit code."""
    import csv
    import io

    from .core.jobs import requests

    with db.read() as conn:
        record = requests.get(conn, principal, request_id)
        failed: list[dict[str, str]] = []
        if record.operation == requests.IMPORT and record.status in (requests.COMPLETED_WITH_ERRORS, requests.ERROR):
            try:
                text = b"".join(requests.file(conn, principal, request_id, "errors")).decode()
                failed = list(csv.DictReader(io.StringIO(text)))
            except errors.NotFound:
                failed = []
    err_console.print(f"Request {request_id}: {requests.STATUS_NAMES[record.status]} ({record.status}); "
                      f"{record.rows_total or 0} rows, {record.rows_failed or 0} failed. {record.message or ''}",
                      highlight=False)
    if failed:
        table = Table("Row", "Error", title="Failed rows")
        for row in failed[:50]:
            table.add_row(row.get("RowNumber", ""), row.get("Error", ""))
        err_console.print(table)
    return 0 if record.status in (requests.COMPLETE, requests.COMPLETED_WITH_ERRORS) else 1


@app.command("export")
def export_command(
    object_type: Annotated[str, typer.Argument(help="The object type, e.g. MenuItemPrice")],
    org: OrgOption,
    user: UserOption = None,
    hierarchy: Annotated[int | None, typer.Option(help="Hierarchy node id (default: the Enterprise)")] = None,
    level: Annotated[int, typer.Option(help="0 node, 1 with ancestors, 2 with inherited, 3 both")] = 0,
    numbers: Annotated[str | None, typer.Option("--filter", help="Object numbers, e.g. 1-200,230")] = None,
    language: Annotated[int | None, typer.Option(help="Language id for names")] = None,
    database: DatabaseOption = None,
) -> None:
    """Export an object type of an organization as CSV on stdout (progress and outcome on stderr)."""
    import sys

    from .core.auth import tokens
    from .core.jobs import requests

    db = _db(database)
    try:
        with db.write() as conn:
            principal = tokens.member_principal(conn, org, user)
            request_id, _ = requests.submit(conn, principal, requests.RequestSpec(
                requests.EXPORT, object_type, hier_struc_id=hierarchy, level=level, object_number_filter=numbers,
                language_id=language, origin=requests.INTERNAL_APPLICATION, request_name="backoffice export"))
        _run_request(db, request_id, None, f"Exporting {object_type}")
        code = _report(db, principal, request_id)
        if code == 0:
            with db.read() as conn:
                for chunk in requests.file(conn, principal, request_id, "output"):
                    sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
    except errors.CoreError as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command("import")
def import_command(
    object_type: Annotated[str, typer.Argument(help="The object type, e.g. MenuItemPrice")],
    file: Annotated[str, typer.Argument(help="The CSV file to import")],
    org: OrgOption,
    user: UserOption = None,
    hierarchy: Annotated[int | None, typer.Option(help="Hierarchy node id (default: the Enterprise)")] = None,
    language: Annotated[int | None, typer.Option(help="Language id for names")] = None,
    database: DatabaseOption = None,
) -> None:
    """Import a CSV file of an object type into an organization; prints the request id, its status
    and the failed rows."""
    from pathlib import Path

    from .core.auth import tokens
    from .core.jobs import requests

    data = Path(file).read_bytes()
    db = _db(database)
    try:
        with db.write() as conn:
            principal = tokens.member_principal(conn, org, user)
            request_id, _ = requests.submit(conn, principal, requests.RequestSpec(
                requests.IMPORT, object_type, hier_struc_id=hierarchy, language_id=language,
                origin=requests.INTERNAL_APPLICATION, request_name=f"backoffice import {Path(file).name}", data=data))
        _run_request(db, request_id, len(data), f"Importing {Path(file).name}")
        code = _report(db, principal, request_id)
    except errors.CoreError as exc:
        _fail(exc)
    raise typer.Exit(code)
