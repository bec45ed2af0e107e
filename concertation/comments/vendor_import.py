"""The vendors' comments the authority gathers in its test-management tool,
imported as comments on the requirements (a kind of file of the catalogue's
import page: catalogue.kinds; registered in apps.py).

The tool exports a sheet ``export_update_coms_editeurs`` (a hidden copy
with other columns may sit beside it: never read unless asked for) with, per
requirement version: ``REQ_ID`` (the tool's id; one export writes the
column twice), ``PROJECT_NAME`` ("REM_BIO_Biologie [va2]": the SONS),
``REQ_VERSION_REFERENCE`` (the requirement, without "SC."),
``REQ_VERSION_CUF_COM_EDITEURS`` (what participants may read: tagged
paragraphs "[ IT3 BIO 28/11/2022 ] text", anonymised) and
``REQ_VERSION_CUF_NOTE_INTERNE`` (the same, tagged with the vendor's name:
"[ IT3 BIO SOFTWAY 28/11/2022 ] text").

Each tagged paragraph becomes a comment on the requirement for that SONS
and iteration, dated by its tag, with no author and no vendor's name; its
named version becomes an internal note for the leads (concertation.access:
participants never read internal notes). The tool's id, tag and rank make
a key: importing the same file again changes nothing, and a corrected text
replaces the old one. A row whose requirement the authority did not publish
for that SONS ("HIDEME") gives internal notes only. Imported comments tell
nobody (they are the record of a past iteration).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue import columns as c
from catalogue.engine import Outcome
from catalogue.htmltext import cell_text
from catalogue.iterations import iteration_order, parse_iteration
from catalogue.plan import RowReport, Status
from catalogue.reading import Layout, Table, clean_code, clean_text
from core.text import render_user_markdown
from topics.models import (
    Iteration,
    IterationEntry,
    ReferenceAlias,
    Requirement,
    RequirementVersion,
    Sons,
)
from topics.references import normalise_reference

from .models import COMMENT_MAX_LENGTH, Comment, InternalNote

REQ_ID = "req_id"
PROJECT = "project_name"
REFERENCE = "req_version_reference"
MILESTONE = "req_version_milestone"
PUBLIC = "req_version_cuf_com_editeurs"
NAMED = "req_version_cuf_note_interne"
READ = (REQ_ID, PROJECT, REFERENCE, MILESTONE, PUBLIC, NAMED)


def _is_header(values: list[object]) -> bool:
    keys = {c.key(value) for value in values}
    return {REFERENCE, PROJECT, PUBLIC} <= keys


LAYOUT = Layout(
    is_header=_is_header,
    sheet="export_update_coms_editeurs",
    expected="« REQ_VERSION_REFERENCE », « PROJECT_NAME » et « REQ_VERSION_CUF_COM_EDITEURS »",
)
LABEL = gettext_lazy("Commentaires des éditeurs (outil de recette)")

# "[ IT3 BIO 28/11/2022 ] text" (participants) or "[ IT3 BIO SOFTWAY 28/11/2022 ] text".
_TAG = re.compile(
    r"^\[\s*(?P<iteration>[^\s\]]+)\s+(?P<sons>[^\s\]]+)\s+(?:(?P<vendor>[^\]]*?)\s+)?"
    r"(?P<date>\d{1,2}/\d{1,2}/\d{4})\s*\]\s*(?P<text>.*)$",
    re.DOTALL,
)
_PROJECT = re.compile(r"^REM[_ -]+(?P<code>[A-Za-z0-9-]+)")
_MARKET = re.compile(r"^[A-Z]{2,5}-(?P<code>.+)$")


def paragraphs(cell: object) -> list[dict]:
    """The tagged paragraphs of a cell, in order: iteration, SONS code,
    vendor (named version only), date, text."""
    text = clean_text(cell_text(clean_text(cell)))
    found = []
    current: dict | None = None
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        if match := _TAG.match(block):
            current = {key: (value or "").strip() for key, value in match.groupdict().items()}
            found.append(current)
        elif current is not None:
            # An untagged paragraph continues the one before.
            current["text"] = f"{current['text']}\n\n{block}".strip()
    return found


def _date(value: str):
    try:
        day = datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None
    # Noon, Paris time: the day the tag says, whatever the reader's zone.
    return timezone.make_aware(datetime.combine(day, time(12)))


class _Importer:
    def __init__(self, table: Table, *, user):
        self.user = user
        self.table = table
        self.index: dict[str, int] = {}
        self.columns: list[str] = []
        self.ignored: list[str] = []
        for position, header in enumerate(table.headers):
            key = c.key(header)
            name = " ".join(str(header).split())
            if key in READ and key not in self.index:
                self.index[key] = position
                self.columns.append(name)
            elif key in READ:
                self.ignored.append(_("%s (en double : la première est lue)") % name)
            elif name:
                self.ignored.append(name)
        self.duplicate_ids = [
            i for i, h in enumerate(table.headers) if c.key(h) == REQ_ID and i != self.index[REQ_ID]
        ] if REQ_ID in self.index else []  # fmt: skip

    def cell(self, values: list[object], key: str) -> object:
        position = self.index.get(key)
        return values[position] if position is not None and position < len(values) else None

    def prepare(self) -> None:
        self.sons_by_key: dict[str, Sons] = {}
        for sons in Sons.objects.all():
            self.sons_by_key[c.key(sons.code)] = sons
            for alias in sons.aliases.split(","):
                if alias.strip():
                    self.sons_by_key.setdefault(c.key(alias), sons)
        references = {
            normalise_reference(clean_code(self.cell(values, REFERENCE)))
            for _number, values in self.table.rows
        }
        self.requirements = {
            r.reference: r for r in Requirement.objects.filter(reference__in=references)
        }
        for alias in ReferenceAlias.objects.filter(
            reference__in=references, requirement__isnull=False
        ).select_related("requirement"):
            self.requirements.setdefault(alias.reference, alias.requirement)
        ids = {r.pk for r in self.requirements.values()}
        self.iterations = {i.code: i for i in Iteration.objects.all()}
        self.hidden = set(
            IterationEntry.objects.filter(requirement_id__in=ids, hidden=True).values_list(
                "requirement_id", "sons_id", "iteration_id"
            )
        )
        self.versions: dict[tuple[int, int, int | None], RequirementVersion] = {}
        for version in RequirementVersion.objects.filter(requirement_id__in=ids).order_by(
            "created_at", "pk"
        ):
            self.versions[(version.requirement_id, version.sons_id, version.iteration_id)] = version
            self.versions[(version.requirement_id, version.sons_id, None)] = version
        self.comments = {
            comment.source: comment
            for comment in Comment.objects.filter(requirement_id__in=ids).exclude(source="")
        }
        self.notes = {
            note.source: note
            for note in InternalNote.objects.filter(requirement_id__in=ids).exclude(source="")
        }

    def sons_for(self, project: str, tag_code: str) -> Sons | None:
        for code in (
            tag_code,
            (_PROJECT.match(project) or {"code": ""})["code"] if project else "",
        ):
            if not code:
                continue
            sons = self.sons_by_key.get(c.key(code))
            if sons is None and (match := _MARKET.match(code.upper())):
                sons = self.sons_by_key.get(c.key(match.group("code")))
            if sons is not None:
                return sons
        return None

    def iteration_for(self, code: str) -> Iteration:
        code, label = parse_iteration(code)
        iteration = self.iterations.get(code)
        if iteration is None:
            iteration = Iteration.objects.create(
                code=code, label=label, order=iteration_order(code)
            )
            self.iterations[code] = iteration
        return iteration


def run(
    table: Table,
    *,
    user,
    publish: bool = False,
    bases: dict | None = None,
    made_at=None,
    dry_run: bool = False,
    progress=None,
) -> Outcome:
    """Plan and write every row's comments (all or nothing; a dry run rolls
    back)."""
    importer = _Importer(table, user=user)
    outcome = Outcome(reports=[], columns=importer.columns, ignored_columns=importer.ignored)
    with transaction.atomic():
        importer.prepare()
        fresh_comments: list[Comment] = []
        fresh_notes: list[tuple[InternalNote, Comment | None]] = []
        changed_comments: list[Comment] = []
        changed_notes: list[InternalNote] = []
        total = len(table.rows)
        for index, (number, values) in enumerate(table.rows, 1):
            report = RowReport()
            report.number = number
            outcome.reports.append(report)
            _plan_row(importer, values, report, fresh_comments, fresh_notes, changed_comments,
                      changed_notes)  # fmt: skip
            if progress and index % 50 == 0:
                progress(index, total)
        if any(r.status == Status.ERROR for r in outcome.reports):
            transaction.set_rollback(True)
            return outcome
        created = Comment.objects.bulk_create(fresh_comments, batch_size=500)
        del created
        for note, comment in fresh_notes:
            note.comment = comment
        InternalNote.objects.bulk_create([note for note, _ in fresh_notes], batch_size=500)
        Comment.objects.bulk_update(changed_comments, ["body", "html", "version"], batch_size=200)
        InternalNote.objects.bulk_update(changed_notes, ["body", "html"], batch_size=200)
        if dry_run:
            transaction.set_rollback(True)
    if progress:
        progress(total, total)
    return outcome


def _plan_row(
    importer: _Importer,
    values: list[object],
    report: RowReport,
    fresh_comments: list[Comment],
    fresh_notes: list[tuple[InternalNote, Comment | None]],
    changed_comments: list[Comment],
    changed_notes: list[InternalNote],
) -> None:
    req_id = clean_code(importer.cell(values, REQ_ID))
    for position in importer.duplicate_ids:
        other = clean_code(values[position]) if position < len(values) else ""
        if other and other != req_id:
            report.messages.append(
                _(
                    "Les deux colonnes REQ_ID diffèrent (%(first)s, %(second)s) : la première est "
                    "lue."
                )
                % {"first": req_id, "second": other}
            )
    reference = normalise_reference(clean_code(importer.cell(values, REFERENCE)))
    project = clean_code(importer.cell(values, PROJECT))
    public = paragraphs(importer.cell(values, PUBLIC))
    named = paragraphs(importer.cell(values, NAMED))
    report.reference = reference
    requirement = importer.requirements.get(reference)
    first_tag = (public or named or [{}])[0]
    sons = importer.sons_for(project, first_tag.get("sons", ""))
    report.sons = sons.code if sons else project
    if requirement is not None:
        report.reference = requirement.reference
    if not public and not named:
        report.status = Status.SKIPPED
        report.messages.append(_("Aucun commentaire daté (« [ IT3 BIO 28/11/2022 ] … ») à lire."))
        return
    if requirement is None:
        report.status = Status.SKIPPED
        report.messages.append(
            _(
                "Exigence « %(reference)s » inconnue du catalogue : importez d'abord l'itération "
                "qui la contient (et confirmez ses correspondances de références)."
            )
            % {"reference": reference}
        )
        return
    if sons is None:
        report.status = Status.SKIPPED
        report.messages.append(_("SONS inconnu pour le projet « %s ».") % project)
        return
    if not req_id:
        report.status = Status.SKIPPED
        report.messages.append(_("REQ_ID vide : le commentaire n'aurait pas de clé."))
        return
    used: set[int] = set()
    seen: dict[str, int] = defaultdict(int)
    created = updated = 0
    for paragraph in public:
        tag = f"{paragraph['iteration']} {paragraph['sons']} {paragraph['date']}"
        seen[tag] += 1
        key = f"squash:{req_id}:{tag}:{seen[tag]}"
        partner = _partner(paragraph, named, used)
        iteration = importer.iteration_for(paragraph["iteration"])
        when = _date(paragraph["date"])
        body = paragraph["text"][:COMMENT_MAX_LENGTH]
        if when is None or not body:
            report.messages.append(_("Paragraphe illisible ignoré : « %s… ».") % tag)
            continue
        hidden = (requirement.pk, sons.pk, iteration.pk) in importer.hidden
        comment = None
        if hidden:
            report.messages.append(
                _("Exigence non publiée (HIDEME) pour %(sons)s : gardé en note interne seulement.")
                % {"sons": sons.code}
            )
        else:
            comment = importer.comments.get(key)
            version = importer.versions.get((requirement.pk, sons.pk, iteration.pk))
            if comment is None:
                comment = Comment(
                    requirement=requirement,
                    sons=sons,
                    version=version,
                    iteration=iteration,
                    body=body,
                    html=render_user_markdown(body),
                    created_at=when,
                    source=key,
                )
                importer.comments[key] = comment
                fresh_comments.append(comment)
                created += 1
            elif comment.body != body:
                comment.body, comment.html = body, render_user_markdown(body)
                changed_comments.append(comment)
                updated += 1
        text = partner if partner is not None else None
        if text is not None:
            created, updated = _note(importer, requirement, key, text, comment, when,
                                     fresh_notes, changed_notes, created, updated)  # fmt: skip
    # Named paragraphs without a public one: the authority's notes only.
    for position, paragraph in enumerate(named):
        if position in used:
            continue
        tag = f"{paragraph['iteration']} {paragraph['sons']} {paragraph['date']}"
        key = f"squash:{req_id}:{tag}:note{position + 1}"
        created, updated = _note(importer, requirement, key, paragraph, None,
                                 _date(paragraph["date"]), fresh_notes, changed_notes, created,
                                 updated)  # fmt: skip
    if created:
        report.status = Status.CREATED
        report.changes.append(_("%s commentaire(s) ou note(s) ajouté(s)") % created)
    elif updated:
        report.status = Status.UPDATED
        report.changes.append(_("%s commentaire(s) ou note(s) corrigé(s)") % updated)
    else:
        report.status = Status.UNCHANGED


def _partner(paragraph: dict, named: list[dict], used: set[int]) -> dict | None:
    """The named version of a public paragraph: same iteration, SONS, date
    and text if there is one, else the next of the same tag."""
    same_tag = [
        (i, p)
        for i, p in enumerate(named)
        if i not in used
        and (p["iteration"], p["sons"], p["date"])
        == (paragraph["iteration"], paragraph["sons"], paragraph["date"])
    ]
    for i, p in same_tag:
        if " ".join(p["text"].split()) == " ".join(paragraph["text"].split()):
            used.add(i)
            return p
    if same_tag:
        used.add(same_tag[0][0])
        return same_tag[0][1]
    return None


def _note(importer, requirement, key, paragraph, comment, when, fresh, changed, created, updated):
    vendor = paragraph.get("vendor") or ""
    body = (
        f"[ {paragraph['iteration']} {paragraph['sons']} {vendor} {paragraph['date']} ] "
        f"{paragraph['text']}"
    ).replace("  ", " ")[:COMMENT_MAX_LENGTH]
    note = importer.notes.get(key)
    if note is None:
        note = InternalNote(
            requirement=requirement,
            author=importer.user,
            body=body,
            html=render_user_markdown(body),
            created_at=when or timezone.now(),
            source=key,
        )
        importer.notes[key] = note
        fresh.append((note, comment))
        return created + 1, updated
    if note.body != body:
        note.body, note.html = body, render_user_markdown(body)
        changed.append(note)
        return created, updated + 1
    return created, updated
