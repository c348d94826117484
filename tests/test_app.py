"""The app in Streamlit's AppTest, on the hand-counted fixture (tests/handcount.py).

Widgets are found by their keys (documented in xiaoneng/session.py); numbers are compared
with the hand count and with ``metrics.headline`` for the same filters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from tests.apptest import (
    chart_figures,
    html_bodies,
    metric_values,
    metrics_before_and_after_county,
    page_texts,
    signed_in,
)
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, headline
from xiaoneng.snapshots import SnapshotStore

APP = Path(__file__).resolve().parent.parent / "app.py"
# Every page st.navigation in app.py registers (test_every_registered_page_is_listed keeps this true).
PAGES = ("pages/overview.py", "pages/unit_profile.py", "pages/approval_times.py", "pages/supervision.py",
         "pages/satisfaction.py", "pages/tasks.py", "pages/integrity.py", "pages/scorecard.py", "pages/presentation.py",
         "pages/bulletin.py", "pages/ledger.py", "pages/data.py", "pages/definitions.py")
# 汇报模式 has no page title: it shows the view's title in projector type (st.html, an <h1>) and
# states the view in its footer rather than in a caption.
PRESENTATION = "pages/presentation.py"
DATA_PAGE = "pages/data.py"  # 数据管理: the snapshot's rows and quality, not a period's numbers
TIMEOUT = 30


@pytest.fixture
def app(data_folder, monkeypatch) -> AppTest:
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    return signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT))


def label(key: str, lang: str = "zh") -> str:
    return catalog()[key].label(lang)


def expected_cards(data_folder: Path, filters: Filters, lang: str = "zh") -> dict[str, str]:
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    return {h.indicator.label(lang): h.indicator.format(h.value, lang) for h in headline(view, filters)}


def test_fixture_needs_no_reference_folder(data_folder):
    assert not (data_folder / "reference").exists()
    # beside the snapshot folders only the store's own state file (.store.json: the default choice)
    assert sorted(p.name for p in (data_folder / "snapshots").iterdir()) == [".store.json", "handcount"]


def test_entry_point_runs_and_shows_overview(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == t("nav.overview")
    assert len(app.metric) == 8


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    if page == PRESENTATION:
        bodies = html_bodies(app)
        assert any('<h1 class="xn-title">' in b for b in bodies)
        assert any("xn-footer" in b and "2026-10-30 17:00" in b and "handcount" in b for b in bodies)
        return
    assert app.title, f"{page} shows no title"
    # every page states the view: as-of time and filters
    assert any("2026-10-30 17:00" in c.value and "handcount" in c.value for c in app.caption)


def test_kpis_equal_the_hand_count(app):
    app.run()
    shown = metric_values(app)
    assert shown[label("on_time_rate")] == "60.0%"
    assert shown[label("cases_accepted")] == "8 件"
    assert shown[label("online_rate")] == "50.0%"
    assert shown[label("open_overdue")] == "1 件"
    # 承诺件 completed in October: K05 9, K10 3, K13 6 → mean 6 (K11 is an immediate item)
    assert shown[label("avg_elapsed_wd")] == "6.00 工作日"
    assert shown[label("satisfied_rate")] == "42.9%"  # 3 of 7 reviews scored 3–5
    assert shown[label("rectification_rate")] == "50.0%"
    assert shown[label("satisfaction_index")] == "62.5 分"


def test_kpi_cards_carry_definition_change_and_target(app):
    app.run()
    by_label = {m.label: m for m in app.metric}
    on_time = by_label[label("on_time_rate")]
    assert on_time.help == catalog()["on_time_rate"].definition("zh")
    online = by_label[label("online_rate")]
    assert online.delta == "+50.0 个百分点"  # September: no case accepted online of 1
    assert online.proto.delta_description == t("kpi.previous")
    details = [m.value for m in app.markdown if t("kpi.target") in m.value]
    assert any("95.0%" in d and t("kpi.misses") in d and "35.0 个百分点" in d for d in details)


def colour(metric) -> str:
    return MetricProto.MetricColor.Name(metric.proto.color)


def test_lower_is_better_uses_inverse_colours(app):
    """March vs February: the mean time of 承诺件 fell from 7 (K01) to 6 (K02) working days, −14.3 %:
    good for a lower-better indicator, so green although the number went down; the red lights fell
    from 1 (K02, open after the close of its 02-28 deadline) to 0, −100 %: green too. The 按期办结率 rose
    from 1/3 (K03 of K02, K03, K04) to 1/1 (K01): green. (A rising count is red:
    test_count_rising_from_zero_shows_the_difference.)"""
    app.query_params["period"] = "2026-03"
    app.run()
    by_label = {m.label: m for m in app.metric}
    elapsed, on_time = by_label[label("avg_elapsed_wd")], by_label[label("on_time_rate")]
    overdue = by_label[label("open_overdue")]
    assert (elapsed.delta, colour(elapsed)) == ("-14.3%", "GREEN")
    assert (overdue.delta, colour(overdue)) == ("-100.0%", "GREEN")  # a count changes in percent
    assert (on_time.delta, colour(on_time)) == ("+66.7 个百分点", "GREEN")


def test_count_rising_from_zero_shows_the_difference(app):
    app.run()
    overdue = {m.label: m for m in app.metric}[label("open_overdue")]
    assert (overdue.delta, colour(overdue)) == ("+1 件", "RED")  # September 0 → October 1


def test_county_filter_changes_the_numbers(data_folder, app):
    _, after = metrics_before_and_after_county(app)
    assert after[label("on_time_rate")] == "50.0%"
    assert after[label("cases_accepted")] == "4 件"
    assert after == expected_cards(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert app.query_params["counties"] == "C02"
    assert app.query_params["period"] == "2026-10"
    assert app.query_params["snapshot"] == "handcount"


def test_ranking_ignores_the_county_filter(app):
    app.run()
    app.multiselect(key="filter_counties").set_value(["C02"]).run()
    charts = app.get("plotly_chart")
    # ranking, headline trends (small multiples in one figure, drawn for wide screens and for phones), lights
    assert len(charts) == 4
    ranking = app.table[0].value
    assert len(ranking) == 2  # both counties, though only C02 is selected
    assert list(ranking.columns[:3]) == [t("ranking.rank"), t("ranking.county"), t("ranking.score")]


def test_other_filters_change_the_numbers(data_folder, app):
    app.run()
    app.multiselect(key="filter_channels").set_value(["online", "mobile"]).run()
    app.multiselect(key="filter_departments").set_value(["D01"]).run()
    app.multiselect(key="filter_item_types").set_value(["行政许可"]).run()
    assert not app.exception
    filters = Filters(Period.parse("2026-10"), departments=("D01",), item_types=("行政许可",),
                      channels=("online", "mobile"))
    assert metric_values(app) == expected_cards(data_folder, filters)
    assert app.query_params["channels"] == "mobile,online"


def test_english_switch_changes_labels(data_folder, app):
    app.run()
    app.segmented_control(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == t("nav.overview", "en")
    assert metric_values(app) == expected_cards(data_folder, Filters(Period.parse("2026-10")), "en")
    assert app.multiselect(key="filter_counties").label == t("filters.counties", "en")
    assert app.sidebar.header[0].value == t("filters.header", "en")
    assert app.query_params["lang"] == "en"
    assert not any("按时" in m.label for m in app.metric)
    app.switch_page("pages/definitions.py").run()
    assert app.title[0].value == t("definitions.title", "en")
    definitions = app.table[0].value
    assert label("on_time_rate", "en") in set(definitions[t("definitions.label", "en")])


def test_definitions_page_states_the_counting_rules(app):
    app.run()
    app.switch_page("pages/definitions.py").run()
    assert not app.exception
    assert any(h.value == t("definitions.rules_header") for h in app.subheader)
    rules = "\n".join(m.value for m in app.markdown)
    # the settings of config/indicators.yaml's rules: 10 working days, 30 cases
    assert "核实之日后第 10 个工作日" in rules and "少于 30 件" in rules
    assert "无数据" in rules and "无可比数据" in rules and "截至10月31日" in rules
    definitions = app.table[0].value.set_index(t("definitions.key"))
    assert definitions.loc["completion_on_time_rate", t("definitions.definition")] == \
        catalog()["completion_on_time_rate"].definition("zh")


def test_url_selects_the_period(data_folder, app):
    app.query_params["period"] = "2026-02"
    app.run()
    assert not app.exception
    assert app.selectbox(key="filter_period").value == "2026-02"
    shown = metric_values(app)
    assert shown == expected_cards(data_folder, Filters(Period.parse("2026-02")))
    assert shown[label("cases_accepted")] == "4 件"  # K01–K04


def test_url_reproduces_a_whole_view(data_folder, app):
    for key, value in {"snapshot": "handcount", "period": "2026-Q4", "counties": "C01", "lang": "en"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert app.segmented_control(key="filter_period_kind").value == "quarter"
    assert app.selectbox(key="filter_period").value == "2026-Q4"
    assert app.multiselect(key="filter_counties").value == ["C01"]
    assert app.segmented_control(key="lang").value == "en"
    assert metric_values(app) == expected_cards(data_folder, Filters(Period.parse("2026-Q4"), counties=("C01",)), "en")


def test_custom_range_from_the_url(data_folder, app):
    app.query_params["period"] = "2026-10-01..2026-10-15"
    app.run()
    assert not app.exception
    assert app.segmented_control(key="filter_period_kind").value == "custom"
    assert metric_values(app) == expected_cards(data_folder, Filters(Period.parse("2026-10-01..2026-10-15")))


def test_switching_period_kind_keeps_the_days(app):
    app.run()
    app.segmented_control(key="filter_period_kind").set_value("quarter").run()
    assert app.selectbox(key="filter_period").value == "2026-Q4"
    assert app.query_params["period"] == "2026-Q4"
    app.segmented_control(key="filter_period_kind").set_value("year").run()
    assert app.query_params["period"] == "2026"
    # back to months: the snapshot's month (data to 30 October), not December of the year
    app.segmented_control(key="filter_period_kind").set_value("month").run()
    assert app.query_params["period"] == "2026-10"
    app.segmented_control(key="filter_period_kind").set_value("year").run()
    app.selectbox(key="filter_period").set_value("2026").run()
    app.button(key="filter_reset").click().run()
    assert app.query_params["period"] == "2026-10"


def test_unknown_snapshot_in_link_falls_back_to_latest(app):
    app.query_params["snapshot"] = "no-such-snapshot"
    app.run()
    assert not app.exception
    assert any("no-such-snapshot" in w.value for w in app.warning)
    assert app.query_params["snapshot"] == "handcount"


def test_bad_url_values_are_ignored(app):
    app.query_params["period"] = "last-tuesday"
    app.query_params["counties"] = "C99,C02"
    app.query_params["channels"] = "fax"
    app.run()
    assert not app.exception
    assert app.selectbox(key="filter_period").value == "2026-10"
    assert app.multiselect(key="filter_counties").value == ["C02"]
    assert app.multiselect(key="filter_channels").value == []


def test_empty_selection_shows_a_message(app):
    app.query_params["period"] = "2025-01"
    app.run()
    assert not app.exception
    infos = [i.value for i in app.info]
    assert t("kpi.empty") in infos
    assert t("matrix.empty") in infos
    assert not app.metric


def test_without_snapshots_the_app_explains_how_to_build_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAONENG_DATA", str(tmp_path))
    at = signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT)).run()
    assert not at.exception
    assert any("make run" in w.value for w in at.warning)
    at.switch_page("pages/definitions.py").run()
    assert not at.exception
    assert len(at.table[0].value) == len(catalog())


def test_pages_folder_mode_reruns_through_app_py(app):
    """AppTest, like a fresh server answering its first request, starts every run in Streamlit's
    pages-folder mode: from the second run on it would run the page file alone. The page then
    reruns through app.py (session.leave_pages_folder_mode), so navigation, filters and their
    state are the same as in any other run."""
    app.run()
    app.segmented_control(key="lang").set_value("en").run()
    app.multiselect(key="filter_counties").set_value(["C01"]).run()
    assert not app.exception
    assert app.segmented_control(key="lang").value == "en"
    assert app.multiselect(key="filter_counties").value == ["C01"]
    assert app.title[0].value == t("nav.overview", "en")


def test_every_registered_page_is_listed():
    registered = set(re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', APP.read_text(encoding="utf-8")))
    assert registered == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_english(app, page):
    app.run()
    app.switch_page(page).run()
    app.segmented_control(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title or page == PRESENTATION


# ---------------------------------------------------------------- no data is not zero, on every page

# A month after the snapshot (2026-12), a year before its data (they start in February 2026: 2025),
# and a selection holding nothing at all: 乙县's 市场监管局 has no 行政确认 item (I04 is 人社局's),
# its reviews R4 and R8 name no item, it took part in no survey, and its one task (T4) is due in
# November.
NO_DATA = {
    "future-month": {"period": "2026-12"},
    "uncovered-year": {"period": "2025"},
    "empty-filters": {"period": "2026-10", "counties": "C02", "departments": "D01", "item_types": "行政确认"},
}
UNITS = ("甲区", "乙县", "市场监管局", "人社局")
RANK_HEADERS = {t("ranking.rank"), t("scorecard_data.scorecard.rank"), t("scorecard_data.scorecard.previous_rank"),
                t("scorecard_data.scorecard.published_rank"), t("scorecard_data.scorecard.trial_rank"),
                t("profile.col_rank")}
NO_RANK = {"", "—", "nan", "None", "<NA>", "NaN", t("kpi.no_value")}


def ranking_shown(at: AppTest) -> list[str]:
    """Whatever on the page ranks a unit: a rank in a table, "第N名", a unit on the 红榜/黑榜, a unit's bar
    with a number in a chart."""
    found = []
    for table in (*at.dataframe, *at.table):
        frame = getattr(table.value, "data", table.value)
        for column in frame.columns:
            if str(column) in RANK_HEADERS:
                found += [f"{column}: {v}" for v in frame[column].astype(str) if v not in NO_RANK]
    for text in page_texts(at):
        found += re.findall(r"第\s*\d+\s*名", text)
        listed = (m.group(0) for m in re.finditer(r"[红黑]榜[：:][^。\n<]*", text))
        found += [entry for entry in listed if any(u in entry for u in UNITS)]
    for figure in chart_figures(at):
        for trace in figure.get("data", []):
            for category, values in (("y", "x"), ("x", "y")):
                labels, numbers = trace.get(category) or [], trace.get(values) or []
                if isinstance(labels, list) and isinstance(numbers, list) and any(str(v) in UNITS for v in labels) \
                        and any(isinstance(n, int | float) and n == n for n in numbers):
                    found.append(f"chart {trace.get('name')}: {labels} {numbers}")
    return found


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("condition", list(NO_DATA))
def test_every_page_without_data_shows_no_data_and_ranks_nobody(app, page, condition):
    """product.md §4: a period with no cases or outside the snapshot's coverage, or a selection
    without data, shows 无数据 on every card, chart, ranking, 红黑榜 and 通报 — never 0 % or a ranking
    of empty units — and nothing raises."""
    for key, value in NO_DATA[condition].items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    texts = page_texts(app)
    assert any(t("kpi.no_value") in text for text in texts), f"{page} does not say 无数据"
    assert not ranking_shown(app), ranking_shown(app)
    if page == DATA_PAGE:
        return  # its cards count the whole snapshot (rows, data quality), whatever the period
    # no card shows a zero as if it were data
    zeros = [f"{m.label} {m.value}" for m in app.metric if re.match(r"^0(\.0+)?(%| |$)", str(m.value))]
    assert not zeros, zeros


def test_the_ranking_check_sees_a_ranking(app):
    """ranking_shown finds what it looks for: October's Overview ranks both counties."""
    app.run()
    assert ranking_shown(app)


def test_unit_profile_compares_a_county_with_its_peer(app):
    app.run()
    app.switch_page("pages/unit_profile.py").run()
    app.selectbox(key="profile_county").set_value("C02").run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("indicator")
    # C02 in 2026-10: due K06 (open) and K10 (by its deadline) → 50 %, second of two counties (C01: due
    # K05, K11, K13, by the deadline K05, K11 → 66.7 %)
    assert table.loc[label("on_time_rate"), "value"] == "50.0%"
    assert table.loc[label("on_time_rate"), "rank"] == "2 / 2"
    app.selectbox(key="profile_county").set_value("C01").run()
    table = app.dataframe[0].value.set_index("indicator")
    assert table.loc[label("on_time_rate"), "value"] == "66.7%"


def test_a_county_clicked_in_the_ranking_narrows_the_cards_and_the_matrix(app, data_folder):
    app.run()
    assert metric_values(app)[label("on_time_rate")] == "60.0%"
    app.query_params["xf_county"] = "C02"  # what the ranking chart's click callback puts in the URL
    app.run()
    assert not app.exception
    assert metric_values(app) == expected_cards(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert metric_values(app)[label("on_time_rate")] == "50.0%"  # due K06 (open), K10 (by its deadline)
    assert app.button(key="overview_xf_chip_county").label == "区县：乙县"
    app.button(key="overview_xf_chip_county").click().run()
    assert metric_values(app)[label("on_time_rate")] == "60.0%"


def test_overview_drills_through_to_the_cases_behind_the_cards(app):
    app.run()
    app.selectbox(key="overview_drill_subset").set_value("open_overdue").run()
    app.button(key="overview_drill_show").click().run()  # the list runs only when asked for
    assert not app.exception
    listed = app.dataframe[0].value
    assert list(listed.iloc[:, 0]) == ["K06"]  # the one red light of October (超期件 1 件)
    app.selectbox(key="overview_drill_subset").set_value("open_yellow").run()
    assert sorted(app.dataframe[0].value.iloc[:, 0]) == ["K07", "K08"]
