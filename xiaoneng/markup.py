"""Text from the URL or the data (snapshot ids, unit and item names, codes) inside the Markdown that
Streamlit renders in notices, captions and headings: escaped so it reads exactly as typed and never
becomes a link, an image, emphasis, a colour directive (``:red[…]``), an icon, LaTeX or HTML.

``escape_markdown`` is the one helper; the catalog's own texts (xiaoneng/locales) are trusted and
stay Markdown.
"""

from __future__ import annotations

# CommonMark lets a backslash escape any ASCII punctuation. These start or close a link, an image,
# emphasis, code, a directive or icon (":"), LaTeX ("$"), HTML ("<"), a table ("|") or an autolink
# ("http:", "www."); "-" is left alone (dates and ids are full of it and it is inert mid-line).
_SPECIAL = frozenset("\\`*_{}[]()#+.!|<>~$:&=")


def escape_markdown(text: object) -> str:
    """``text`` as literal Markdown: special characters backslash-escaped, line breaks as spaces
    (a new line could start a heading or a list)."""
    flat = " ".join(str(text).splitlines())
    return "".join("\\" + c if c in _SPECIAL else c for c in flat)


def escape_names(names: dict[str, str]) -> dict[str, str]:
    """Code → name with every name escaped (unit names handed to a function that writes Markdown)."""
    return {code: escape_markdown(name) for code, name in names.items()}
