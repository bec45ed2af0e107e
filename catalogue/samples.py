"""Spreadsheets in the authority's layout, built with openpyxl: for the tests
(messy on purpose: title rows, merged cells, a second sheet, ``_x000D_``,
non-breaking spaces, trailing blanks, numbers) and for the benchmark."""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

AUTHORITY_HEADERS = [
    "ID Exigence",
    "Domaine (Chantier)",
    "Bloc",
    "Fonction",
    "Nature de l'exigence",
    "Evolution",
    "Commentaire ANS/DNS/CNAM",
    "Enoncé de l'exigence - Itération #2",
    "Ancien énoncé de l'exigence - Itération #1",
    # Real files break this header over two lines.
    "Remarques (proposition de reformulation,\nquestions, etc.)",
    "REM",
]


@dataclass
class Row:
    reference: str
    sons: str
    evolution: str = "Inchangée"
    current: str = ""
    former: str = ""
    comment: str = ""
    remark: str = ""
    domain: str = "SSI"
    block: str = ""
    function: str = ""
    nature: str = "Obligatoire"

    def values(self) -> list[object]:
        return [
            self.reference,
            self.domain,
            self.block,
            self.function,
            self.nature,
            self.evolution,
            self.comment,
            self.current,
            self.former,
            self.remark,
            self.sons,
        ]


def authority_workbook(
    rows: Iterable[Row],
    *,
    title_rows: Sequence[str] = (),
    sheet: str = "Exigences",
    other_sheets: Sequence[str] = (),
    merge_domain: bool = False,
) -> bytes:
    """An XLSX as the authority sends it. ``title_rows`` go above the header
    (the first one merged across the columns); ``other_sheets`` come first,
    without the expected header; ``merge_domain`` merges each run of equal
    domains vertically, as people do by hand."""
    workbook = Workbook()
    first = workbook.active
    first.title = other_sheets[0] if other_sheets else sheet
    sheets = [first]
    for name in [*other_sheets[1:], sheet] if other_sheets else []:
        sheets.append(workbook.create_sheet(name))
    for name, worksheet in zip([*other_sheets, sheet], sheets, strict=True):
        if name != sheet:
            worksheet.append(["Synthèse des évolutions", "voir l'onglet", sheet])
            worksheet.append(["Total", 12])
    worksheet = sheets[-1]
    for index, title in enumerate(title_rows):
        worksheet.append([title])
        if index == 0:
            worksheet.merge_cells(
                start_row=1, start_column=1, end_row=1, end_column=len(AUTHORITY_HEADERS)
            )
    worksheet.append(AUTHORITY_HEADERS)
    header_row = len(title_rows) + 1
    rows = list(rows)
    for row in rows:
        worksheet.append(row.values())
    if merge_domain:
        run_start = 0
        for index in range(1, len(rows) + 1):
            if index == len(rows) or rows[index].domain != rows[run_start].domain:
                if index - 1 > run_start:
                    worksheet.merge_cells(
                        start_row=header_row + 1 + run_start,
                        start_column=2,
                        end_row=header_row + index,
                        end_column=2,
                    )
                run_start = index
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SONS_CODES = ("DB", "BIO", "RIS", "LGC", "DPI", "PFI")
EVOLUTIONS = ("Inchangée", "Modifiée", "En cours d'instruction", "Nouvelle", "Obsolète")


def generated_rows(references: int = 400, rows: int = 1100, seed: int = 2023) -> list[Row]:
    """``rows`` rows over ``references`` references and the six SONS, with
    every kind of evolution: the size of the authority's real file."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    result: list[Row] = []
    per_reference = [1] * references
    for _ in range(min(rows, references * len(SONS_CODES)) - references):
        index = rng.randrange(references)
        while per_reference[index] == len(SONS_CODES):
            index = (index + 1) % references
        per_reference[index] += 1
    for index, count in enumerate(per_reference):
        domain = rng.choice(["SSI", "DMP", "MSS", "INS", "UX", "DOCS"])
        reference = f"SC.{domain}/BENCH.{index:03d}"
        former = (
            f"Le système DOIT permettre à l'utilisateur de consulter l'élément {index}.\n"
            "- premier point\n- second point"
        )
        # Mostly one evolution and one comment per requirement, as the
        # authority decides; sometimes one SONS differs (obsolete for RIS…).
        shared = rng.choice(EVOLUTIONS)
        for sons in rng.sample(SONS_CODES, count):
            evolution = shared if rng.random() < 0.85 else rng.choice(EVOLUTIONS)
            current = {
                "Inchangée": former,
                "Modifiée": former.replace("consulter", "consulter et exporter"),
                "En cours d'instruction": former,
                "Nouvelle": f"Le système PEUT proposer la fonction {index} ({sons}).",
                "Obsolète": "",
            }[evolution]
            result.append(
                Row(
                    reference=reference,
                    sons=sons,
                    evolution=evolution,
                    current=current,
                    former="" if evolution == "Nouvelle" else former,
                    comment=f"Arbitrage : {evolution.lower()} (exigence {index}).",
                    domain=domain,
                    block=f"Bloc {index % 7}",
                    function=f"Fonction {index % 11}",
                    nature="Obligatoire" if index % 3 else "Préconisée",
                )
            )
    return result
