"""The planned path for queries over the staff types (issue 15): each operation compiled
once into a plan (compile.py, kept by plans.py) over the declared types (mapping.py), run
by building the response directly (results.py), hooked into graphql-core's executor with
the normal path as the fallback and the reference (executor.py)."""
