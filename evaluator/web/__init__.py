"""The officers' workbench (SPEC §10): the web application over the register."""
