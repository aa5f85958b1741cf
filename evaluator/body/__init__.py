"""The certification body's identity (SPEC 8.1): separate from the rule pack."""
