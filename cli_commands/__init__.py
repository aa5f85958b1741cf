"""The command groups of `certeval`, one small module each; `cli.py` assembles them."""
