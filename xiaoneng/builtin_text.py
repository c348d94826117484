"""Streamlit's own English words (the file uploader's "Upload" and "200MB per file", the multiselect's
"Select all", st.navigation's "Page not found" dialog) in the UI's language.

Streamlit 1.67 offers no parameter for these texts, so a small script (``script(lang)``, run by
app.py once per page) rewrites them in the browser from the catalog's ``builtin`` section. It looks
only inside those widgets and dialogs, and only at whole texts it knows; anything else is untouched.
"""

from __future__ import annotations

import json
import re

from xiaoneng.i18n import DEFAULT_LANG, LANGS, t

# Where Streamlit draws the texts: the uploader, option lists, and the error dialog of an unknown page.
SCOPES = ('[data-testid="stFileUploader"]', '[role="listbox"]', '[role="dialog"]')

# Streamlit's English text (a whole text node, as a regular expression) -> catalog key; a group of the
# expression is the catalog text's {value}.
ENGLISH = {
    r"Upload": "builtin.upload",
    r"Upload directories": "builtin.upload_directories",
    r"Add files": "builtin.add_files",
    r"Drag and drop a file here": "builtin.drop_file",
    r"Drag and drop files here": "builtin.drop_files",
    r"Drag and drop directories here": "builtin.drop_directories",
    r"(.+) per file": "builtin.per_file",
    r"Select all": "builtin.select_all",
    r"Select (\d+) matches": "builtin.select_matches",
    r"No results": "builtin.no_results",
    r"Page not found": "builtin.page_not_found",
    r"You have requested page /(.+), but no corresponding file was found in the app's pages/ directory\. "
    r"Running the app's main page\.": "builtin.page_not_found_named",
    r"The page that you have requested does not seem to exist\. Running the app's main page\.":
        "builtin.page_not_found_unnamed",
}

_SCRIPT = """
<script>
(() => {
  window.__xiaonengBuiltinText = %(rules)s;  // the latest language's texts, for the one observer
  if (window.__xiaonengBuiltinObserver) { window.__xiaonengBuiltinObserver.translate(); return; }
  const scopes = %(scopes)s.join(', ');
  const written = new WeakMap();  // node -> [the text put there, by which language's rules]
  const translateNode = (node) => {
    const text = node.nodeValue.trim();
    const done = written.get(node);
    if (!text || (done && done[0] === node.nodeValue && done[1] === window.__xiaonengBuiltinText)) return;
    for (const [pattern, replacement] of window.__xiaonengBuiltinText) {
      const match = new RegExp(`^${pattern}$`).exec(text);
      if (match) {
        const shown = replacement.replace('{value}', match[1] ?? '');
        if (shown !== text) node.nodeValue = shown;
        written.set(node, [node.nodeValue, window.__xiaonengBuiltinText]);
        return;
      }
    }
  };
  const translate = () => {
    for (const scope of document.querySelectorAll(scopes)) {
      const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) translateNode(node);
    }
  };
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; translate(); });
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  observer.translate = translate;
  window.__xiaonengBuiltinObserver = observer;
  translate();
})();
</script>
"""


def _as_pattern(text: str) -> str:
    return re.escape(text).replace(re.escape("{value}"), "(.+)")


def rules(lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """(a text as a regular expression, the text to show in ``lang``): Streamlit's English, and the
    other languages' texts (a node rewritten before a switch of language is rewritten again)."""
    found = []
    for pattern, key in ENGLISH.items():
        wanted = t(key, lang, value="{value}")
        found.append((pattern, wanted))
        found += [(_as_pattern(t(key, other, value="{value}")), wanted) for other in LANGS if other != lang]
    return found


def script(lang: str = DEFAULT_LANG) -> str:
    """The script (for st.html with JavaScript allowed) that shows Streamlit's own texts in ``lang``."""
    return _SCRIPT % {"rules": json.dumps(rules(lang), ensure_ascii=False), "scopes": json.dumps(SCOPES)}
