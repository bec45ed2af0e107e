"""The columns of a requirement spreadsheet: the authority's concertation
layout (one row = one requirement in one SONS), its test-management export
(sheet ``export_final``: "Section (Domaine)", "VERIF: Jalons", "VERIF: Note
interne"…) and the portal's own export, which adds what the authority's file
does not carry.

Columns are recognised by their exact names (accents, case and blanks
aside): a column that merely starts like a known one ("Commentaire éditeur"
beside "Commentaire ANS/DNS/CNAM") is not read, and the report lists it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from arbitrations.models import Arbitration
from topics.models import Requirement, RequirementSons

# Canonical keys of the columns the import understands.
REFERENCE = "reference"
SONS = "sons"
DOMAIN = "domain"
BLOCK = "block"
FUNCTION = "function"
NATURE = "nature"
BLOCKING = "blocking"
TOPIC = "topic"
STATE = "state"
EVOLUTION = "evolution"
STATUS = "status"
COMMENT = "comment"
STATEMENT = "statement"
REMARK = "remark"
BASE = "base"
MILESTONES = "milestones"  # the test-management export's "VERIF: Jalons"
INTERNAL_NOTE = "internal_note"  # its "VERIF: Note interne" (leads only)
ROW_NUMBER = "_row"
# Statement columns carry a version label: "statement:Itération #2".
CURRENT_PREFIX = "current:"  # the authority's "Enoncé de l'exigence - <label>"
FORMER_PREFIX = "former:"  # the authority's "Ancien énoncé de l'exigence - <label>"
VERSION_PREFIX = "version:"  # the portal's "Version : <label>"

# The headers as the authority and the portal write them.
HEADERS = {
    REFERENCE: "ID Exigence",
    DOMAIN: "Domaine (Chantier)",
    BLOCK: "Bloc",
    FUNCTION: "Fonction",
    NATURE: "Nature de l'exigence",
    EVOLUTION: "Evolution",
    COMMENT: "Commentaire ANS/DNS/CNAM",
    REMARK: "Remarques (proposition de reformulation, questions, etc.)",
    SONS: "REM",
    # The portal's additions.
    BLOCKING: "Bloquante",
    TOPIC: "Sujet",
    STATE: "État",
    STATUS: "Statut de l'arbitrage",
    STATEMENT: "Énoncé en vigueur",
    BASE: "Réf. arbitrage",
}
CURRENT_HEADER = "Enoncé de l'exigence - {label}"
FORMER_HEADER = "Ancien énoncé de l'exigence - {label}"
VERSION_HEADER = "Version : {label}"

# "Evolution" → decision (the table), and back for exports.
EVOLUTIONS = {
    "Inchangée": Arbitration.Decision.KEPT,
    "Modifiée": Arbitration.Decision.MODIFIED,
    "En cours d'instruction": Arbitration.Decision.UNDER_INSTRUCTION,
    "Nouvelle": Arbitration.Decision.ADDED,
    "Obsolète": Arbitration.Decision.REMOVED,
}
EVOLUTION_OF = {decision: label for label, decision in EVOLUTIONS.items()}
# The test-management export's words for the same (iteration 3 on).
EVOLUTION_SYNONYMS = {
    "Stable": Arbitration.Decision.KEPT,
    "Exigence revue": Arbitration.Decision.MODIFIED,
    "Nouvelle exigence": Arbitration.Decision.ADDED,
    "Exigence supprimée": Arbitration.Decision.REMOVED,
}
# A row the authority does not publish: imported for leads and admins only.
HIDDEN_EVOLUTION = "HIDEME"
NATURES = {
    "Obligatoire": Requirement.Nature.MANDATORY,
    "Préconisée": Requirement.Nature.RECOMMENDED,
}
NATURE_OF = {nature: label for label, nature in NATURES.items()}
STATES = {"En vigueur": RequirementSons.State.IN_FORCE, "Obsolète": RequirementSons.State.OBSOLETE}
STATE_OF = {state: label for label, state in STATES.items()}
YES, NO = "Oui", "Non"

# Column names shown in error messages when the file did not name them.
LABELS = {
    REFERENCE: _("ID Exigence"),
    SONS: _("REM"),
    EVOLUTION: _("Evolution"),
    NATURE: _("Nature de l'exigence"),
    STATEMENT: _("Énoncé"),
}


def key(text: object) -> str:
    """A header or a choice as compared: no accents, no case, apostrophes
    straightened, any run of blanks (line breaks, non-breaking spaces) one space."""
    text = "" if text is None else str(text)
    # A file repeats the same few codes and choices on every row.
    return _key(text) if len(text) <= 80 else _fold(text)


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = text.replace("_x000D_", " ").replace("’", "'").replace("‘", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("_x000D_", " ")).strip()


_FIXED = {
    "id exigence": REFERENCE,
    "id de l'exigence": REFERENCE,
    "reference": REFERENCE,
    "domaine (chantier)": DOMAIN,
    "section (domaine)": DOMAIN,
    "domaine": DOMAIN,
    "chantier": DOMAIN,
    "bloc": BLOCK,
    "fonction": FUNCTION,
    "nature de l'exigence": NATURE,
    "nature de l'exigence preconisee & obligatoire": NATURE,
    "nature de l'exigence preconisee/obligatoire": NATURE,
    "nature": NATURE,
    "evolution": EVOLUTION,
    # The authority's comment: its known spellings only ("Commentaire
    # éditeur" is someone else's words).
    "commentaire ans/dns/cnam": COMMENT,
    "commentaire ans/dns": COMMENT,
    "commentaire de l'autorite": COMMENT,
    "remarques": REMARK,
    "remarque": REMARK,
    "verif: jalons": MILESTONES,
    "verif : jalons": MILESTONES,
    "jalons": MILESTONES,
    "verif: note interne": INTERNAL_NOTE,
    "verif : note interne": INTERNAL_NOTE,
    "rem": SONS,
    "sons": SONS,
    "bloquante": BLOCKING,
    "sujet": TOPIC,
    "etat": STATE,
    "statut de l'arbitrage": STATUS,
    "enonce en vigueur": STATEMENT,
    "ref. arbitrage": BASE,
}
_CURRENT = re.compile(r"^enonce de l'exigence\s*[-–—:]\s*(?P<label>.+)$")
_FORMER = re.compile(r"^ancien enonce de l'exigence\s*[-–—:]\s*(?P<label>.+)$")
_VERSION = re.compile(r"^version\s*:\s*(?P<label>.+)$")


# The authority's remarks column, whatever it lists in its parentheses
# ("questions, etc.", "…").
_REMARKS = re.compile(r"^remarques? \(proposition de reformulation\b")


def column_of(header: object) -> str | None:
    """The canonical key of a header, or None for a column the import ignores."""
    # Blanks around slashes are the writer's taste: "ANS / DNS / CNAM".
    plain = key(header)
    folded = re.sub(r"\s*/\s*", "/", plain)
    if not folded:
        return None
    if folded in _FIXED:
        return _FIXED[folded]
    if _REMARKS.match(folded):
        return REMARK
    original = _label(str(header))
    for pattern, prefix in ((_CURRENT, CURRENT_PREFIX), (_FORMER, FORMER_PREFIX)):
        if match := pattern.match(plain):
            # The label as the file writes it, accents and case kept.
            return prefix + original[len(original) - len(match.group("label")) :].strip()
    if match := _VERSION.match(plain):
        return VERSION_PREFIX + original[len(original) - len(match.group("label")) :].strip()
    return None


def is_header_row(values: list[object]) -> bool:
    keys = {column_of(value) for value in values}
    return REFERENCE in keys and SONS in keys


_TABLES: dict[int, dict[str, str]] = {}


def choice(value: str, choices: dict[str, str], extra: dict[str, str] | None = None) -> str | None:
    """The value a label stands for, compared as ``key`` does; None when unknown."""
    cache_key = hash((tuple(choices.items()), tuple((extra or {}).items())))
    table = _TABLES.get(cache_key)
    if table is None:
        table = {key(label): code for label, code in choices.items()}
        table.update({key(code): code for code in choices.values()})
        for label, code in (extra or {}).items():
            table[key(label)] = code
        _TABLES[cache_key] = table
    folded = key(value)
    if folded in table:
        return table[folded]
    # "Modifiée (reformulation)", "Nouvelle exigence": a known word first.
    for label, code in table.items():
        if len(label) > 3 and folded.startswith(label) and not folded[len(label)].isalnum():
            return code
    return None
