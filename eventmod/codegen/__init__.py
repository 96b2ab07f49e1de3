"""Writing code: the block, the imports, the enum members and the JSON-safe helper."""
