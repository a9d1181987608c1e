"""Text files people hand the studio (uploaded inputs and completions, imported log exports): what
encoding they are in, and reading CSV cells as long as the file allows.

Windows tools save "Unicode text" as UTF-16; without a byte-order mark such a file decoded as UTF-8
turns into text with a NUL after every character, which no check downstream would explain. Both
the upload reader and the import reader turn UTF-16 into UTF-8 here first, so the rest of their
code reads one encoding.
"""

from __future__ import annotations

import codecs
import csv
from typing import Final

# Enough characters to tell UTF-16 from UTF-8 by where the NUL bytes stand; a header row is shorter.
_SAMPLE_BYTES: Final = 4_096
# In UTF-16 every ASCII character has a NUL byte (second in little-endian, first in big-endian).
# A real UTF-8 file has NUL bytes rarely, and never at one parity for a third of the characters.
_NUL_SHARE: Final = 0.3
_OTHER_PARITY_SHARE: Final = 0.05
# Text that is not UTF-16 yet this full of NULs is UTF-32 or no text at all: refused, not read as
# cells of NUL characters.
_NUL_SHARE_OF_TEXT: Final = 0.1
# The largest limit the csv module takes everywhere (a C long, 32 bits on Windows).
_CSV_FIELD_LIMIT: Final = 2**31 - 1


class UnreadableTextError(ValueError):
    """Bytes that are no UTF-8 or UTF-16 text; ``problem`` says why, after the file's name."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def utf16_encoding(data: bytes) -> str | None:
    """The codec of UTF-16 text: "utf-16" with a byte-order mark, "utf-16-le" or "utf-16-be" without
    one; None for anything else."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        return "utf-16"
    sample = data[: _SAMPLE_BYTES - _SAMPLE_BYTES % 2]
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    if odd_nuls >= pairs * _NUL_SHARE and even_nuls <= pairs * _OTHER_PARITY_SHARE:
        return "utf-16-le"
    if even_nuls >= pairs * _NUL_SHARE and odd_nuls <= pairs * _OTHER_PARITY_SHARE:
        return "utf-16-be"
    return None


def as_utf8(data: bytes) -> bytes:
    """``data`` re-encoded as UTF-8 when it is UTF-16 text, else unchanged (UTF-8 or not, the caller
    finds out). Raises UnreadableTextError for bytes that look like UTF-16 but do not decode, and for
    bytes too full of NULs to be UTF-8 text."""
    encoding = utf16_encoding(data)
    if encoding is None:
        sample = data[:_SAMPLE_BYTES]
        nuls = sample.count(0)
        if nuls > len(sample) * _NUL_SHARE_OF_TEXT:
            raise UnreadableTextError(
                f"is not UTF-8 or UTF-16 text: {nuls:,} of its first {len(sample):,} bytes are NUL (it may be "
                "UTF-32 text, or not a text file at all)"
            )
        return data
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableTextError(f"looks like UTF-16 text but is not valid UTF-16 ({exc.reason})") from exc
    return text.encode("utf-8")


def allow_long_csv_fields() -> None:
    """Let Python's csv module read a field as long as any file the studio accepts.

    Its default limit, 131,072 characters, refuses a correctly quoted long completion that the same
    row as JSONL passes; uploads are bounded by their size instead. The limit is process-wide, so it
    is only ever raised, never lowered.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
