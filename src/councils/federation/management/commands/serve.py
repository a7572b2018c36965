"""``councils serve``: migrate the database, then serve Councils with uvicorn.

Each server process runs ``councils.serving.application``: live-update streams on Django's ASGI
handler, every other request on its WSGI handler in one trip to a thread pool (see that module).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

APPLICATION = "councils.serving:application"


class Command(BaseCommand):
    help = _(
        "Apply database migrations, then serve Councils over HTTP with uvicorn: live-update streams "
        "asynchronously, pages and the API by Django's WSGI handler in a pool of threads. Static files "
        "are served by WhiteNoise from the installed apps: there is nothing to collect."
    )
    # Migrations run inside the command; checking them first would only warn about what it fixes.
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=_("Address to listen on (default: 127.0.0.1).")
        )
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on (default: 8000)."))
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help=_("Number of server processes (default: 1). Use PostgreSQL for more than one."),
        )
        parser.add_argument(
            "--timeout-graceful-shutdown",
            type=int,
            default=5,
            help=_("Seconds to let open requests and live-update streams finish after SIGTERM (default: 5)."),
        )
        parser.add_argument(
            "--no-migrate",
            action="store_false",
            dest="migrate",
            help=_("Do not apply migrations before serving."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["workers"]
        grace: int = options["timeout_graceful_shutdown"]
        if not 0 < port < 65536:
            raise CommandError(_("--port must be between 1 and 65535, not %(port)s.") % {"port": port})
        if workers < 1:
            raise CommandError(_("--workers must be at least 1, not %(workers)s.") % {"workers": workers})
        if grace < 0:
            raise CommandError(_("--timeout-graceful-shutdown cannot be negative."))

        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=max(options["verbosity"] - 1, 0))
        # The server's processes open their own connections; a forked worker must not share ours.
        connections.close_all()

        self.stdout.write(
            ngettext(
                "Serving Councils at http://%(host)s:%(port)s/ with %(workers)s worker.",
                "Serving Councils at http://%(host)s:%(port)s/ with %(workers)s workers.",
                workers,
            )
            % {"host": host, "port": port, "workers": workers}
        )
        run_server(host=host, port=port, workers=workers, timeout_graceful_shutdown=grace)


# Seconds a worker may take to answer uvicorn's health check before it is killed and replaced.
HEALTHCHECK_SECONDS = 60


def run_server(*, host: str, port: int, workers: int, timeout_graceful_shutdown: int) -> None:
    """Run uvicorn on the Councils application until it is stopped (a seam for tests)."""
    import uvicorn

    uvicorn.run(
        APPLICATION,
        host=host,
        port=port,
        # uvicorn takes the application as an import string so each worker process imports it.
        workers=workers if workers > 1 else None,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        # uvicorn kills a worker that does not answer its health check in time (5 s by default): a
        # worker holding thousands of live streams can be that busy on a loaded machine, and killing
        # it drops all its streams at once, whose reconnections make the next check fail too.
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        # The application warms up at start (URL resolver, OpenAPI document) through the lifespan.
        lifespan="on",
        # One line per request written by the event loop costs more than some requests do.
        access_log=False,
        **proxy_options(settings.COUNCILS_TRUSTED_PROXIES),
    )


def proxy_options(trusted: list[str]) -> dict[str, Any]:
    """uvicorn's options for forwarded headers: believed only from the trusted proxies.

    uvicorn by default believes ``X-Forwarded-For`` from 127.0.0.1, so that any local process (or a
    proxy that passes the header on unchecked) could sign in as another address and slip past
    the throttling of failed sign-ins.
    """
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}
