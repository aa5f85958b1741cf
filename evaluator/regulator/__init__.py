"""Exports for the regulator and for IAF CertSearch, from the register (SPEC §9)."""
