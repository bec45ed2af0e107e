"""Requirement references as people type them and files write them.

A reference (``SC.DMP/HISTO.06``, ``LGC.MDV.01``) has no blank in it: the
authority's files still carry non-breaking, narrow or trailing spaces
(``SC.\u00a0DMP/HISTO.06``) and a prefix in another case (``sc.DMP/…``).
``normalise_reference`` is applied wherever a reference is typed or read
(imports, searches, addresses, the admin), so that one requirement never
becomes two.
"""

from __future__ import annotations

import re
import unicodedata

# Every blank Unicode knows (spaces, NBSP, narrow NBSP, line breaks…), and the
# invisible characters that spreadsheets leave (zero-width space, BOM, soft
# hyphen, word joiner).
_BLANKS = re.compile(r"[\s\u00a0\u202f\u2007\u200b\u200c\u200d\u2060\ufeff\u00ad]+")


def normalise_reference(value: object) -> str:
    """The reference as the catalogue keeps it: compatibility forms folded
    (full-width letters, "ﬁ"), no blank anywhere, the prefix before the
    first dot in capitals ("sc.DMP/HISTO.06" → "SC.DMP/HISTO.06"). The rest
    keeps its case: a file's "IE.33" and "ie.33" are told apart by their
    author, not guessed here."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", text)
    text = _BLANKS.sub("", text)
    prefix, dot, rest = text.partition(".")
    if dot and prefix.isalpha():
        return prefix.upper() + dot + rest
    return text


def folded_reference(value: object) -> str:
    """A reference compared loosely (matches to propose, never to decide):
    normalised, without case."""
    return normalise_reference(value).casefold()


# "anciennement SC.MSS/CDA.04", "(anciennement : MSS/CDA.04)", "ex-SC.X.01".
_FORMERLY = re.compile(
    r"(?:anciennement|ancienne(?:ment)?\s+r[ée]f[ée]rence|ex-)\s*:?\s*(?P<ref>[A-Za-z][\w./-]*\.\d+)",
    re.IGNORECASE,
)


def former_references(text: str) -> list[str]:
    """The references a note says a requirement was called before
    ("anciennement SC.MSS/CDA.04"), normalised."""
    found = []
    for match in _FORMERLY.finditer(text or ""):
        reference = normalise_reference(match.group("ref")).rstrip(".")
        if reference and reference not in found:
            found.append(reference)
    return found
