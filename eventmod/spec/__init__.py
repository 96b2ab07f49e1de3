"""The spec layer: the format's fields, the expression policy and the YAML loader."""
