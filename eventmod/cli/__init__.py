"""The command line: flags in, one core call, text out."""
