"""Cells that hold HTML (the authority's test-management export writes its
statements and comments as ``<p>Le syst&egrave;me DOIT&nbsp;:<br/>…</p>``).

The catalogue keeps text, in the portal's Markdown: paragraphs, line
breaks, lists ("- "), bold and italics; never a tag. A plain-text cell that
merely looks like it holds a tag ("https://<location>/drim…") is text and
stays as it is: only a cell that uses the markup of rich text is converted.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# What the export's rich-text cells are made of. A cell is read as HTML when
# it holds one of these tags or an entity: "<location>" is neither.
_RICH = re.compile(
    r"</?(p|br|div|span|i|em|b|strong|u|ul|ol|li|table|tr|td|th|h[1-6]|sup|sub|font|a|s|strike|"
    r"del|ins|code|pre|blockquote)(\s[^<>]*)?/?>|&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,30});",
    re.IGNORECASE,
)
_BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "blockquote", "pre", "h1", "h2", "h3", "h4"}
_BLOCKS |= {"h5", "h6"}
# The tags of rich text; any other "<word>" in a rich cell is the text's own.
_KNOWN = _BLOCKS | {"br", "li", "b", "strong", "i", "em", "td", "th", "span", "u", "sup", "sub"}
_KNOWN |= {"font", "a", "s", "strike", "del", "ins", "code", "script", "style", "tbody", "thead"}


def looks_like_html(value: str) -> bool:
    return bool(value) and _RICH.search(value) is not None


class _ToText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int | None]] = []  # [next number or None] per open list
        self.ignored = 0  # inside <script>/<style>: dropped

    def _newlines(self, count: int) -> None:
        text = "".join(self.parts)
        if not text.strip():
            return
        trailing = len(text) - len(text.rstrip("\n"))
        if trailing < count:
            self.parts.append("\n" * (count - trailing))

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag not in _KNOWN:
            self.parts.append(self.get_starttag_text() or f"<{tag}>")
        elif tag in ("script", "style"):
            self.ignored += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self._newlines(1 if self.lists else 2)
            self.lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            self._newlines(1)
            indent = "  " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0] is not None:
                self.parts.append(f"{indent}{self.lists[-1][0]}. ")
                self.lists[-1][0] += 1
            else:
                self.parts.append(f"{indent}- ")
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag in ("i", "em"):
            self.parts.append("_")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag not in _KNOWN:
            self.parts.append(f"</{tag}>")
        elif tag in ("script", "style"):
            self.ignored = max(0, self.ignored - 1)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(2)
        elif tag in _BLOCKS:
            self._newlines(2)
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag in ("i", "em"):
            self.parts.append("_")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.ignored:
            return
        # Source line breaks are not the text's (only <br> and blocks are).
        self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(value: str) -> str:
    """The text of an HTML cell, in the portal's Markdown."""
    parser = _ToText()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts).replace("\u00a0", " ")
    # Emphasis around nothing, blanks at line ends, runs of blank lines.
    text = re.sub(r"(\*\*|_)\s*\1", "", text)
    lines = [line.strip(" ") if not line.lstrip().startswith("- ") else line.rstrip() for line in
             text.split("\n")]  # fmt: skip
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def cell_text(value: str) -> str:
    """A text cell as the catalogue keeps it: converted when it is HTML,
    unchanged otherwise (entities included: a plain cell is not HTML)."""
    if looks_like_html(value):
        return html_to_text(value)
    return value


def unescape(value: str) -> str:
    """Entities only (``&eacute;``), for one-line cells that hold no tag."""
    return html.unescape(value)
