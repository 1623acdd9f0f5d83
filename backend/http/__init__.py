"""The HTTP layer around the front doors: middleware, guards, probes, metrics, logs."""
