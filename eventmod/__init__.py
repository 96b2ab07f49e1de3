"""eventmod: instrument an async codebase with structured audit events from YAML specs."""

__version__ = "0.1.0"
