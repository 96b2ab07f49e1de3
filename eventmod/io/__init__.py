"""The edges that touch the disk and git: atomic writes and the dirty-tree guard."""
