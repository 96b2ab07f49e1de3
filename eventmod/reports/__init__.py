"""Turning results into text: diffs, summaries, coverage and plan tables, the PR report."""
