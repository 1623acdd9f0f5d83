"""B1 `staff_page`: the staff page (bench/queries/staff_page.graphql: 25 Active rows and
the tab counts) under wrk at 16 connections, against (a) a bare Starlette + asyncpg +
orjson route with the same JSON (bench/reference_app.py) and (b) PostGraphile 5 with the
same rows, fields and counts (bench/postgraphile.py). Each server runs alone while it is
measured.

Scale: the same load on two processes of each side, ours as `staff-accounts serve
--workers 2` (uvicorn's workers share the port), PostGraphile as two processes on two ports
(its CLI has no cluster mode) with wrk's two threads split over them; the ratio to one
process is reported (no target: on 2 shared cores it shows contention more than scaling).

Memory: the peak RSS (VmHWM) of our server against PostGraphile's after their B1 load, one
process each and two (the sum over each side's processes); target: at or below
PostGraphile's.
"""

from dataclasses import asdict

from bench import postgraphile
from bench.context import BenchContext, OurServer
from bench.queries import page_body
from bench.report import Row, ms, verdict
from bench.servers import (
    OUR_PORT,
    PEER_PORT,
    REFERENCE_PORT,
    free_port,
    free_ports,
    our_server,
    peak_rss_by_process,
    postgraphile_servers,
    reference_server,
    tree_peak_rss_mb,
)
from bench.statement_log import count_statements
from bench.wrk_load import LoadResult, run_wrk

NAME, ALIAS = "staff_page", "B1"


def measure_ours(ctx: BenchContext, server: OurServer) -> LoadResult:
    """B1 on our running server (one process); kept in ctx.results for B5 and the rest."""
    body = page_body()
    ctx.results["staff_page_answer"] = postgraphile.post_json(
        server.url, body, token=server.small_token
    )
    result = run_wrk(server.url, body, token=server.small_token, duration_s=ctx.seconds)
    # Counted after the load: every pooled connection is warm by then.
    with count_statements(ctx.database_url) as counted:
        postgraphile.post_json(server.url, body, token=server.small_token)
    memory = tree_peak_rss_mb([server.pid])
    ctx.results["staff_page"] = result
    ctx.results["staff_page_sql"] = counted.count
    ctx.results["staff_page_rss"] = memory
    ctx.report.raw["B1 ours"] = asdict(result)
    ctx.report.add(
        Row(
            "B1",
            "staff page, 16 conn: ours req/s (p50 / p99)",
            f"{result.rps:.0f} ({ms(result.p50_ms)} / {ms(result.p99_ms)})",
            sql=str(counted.count),
            memory=f"{memory:.0f}",
        )
    )
    return result


def measure_references(ctx: BenchContext, server: OurServer) -> None:
    """(a) the asyncpg reference and (b) PostGraphile, one process each, after ours."""
    ours: LoadResult = ctx.results["staff_page"]
    our_sql = ctx.results["staff_page_sql"]
    body = page_body()
    port = free_port(REFERENCE_PORT)
    ref_url = f"http://127.0.0.1:{port}/graphql"
    with reference_server(ctx.database_url, port) as process:
        answer = postgraphile.post_json(ref_url, body, token=server.small_token)
        if answer != ctx.results["staff_page_answer"]:
            raise RuntimeError("B1: the reference's answer differs from ours")
        ref = run_wrk(ref_url, body, token=server.small_token, duration_s=ctx.seconds)
        with count_statements(ctx.database_url) as counted:
            postgraphile.post_json(ref_url, body, token=server.small_token)
        memory = tree_peak_rss_mb([process.pid])
    ctx.report.raw["B1 reference (a)"] = asdict(ref)
    ratio = ours.rps / ref.rps
    ctx.report.add(
        Row(
            "B1",
            "(a) bare Starlette + asyncpg + orjson, same JSON",
            f"{ours.rps:.0f} req/s",
            f"{ref.rps:.0f} req/s ({ms(ref.p50_ms)} / {ms(ref.p99_ms)})",
            f"{ratio:.2f}",
            ">= 0.5",
            verdict(ratio >= 0.5),
            f"{our_sql} vs {counted.count}",
            f"ref {memory:.0f}",
        )
    )
    postgraphile.setup()
    port = free_port(PEER_PORT)
    them, memory, peer_sql = _measure_postgraphile(ctx, [port])
    ctx.results["postgraphile"] = them
    ctx.results["postgraphile_rss"] = memory
    ctx.report.raw["B1 PostGraphile (b)"] = asdict(them)
    ratio = ours.rps / them.rps
    ctx.report.add(
        Row(
            "B1",
            "(b) PostGraphile 5, same rows, fields and counts",
            f"{ours.rps:.0f} req/s",
            f"{them.rps:.0f} req/s ({ms(them.p50_ms)} / {ms(them.p99_ms)})",
            f"{ratio:.2f}",
            ">= 1.0",
            verdict(ratio >= 1.0),
            f"{our_sql} vs {peer_sql}",
            f"peer {memory:.0f}",
        )
    )
    _memory_row(ctx, "1 process each", ctx.results["staff_page_rss"], memory)


def _measure_postgraphile(
    ctx: BenchContext, ports: list[int]
) -> tuple[LoadResult, float, int | None]:
    """PostGraphile on `ports` (one process each), its answer checked against ours; wrk's
    threads split over the ports. Its figures, peak RSS (sum) and statements per request."""
    practice_id = ctx.practice("small")["practice_id"]
    peer_body = postgraphile.peer_request_body(practice_id)
    ours = postgraphile.normalize_ours(ctx.results["staff_page_answer"])
    with postgraphile_servers(ctx.database_url, ports) as processes:
        for port in ports:
            theirs = postgraphile.post_json(postgraphile.graphql_url(port), peer_body)
            diff = postgraphile.differences(ours, postgraphile.normalize_peer(theirs))
            if diff:
                raise RuntimeError(f"B1: PostGraphile's answer differs from ours: {diff}")
        url = postgraphile.graphql_url(ports[0])
        split = ports if len(ports) > 1 else ()
        result = run_wrk(url, peer_body, token=None, duration_s=ctx.seconds, split_ports=split)
        with count_statements(ctx.database_url) as counted:
            postgraphile.post_json(url, peer_body)
        memory = tree_peak_rss_mb([p.pid for p in processes])
    return result, memory, counted.count


def measure_scale(ctx: BenchContext, server: OurServer) -> None:
    """B1 with two processes on each side, after the one-process runs."""
    body = page_body()
    port = free_port(OUR_PORT)
    url = f"http://127.0.0.1:{port}/graphql"
    with our_server(ctx.database_url, port, server.smtp_port, workers=2) as process:
        if (
            postgraphile.post_json(url, body, token=server.small_token)
            != (ctx.results["staff_page_answer"])
        ):
            raise RuntimeError("B1: two processes of ours answer differently from one")
        ours_two = run_wrk(url, body, token=server.small_token, duration_s=ctx.seconds)
        by_process = peak_rss_by_process([process.pid])
        ours_memory = sum(by_process.values())
    # uvicorn's supervisor first, then its workers (and any helper process).
    ctx.report.raw["B1 ours, 2 processes: peak RSS MiB by process"] = list(by_process.values())
    peer_two, peer_memory, _ = _measure_postgraphile(ctx, free_ports(PEER_PORT, 2))
    ctx.report.raw["B1 ours, 2 processes"] = asdict(ours_two)
    ctx.report.raw["B1 PostGraphile, 2 processes"] = asdict(peer_two)
    for side, one, two, how, memory in (
        ("ours", ctx.results["staff_page"], ours_two, "serve --workers 2", ours_memory),
        ("PostGraphile", ctx.results["postgraphile"], peer_two, "2 ports, wrk split", peer_memory),
    ):
        ctx.report.add(
            Row(
                "B1",
                f"scale: {side}, 2 processes ({how}) req/s (p50 / p99)",
                f"{two.rps:.0f} ({ms(two.p50_ms)} / {ms(two.p99_ms)})",
                f"1 process {one.rps:.0f} ({ms(one.p50_ms)} / {ms(one.p99_ms)})",
                f"{two.rps / one.rps:.2f}",
                "report",
                "",
                "",
                f"{memory:.0f}",
            )
        )
    _memory_row(ctx, "2 processes each", ours_memory, peer_memory)


def _memory_row(ctx: BenchContext, processes: str, ours: float, theirs: float) -> None:
    ctx.report.raw.setdefault("B1 peak RSS MiB", {})[processes] = {
        "ours": ours,
        "postgraphile": theirs,
    }
    ctx.report.add(
        Row(
            "B1",
            f"peak RSS after the B1 load, {processes}: ours vs PostGraphile",
            f"{ours:.0f} MiB",
            f"{theirs:.0f} MiB",
            f"{ours / theirs:.2f}",
            "<= PostGraphile",
            verdict(ours <= theirs),
        )
    )
