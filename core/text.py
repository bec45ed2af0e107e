"""Text shared by every page: sanitised Markdown and word-level diffs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote"}


@lru_cache(maxsize=8192)
def render_markdown(text: str, *, link_rel: str = "noopener noreferrer nofollow") -> str:
    """Markdown to HTML that is safe to show: no raw HTML, only plain links.
    Text that looks like a tag is text: a statement's "https://<location>/…"
    shows as written (escaped before Markdown reads it), not as a link with
    a hole in it.

    A pure function of its arguments, memoised per process: pages show the
    same comments and statements again and again (hundreds per page), and
    rendering and sanitising is their main cost."""
    html = markdown_lib.markdown(
        (text or "").replace("<", "&lt;"), extensions=["sane_lists"], output_format="html"
    )
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )
    # Quotes in the text as entities, as Django's autoescape writes them, so
    # that no text looks like an attribute to a scanner.
    return "".join(
        part if part.startswith("<") else part.replace('"', "&quot;") for part in _TAGS.split(html)
    )


class _PlainText(HTMLParser):
    """Our sanitised Markdown HTML (ALLOWED_TAGS) as the text a reader sees:
    paragraphs apart, list items on their own line after a bullet or their
    number, a link's address after its words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int] | None] = []  # per open list: [next number] or None
        self.href: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "blockquote"):
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self.lists.append([1] if tag == "ol" else None)
        elif tag == "li":
            numbering = self.lists[-1] if self.lists else None
            indent = "  " * max(0, len(self.lists) - 1)
            if numbering is None:
                self.parts.append(f"\n{indent}• ")
            else:
                self.parts.append(f"\n{indent}{numbering[0]}. ")
                numbering[0] += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.parts.append("")

    def handle_endtag(self, tag):
        if tag in ("p", "blockquote"):
            self.parts.append("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.parts.append("\n")
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href and href.removeprefix("mailto:") not in self.parts[-1]:
                self.parts.append(f" ({href.removeprefix('mailto:')})")

    def handle_data(self, data):
        # A line break inside a paragraph of Markdown is a space on the page.
        text = re.sub(r"\s*\n\s*", " ", data)
        if not self.parts or self.parts[-1].endswith(("\n", " ")):
            text = text.lstrip()
        if text:
            self.parts.append(text)

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t]+\n", "\n", joined)
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


@lru_cache(maxsize=4096)
def markdown_to_text(text: str) -> str:
    """Markdown as plain text, as the page shows it (for spreadsheet cells
    and e-mails): no ``**``, bullets for lists, paragraphs kept apart."""
    if not text:
        return ""
    parser = _PlainText()
    parser.feed(render_markdown(text))
    parser.close()
    return parser.text()


def render_user_markdown(text: str) -> str:
    """What a participant typed (a comment), as safe HTML: Markdown, but any
    HTML they typed is shown as text, not interpreted, and their links are
    marked as user content (``ugc``) that search engines do not endorse."""
    # render_markdown escapes "<" before Markdown reads it: it never opens a tag.
    return render_markdown(text or "", link_rel="noopener noreferrer nofollow ugc")


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal", "insert" or "delete"
    text: str


_TAGS = re.compile(r"(<[^>]*>)")
_TOKENS = re.compile(r"\s+|[^\s]+")
_EMPHASIS = re.compile(r"\*\*|__")


def word_diff(before: str, after: str) -> list[DiffPart]:
    """The changes between two statements, word by word (whitespace kept,
    Markdown emphasis markers left out: they are not words)."""
    old = _TOKENS.findall(_EMPHASIS.sub("", before or ""))
    new = _TOKENS.findall(_EMPHASIS.sub("", after or ""))
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(new[j1:j2])))
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(old[i1:i2])))
    return parts


def whole_number(value: str | None) -> int | None:
    """``value`` as a whole number when it is one written in ASCII digits, as
    addresses and forms write them, else None. Not ``int(v) if
    v.isdigit()``: "²" is a digit that int() refuses, and int() refuses more
    than 4300 digits; 18 digits at most keep within PostgreSQL's bigint."""
    if value and len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None
