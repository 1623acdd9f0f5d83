"""The benchmark suite: `python -m bench.run [--quick] [--only staff_page,B3]` (make bench).

Where to look:

- run.py: the command; the order the scenarios run in, and the table.
- scenarios/: one module per scenario, named for what it measures (the B-number is an
  alias): staff_page (B1), in_process (B2), search (B3), deep_pages (B4),
  create_under_load (B5), login_timing (B6), mail (B7), sqlite (B8), webhooks (B9); and
  the standalone login_flood and reset_timing.
- data/: the generated bench database (python -m bench.data.generate), one job per module;
  fixture.py reads back what was generated.
- servers.py (our server, the asyncpg reference, PostGraphile, peak memory),
  wrk_load.py and wrk/post.lua (load), fixed_rate.py (open-loop load), mail_sink.py,
  statement_log.py and sql_recording.py (counting and replaying SQL), report.py (rows and
  the table), context.py (what each scenario is given), queries/ (the GraphQL documents),
  postgraphile.py and peer/ (the PostGraphile peer), reference_app.py (the asyncpg route).
"""
