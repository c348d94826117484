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

from tests.apptest import html_bodies, metric_values, metrics_before_and_after_county
from xiaoneng.filters import Filters, Period
from xiaoneng.i18n import t
from xiaoneng.indicators import catalog
from xiaoneng.metrics import SnapshotView, headline
from xiaoneng.snapshots import SnapshotStore

APP = Path(__file__).resolve().parent.parent / "app.py"
# Every page st.navigation in app.py registers (test_every_registered_page_is_listed keeps this true).
PAGES = ("pages/overview.py", "pages/unit_profile.py", "pages/approval_times.py", "pages/supervision.py",
         "pages/satisfaction.py", "pages/tasks.py", "pages/scorecard.py", "pages/presentation.py",
         "pages/bulletin.py", "pages/data.py", "pages/definitions.py")
# 汇报模式 has no page title: it shows the view's title in projector type (st.html, an <h1>) and
# states the view in its footer rather than in a caption.
PRESENTATION = "pages/presentation.py"
TIMEOUT = 30


@pytest.fixture
def app(data_folder, monkeypatch) -> AppTest:
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def label(key: str, lang: str = "zh") -> str:
    return catalog()[key].label(lang)


def expected_cards(data_folder: Path, filters: Filters, lang: str = "zh") -> dict[str, str]:
    view = SnapshotView(SnapshotStore(data_folder / "snapshots").get("handcount"))
    return {h.indicator.label(lang): h.indicator.format(h.value, lang) for h in headline(view, filters)}


def test_fixture_needs_no_reference_folder(data_folder):
    assert not (data_folder / "reference").exists()
    assert [p.name for p in (data_folder / "snapshots").iterdir()] == ["handcount"]


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
    assert shown[label("avg_elapsed_wd")] == "4.50 工作日"
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
    """March vs February: the mean time rose (bad for a lower-better indicator: red), the
    on-time rate fell (bad: red); a rise of the rate would have been green."""
    app.query_params["period"] = "2026-03"
    app.run()
    by_label = {m.label: m for m in app.metric}
    elapsed, on_time = by_label[label("avg_elapsed_wd")], by_label[label("on_time_rate")]
    assert (elapsed.delta, colour(elapsed)) == ("+125.0%", "RED")
    assert (on_time.delta, colour(on_time)) == ("-66.7 个百分点", "RED")


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
    assert len(charts) == 3  # ranking, headline trends (small multiples in one figure), traffic lights
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
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
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


def test_unit_profile_compares_a_county_with_its_peer(app):
    app.run()
    app.switch_page("pages/unit_profile.py").run()
    app.selectbox(key="profile_county").set_value("C02").run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("indicator")
    # C02 in 2026-10: K10 on time, K06 open overdue → 50 %, second of two counties (C01 66.7 %)
    assert table.loc[label("on_time_rate"), "value"] == "50.0%"
    assert table.loc[label("on_time_rate"), "rank"] == "2 / 2"
    app.selectbox(key="profile_county").set_value("C01").run()
    table = app.dataframe[0].value.set_index("indicator")
    assert table.loc[label("on_time_rate"), "value"] == "66.7%"


def test_a_county_clicked_in_the_ranking_narrows_the_cards_and_the_matrix(app, data_folder):
    app.run()
    assert metric_values(app)[label("on_time_rate")] == "60.0%"
    app.session_state["overview_xf_county"] = "C02"  # what the ranking chart's click callback stores
    app.run()
    assert not app.exception
    assert metric_values(app) == expected_cards(data_folder, Filters(Period.parse("2026-10"), counties=("C02",)))
    assert metric_values(app)[label("on_time_rate")] == "50.0%"  # K10 on time, K06 open overdue
    assert any("乙县" in i.value for i in app.info)
    app.button(key="overview_xf_clear").click().run()
    assert metric_values(app)[label("on_time_rate")] == "60.0%"


def test_overview_drills_through_to_the_cases_behind_the_cards(app):
    app.run()
    app.selectbox(key="overview_drill_subset").set_value("open_overdue").run()
    assert not app.exception
    listed = app.dataframe[0].value
    assert list(listed.iloc[:, 0]) == ["K06"]  # the one red light of October (超期件 1 件)
    app.selectbox(key="overview_drill_subset").set_value("open_yellow").run()
    assert sorted(app.dataframe[0].value.iloc[:, 0]) == ["K07", "K08"]
