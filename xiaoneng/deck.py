"""The PowerPoint deck (汇报PPT): a title slide, then one slide per meeting view of ``xiaoneng.briefing``.

Charts are native PowerPoint charts holding the query layer's numbers (a presenter can edit them in
PowerPoint or WPS), tables are native tables, and every slide states its filters and snapshot time in
the footer and its indicators' definitions in the notes. Sizes are in inches on a 16:9 slide and are
chosen from the text they must hold, so long county, department and item names neither overflow nor
shrink to unreadable type.
"""

from __future__ import annotations

import argparse
import copy
import io
import math
import re
import sys
from dataclasses import dataclass

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.util import Inches, Pt

from xiaoneng import briefing, cli_args
from xiaoneng.briefing import BriefingView, MeetingConfig, TitledTable
from xiaoneng.charts import AXIS_COLOR, GRID_COLOR, MUTED, MUTED_TEXT, STATUS_COLORS, TARGET_LINE, TEXT_COLOR
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import is_wide, t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView
from xiaoneng.overview import change_tone

# PowerPoint and WPS on a government PC have Microsoft YaHei; LibreOffice falls back to Noto Sans CJK.
FONT = "Microsoft YaHei"
SLIDE_W, SLIDE_H = 13.333, 7.5  # 16:9
MARGIN = 0.5
BODY_TOP, BODY_BOTTOM = 2.0, 6.8
FOOTER_TOP = 6.95
CARD_FILL = "#F3F6FA"
HEADER_FILL = briefing.PRIMARY
BAND_FILL = "#F5F7FA"  # every other table row
WHITE = "#FFFFFF"
LANG_TAGS = {"zh": "zh-CN", "en": "en-US"}
BOLD_WIDTH = 1.1  # bold Latin runs about a tenth wider (table headers, card values)
CELL_MARGIN = 0.06  # inches, left and right of a table cell's text
CELL_PAD = 0.04  # inches, above and below it
CELL_PAD_X = 2 * CELL_MARGIN + 0.05  # a column's width beyond its text (margins and a little air)
LINE_HEIGHT = 1.35  # of the font size, one line of a table cell
TABLE_SIZES = (18, 16, 15, 14, 13, 12, 11, 10)  # tried largest first
CARD_LINE_SIZES = (18, 17, 16, 15, 14, 13)  # 环比, 同比 and the target on a KPI card
SIDE_SHARE = 0.4  # of the body width, for the tables beside a chart


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float

    def emu(self) -> tuple[int, int, int, int]:
        return Inches(self.left), Inches(self.top), Inches(self.width), Inches(self.height)


BODY = Box(MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP)


# ---------------------------------------------------------------- text

def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#"))


def _typeface(font, lang: str) -> None:
    """YaHei for Latin and East Asian text: python-pptx's ``font.name`` only writes ``a:latin``."""
    font.name = FONT
    rpr = font._rPr
    rpr.set("lang", LANG_TAGS.get(lang, "zh-CN"))
    for ea in rpr.findall(qn("a:ea")):
        rpr.remove(ea)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", FONT)
    rpr.find(qn("a:latin")).addnext(ea)  # the schema wants a:ea right after a:latin


def _style(run, lang: str, size: float, *, bold: bool = False, color: str = TEXT_COLOR) -> None:
    _typeface(run.font, lang)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(color)


def _char_em(char: str) -> float:
    """A character's width in em, on the safe side of both YaHei and the font LibreOffice substitutes on
    a machine without YaHei (DejaVu Sans for Latin text, whose digits are about 0.64 em)."""
    if is_wide(char):
        return 1.0
    if char.isdigit():
        return 0.64
    if char.isupper():
        return 0.72
    if char == " " or (char.isascii() and not char.isalnum()):
        return 0.38
    return 0.6


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Inches a line of ``text`` needs at ``size`` points (an estimate on the safe side: better wrap than
    overflow)."""
    return sum(_char_em(c) for c in text) * size / 72 * (BOLD_WIDTH if bold else 1.0)


def _fit(text: str, width: float, sizes: tuple[float, ...], lines: int = 1) -> float:
    """The largest size at which ``text`` fits in ``lines`` lines of ``width`` inches (else the smallest)."""
    return next((s for s in sizes if _text_width(text, s) <= width * lines * 0.95), sizes[-1])


Run = tuple[str, float, bool, str]  # text, size in points, bold, colour


def _textbox(slide, box: Box, lang: str, paragraphs: list[Run | list[Run]], *,
             align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, name: str = ""):
    """A text box of one paragraph per entry of ``paragraphs``: a run, or several runs in one line.
    ``name`` shows in PowerPoint's selection pane (and lets the tests find the box)."""
    shape = slide.shapes.add_textbox(*box.emu())
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    frame.margin_top = frame.margin_bottom = Inches(0.02)
    for i, runs in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        for text, size, bold, color in [runs] if isinstance(runs, tuple) else runs:
            run = paragraph.add_run()
            run.text = text
            _style(run, lang, size, bold=bold, color=color)
    return shape


def _rect(slide, box: Box, color: str):
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *box.emu())
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(color)
    shape.line.fill.background()
    # no theme style: it brings a shadow (LibreOffice draws it even under an empty effect list)
    shape._element.remove(shape._element.find(qn("p:style")))
    return shape


# ---------------------------------------------------------------- slides

def _title_slide(prs: PresentationType, view: SnapshotView, filters: Filters, lang: str,
                 config: MeetingConfig) -> None:
    """City, period and scope on a dark blue band; the snapshot time and the producer below it."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _rect(slide, Box(0, 0, SLIDE_W, 4.3), briefing.PRIMARY)
    _rect(slide, Box(0, 4.3, SLIDE_W, 0.08), briefing.RED)
    width = SLIDE_W - 2 * 0.9
    title = t("deck.title", lang, city=config.city(lang))
    scope = briefing.scope_text(view, filters, lang)
    subtitle = t("deck.subtitle", lang, period=briefing.period_text(view, filters.period, lang), scope=scope)
    as_of = t("deck.as_of", lang, as_of=f"{view.as_of:%Y-%m-%d %H:%M}", snapshot=view.info.snapshot_id)
    producer = t("deck.producer", lang, app=t("app.title", lang))
    _textbox(slide, Box(0.9, 1.3, width, 1.6), lang, [(title, _fit(title, width, (44, 40, 36, 32, 28), 2), True,
                                                        WHITE)], anchor=MSO_ANCHOR.BOTTOM, name="Title")
    _textbox(slide, Box(0.9, 3.0, width, 0.9), lang, [(subtitle, _fit(subtitle, width, (28, 24, 20, 18)), False,
                                                        "#DCE6F1")], name="Subtitle")
    _textbox(slide, Box(0.9, 4.9, width, 1.2), lang, [(as_of, 20, False, TEXT_COLOR),
                                                        (producer, 20, False, MUTED_TEXT)], name="Source")


def _content_slide(prs: PresentationType, bview: BriefingView, footer: str, page: int, total: int,
                   lang: str, period: str = "") -> None:
    """Title bar (the view's title, the period on the right: "2026年10月（截至10月30日）" while it runs),
    the takeaway under it, the view's chart, cards or tables, the footer; definitions in the notes."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _rect(slide, Box(0, 0, SLIDE_W, 1.0), briefing.PRIMARY)
    width = SLIDE_W - 2 * MARGIN
    # room for LibreOffice's space between Chinese and digits, which the width estimate leaves out
    period_width = min(4.8, _text_width(period, 18) * 1.15 + 0.3) if period else 0.0
    title_width = width - period_width - (0.2 if period else 0.0)
    _textbox(slide, Box(MARGIN, 0.1, title_width, 0.8), lang,
             [(bview.title, _fit(bview.title, title_width, (30, 26, 22)), True, WHITE)], anchor=MSO_ANCHOR.MIDDLE,
             name="Title")
    if period:
        _textbox(slide, Box(SLIDE_W - MARGIN - period_width, 0.1, period_width, 0.8), lang,
                 [(period, _fit(period, period_width, (18, 16, 14, 12)), False, "#DCE6F1")], align=PP_ALIGN.RIGHT,
                 anchor=MSO_ANCHOR.MIDDLE, name="Period")
    if bview.empty:  # the view's own message, never an empty chart
        _textbox(slide, BODY, lang, [(bview.takeaway or t("briefing.empty", lang), 24, False, MUTED_TEXT)],
                 align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="Empty")
    else:
        _textbox(slide, Box(MARGIN, 1.12, width, BODY_TOP - 1.17), lang,
                 [(bview.takeaway, _fit(bview.takeaway, width, (22, 20, 18, 16), 2), False, TEXT_COLOR)],
                 anchor=MSO_ANCHOR.MIDDLE, name="Takeaway")
        _body(slide, bview, lang)
    _rect(slide, Box(MARGIN, FOOTER_TOP - 0.06, width, 0.015), AXIS_COLOR)
    footer_width = width - 1.2
    _textbox(slide, Box(MARGIN, FOOTER_TOP, footer_width, 0.45), lang,
             [(footer, _fit(footer, footer_width, (11, 10, 9, 8), 2), False, MUTED_TEXT)], name="Footer")
    _textbox(slide, Box(SLIDE_W - MARGIN - 1.1, FOOTER_TOP, 1.1, 0.4), lang,
             [(t("deck.page", lang, page=page, total=total), 11, False, MUTED_TEXT)], align=PP_ALIGN.RIGHT,
             name="Page number")
    _notes(slide, bview, lang)


def _notes(slide, bview: BriefingView, lang: str) -> None:
    """The definitions of the view's indicators from the catalog, then the counting rules that go with the view
    (无数据, 样本不足, like-for-like comparisons), for the presenter (and anyone asked "how is this counted?")."""
    frame = slide.notes_slide.notes_text_frame
    frame.text = "\n".join([t("definitions.title", lang), *bview.definitions(lang), *bview.notes])
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            _style(run, lang, 12)


def _body(slide, bview: BriefingView, lang: str) -> None:
    """KPI cards, tables, or the chart with its tables beside it."""
    if bview.chart == "kpis":
        _kpi_cards(slide, bview, BODY, lang)
    elif bview.chart == "table":
        _tables(slide, bview.tables, BODY, lang)
    elif bview.tables:
        side = BODY.width * SIDE_SHARE
        _chart(slide, bview, Box(BODY.left, BODY.top, BODY.width - side - 0.3, BODY.height), lang)
        _tables(slide, bview.tables, Box(BODY.left + BODY.width - side, BODY.top, side, BODY.height), lang)
    else:
        _chart(slide, bview, BODY, lang)


# ---------------------------------------------------------------- KPI cards

def _kpi_cards(slide, bview: BriefingView, box: Box, lang: str) -> None:
    """One card per headline indicator: the value large enough for the back row, 环比/同比 coloured by
    whether they move the right way, the target and the verdict (达标 green, 未达标 red). Every card
    uses the same sizes, the largest at which the longest text fits, so the grid reads as one."""
    cards = bview.data.reset_index(drop=True)
    columns = len(cards) if len(cards) <= 4 else math.ceil(len(cards) / 2)
    rows = math.ceil(len(cards) / columns)
    gap = 0.2
    width = (box.width - gap * (columns - 1)) / columns
    height = min(2.4, (box.height - gap * (rows - 1)) / rows)
    inner = width - 0.26
    texts = [_card_texts(card, lang) for _, card in cards.iterrows()]
    label_size = min(_fit(c["label"], inner, (20, 18, 16, 14)) for c in texts)
    value_sizes = (48, 44, 40, 36, 32, 28)
    value_size = next((s for s in value_sizes if all(
        _text_width(c["number"], s, bold=True) + _text_width(c["unit"], s / 2, bold=True) <= inner * 0.95
        for c in texts)), value_sizes[-1])
    # the verdict is bold: counted twice over the margin so that "目标 ≤ 5.00 工作日 达标" stays on one line
    line_size = min(_fit(line, inner, CARD_LINE_SIZES) for c in texts
                    for line in (c["previous"], c["year_ago"], c["target"] + c["verdict"] * 2))
    for i, card in cards.iterrows():
        left = box.left + (i % columns) * (width + gap)
        top = box.top + (i // columns) * (height + gap)
        text = texts[i]
        _rect(slide, Box(left, top, width, height), CARD_FILL)
        _rect(slide, Box(left, top, width, 0.09), text["status"])
        _textbox(slide, Box(left + 0.13, top + 0.12, inner, height - 0.14), lang, anchor=MSO_ANCHOR.MIDDLE, paragraphs=[
            (text["label"], label_size, True, TEXT_COLOR),
            [(text["number"], value_size, True, briefing.PRIMARY),
             (text["unit"], value_size / 2, True, briefing.PRIMARY)],
            (text["previous"], line_size, False, _tone_color(card, "previous")),
            (text["year_ago"], line_size, False, _tone_color(card, "year_ago")),
            [(text["target"], line_size, False, MUTED_TEXT), (text["verdict"], line_size, True, text["status"])],
        ])


def _card_texts(card: pd.Series, lang: str) -> dict[str, str]:
    """The lines of one KPI card, from the same texts and helpers as the view's table."""
    ind = catalog()[card["key"]]
    met = None if pd.isna(card["meets_target"]) else bool(card["meets_target"])
    target = briefing.target_text(ind.key, lang)
    has_target = ind.target is not None and ind.better in ("higher", "lower")
    number, space, unit = card["value_text"].partition(" ")  # "1.75 工作日": the unit set smaller
    return {
        "label": card["label"],
        "number": number,
        "unit": space + unit,
        "previous": f"{t('deck.card_previous', lang)} {card['delta_text']}",
        "year_ago": f"{t('deck.card_year_ago', lang)} {card['year_ago_text']}",
        "target": f"{t('kpi.target', lang)} {target}  " if has_target else target,
        "verdict": "" if met is None else briefing.verdict_text(met, lang),
        "status": {True: STATUS_COLORS["green"], False: STATUS_COLORS["red"], None: AXIS_COLOR}[met],
    }


def _tone_color(card: pd.Series, period: str) -> str:
    """Green when the change since ``period`` ("previous" or "year_ago") moves the right way, red when not."""
    before = card[period]
    if pd.isna(before) or pd.isna(card["value"]):
        return MUTED_TEXT
    tone = change_tone(catalog()[card["key"]], card["value"] - before)
    return {"good": STATUS_COLORS["green"], "bad": STATUS_COLORS["red"]}.get(tone, MUTED_TEXT)


# ---------------------------------------------------------------- charts

def _number(value) -> float | None:
    """A chart value as the query layer returned it (full precision); a gap where it has none."""
    return None if value is None or pd.isna(value) else float(value)


def categories(bview: BriefingView, lang: str) -> list[str]:
    """The chart's category labels: months as "2026年10月", units by name."""
    column = bview.data[bview.category_col]
    if bview.category_col == "month":
        return [Period.parse(m).label(lang) for m in column]
    return [str(v) for v in column]


def _target_label(bview: BriefingView, lang: str) -> str:
    return f"{t('kpi.target', lang)} {briefing.target_text(bview.series[0].column, lang)}"


CHART_TYPES = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
               "line": XL_CHART_TYPE.LINE_MARKERS}


def _chart(slide, bview: BriefingView, box: Box, lang: str) -> None:
    """The view's native chart: its series' values as they are, labelled in the view's number format."""
    names = categories(bview, lang)
    data = CategoryChartData(number_format=bview.number_format)
    data.categories = names
    for series in bview.series:
        data.add_series(series.label, [_number(v) for v in bview.data[series.column]])
    show_target = bview.chart == "line" and bview.target is not None
    if show_target:  # a dashed reference line; bars carry the target in the axis title instead
        data.add_series(_target_label(bview, lang), [float(bview.target)] * len(names))
    chart = slide.shapes.add_chart(CHART_TYPES[bview.chart], *box.emu(), data).chart
    scale = _rate_scale(bview)
    chart.has_title = False  # the slide's title says it; PowerPoint would repeat the series name
    _typeface(chart.font, lang)
    chart.font.size = Pt(15)
    chart.font.color.rgb = _rgb(TEXT_COLOR)
    chart.has_legend = len(bview.series) > 1 or show_target
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        _typeface(chart.legend.font, lang)
        chart.legend.font.size = Pt(15)
    plot = chart.plots[0]
    if bview.chart != "line":
        plot.gap_width = 45
    for series, spec in zip(plot.series, bview.series, strict=False):
        if bview.chart == "line":
            series.format.line.color.rgb = _rgb(spec.color)
            series.format.line.width = Pt(3)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _rgb(spec.color)
            series.marker.format.line.color.rgb = _rgb(spec.color)
            series.marker.size = 8
        else:
            _bar_fills(series, spec.color, names, bview.highlight)
        labels = series.data_labels
        labels.number_format = _label_format(bview)
        labels.number_format_is_linked = False
        labels.show_value = True
        labels.position = {"bar": XL_LABEL_POSITION.OUTSIDE_END, "stacked_bar": XL_LABEL_POSITION.CENTER,
                           "line": XL_LABEL_POSITION.ABOVE}[bview.chart]
        _typeface(labels.font, lang)
        labels.font.size = Pt(15 if bview.chart == "line" else 16)
        labels.font.bold = bview.chart != "line"
        labels.font.color.rgb = _rgb(_ink(spec.color) if bview.chart == "stacked_bar" else TEXT_COLOR)
        if bview.chart == "line" and bview.target is not None:
            _labels_clear_of_target(series, bview.data[spec.column], bview.target, scale[0] if scale else 0.0)
    if show_target:
        target = plot.series[len(bview.series)]
        target.format.line.color.rgb = _rgb(TARGET_LINE["color"])
        target.format.line.width = Pt(TARGET_LINE["width"])
        target.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        target.marker.style = XL_MARKER_STYLE.NONE
        target.smooth = False
    _axes(chart, bview, box, scale, lang)


def _ink(fill: str) -> str:
    """White on a dark fill, the text colour on a light one (labels inside stacked bars)."""
    red, green, blue = (int(fill.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return WHITE if 0.299 * red + 0.587 * green + 0.114 * blue < 150 else TEXT_COLOR


def _rate_scale(bview: BriefingView) -> tuple[float, float] | None:
    """The value axis of a rate's trend: up to 100 (an automatic axis runs on to 120), from just under the
    lowest point or the target in steps of five (a county's 70–95 % is not squeezed into 0–100)."""
    indicator = catalog().get(bview.series[0].column)
    if bview.chart != "line" or indicator is None or indicator.unit_zh != "%":
        return None
    values = [v for s in bview.series for v in bview.data[s.column] if not pd.isna(v)]
    low = min(values + ([bview.target] if bview.target is not None else []), default=0.0)
    return max(0, math.floor((low - 2) / 5) * 5), 100


def _labels_clear_of_target(series, values: pd.Series, target: float, floor: float) -> None:
    """Labels above the points at or over the target, below the others (never struck through by its line),
    but above a point near the axis's ``floor``, where a label below would run into the month names."""
    for i, value in enumerate(values):
        if not pd.isna(value):
            below = value < target and value - floor > (target - floor) / 10
            series.points[i].data_label.position = XL_LABEL_POSITION.BELOW if below else XL_LABEL_POSITION.ABOVE
    # a point's own label replaces the series' labels entirely: give it their number format and font
    labels = series._element.find(qn("c:dLbls"))
    number_format, text = labels.find(qn("c:numFmt")), labels.find(qn("c:txPr"))
    for label in labels.findall(qn("c:dLbl")):
        for own in label.findall(qn("c:numFmt")) + label.findall(qn("c:txPr")):
            label.remove(own)
        shape = label.find(qn("c:spPr"))  # python-pptx writes idx, spPr, txPr, dLblPos: numFmt goes first
        shape.addprevious(copy.deepcopy(number_format))
        shape.addnext(copy.deepcopy(text))


def _label_format(bview: BriefingView) -> str:
    """The view's number format; in a stack a zero segment stays unlabelled instead of showing "0"."""
    fmt = bview.number_format
    return f"{fmt};-{fmt};" if bview.chart == "stacked_bar" else fmt


def _bar_fills(series, color: str, names: list[str], highlight: tuple[str, ...]) -> None:
    """The series colour; with highlighted categories, those keep it and the others turn light."""
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = _rgb(MUTED if highlight else color)
    series.invert_if_negative = False
    for i, name in enumerate(names):
        if name in highlight:
            point = series.points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(color)


def _axes(chart, bview: BriefingView, box: Box, scale: tuple[float, float] | None, lang: str) -> None:
    """Readable axes: every category named, the value axis titled (with the target for bars)."""
    category, value = chart.category_axis, chart.value_axis
    category.format.line.color.rgb = _rgb(AXIS_COLOR)
    category.has_major_gridlines = False
    _typeface(category.tick_labels.font, lang)
    category.tick_labels.font.size = Pt(15 if bview.chart == "line" else _row_label_size(len(bview.data), box))
    value.has_title = True
    title = bview.value_title
    if bview.chart == "bar" and bview.target is not None:
        title = t("deck.axis_target", lang, axis=title, target=_target_label(bview, lang))
    value.axis_title.text_frame.text = title
    for paragraph in value.axis_title.text_frame.paragraphs:
        for run in paragraph.runs:
            _style(run, lang, 14, color=MUTED_TEXT)
    value.format.line.fill.background()
    if bview.chart in ("bar", "stacked_bar"):
        # the first row on top, as in the ranking, and the value axis still at the bottom
        category.reverse_order = True
        value._element.find(qn("c:crosses")).set("val", "max")  # crosses at the last category, at the bottom
        _every_label(category)
    if bview.chart == "bar":  # bars from zero (the chart convention), labelled: no value ticks
        top = max((v for s in bview.series for v in bview.data[s.column] if not pd.isna(v)), default=0.0)
        value.minimum_scale = 0
        if top > 0:
            value.maximum_scale = float(top) * 1.15  # room for the labels after the bars
        value.tick_label_position = XL_TICK_LABEL_POSITION.NONE
        value.has_major_gridlines = False
        return
    if bview.chart == "stacked_bar":
        value.minimum_scale = 0
    if scale:
        value.minimum_scale, value.maximum_scale = scale
    value.has_major_gridlines = True
    value.major_gridlines.format.line.color.rgb = _rgb(GRID_COLOR)
    value.tick_labels.number_format = bview.number_format.split(".")[0]
    value.tick_labels.number_format_is_linked = False
    _typeface(value.tick_labels.font, lang)
    value.tick_labels.font.size = Pt(14)


def _row_label_size(rows: int, box: Box) -> float:
    """Category labels of a bar chart as large as fits one per row: LibreOffice hides every other
    label when they would touch, PowerPoint lets them overlap."""
    plot = box.height - 1.4  # legend, value axis and its title
    return max(11, min(16, math.floor(plot / max(rows, 1) * 72 / 1.7)))


def _every_label(axis) -> None:
    """Name every category: LibreOffice otherwise drops every other label of a crowded axis."""
    element = axis._element
    skip = element.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = etree.SubElement(element, qn("c:tickLblSkip"))
        element.insert_element_before(skip, "c:tickMarkSkip", "c:noMultiLvlLbl", "c:extLst")
    skip.set("val", "1")


# ---------------------------------------------------------------- tables

@dataclass(frozen=True)
class _TableLayout:
    size: float
    widths: list[float]  # inches per column
    lines: list[int]  # lines of text per row, the header first

    @property
    def height(self) -> float:
        return sum(_row_height(n, self.size) for n in self.lines)


def _row_height(lines: int, size: float) -> float:
    return lines * size * LINE_HEIGHT / 72 + 2 * CELL_PAD


def _longest_word(text: str, size: float) -> float:
    """The narrowest a cell can be without breaking a word (CJK text breaks anywhere: one character)."""
    return max((size / 72 if any(is_wide(c) for c in word) else _text_width(word, size, bold=True)
                for word in text.split()), default=0.0)


def _header_parts(text: str) -> list[str]:
    """"中位用时（工作日）" → ["中位用时", "（工作日）"]: where a header breaks best (one part: nowhere)."""
    return [part for part in re.split(r"\s*(?=[（(])", text, maxsplit=1) if part]


def _header_lines(text: str, size: float, width: float) -> list[str]:
    """The header's lines in a column ``width`` inches wide: one if it fits, else broken before its unit."""
    return [text] if _text_width(text, size, bold=True) <= width else _header_parts(text)


def _lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """Lines a cell's text takes: a line breaks before the character or word that overflows, so each
    line but the last loses up to an em."""
    need = _text_width(text, size, bold)
    return 1 if need <= width else math.ceil(need / max(width - size / 72, size / 72))


def _capped(widths: list[float], total: float) -> list[float]:
    """The widest columns cut to one common width so that all add up to ``total`` (water filling)."""
    low, high = 0.0, max(widths)
    for _ in range(40):
        cap = (low + high) / 2
        low, high = (cap, high) if sum(min(w, cap) for w in widths) < total else (low, cap)
    return [min(w, low) for w in widths]


def _layout(frame: pd.DataFrame, width: float, height: float, sizes: tuple[float, ...] = TABLE_SIZES) -> _TableLayout:
    """Font size and column widths for a table in ``width`` × ``height`` inches: the largest of ``sizes``
    at which it fits. Columns get their widest text; short of room, headers wrap onto two lines first,
    then the widest cells wrap, between words (at the smallest size the table may run taller than
    ``height`` rather than shrink further)."""
    rows = [[str(c) for c in frame.columns], *([str(v) for v in row] for row in frame.itertuples(index=False))]
    columns = range(len(frame.columns))
    pad = CELL_PAD_X
    for size in sizes:
        last = size == sizes[-1]
        header = [_text_width(text, size, bold=True) for text in rows[0]]
        # a header on two lines: its unit in brackets on the second, or else halves
        split = [max(_text_width(part, size, bold=True) for part in parts) if len(parts) > 1 else h / 2 + size / 72
                 for parts, h in zip(map(_header_parts, rows[0]), header, strict=True)]
        body = [max((_text_width(row[j], size) for row in rows[1:]), default=0.0) for j in columns]
        words = [max(_longest_word(row[j], size) for row in rows) for j in columns]
        full = [max(b, h) + pad for b, h in zip(body, header, strict=True)]
        least = [max(b, h, w) + pad for b, h, w in zip(body, split, words, strict=True)]
        if sum(full) <= width:
            widths = [w * width / sum(full) for w in full]
        elif sum(least) <= width:  # the room left goes to the headers that would wrap
            short = sum(full) - sum(least)
            widths = [n + (f - n) * (width - sum(least)) / short for n, f in zip(least, full, strict=True)]
        else:
            widths = _capped(least, width)
        if not last and any(widths[j] < words[j] + pad for j in columns):
            continue  # a word would break in the middle: a smaller size first
        lines = [max(sum(_lines(part, size, w - pad, bold=True) for part in _header_lines(text, size, w - pad))
                     for text, w in zip(rows[0], widths, strict=True)),
                 *(max(_lines(text, size, w - pad) for text, w in zip(row, widths, strict=True)) for row in rows[1:])]
        layout = _TableLayout(size, widths, lines)
        if layout.height <= height or last:
            return layout
    raise ValueError("no sizes to try")


def _tables(slide, tables: tuple[TitledTable, ...], box: Box, lang: str) -> None:
    """The view's tables stacked in ``box``, all at the largest size at which each fits its share."""
    title_height, gap = 0.5, 0.25
    titles = sum(title_height for tt in tables if tt.title)
    share = (box.height - titles - gap * (len(tables) - 1)) / len(tables)
    size = min((_layout(tt.table, box.width, share).size for tt in tables if not tt.table.empty),
               default=TABLE_SIZES[0])
    top = box.top
    for tt in tables:
        if tt.title:
            _textbox(slide, Box(box.left, top, box.width, title_height), lang,
                     [(tt.title, 20, True, briefing.PRIMARY)], anchor=MSO_ANCHOR.MIDDLE)
            top += title_height
        if tt.table.empty and tt.empty_text:  # say why the list is empty (无数据, 样本不足), no bare header
            _textbox(slide, Box(box.left, top, box.width, share), lang,
                     [(tt.empty_text, _fit(tt.empty_text, box.width, (16, 14, 12), 3), False, MUTED_TEXT)],
                     name="Empty list")
            top += share + gap
            continue
        layout = _layout(tt.table, box.width, math.inf, (size,))
        _table(slide, tt.table, Box(box.left, top, box.width, layout.height), layout, lang)
        top += layout.height + gap


def _is_number(text: str, no_value: tuple[str, ...]) -> bool:
    """A cell a number column may hold: a number, or a mark for a missing one ("—", 无数据)."""
    return text in no_value or (bool(text) and (text[0].isdigit() or (text[0] in "+-" and text[1:2].isdigit())))


def _table(slide, frame: pd.DataFrame, box: Box, layout: _TableLayout, lang: str) -> None:
    shape = slide.shapes.add_table(len(frame) + 1, len(frame.columns), *box.emu())
    table = shape.table
    table.horz_banding = False
    no_value = (t("number.no_value", lang), t("kpi.no_value", lang))
    for j, width in enumerate(layout.widths):
        table.columns[j].width = Inches(width)
    for i, lines in enumerate(layout.lines):
        table.rows[i].height = Inches(_row_height(lines, layout.size))
    for j, column in enumerate(frame.columns):
        values = [str(v) for v in frame[column]]
        align = PP_ALIGN.RIGHT if values and all(_is_number(v, no_value) for v in values) else PP_ALIGN.LEFT
        for i, text in enumerate([str(column), *values]):
            cell = table.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(HEADER_FILL if i == 0 else (BAND_FILL if i % 2 == 0 else WHITE))
            cell.margin_left = cell.margin_right = Inches(CELL_MARGIN)
            cell.margin_top = cell.margin_bottom = Inches(CELL_PAD)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = align
            parts = _header_lines(text, layout.size, layout.widths[j] - CELL_PAD_X) if i == 0 else [text]
            for k, part in enumerate(parts):
                if k:
                    paragraph.add_line_break()
                run = paragraph.add_run()
                run.text = part
                _style(run, lang, layout.size, bold=i == 0, color=WHITE if i == 0 else TEXT_COLOR)


# ---------------------------------------------------------------- the deck

def build_deck(view: SnapshotView, filters: Filters, lang: str = "zh", config: MeetingConfig | None = None,
               views: list[BriefingView] | None = None) -> PresentationType:
    """The title slide and one slide per view of the configured sequence, for these filters.
    ``views`` are those views if the caller has them already (汇报模式 has them cached). A county user's
    deck is of their county (``Scope.narrow``); only the ranking names the others."""
    filters = view.scope.narrow(filters)
    config = config or briefing.meeting_config()
    views = views if views is not None else briefing.build_views(view, filters, lang, config)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = t("deck.title", lang, city=config.city(lang))
    prs.core_properties.author = t("app.title", lang)
    _title_slide(prs, view, filters, lang, config)
    footer = briefing.footer_text(view, filters, lang)
    period = briefing.period_text(view, filters.period, lang)
    for page, bview in enumerate(views, start=2):
        _content_slide(prs, bview, footer, page, len(views) + 1, lang, period)
    return prs


def deck_bytes(view: SnapshotView, filters: Filters, lang: str = "zh", config: MeetingConfig | None = None,
               views: list[BriefingView] | None = None) -> bytes:
    """The deck as a .pptx file's bytes (the app's download button)."""
    out = io.BytesIO()
    build_deck(view, filters, lang, config, views).save(out)
    return out.getvalue()


# ---------------------------------------------------------------- command line

def add_cli(sub: argparse._SubParsersAction) -> None:
    deck = sub.add_parser("deck", help="the meeting's PowerPoint deck (native charts and tables)")
    cli_args.add_arguments(deck, out_help="the .pptx file to write")
    deck.set_defaults(run=run_deck)


def run_deck(args: argparse.Namespace) -> int:
    """Write the deck; a wrong snapshot, period, county or folder exits with 2 and writes nothing."""
    try:
        wanted = cli_args.request(args)
    except cli_args.Refusal as refusal:
        print(refusal, file=sys.stderr)
        return refusal.code
    cli_args.write_whole(wanted.out, deck_bytes(wanted.view, wanted.filters, wanted.lang))
    slides = 1 + len(briefing.meeting_config().views)  # the title slide and one per view
    cli_args.record_export(wanted.user, str(wanted.out), wanted.filters, wanted.view, slides)
    print(t("deck.cli.written", wanted.lang, path=wanted.out, slides=slides))
    return 0
