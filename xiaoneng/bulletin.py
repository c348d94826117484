"""The 通报 draft: the period's bulletin in the customary structure, generated from the query layer.

一、总体情况 (each headline number with 环比, 同比 and its target verdict), 二、红黑榜 (counties and
departments by composite score), 三、存在的问题 (overdue open cases, bad reviews not rectified in
time, units whose on-time rate fell and the items behind it), 四、整改要求 (the units named above,
with a deadline) and the 落款. Every number comes from the functions the pages use (overview,
scorecard, supervision, satisfaction, approval, metrics) and is formatted by the indicator catalog,
so the bulletin cannot disagree with the dashboard. The user edits the text in the app;
``from_text`` reads the edited text back, and ``to_docx`` / ``to_txt`` write what was edited.

The rules that go with every number are written out (product.md §4): a period or selection without
data says 无数据 in every section and names nobody; a running period says 截至 M月D日 and is compared
with the same span (环比/同比, and the units whose 按期办结率 fell); a comparison with a period the
snapshot does not cover says 无可比数据; a 样本不足 unit is ranked but never on the 红榜/黑榜, never best
or worst, never judged for a fall; and 总体情况 ends with the counting rules in plain words (按期办结率
over the cases due, 办结件按时率 as the systems report it, 超期件 a stock at the period's end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from xiaoneng import (
    approval,
    audit,
    auth,
    briefing,
    cli_args,
    ledger,
    offenders,
    overview,
    satisfaction,
    scorecard,
    supervision,
)
from xiaoneng.briefing import (
    MeetingConfig,
    date_text,
    format_value,
    is_missing,
    meeting_config,
    no_data_reason,
    red_and_black_lists,
    scope_text,
    small_base,
    state_moment,
    target_text,
)
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog, rules
from xiaoneng.metrics import SnapshotView, indicator_table, indicator_table_with_changes
from xiaoneng.periodnotes import span_label

# How many units 三、存在的问题 names per finding (and so asks to rectify): a 通报 singles out the
# worst few, it does not list every department of the city.
TOP_UNITS = 3
ITEMS_PER_UNIT = 2  # the items named behind a unit whose on-time rate fell
DECLINE_KEY = "on_time_rate"
# A unit's on-time rate moves by a few tenths of a point from month to month without anything
# going wrong; a fall smaller than this (percentage points) is not called 效能下滑.
DECLINE_MIN_POINTS = 1.0

# A heading is a line "一、…" (Chinese) or "I. …" (English); a sub-heading opens a paragraph
# "（一）….": the docx sets them in the 公文 fonts.
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[IVX]+\.\s)")
SUBHEADING = re.compile(r"^(?:（[一二三四五六七八九十]+）[^。]*。|\(\d+\)[^.]*\.)")
# The 落款 ends with its date: "2026年10月30日" or "2026-10-30".
CLOSING_DATE = re.compile(r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})$")
CJK = re.compile(r"[\u4e00-\u9fff]")
INDENT_ZH = "\u3000\u3000"  # the first-line indent of two full-width spaces
UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\r\n\t]')

# GB/T 9704 公文 layout: 仿宋 三号 body on a 28 pt line, 黑体 headings, 楷体 sub-headings.
BODY_FONT, HEADING_FONT, SUBHEADING_FONT, LATIN_FONT = "仿宋", "黑体", "楷体", "Times New Roman"
BODY_SIZE, TITLE_SIZE, LINE_PITCH = Pt(16), Pt(22), Pt(28)
PAGE_NUMBER_SIZE = Pt(14)  # 四号
MARGINS = {"top_margin": Cm(3.7), "bottom_margin": Cm(3.5), "left_margin": Cm(2.8), "right_margin": Cm(2.6)}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT_MIME = "text/plain"

Section = tuple[str, tuple[str, ...]]


# ---------------------------------------------------------------- the document

@dataclass(frozen=True)
class Bulletin:
    """A 通报: the title, the lines before the first heading (addressee, opening), the sections
    (heading, paragraphs) and the 落款 (issuing office, date). One paragraph is one line of text.
    The 文号 over the title is not part of it: the page and the command line give it beside the text
    (``to_docx``'s ``number``)."""

    title: str
    preamble: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    closing: tuple[str, ...] = ()

    def to_text(self) -> str:
        """The bulletin as plain text: blank lines between blocks, Chinese paragraphs indented."""
        indent = INDENT_ZH if CJK.search(self.title) else ""
        blocks = [[self.title]]
        if self.preamble:
            blocks.append([p if _is_addressee(p) else indent + p for p in self.preamble])
        blocks += [[heading, *(indent + p for p in paragraphs)] for heading, paragraphs in self.sections]
        if self.closing:
            blocks.append(list(self.closing))
        return "\n\n".join("\n".join(block) for block in blocks) + "\n"

    @property
    def paragraph_count(self) -> int:
        return len(self.preamble) + sum(len(paragraphs) for _, paragraphs in self.sections)


def _is_addressee(line: str) -> bool:
    """The addressee before the opening ("各区县、市直各部门：") starts at the margin, unindented."""
    return line.endswith(("：", ":"))


def from_text(text: str) -> Bulletin:
    """Read an (edited) text back: the first line is the title, lines like "一、…" open a section,
    a last block ending with a date is the 落款, every other non-empty line is a paragraph."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()  # also the full-width indent
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if not blocks:
        return Bulletin("")
    closing: tuple[str, ...] = ()
    last = blocks[-1]
    if len(blocks) > 1 and CLOSING_DATE.search(last[-1]) and not any(HEADING.match(line) for line in last):
        closing = tuple(blocks.pop())
    lines = [line for block in blocks for line in block]
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in lines[1:]:
        if HEADING.match(line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            preamble.append(line)
    return Bulletin(lines[0], tuple(preamble), tuple((h, tuple(p)) for h, p in sections), closing)


def to_txt(bulletin: Bulletin) -> bytes:
    """Plain UTF-8 with CRLF line ends, so Windows Notepad shows the lines."""
    return bulletin.to_text().replace("\n", "\r\n").encode("utf-8")


def _font(run, east_asia: str, size: Pt, bold: bool = False) -> None:
    """Latin text in the Latin font, Chinese in ``east_asia`` (w:rFonts w:eastAsia, which Word and
    WPS read for CJK characters)."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _paragraph(doc, text: str, east_asia: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
               align=None, indent: bool = False):
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = BODY_SIZE * 2  # two characters
    sub = SUBHEADING.match(text)
    if sub and east_asia == BODY_FONT:
        _font(paragraph.add_run(sub.group(0)), SUBHEADING_FONT, size, bold=True)
        text = text[sub.end():]
    if text:
        _font(paragraph.add_run(text), east_asia, size, bold)
    return paragraph


def _page_number_footer(section) -> None:
    """The page number centred in the footer as GB/T 9704 writes it, "— 1 —": a PAGE field, which Word
    and WPS fill in on every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), BODY_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _font(run, BODY_FONT, PAGE_NUMBER_SIZE)
        if kind:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text  # what shows until the field is updated
    _font(paragraph.add_run(" —"), BODY_FONT, PAGE_NUMBER_SIZE)


def to_docx(bulletin: Bulletin, number: str = "") -> bytes:
    """A Word document in the 公文 layout: the 文号 ``number`` (if any) centred over the centred title,
    黑体 headings, 仿宋 body, the 落款 on the right, page numbers in the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    chinese = bool(CJK.search(bulletin.title))
    _page_number_footer(section)

    if number:
        _paragraph(doc, number, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_after = LINE_PITCH
    title = _paragraph(doc, bulletin.title, HEADING_FONT, TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = None  # a 22 pt title on a 28 pt line would be clipped
    title.paragraph_format.space_after = LINE_PITCH
    for line in bulletin.preamble:
        _paragraph(doc, line, indent=chinese and not _is_addressee(line))
    last = None
    for heading, paragraphs in bulletin.sections:
        last = _paragraph(doc, heading, HEADING_FONT, bold=True, indent=chinese)
        last.paragraph_format.keep_with_next = True
        for line in paragraphs:
            last = _paragraph(doc, line, indent=chinese)
    if bulletin.closing:
        if last is not None:  # the 落款 never stands on a page of its own
            last.paragraph_format.keep_with_next = True
        doc.add_paragraph().paragraph_format.keep_with_next = True
        for line in bulletin.closing:  # office over date, on one page, two characters in from the right
            closing = _paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format
            closing.keep_with_next = line != bulletin.closing[-1]
            closing.right_indent = BODY_SIZE * 2
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def file_name(bulletin: Bulletin, suffix: str, fallback: str) -> str:
    """The download's name: the bulletin's title, as offices name their files (``fallback`` if empty)."""
    stem = UNSAFE_FILE_CHARS.sub("", bulletin.title).strip()[:80] or fallback
    return f"{stem}{suffix}"


# ---------------------------------------------------------------- wording helpers

def _text(key: str, lang: str, **values) -> str:
    return t(f"bulletin.{key}", lang, **values)


def _prose(text: str, lang: str) -> str:
    """Numbers as Chinese prose writes them: no space between a number and its Chinese unit ("8件")."""
    return re.sub(r"(?<=[\d%]) (?=[^\x00-\x7f])", "", text) if lang == "zh" else text


_date_text = date_text


def _moment_text(moment, lang: str) -> str:
    return f"{_date_text(moment, lang)}{'' if lang == 'zh' else ' '}{moment:%H:%M}"


def _join(parts: list[str], lang: str) -> str:
    return _text("list_separator", lang).join(parts)


def _sentence(clauses: list[str], lang: str) -> str:
    """Clauses joined with "；" and closed with "。" (English: "; " and ".")."""
    return _text("clause_separator", lang).join(clauses) + _text("full_stop", lang)


def _count(value) -> str:
    """A count that is not a catalog indicator (bad reviews, late cases): with thousands separators."""
    return f"{int(value):,}"


def _change_words(ind_key: str, change_text: str, lang: str) -> str | None:
    """The card's signed change ("+700.0%", "-3.2 个百分点", "+1 件") in words ("增长700.0%"); None for a
    card's mark of no change to speak of ("—", 无可比数据: the caller says which)."""
    if not change_text or not (change_text[0].isdigit() or change_text.startswith(("+", "-"))):
        return None
    if not change_text.startswith(("+", "-")):
        return _text("change.flat", lang)
    ind = catalog()[ind_key]
    if change_text.endswith("%") and ind.unit_zh != "%":
        kind = "percent"
    elif ind.unit_zh in ("%", "分"):
        kind = "points"
    else:
        kind = "amount"
    direction = "up" if change_text.startswith("+") else "down"
    return _text(f"change.{direction}_{kind}", lang, change=_prose(change_text[1:], lang))


def _fall_text(change: float, lang: str) -> str:
    """How far the on-time rate fell, without sign ("100.0个百分点"): the words say it fell."""
    return _prose(overview.format_change(catalog()[DECLINE_KEY], abs(change), False, lang).lstrip("+"), lang)


def _rank_change(change, lang: str, covered: bool = True) -> str:
    if is_missing(change):  # no rank then, or a previous span the snapshot does not cover
        return _text("ranking.rank_new" if covered else "ranking.rank_uncovered", lang)
    change = int(change)
    if change == 0:
        return _text("ranking.rank_same", lang)
    return _text("ranking.rank_up" if change > 0 else "ranking.rank_down", lang, n=abs(change))


def _score(value, places: int) -> str:
    """As the scorecard and the slides show a composite score: ``places`` from ``score_places`` of
    the ranking it is read with (two where one decimal would make close scores read the same)."""
    return f"{float(value):.{places}f}"


# ---------------------------------------------------------------- 一、总体情况

def _comparisons(card, lang: str) -> list[str]:
    """环比 and 同比 of one card in words; a comparison without a comparable figure (the period is not
    covered by the snapshot, or has no value) says 无可比数据, never a change from zero."""
    words, missing = [], []
    for which, before, change in (("kpi.previous", card.previous, card.delta_text),
                                  ("kpi.year_ago", card.year_ago, card.year_ago_text)):
        if is_missing(before):
            missing.append(t(which, lang))
            continue
        said = _change_words(card.key, change, lang)
        if said:
            words.append(_text("overall.change", lang, which=t(which, lang), words=said))
    if len(missing) == 2:
        words.append(_text("overall.no_comparison_both", lang))
    elif missing:
        words.append(_text("overall.no_comparison", lang, which=missing[0]))
    return words


def _overall(cards: pd.DataFrame, period: str, scope: str, reason: str | None, lang: str) -> tuple[str, ...]:
    if reason:
        return (reason,)
    if overview.kpis_empty(cards):
        return (_text("overall.empty", lang, period=period, scope=scope),)
    clauses = []
    for card in cards.itertuples():
        if is_missing(card.value):
            clauses.append(_text("overall.no_value", lang, label=card.label))
            continue
        parts = [_text("overall.value", lang, label=card.label, value=_prose(card.value_text, lang))]
        parts += _comparisons(card, lang)
        ind = catalog()[card.key]
        if card.meets_target is True:
            parts.append(_text("overall.met", lang, target=_prose(target_text(card.key, lang), lang)))
        elif card.meets_target is False:
            gap = _prose(overview.format_gap(ind, card.gap_to_target, lang), lang)
            verdict = "overall.short" if ind.better == "higher" else "overall.over"
            parts.append(_text(verdict, lang, target=_prose(target_text(card.key, lang), lang), gap=gap))
        clauses.append(_text("comma", lang).join(parts))
    valued = cards[cards["value"].notna()]
    missed = [label for label, met in zip(valued["label"], valued["meets_target"], strict=True) if met is False]
    summary = _text("overall.missed", lang, count=len(missed), names=_join(missed, lang)) if missed \
        else _text("overall.all_met", lang)
    lacking = list(cards.loc[cards["value"].isna(), "label"])
    if lacking:
        summary += _text("overall.lacking", lang, count=len(lacking), names=_join(lacking, lang))
    return (_text("overall.lead", lang, period=period, scope=scope) + _sentence(clauses, lang), summary)


def _rules(view: SnapshotView, filters: Filters, total: pd.Series, lang: str) -> str:
    """The counting rules of this 通报 in plain words, with this period's bases (``total``: the
    selection's row of ``metrics.indicator_table``): 按期办结率 over the cases due in the period
    (应办结件), 办结件按时率 (what the systems report) over the completions, 超期件 a stock at the
    period's end, the comparisons like for like while the period runs, 样本不足."""
    cat = catalog()
    due, on_time = int(total["due_cases"] or 0), int(total["due_on_time"] or 0)
    due_text = _text("rules.due", lang, due=_count(due), on_time=_count(on_time)) if due \
        else _text("rules.none_due", lang)
    completion = cat["completion_on_time_rate"]
    parts = [
        _text("rules.on_time", lang, label=cat["on_time_rate"].label(lang), due=due_text),
        _text("rules.completion", lang, label=completion.label(lang),
              value=_prose(format_value(completion.key, total[completion.key], lang), lang)
              if not is_missing(total[completion.key]) else _text("rules.no_value", lang)),
        _text("rules.stock", lang, label=cat["open_overdue"].label(lang)),
        _text("rules.small_base", lang, min=rules().min_cases),
    ]
    like_for_like = briefing.like_for_like_text(view, filters, lang)
    if like_for_like:
        return _text("rules.lead_compared", lang, comparisons=like_for_like, rules=_sentence(parts, lang))
    return _text("rules.lead", lang, rules=_sentence(parts, lang))


# ---------------------------------------------------------------- 二、红黑榜

def _ranked_item(row, lang: str, places: int) -> str:
    small = _text("ranking.small", lang) if row.small_base else ""
    return _text("ranking.item", lang, name=row.unit_name, score=_score(row.composite_score, places),
                 rank=int(row.rank), small=small, change=_rank_change(row.rank_change, lang, _covered(row)))


def _covered(row) -> bool:
    return bool(getattr(row, "previous_covered", True))


def _with_small_base(card: pd.DataFrame) -> pd.DataFrame:
    return card.assign(small_base=small_base(card))


def _lists(card: pd.DataFrame, kind: str, size: int, lang: str) -> tuple[list[str], pd.DataFrame]:
    """The 红榜 and 黑榜 sentences of one kind of unit, and the 黑榜 (it is asked to rectify). Units
    without a rank (无数据) and 样本不足 units are on neither list."""
    red, black = red_and_black_lists(card, size)
    places = scorecard.score_places(card["composite_score"])
    black = black.assign(score_text=[_score(v, places) for v in black["composite_score"]])  # for the 整改 items
    if red.empty:
        ranked = card["rank"].notna()
        key = "none" if not ranked.any() else "too_few_small" if (ranked & small_base(card)).any() else "too_few"
        return [_text(f"ranking.{key}_{kind}", lang, min=rules().min_cases)], black
    return [_text(f"ranking.red_{kind}", lang,
                  names=_join([_ranked_item(r, lang, places) for r in red.itertuples()], lang)),
            _text(f"ranking.black_{kind}", lang,
                  names=_join([_ranked_item(r, lang, places) for r in black.itertuples()], lang))], black


def _ranking(counties: pd.DataFrame, departments: pd.DataFrame, size: int, period: str,
             lang: str) -> tuple[tuple[str, ...], pd.DataFrame, pd.DataFrame]:
    counties, departments = _with_small_base(counties), _with_small_base(departments)
    ranked = counties[counties["rank"].notna()]
    places = scorecard.score_places(ranked["composite_score"])
    paragraphs = []
    if not ranked.empty:
        paragraphs.append(_text("ranking.lead", lang, period=period,
                                units=_join([_ranked_item(r, lang, places) for r in ranked.itertuples()], lang)))
    for row in ranked[ranked["selected"]].itertuples():
        small = _text("ranking.selected_small", lang, min=rules().min_cases) if row.small_base else ""
        paragraphs.append(_text("ranking.selected", lang, name=row.unit_name, score=_score(row.composite_score, places),
                                total=len(ranked), rank=int(row.rank),
                                change=_rank_change(row.rank_change, lang, _covered(row)), small=small))
    county_lists, black_counties = _lists(counties, "county", size, lang)
    dept_lists, black_depts = _lists(departments, "dept", size, lang)
    # a county's bulletin shows the whole city's lists but asks only its own units to rectify
    if counties["selected"].any():
        black_counties = black_counties[black_counties["selected"]]
    if departments["selected"].any():
        black_depts = black_depts[black_depts["selected"]]
    paragraphs.append("".join(county_lists))
    paragraphs.append("".join(dept_lists))
    return tuple(paragraphs), black_counties, black_depts


# ---------------------------------------------------------------- 三、存在的问题

def declining_units(view: SnapshotView, filters: Filters, by: str = "county", lang: str = "zh",
                    top: int = TOP_UNITS, min_fall: float = DECLINE_MIN_POINTS,
                    table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``top`` counties (``by="county"``) or departments whose on-time rate fell most against the
    previous period, like for like (the same span while the period runs), by at least ``min_fall``
    points (as shown, rounded): unit_code, unit_name, value, previous, change (negative), worst first.
    A 样本不足 unit is not judged: one case moves its rate by many points. ``table`` is
    ``metrics.indicator_table_with_changes`` of ``by`` when the caller has it already."""
    table = indicator_table_with_changes(view, filters, by, lang) if table is None else table
    ind = catalog()[DECLINE_KEY]
    frame = pd.DataFrame({
        "unit_code": table[f"{by}_code"], "unit_name": table[f"{by}_name"],
        "value": table[DECLINE_KEY].astype("float64"), "previous": table[f"{DECLINE_KEY}_previous"].astype("float64"),
    })
    frame["change"] = frame["value"] - frame["previous"]
    frame = frame[~small_base(table).to_numpy()]
    fell = frame[(frame["change"].round(ind.places) < 0) & (-frame["change"].round(ind.places) >= min_fall)]
    return fell.sort_values(["change", "unit_code"]).head(top).reset_index(drop=True)


def small_base_units(table: pd.DataFrame) -> int:
    """How many units of an indicator table with an on-time rate are 样本不足 (and so not judged for a fall)."""
    return int((small_base(table) & table[DECLINE_KEY].notna()).sum())


def responsible_items(view: SnapshotView, filters: Filters, by: str, code: str, lang: str = "zh",
                      top: int = ITEMS_PER_UNIT) -> pd.DataFrame:
    """The items of one county or department with the most due cases missed (应办结件 not completed by
    their deadline: the cases that pull its 按期办结率 down), then the P90 furthest over the promised
    limit: ``approval.item_limits`` rows plus ``late``."""
    focus = supervision.Focus(county_code=code) if by == "county" else supervision.Focus(dept_code=code)
    items = approval.item_limits(view, supervision.narrowed_filters(filters, focus), lang)
    items = items.assign(late=items["due_cases"] - items["due_on_time"])
    items = items[items["late"] > 0].sort_values(["late", "p90_over_promised_wd", "item_code"],
                                                 ascending=[False, False, True], na_position="last")
    return items.head(top).reset_index(drop=True)


def _overdue(lights: pd.DataFrame, state_at: str, scope: str, lang: str) -> tuple[str, pd.DataFrame]:
    totals = supervision.light_totals(lights)
    cat = catalog()
    red_label, yellow_label = cat["open_overdue"].label(lang), cat["open_yellow"].label(lang)
    red = _prose(format_value("open_overdue", totals["open_overdue"], lang), lang)
    yellow = _prose(format_value("open_yellow", totals["open_yellow"], lang), lang)
    lead = _text("problems.overdue_title", lang)
    worst = lights[lights["open_overdue"] > 0].head(TOP_UNITS)
    if totals["open_overdue"] + totals["open_yellow"] == 0:
        return lead + _text("problems.overdue_clear", lang, state_at=state_at, scope=scope), worst
    if worst.empty:
        return lead + _text("problems.overdue_none", lang, state_at=state_at, scope=scope, yellow_label=yellow_label,
                            yellow=yellow), worst
    items = [_text("problems.overdue_dept", lang, name=r.dept_name,
                   count=_prose(format_value("open_overdue", r.open_overdue, lang), lang),
                   days=_prose(approval.format_days(float(r.max_wd_over), lang, places=0), lang))
             if r.max_wd_over else  # due on the period's last day: past it by less than a working day
             _text("problems.overdue_dept_just", lang, name=r.dept_name,
                   count=_prose(format_value("open_overdue", r.open_overdue, lang), lang))
             for r in worst.itertuples()]
    return lead + _text("problems.overdue", lang, state_at=state_at, scope=scope, red_label=red_label, red=red,
                        yellow_label=yellow_label, yellow=yellow) \
        + _text("problems.overdue_depts", lang, units=_join(items, lang)), worst


def _reviews(reviews: pd.DataFrame, period: str, lang: str) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The verified bad reviews whose rectification fell due in the period (the 差评整改率's base), and
    per department those of them not rectified by the period's end (``pending_overdue``) and those
    rectified after their due day (``rectified_late``): the named counts add up to the rates' gaps."""
    lead = _text("problems.reviews_title", lang)
    totals = reviews[["bad_due", "bad_rectified", "bad_rectified_on_time"]].sum().to_frame().T
    empty = reviews.iloc[0:0]
    if int(totals["bad_due"].iloc[0]) == 0:
        return lead + _text("problems.reviews_none", lang, period=period), empty, empty
    cat = catalog()
    rates = {key: format_value(key, cat[key].compute(totals).iloc[0], lang)
             for key in ("rectification_rate", "rectified_on_time_rate")}
    text = _text("problems.reviews", lang, period=period, due=_count(totals["bad_due"].iloc[0]),
                 rectified=_count(totals["bad_rectified"].iloc[0]),
                 rate_label=cat["rectification_rate"].label(lang), rate=rates["rectification_rate"],
                 on_time_label=cat["rectified_on_time_rate"].label(lang), on_time=rates["rectified_on_time_rate"])
    missed = reviews.assign(pending_overdue=reviews["bad_due"] - reviews["bad_rectified"],
                            rectified_late=reviews["bad_rectified"] - reviews["bad_rectified_on_time"])
    named = {}
    for state in ("pending_overdue", "rectified_late"):
        units = missed[missed[state] > 0].sort_values([state, "dept_code"], ascending=[False, True])
        named[state] = units.head(TOP_UNITS)
        if not units.empty:
            items = [_text("problems.reviews_dept", lang, name=r.dept_name, count=_count(getattr(r, state)))
                     for r in named[state].itertuples()]
            text += _text(f"problems.reviews_{state}", lang, count=_count(units[state].sum()),
                          units=_join(items, lang))
    if named["pending_overdue"].empty and named["rectified_late"].empty:
        text += _text("problems.reviews_all_on_time", lang)
    return lead + text, named["pending_overdue"], named["rectified_late"]


def _decline_item(row, lang: str) -> str:
    detail = ""
    if not is_missing(row.p90_over_promised_wd) and row.p90_over_promised_wd > 0:
        detail = _text("problems.decline_p90", lang, p90=_prose(approval.format_days(row.p90_elapsed_wd, lang), lang),
                       over=_prose(approval.format_days(row.p90_over_promised_wd, lang), lang))
    return _text("problems.decline_item", lang, item=row.item_name, late=_count(row.late), detail=detail)


def _declines(view: SnapshotView, filters: Filters, lang: str) -> tuple[str, dict[str, pd.DataFrame]]:
    ind = catalog()[DECLINE_KEY]
    before, _ = filters.period.comparisons(view.as_of)
    previous = span_label(before, lang)
    lead = _text("problems.decline_title", lang)
    nothing = {by: pd.DataFrame(columns=["unit_code", "unit_name", "value", "previous", "change"])
               for by in ("county", "dept")}
    if not view.covers(before):
        return lead + _text("problems.decline_uncovered", lang, previous=previous, label=ind.label(lang)), nothing
    tables = {by: indicator_table_with_changes(view, filters, by, lang) for by in ("county", "dept")}
    found = {by: declining_units(view, filters, by, lang, table=table) for by, table in tables.items()}
    small = sum(small_base_units(table) for table in tables.values())
    note = _text("problems.decline_small", lang, count=small, min=rules().min_cases) if small else ""
    if all(frame.empty for frame in found.values()):
        return lead + _text("problems.decline_none", lang, previous=previous, label=ind.label(lang)) + note, found
    text = lead
    for by, units in found.items():
        if units.empty:
            continue
        described = []
        for row in units.itertuples():
            items = responsible_items(view, filters, by, row.unit_code, lang)
            behind = "" if items.empty else _text(
                "problems.decline_items", lang, items=_join([_decline_item(i, lang) for i in items.itertuples()],
                                                            lang))
            described.append(_text(
                "problems.decline_unit", lang, name=row.unit_name, before=format_value(DECLINE_KEY, row.previous, lang),
                now=format_value(DECLINE_KEY, row.value, lang),
                change=_fall_text(row.change, lang), items=behind))
        # "；" between units: a unit's own list of items is joined with "、"
        text += _text(f"problems.decline_{by}", lang, previous=previous, label=ind.label(lang),
                      units=_text("clause_separator", lang).join(described))
    return text + note, found


# ---------------------------------------------------------------- 四、整改要求

@dataclass(frozen=True)
class Finding:
    """One problem 四、整改要求 asks a unit to rectify: the unit (``kind`` county or dept, code, name),
    the reason as the 通报 words it, and the problem as a number: the indicator, its value then and
    the target that counts as rectified (config/ledger.yaml says which for each kind of finding)."""

    kind: str
    code: str
    name: str
    reason: str
    indicator: str
    value: float | None
    target: float | None


# The indicator behind each kind of bad-review finding (the rate its count pulls down).
REVIEW_INDICATOR = {"pending_overdue": "rectification_rate", "rectified_late": "rectified_on_time_rate"}
SCORE_KEY = "composite_score"


def _number(value) -> float | None:
    return None if is_missing(value) else float(value)


def _findings(black_counties: pd.DataFrame, black_depts: pd.DataFrame, overdue_depts: pd.DataFrame,
              pending: pd.DataFrame, late: pd.DataFrame, declined: dict[str, pd.DataFrame],
              lines: dict[str, float | None], lang: str) -> list[Finding]:
    """Every unit 二 and 三 named: the 黑榜 (target: ``lines``, the score just above the list), the
    departments with the most red lights (target 0), with bad reviews unrectified past their due
    time or rectified late (the catalog's target of the rate they pull down), and the units whose
    on-time rate fell most (target: the rate before the fall)."""
    cat = catalog()
    ind, red = cat[DECLINE_KEY], cat["open_overdue"]

    def fall(kind: str, row) -> Finding:
        return Finding(kind, row.unit_code, row.unit_name,
                       _text("rectify.decline", lang, label=ind.label(lang), change=_fall_text(row.change, lang)),
                       DECLINE_KEY, _number(row.value), _number(row.previous))

    def black(kind: str, row) -> Finding:
        return Finding(kind, row.unit_code, row.unit_name,
                       _text(f"rectify.black_{kind}", lang, score=row.score_text),
                       SCORE_KEY, _number(row.composite_score), lines[kind])

    found = [black("county", r) for r in black_counties.itertuples()]
    found += [fall("county", r) for r in declined["county"].itertuples()]
    found += [black("dept", r) for r in black_depts.itertuples()]
    found += [Finding("dept", r.dept_code, r.dept_name,
                      _text("rectify.overdue", lang, label=red.label(lang),
                            count=_prose(format_value("open_overdue", r.open_overdue, lang), lang)),
                      "open_overdue", _number(r.open_overdue), 0.0)
              for r in overdue_depts.itertuples()]
    for state, frame in (("pending_overdue", pending), ("rectified_late", late)):
        key = REVIEW_INDICATOR[state]
        found += [Finding("dept", r.dept_code, r.dept_name,
                          _text(f"rectify.reviews_{state}", lang, count=_count(getattr(r, state))),
                          key, _number(cat[key].compute(pd.DataFrame([r._asdict()])).iloc[0]), cat[key].target)
                  for r in frame.itertuples()]
    found += [fall("dept", r) for r in declined["dept"].itertuples()]
    return found


def black_line(card: pd.DataFrame, size: int) -> float | None:
    """The score a unit on the 黑榜 must reach to be off it: the score of the listable unit ranked
    just above the 黑榜 (None when there are no lists)."""
    ranked = card[scorecard.listable(card)].sort_values(["rank", "unit_code"])
    size = min(size, len(ranked) // 2)
    return None if size == 0 else float(ranked.iloc[len(ranked) - size - 1]["composite_score"])


def _rectification(findings: list[Finding], days: int, office: str, no_data: bool,
                   lang: str) -> tuple[str, ...]:
    """One paragraph per unit named above with every finding against it (counties first, in the
    order they were named), then the deadline. Nothing found in a selection without cases is 无数据,
    not a clean bill."""
    units: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for f in findings:
        units.setdefault((f.kind, f.code), (f.name, []))[1].append(f.reason)
    ordered = sorted(units.items(), key=lambda entry: entry[0][0] != "county")
    if not ordered:
        return (_text("rectify.no_data" if no_data else "rectify.none", lang),)
    lines = [_text("rectify.lead", lang)]
    lines += [_text("rectify.unit", lang, n=n, name=name, reasons=_text("clause_separator", lang).join(reasons))
              for n, (_, (name, reasons)) in enumerate(ordered, start=1)]
    lines.append(_text("rectify.deadline", lang, days=days, office=office))
    return tuple(lines)


# ---------------------------------------------------------------- the draft

def draft(view: SnapshotView, filters: Filters, lang: str = "zh", config: MeetingConfig | None = None,
          days: int | None = None, ledger_revision: int = 0) -> Bulletin:
    """The 通报 of ``filters``' period and units, generated from the query layer (``compose``).
    ``ledger_revision`` (``ledger.revision``) only keys a cached draft: an issue changes 五、上期整改落实情况."""
    return compose(view, filters, lang, config, days)[0]


def compose(view: SnapshotView, filters: Filters, lang: str = "zh", config: MeetingConfig | None = None,
            days: int | None = None) -> tuple[Bulletin, list[Finding]]:
    """The 通报 of ``filters``' period and units, and the findings its 四、整改要求 asks to rectify.

    ``config`` gives the city and the size of the 红榜/黑榜 (config/presentation.yaml unless given);
    ``days`` the working days allowed for the rectification report (else the config's ``rectify_days``).
    A period the snapshot has no data for, or a selection without cases, says 无数据 in every section:
    no number from nothing, nobody ranked, named or asked to rectify. A county user's 通报 is of their
    county (``Scope.narrow``): the other counties appear in the published ranking only. 二 names the
    units 连续末位 (``offenders``); when a 通报 of the previous period was issued, 五、上期整改落实情况
    reports each of its entries at this snapshot (``_followup``).
    """
    filters = view.scope.narrow(filters)
    config = config or meeting_config()
    days = days if days is not None else config.rectify_days
    city = config.city(lang)
    whole = not (filters.counties or filters.departments)
    # in prose "全市" (English: the city's name) or the named units; in the title the city comes first
    scope = _text("scope_city", lang, city=city) if whole else scope_text(view, filters, lang)
    title_scope = city if whole else _text("scope_unit", lang, city=city, units=scope)
    period = filters.period.label(lang)
    reason = no_data_reason(view, filters, lang)
    day, time = state_moment(view, filters)
    state_at = f"{_date_text(day, lang)}{'' if lang == 'zh' else ' '}{time}"
    office = _text("office", lang, city=city)

    preamble = [_text("addressee_city", lang) if whole else _text("addressee_unit", lang, units=scope),
                _text("opening", lang, snapshot=view.info.snapshot_id, as_of=_moment_text(view.as_of, lang),
                      period=period, scope=scope)]
    narrowing = _filter_note(view, filters, lang)
    if narrowing:
        preamble.append(narrowing)

    cards = overview.kpi_cards(view, filters, lang)
    counties = scorecard.published_ranking(view, filters, lang, by="county")
    departments = scorecard.published_ranking(view, filters, lang, by="dept")
    if reason:  # nothing to rank, whatever a frame says
        counties, departments = _unranked(counties), _unranked(departments)
    ranking, black_counties, black_depts = _ranking(counties, departments, config.red_black_size, period, lang)
    lines = {"county": black_line(counties, config.red_black_size), "dept": black_line(departments,
                                                                                        config.red_black_size)}
    if not reason:
        ranking += tuple(line for by in scorecard.UNIT_KINDS if (line := offenders.sentence(
            offenders.repeat_offenders(view, filters, lang, by, config.red_black_size), by, lang)))
    # the selection's totals: whether it holds any case, and the bases the rules paragraph states
    total = None if reason else indicator_table(view, filters, by="total", lang=lang).iloc[0]
    no_cases = total is None or not bool(total["has_cases"])
    no_data = _text("problems.no_data", lang)
    nobody = pd.DataFrame()
    if no_cases:
        overdue, overdue_depts = _text("problems.overdue_title", lang) + no_data, nobody
        declines, declined = _text("problems.decline_title", lang) + no_data, {"county": nobody, "dept": nobody}
    else:
        overdue, overdue_depts = _overdue(supervision.light_counts(view, filters, lang), state_at, scope, lang)
        declines, declined = _declines(view, filters, lang)
    if reason:
        reviews, pending, late = _text("problems.reviews_title", lang) + no_data, nobody, nobody
    else:
        reviews, pending, late = _reviews(satisfaction.rectification_by_department(view, filters, lang), period,
                                          lang)

    findings = _findings(black_counties, black_depts, overdue_depts, pending, late, declined, lines, lang)
    overall = _overall(cards, briefing.period_text(view, filters.period, lang), scope, reason, lang)
    if len(overall) > 1:  # numbers to explain
        overall += (_rules(view, filters, total, lang),)
    sections = (
        (_text("heading.overall", lang), overall),
        (_text("heading.ranking", lang), ranking),
        (_text("heading.problems", lang), (overdue, reviews, declines)),
        (_text("heading.rectify", lang), _rectification(findings, days, office, no_cases, lang)),
    )
    followup = _followup(view, filters, lang)
    if followup:
        sections += ((_text("heading.followup", lang), followup),)
    # one line per paragraph, no edge spaces: what from_text reads back from the edited text
    sections = tuple((heading, tuple(p.strip() for p in paragraphs)) for heading, paragraphs in sections)
    return Bulletin(
        title=_text("title", lang, scope=title_scope, period=period), preamble=tuple(preamble), sections=sections,
        closing=(office, _date_text(view.as_of, lang)),
    ), ([] if no_cases else findings)


def default_number(config: MeetingConfig, period: Period) -> str:
    """The configured 文号 placeholder ("〔{year}〕X号") with the period's year: "〔2026〕X号"."""
    return config.bulletin_number.replace("{year}", str(period.end.year))


# ---------------------------------------------------------------- 五、上期整改落实情况 and issuing

def _followup(view: SnapshotView, filters: Filters, lang: str) -> tuple[str, ...]:
    """What became of the previous issued 通报's entries (``ledger.previous_issue``), judged at this
    snapshot: one line per unit and problem with its value then → now and the target, then the count per
    state. Nothing when no earlier 通报 of this selection was issued."""
    entries = ledger.visible(ledger.previous_issue(ledger.read(), filters), view.scope)
    if not entries:
        return ()
    judged = ledger.evaluate(view, entries)
    if judged.empty:
        return ()
    first = entries[0]
    day, time = state_moment(view, filters.with_period(ledger.following(Period.parse(first.period))))
    lines = [_text("followup.lead", lang, period=Period.parse(first.period).label(lang),
                   date=_date_text(dt.datetime.fromisoformat(first.as_of).date(), lang), count=len(judged),
                   state_at=f"{_date_text(day, lang)}{'' if lang == 'zh' else ' '}{time}")]
    for n, row in enumerate(judged.itertuples(), start=1):
        def shown(value, key=row.indicator) -> str:
            return _prose(ledger.value_text(key, value, lang), lang)

        deadline = _date_text(dt.date.fromisoformat(row.deadline), lang)
        lines.append(_text("followup.unit", lang, n=n, name=row.unit_name, reason=row.reason,
                           label=ledger.label(row.indicator, lang), then=shown(row.value), now=shown(row.now),
                           target=shown(row.target),
                           state=_text(f"followup.state_{row.state}", lang, deadline=deadline)))
    counts = judged["state"].value_counts()
    lines.append(_text("followup.summary", lang, **{s: int(counts.get(s, 0)) for s in ledger.STATES}))
    return tuple(lines)


def issue(view: SnapshotView, filters: Filters, lang: str = "zh", user: auth.User | None = None,
          config: MeetingConfig | None = None, issued_at: dt.datetime | None = None,
          ) -> tuple[Bulletin, list[ledger.Entry]]:
    """Issue the 通报 as final: the units its 四、整改要求 names become 整改台账 entries (appended, with
    the deadline of config/presentation.yaml bulletin_rectify_days) and the issue is audited under
    ``user`` (the operator's account without one). ``issued_at`` (UTC; default now) is for a history
    recorded afterwards (the demo's). Returns the 通报 and the entries written."""
    config = config or meeting_config()
    bulletin, findings = compose(view, filters, lang, config)
    issued_by = user.name if user else audit.cli_actor()
    entries = ledger.issue(view, view.scope.narrow(filters), bulletin.title, findings, config.rectify_days,
                           issued_by, user.counties if user else None, issued_at=issued_at)
    return bulletin, entries


def _unranked(card: pd.DataFrame) -> pd.DataFrame:
    return card.assign(rank=pd.array([pd.NA] * len(card), dtype="Int64"), composite_score=float("nan"))


def _filter_note(view: SnapshotView, filters: Filters, lang: str) -> str:
    """The item types and channels the numbers are limited to (units are named in the title)."""
    parts = []
    if filters.item_types:
        parts.append(_text("filter_item_types", lang, names=_join(list(filters.item_types), lang)))
    if filters.channels:
        parts.append(_text("filter_channels", lang,
                           names=_join([t(f"channel.{c}", lang) for c in filters.channels], lang)))
    return _text("filter_note", lang, parts=_text("clause_separator", lang).join(parts)) if parts else ""


# ---------------------------------------------------------------- command line

def add_cli(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bulletin", help="通报草稿 (the period's bulletin as .docx or .txt)")
    cli_args.add_arguments(parser, out_help="FILE.docx or FILE.txt")
    parser.add_argument("--number", help="the 文号 over the title, e.g. 清效通〔2026〕5号 (default: the "
                        "placeholder of config/presentation.yaml bulletin_number)")
    parser.add_argument("--issue", action="store_true",
                        help="issue as final: the units asked to rectify become 整改台账 entries (audited)")
    parser.set_defaults(run=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    """Write the bulletin; a wrong file type, period or county exits with 2 and writes nothing."""
    suffix = args.out.suffix.lower()
    if suffix not in (".docx", ".txt"):
        print(_text("cli.bad_suffix", args.lang, path=args.out), file=sys.stderr)
        return 2
    try:
        wanted = cli_args.request(args)
    except cli_args.Refusal as refusal:
        print(refusal, file=sys.stderr)
        return refusal.code
    if args.issue:
        bulletin, entries = issue(wanted.view, wanted.filters, wanted.lang, wanted.user)
    else:
        bulletin, entries = draft(wanted.view, wanted.filters, wanted.lang), None
    number = (args.number or "").strip() or default_number(meeting_config(), wanted.filters.period)
    cli_args.write_whole(wanted.out, to_docx(bulletin, number) if suffix == ".docx" else to_txt(bulletin))
    cli_args.record_export(wanted.user, str(wanted.out), wanted.filters, wanted.view, bulletin.paragraph_count)
    print(_text("cli.written", wanted.lang, path=wanted.out, title=bulletin.title))
    if entries is not None:
        print(_text("cli.issued", wanted.lang, count=len(entries), path=ledger.ledger_file()))
    return 0
