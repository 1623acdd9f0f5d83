"""The benchmark data: `python -m bench.data.generate` fills the bench database (see
generate.py)."""
