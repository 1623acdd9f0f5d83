"""The Starlette application: routes, middleware and the lifespan that owns resources."""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend import gc_tuning
from backend.api.view import GraphQLApp
from backend.config import Settings, load_settings
from backend.db import apply_migrations, close_database, open_database
from backend.http.access_log import AccessLogMiddleware
from backend.http.guards import BodySizeLimitMiddleware, GraphQLHttpGuard
from backend.http.metrics import GraphQLMetricsMiddleware, metrics_endpoint
from backend.http.outage import DatabaseOutageMiddleware
from backend.http.probes import Probes
from backend.http.request_context import RequestContextMiddleware
from backend.http.staff_export import staff_export_endpoint
from backend.logs import configure_logging
from backend.mail.dev_mailbox import DevMailbox
from backend.mail.sender import OutboxSender
from backend.scim.endpoints import scim_routes
from backend.services import password_reset, secrets
from backend.spa import FRONTEND_DIR, SinglePageApp
from backend.webhooks.sender import WebhookSender

logger = logging.getLogger(__name__)


def create_app(settings: Settings, *, serving: bool = False) -> Starlette:
    """`serving`: the process exists to serve this app (`staff-accounts serve`), so its
    garbage collector is tuned once the app has started (backend/gc_tuning). Not in tests
    or tools, which start many apps in one process or do other work besides."""
    mailbox = DevMailbox(port=settings.dev_mailbox_port) if settings.uses_dev_mailbox else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await apply_migrations(settings.database_url)
        await open_database(settings.database_url)
        await secrets.warm_up(settings)
        mail_settings = settings
        if mailbox is not None:
            mailbox.start()
            mail_settings = dataclasses.replace(
                settings, smtp_host=mailbox.host, smtp_port=mailbox.port
            )
            logger.info("development mailbox listening on %s:%s", mailbox.host, mailbox.port)
        sender_task = webhook_task = None
        if settings.run_outbox_sender:
            sender = OutboxSender(
                mail_settings,
                poll_seconds=settings.mail_poll_seconds,
                queue_left_behind=password_reset.left_behind_sweep(settings),
            )
            sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
            webhook_sender = WebhookSender(settings, poll_seconds=settings.mail_poll_seconds)
            webhook_task = asyncio.create_task(webhook_sender.run(), name="webhook-sender")
        if serving:
            gc_tuning.settle_after_start_up()
        try:
            yield
        finally:
            for task in (sender_task, webhook_task):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if mailbox is not None:
                mailbox.stop()
            await close_database()

    async def dev_mailbox(request: Request) -> Response:
        assert mailbox is not None
        return JSONResponse({"messages": mailbox.as_json()})

    graphql = GraphQLMetricsMiddleware(GraphQLHttpGuard(GraphQLApp(settings), settings))
    probes = Probes()
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/livez", probes.live, methods=["GET"]),
        Route("/healthz", probes.live, methods=["GET"]),  # the older name of /livez
        Route("/readyz", probes.ready, methods=["GET"]),
        Route("/metrics", metrics_endpoint(settings), methods=["GET"]),
        # The staff list as CSV, streamed (README, "Exporting the staff list").
        Route("/export/staff.csv", staff_export_endpoint(settings), methods=["GET"]),
    ]
    # SCIM 2.0 provisioning for identity providers (README, "SCIM provisioning").
    routes.append(Mount("/scim/v2", routes=scim_routes(settings)))
    if mailbox is not None:
        routes.append(Route("/dev/mailbox", dev_mailbox, methods=["GET"]))
    routes.append(Mount("/", SinglePageApp(directory=FRONTEND_DIR, html=True), name="spa"))
    middleware = [
        # First of all, the real client behind a trusted proxy: limits per address count it.
        Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips or []),
        # Outside the rest, so refusals below still get a request id and the security headers.
        Middleware(RequestContextMiddleware, hsts=settings.serves_https),
        Middleware(AccessLogMiddleware),
        # Inside both, so a 503 for a database outage carries the request id and is logged.
        Middleware(DatabaseOutageMiddleware),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.mailbox = mailbox
    return app


def app_from_environment() -> Starlette:
    """The app as uvicorn's worker processes build it (`serve --workers N`): each process
    reads the settings and sets up its logging itself."""
    settings = load_settings()
    configure_logging(settings)
    return create_app(settings, serving=True)
