"""eventmod benchmarks: figures, not pass/fail. Run `python -m benchmarks` from the repo root."""
