"""The one UI text catalog: ``xiaoneng/locales/<lang>.yaml``, Simplified Chinese by default.

Pages and charts never hold literal UI strings: they ask ``t("section.key", lang)``.
Indicator labels, definitions and units are not here: they live in the indicator
catalog (config/indicators.yaml) and are read through ``Indicator.label(lang)`` etc.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from xiaoneng.indicators import catalog

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def normalise_lang(lang: str | None) -> str:
    """A supported language code; anything else falls back to Chinese."""
    return lang if lang in LANGS else DEFAULT_LANG


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = str(value)
    return flat


@cache
def messages(lang: str) -> dict[str, str]:
    """All texts of one language, keyed by dotted path ("kpi.previous")."""
    path = LOCALES_DIR / f"{normalise_lang(lang)}.yaml"
    return _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language lacks it), placeholders filled.

    An unknown key raises ``KeyError``: a typo must fail a test, not show a raw key to a leader.
    """
    text = messages(normalise_lang(lang)).get(key)
    if text is None:
        text = messages(DEFAULT_LANG)[key]
    return text.format(**values) if values else text


def is_wide(char: str) -> bool:
    """A CJK character or full-width form (U+2E80 on): about twice as wide as a Latin letter."""
    return ord(char) > 0x2E7F


def join_names(names: list[str], lang: str, limit: int = 3) -> str:
    """A short list for one line of text: the first ``limit`` names, then "等N项" / "and N more"."""
    if not names:
        return t("context.all", lang)
    shown = t("context.separator", lang).join(names[:limit])
    if len(names) > limit:
        shown += t("context.more", lang, total=len(names), more=len(names) - limit)
    return shown


def indicator_definitions(lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The indicator catalog as the definitions page shows it, in one language."""
    rows = []
    for ind in catalog().values():
        rows.append({
            t("definitions.label", lang): ind.label(lang),
            t("definitions.definition", lang): ind.definition(lang),
            t("definitions.unit", lang): ind.unit(lang),
            t("definitions.better", lang): t(f"better.{ind.better}", lang),
            t("definitions.target", lang): "" if ind.target is None else ind.format(ind.target, lang),
            t("definitions.weight", lang): f"{ind.weight:g}" if ind.weight else "",
            t("definitions.headline", lang): t("definitions.headline_mark", lang) if ind.headline else "",
            t("definitions.key", lang): ind.key,
        })
    return pd.DataFrame(rows)
