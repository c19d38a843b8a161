"""create_app(settings): the ASGI application with every enabled dialect mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .core.auth.access import access_file_in
from .core.jobs.worker import Worker
from .core.store import Database
from .dialects.galaxy.routes import register_galaxy
from .dialects.jiwa.routes import register_jiwa
from .dialects.servicestack.auth import register_auth
from .dialects.servicestack.host import ServiceStackHost
from .dialects.servicestack.meta import register_meta
from .settings import Settings

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(settings: Settings, *, db: Database | None = None, run_worker: bool | None = None) -> Starlette:
    """The application. The database must already be prepared (see ``bootstrap.prepare_database``)."""
    database = db or Database(settings.database_url)
    host = ServiceStackHost(database, settings, service_name="JiwaAPI")
    # The API configuration file (client addresses, login signatures); a bad one stops the start.
    host.access = access_file_in(settings.config_dir)
    host.access.load()
    register_auth(host)
    register_jiwa(host)
    register_galaxy(host)
    register_meta(host)
    worker_wanted = settings.run_worker if run_worker is None else run_worker

    async def endpoint(request: Request) -> Response:
        return await host.handle(request)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = Worker(database, draft_idle=timedelta(seconds=settings.draft_ttl_seconds))
        if worker_wanted:
            worker.start()
        try:
            yield
        finally:
            worker.stop()
            if db is None:
                database.dispose()

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)], lifespan=lifespan)
    app.state.host = host
    app.state.db = database
    return app


def app_factory() -> Starlette:
    """For ``uvicorn --factory``: settings from the environment."""
    return create_app(Settings.from_env())
