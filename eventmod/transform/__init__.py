"""From specs to new file contents: edits planned per file, verified, in one runner."""
