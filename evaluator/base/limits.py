"""Input limits: how big, deep, long or far anything read from a file or a command line may be.

These are bounds on input, not policy: a pack's numbers (days, months, points) live in the pack
with their source.  They exist so that hostile or broken input is refused up front as bad input
(exit 2, or 3 for a pack) with file:line, instead of exhausting memory, the stack or the date
range deep inside the engine (exit 4).  Every check of one of these bounds imports it from here.

Each bound is far above anything a real case or pack needs; the comment says why it is enough.
"""

from __future__ import annotations

import datetime as dt

# ---------------------------------------------------------------------------------- files
# A real case is a few kB; the largest conformance case is under 20 kB.
MAX_FILE_BYTES = 5 * 1024 * 1024

# An evidence file attached to a nonconformity's reply in the workbench (issue 17): a scanned
# training record or a photographed form is a few MB; 20 MB is the limit the issue sets.
MAX_EVIDENCE_FILE_BYTES = 20 * 1024 * 1024
# Evidence files sent with one reply (the request body limit of the workbench still applies).
MAX_EVIDENCE_FILES = 10
# Characters of an evidence file's name as stored (a file system allows 255 bytes).
MAX_EVIDENCE_NAME_CHARS = 120

# ---------------------------------------------------------------------------------- structure
# Nesting of mappings and lists (a case is ~5 deep; a pack condition `all:` inside `any:` is two
# levels per step, and real conditions are under 10 steps).  Keeps every recursive walk (the
# schema, the condition tree, the JSON encoder) far from Python's recursion limit.
MAX_NESTING_DEPTH = 64
# Items of one list (a case lists a few dozen surveillance records, products or evidence items).
MAX_LIST_ITEMS = 10_000
# Nodes of a document once aliases are expanded ("billion laughs"); a 5 MB case holds far fewer.
MAX_EXPANDED_NODES = 200_000
# Characters of one string (an objective-evidence text is a paragraph).
MAX_STRING_CHARS = 100_000

# ---------------------------------------------------------------------------------- numbers
# Characters of a number as written (digits, sign, point, exponent): counts and points have a
# handful, an 18-digit credit code written without quotes still fits.  Python itself refuses
# int() of over 4,300 digits with a ValueError, and float() of 400 digits is infinite.
MAX_NUMBER_CHARS = 40

# ---------------------------------------------------------------------------------- dates
# The meaningful calendar: GB/T 27922 dates from 2011, certificates run for years, not centuries.
# Every date read (case fields, --as-of) must lie in this range; with the period bounds below,
# date arithmetic stays inside what `datetime.date` can hold (years 1..9999).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
# The longest period a pack parameter or a command-line option (`register due --within`) may add
# to a date: ten years, over three times a certificate's life.
MAX_PERIOD_DAYS = 3_660
MAX_PERIOD_MONTHS = 120

# ---------------------------------------------------------------------------------- packs
# The largest count or point scale a pack may declare (scales in use: 100 and 1000 points).
MAX_PACK_COUNT = 100_000

# ---------------------------------------------------------------------------------- workbooks
# SPEC §9: a workbook is refused past 50 MB uncompressed or 100,000 cells.
MAX_WORKBOOK_UNCOMPRESSED_BYTES = 50 * 1000 * 1000
MAX_WORKBOOK_CELLS = 100_000


def date_in_range(day: dt.date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def date_range_text() -> str:
    return f"{MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}"
