"""Command line: serve, migrate, worker, create-practice, api-client, documents, demo,
rotate-keys, export-schema, export-documents."""

import argparse
import asyncio
import getpass
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from backend import cli_documents
from backend.config import Settings, SettingsError, load_settings
from backend.db import apply_migrations, close_database, open_database
from backend.logs import configure_format, configure_logging
from backend.models import Plan

if TYPE_CHECKING:
    from backend.services.key_rotation import RotationReport

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
PIN_ARGUMENT_WARNING = (
    "warning: --owner-pin shows the PIN to other users of this machine (ps, shell history);"
    " use --owner-pin-stdin or the prompt instead"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "export-schema":
        configure_format("text")
        return _export_schema(check=args.check, path=Path(args.path))
    if args.command == "export-documents":
        configure_format("text")
        return cli_documents.export_documents(check=args.check)
    try:
        settings = load_settings()
    except SettingsError as error:
        for problem in error.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command == "serve":
        return _serve(settings, demo=args.demo, workers=args.workers or settings.web_concurrency)
    runners = {
        "migrate": _migrate,
        "worker": _worker,
        "create-practice": _create_practice,
        "demo": _demo,
        "rotate-keys": _rotate_keys,
        "api-client": _api_client,
        "documents": cli_documents.documents,
    }
    return asyncio.run(runners[args.command](settings, args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="staff-accounts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web app (uvicorn)")
    serve.add_argument("--demo", action="store_true", help="create the demo practice if missing")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        help="app processes on this machine (default: WEB_CONCURRENCY, or 1)",
    )
    commands.add_parser("migrate", help="apply database migrations")
    worker = commands.add_parser("worker", help="deliver queued email (run beside app processes)")
    worker.add_argument(
        "--check",
        action="store_true",
        help="exit 0 when the worker could run (settings valid, database reachable), else 1:"
        " the container health check",
    )
    create = commands.add_parser("create-practice", help="create a practice and its owner account")
    create.add_argument("--name", required=True)
    create.add_argument("--plan", choices=[p.value for p in Plan], default=Plan.INVOICED.value)
    create.add_argument("--provider-first-name", required=True)
    create.add_argument("--provider-last-name", required=True)
    create.add_argument("--office", action="append", dest="offices", help="repeatable")
    create.add_argument("--owner-first-name", required=True)
    create.add_argument("--owner-last-name", required=True)
    create.add_argument("--owner-username", required=True)
    create.add_argument("--owner-email", required=True)
    create.add_argument(
        "--owner-password-stdin",
        action="store_true",
        help="read the owner's password from standard input (otherwise prompt)",
    )
    pin = create.add_mutually_exclusive_group()
    pin.add_argument(
        "--owner-pin-stdin",
        action="store_true",
        help="read the owner's four-digit app unlock PIN from standard input (the line after"
        " the password with --owner-password-stdin; otherwise prompt)",
    )
    pin.add_argument(
        "--owner-pin",
        help="the PIN as an argument: deprecated, other users can see it (ps, shell history)",
    )
    _api_client_parser(commands)
    cli_documents.add_parsers(commands)
    commands.add_parser("demo", help='create the "Demo Family Practice" if missing')
    commands.add_parser(
        "rotate-keys",
        help="re-encrypt TOTP secrets and queued email with the newest of SECRET_KEYS, and"
        " report what still needs an older key",
    )
    export = commands.add_parser("export-schema", help="write schema.graphql from the code")
    export.add_argument("--check", action="store_true", help="fail if the file is stale")
    export.add_argument("--path", default=str(SCHEMA_FILE))
    return parser


def _api_client_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from backend.services.caller import Scope

    client = commands.add_parser("api-client", help="manage API clients of a practice")
    actions = client.add_subparsers(dest="action", required=True)
    create = actions.add_parser(
        "create", help="create an API client and print its secret (shown this once)"
    )
    create.add_argument("--practice", required=True, help="the practice's exact name, or its ID")
    create.add_argument("--name", required=True, help='what it is for, e.g. "Workday HR sync"')
    create.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        required=True,
        choices=[scope.value for scope in Scope],
        help="repeatable",
    )
    create.add_argument(
        "--expires-in-days", type=_positive_int, help="a fixed expiry (default: none)"
    )


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _serve(settings: Settings, *, demo: bool, workers: int) -> int:
    import uvicorn

    if workers > 1:
        # Before anything imports prometheus_client, which reads it once: /metrics answers
        # from whichever worker a scrape reaches, and with the library's multiprocess mode
        # each of them reports the counters of all (see backend/http/metrics.py).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _fresh_metrics_folder()
    if demo:
        asyncio.run(_demo(settings, argparse.Namespace()))
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        # Logging is configured by backend/logs.py (and again in each worker process by
        # the app factory): uvicorn must not install its own handlers over it.
        "log_config": None,
        # The app logs each request itself (without query strings) and reads
        # X-Forwarded-For from FORWARDED_ALLOW_IPS itself.
        "access_log": False,
        "proxy_headers": False,
    }
    if workers == 1:
        from backend.app import create_app

        _print_address(settings)
        uvicorn.run(create_app(settings, serving=True), **options)  # type: ignore[arg-type]
        return 0
    if settings.migrate_on_start:
        # Once, here, rather than racing in every worker's lifespan.
        asyncio.run(apply_migrations(settings.database_url))
    # Read by each worker process's settings: the hashing threads are shared by this many
    # processes, and the schema is already up to date.
    os.environ["WEB_CONCURRENCY"] = str(workers)
    os.environ["MIGRATE_ON_START"] = "false"
    _print_address(settings)
    # Worker processes import the app by name (uvicorn cannot pickle an app object).
    uvicorn.run(
        "backend.app:app_from_environment",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )
    return 0


def _fresh_metrics_folder() -> str:
    """PROMETHEUS_MULTIPROC_DIR emptied (counts of an earlier run must not add up), or a
    new temporary folder."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="staff-accounts-metrics-"
    )
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
    return folder


def _print_address(settings: Settings) -> None:
    print(f"Staff accounts: open {settings.public_base_url}/ (GraphQL at /graphql)", flush=True)
    # Links in email come from PUBLIC_BASE_URL, not from the address listened on (which
    # may be 0.0.0.0, or a container's): say which, so a wrong one is seen at once.
    print(
        f"Listening on {settings.host}:{settings.port}; activation links start with"
        f" {settings.public_base_url} (PUBLIC_BASE_URL)",
        flush=True,
    )


async def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    await apply_migrations(settings.database_url)
    print("database is up to date")
    return 0


async def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from backend.worker import run_worker

    if not settings.smtp_host:
        print("configuration error: the worker needs SMTP_HOST", file=sys.stderr)
        return 2
    if args.check:
        return await _worker_check(settings)
    await open_database(settings.database_url)
    try:
        work = run_worker(settings)
        if settings.worker_metrics_port:
            from backend.http.metrics import alongside_metrics_server

            await alongside_metrics_server(work, settings)
        else:
            await work
    finally:
        await close_database()
    return 0


async def _worker_check(settings: Settings) -> int:
    from tortoise import connections

    try:
        await open_database(settings.database_url)
        try:
            await connections.get("default").execute_query("SELECT 1")
        finally:
            await close_database()
    # Whatever the driver raises (refused connection, bad password, timeout): the
    # health check reports it in one line and fails.
    except Exception as error:
        # The exception's type only: a driver's message may quote the URL with its password.
        print(f"worker check failed: {type(error).__name__}", file=sys.stderr)
        return 1
    print("worker check: settings valid, database reachable")
    return 0


async def _create_practice(settings: Settings, args: argparse.Namespace) -> int:
    from backend.services.bootstrap import NewPractice, create_practice
    from backend.services.errors import DomainError

    password, pin = _owner_secrets(args, read_line=sys.stdin.readline, prompt=getpass.getpass)
    if settings.migrate_on_start:
        await apply_migrations(settings.database_url)
    await open_database(settings.database_url)
    try:
        practice, owner = await create_practice(
            NewPractice(
                name=args.name,
                plan=Plan(args.plan),
                provider_first_name=args.provider_first_name,
                provider_last_name=args.provider_last_name,
                office_names=args.offices or ["Main Office"],
                owner_first_name=args.owner_first_name,
                owner_last_name=args.owner_last_name,
                owner_username=args.owner_username,
                owner_email=args.owner_email,
                owner_password=password,
                owner_pin=pin,
            ),
            settings=settings,
        )
    except DomainError as error:
        for problem in error.errors:
            where = ".".join(problem.field) if problem.field else "input"
            print(f"error: {where}: {problem.message}", file=sys.stderr)
        return 1
    finally:
        await close_database()
    print(f"created practice {practice.name!r} with owner {owner.username!r}")
    return 0


async def _api_client(settings: Settings, args: argparse.Namespace) -> int:
    from backend.services.api_clients import NewApiClient, create_for_practice
    from backend.services.caller import Scope
    from backend.services.errors import DomainError

    data = NewApiClient(
        name=args.name,
        scopes=[Scope(value) for value in args.scopes],
        expires_in_days=args.expires_in_days,
    )
    if settings.migrate_on_start:
        await apply_migrations(settings.database_url)
    await open_database(settings.database_url)
    try:
        issued = await create_for_practice(practice=args.practice, data=data, settings=settings)
    except DomainError as error:
        for problem in error.errors:
            where = ".".join(problem.field) if problem.field else "input"
            print(f"error: {where}: {problem.message}", file=sys.stderr)
        return 1
    finally:
        await close_database()
    # The secret alone on standard output, so that a script can capture it; the rest on
    # standard error.
    client = issued.client
    print(
        f"created API client {client.name!r} ({', '.join(client.scopes)}); store its secret"
        " now, it is not shown again:",
        file=sys.stderr,
    )
    print(issued.secret)
    return 0


def _owner_secrets(
    args: argparse.Namespace, *, read_line: Callable[[], str], prompt: Callable[[str], str]
) -> tuple[str, str]:
    """The owner's password and PIN, kept off the command line: from standard input, one a
    line (the password first) when asked to, otherwise from prompts that do not echo."""
    if args.owner_password_stdin:
        password = read_line().rstrip("\r\n")
    else:
        password = prompt("Owner password: ")
    if args.owner_pin is not None:  # still accepted, so that existing scripts keep working
        print(PIN_ARGUMENT_WARNING, file=sys.stderr)
        return password, str(args.owner_pin)
    if args.owner_pin_stdin:
        return password, read_line().rstrip("\r\n")
    return password, prompt("Owner app unlock PIN (four digits): ")


async def _rotate_keys(settings: Settings, _args: argparse.Namespace) -> int:
    from backend.services.key_rotation import rotate_keys

    await open_database(settings.database_url)
    try:
        report = await rotate_keys(settings=settings)
    finally:
        await close_database()
    for line in _rotation_summary(report):
        print(line)
    return 0


def _rotation_summary(report: "RotationReport") -> list[str]:
    newest, *older = report.pins_by_key
    lines = [
        f"re-encrypted with the newest key (id {newest.key_id}): {report.totp_rotated} TOTP"
        f" secrets, {report.emails_rotated} queued emails, {report.webhook_secrets_rotated}"
        " webhook signing secrets",
        f"PIN hashes: {newest.count} with the newest key, {report.pins_argon2} argon2 hashes"
        " from before keyed PIN hashes (they need no key)",
    ]
    lines += [
        f"  {use.count} PIN hashes with older key {use.position} (id {use.key_id}): each is"
        " re-stored with the newest key at its owner's next correct unlock"
        for use in report.older_keys_in_use
    ]
    if report.totp_unreadable:
        lines.append(
            f"warning: {report.totp_unreadable} TOTP secrets match no configured key: reset"
            " those people's two-factor sign-in (staffResetTwoFactor)"
        )
    if report.emails_unreadable:
        lines.append(
            f"warning: {report.emails_unreadable} queued emails match no configured key: they"
            " cannot be sent; resend those activation emails"
        )
    if report.webhook_secrets_unreadable:
        lines.append(
            f"warning: {report.webhook_secrets_unreadable} webhook signing secrets match no"
            " configured key: rotate those endpoints' secrets (webhookEndpointRotateSecret)"
        )
    if report.pins_unusable:
        lines.append(
            f"warning: {report.pins_unusable} PIN hashes match no configured key: those PINs"
            " no longer unlock; set new ones (staffSetPin)"
        )
    if not older:
        lines.append("one key is configured: nothing to drop")
    elif report.older_keys_in_use:
        lines.append("keep the older keys until this command reports that nothing uses them")
    else:
        lines.append(
            "nothing uses the older keys any more: once every process runs with this key set,"
            " they can be removed"
        )
    return lines


async def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME, ensure_demo_practice

    await apply_migrations(settings.database_url)
    await open_database(settings.database_url)
    try:
        created = await ensure_demo_practice(settings)
    finally:
        await close_database()
    state = "created" if created else "already present"
    print(f'Demo practice "Demo Family Practice" {state}.')
    print(f"Sign in as username {DEMO_ADMIN_USERNAME!r} with password {DEMO_ADMIN_PASSWORD!r}.")
    return 0


def _export_schema(*, check: bool, path: Path) -> int:
    from backend.api.schema import schema

    sdl = schema.as_str() + "\n"
    if check:
        if not path.exists() or path.read_text() != sdl:
            print(f"{path} is stale: run `staff-accounts export-schema`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_text(sdl)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
