"""Plain data every layer shares: problems, specs, settings and results (no I/O, no analysis)."""
