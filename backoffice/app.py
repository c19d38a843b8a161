"""create_app(settings): the ASGI application with every enabled dialect mounted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .core.auth.access import AccessConfigError, access_file_in
from .core.documents import ProviderConfigError, load_providers
from .core.jobs.worker import Worker
from .core.store import Database
from .dialects.galaxy.aliasmap import AliasMapError
from .dialects.galaxy.routes import load_alias_map, register_galaxy
from .dialects.jiwa.routes import register_jiwa
from .dialects.servicestack.auth import register_auth
from .dialects.servicestack.host import ServiceStackHost
from .dialects.servicestack.meta import register_meta
from .dialects.symphony_ie.routes import SymphonyImportExport
from .dialects.symphony_soap.routes import SymphonySoap
from .dialects.synergist.routes import Synergist
from .settings import Settings

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class ConfigurationError(Exception):
    """A configuration file in the configuration directory is not usable (the message says which and why)."""


def check_configuration(settings: Settings) -> None:
    """Read every configuration file as the server will, so a bad one stops the start with a clear message."""
    try:
        access_file_in(settings.config_dir).load()
        load_providers(settings.config_dir)
        load_alias_map(settings.config_dir)
    except (AccessConfigError, ProviderConfigError, AliasMapError) as exc:
        raise ConfigurationError(str(exc)) from exc


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

    symphony_ie = SymphonyImportExport(database, settings)
    symphony_soap = SymphonySoap(database, settings)
    synergist = Synergist(database, settings)

    async def endpoint(request: Request) -> Response:
        if symphony_ie.matches(request.url.path):
            return await symphony_ie.handle(request)
        if symphony_soap.matches(request.url.path):
            return await symphony_soap.handle(request)
        if synergist.matches(request.url.path):
            return await synergist.handle(request)
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
