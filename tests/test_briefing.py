"""The meeting views (xiaoneng.briefing) on the hand-counted fixture: every number counted by hand
from tests/handcount.py's docstring, October 2026 unless stated.

October 2026 is still running at the snapshot (Fri 10-30 17:00): its figures reach 10-30 (截至10月30日)
and it is compared like for like, with 2026-09-01..09-30 (环比) and 2025-10-01..10-30 (同比: before the
data, which start 2026-02, so 无可比数据). Every county and department accepted 4 cases in October,
fewer than rules.min_cases (30): all are 样本不足, ranked but on no 红榜/黑榜 unless a test lowers the
minimum (``min_cases``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from xiaoneng import briefing, indicators
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
C02 = Filters(Period.parse("2026-10"), counties=("C02",))
FUTURE = Filters(Period.parse("2026-12"))  # after the snapshot's data
UNCOVERED = Filters(Period.parse("2025"))  # before the data (they start 2026-02)
NOTHING = Filters(Period.parse("2026-10"), counties=("C01",), channels=("kiosk",))  # no 甲区 case came by kiosk
EMPTY_CASES = {"future": FUTURE, "uncovered": UNCOVERED, "empty filter": NOTHING}


@pytest.fixture
def min_cases(monkeypatch):
    """Set rules.min_cases (the 样本不足 threshold) for one test: ``min_cases(4)``."""
    rectify = indicators.load_rules().rectify_default_wd

    def set_to(count: int) -> None:
        found = indicators.Rules(rectify_default_wd=rectify, min_cases=count)
        monkeypatch.setattr(indicators, "load_rules", lambda path=indicators.CATALOG_FILE: found)

    return set_to


@pytest.fixture(scope="module")
def views(handcount_view) -> dict[str, briefing.BriefingView]:
    return {v.name: v for v in briefing.build_views(handcount_view, OCTOBER, "zh")}


def test_default_sequence_is_the_monthly_meeting():
    config = briefing.load_config()
    assert [s.name for s in config.views] == ["headline_kpis", "county_ranking", "on_time_trend",
                                              "red_lights_by_department", "satisfaction_by_county", "slowest_items"]
    assert config.city("zh") == "清河市"
    assert config.red_black_size == 3


def test_views_follow_the_configured_sequence(handcount_view, tmp_path):
    path = tmp_path / "meeting.yaml"
    path.write_text("city_zh: 测试市\nviews:\n  - slowest_items\n  - {view: on_time_trend, months: 3}\n",
                    encoding="utf-8")
    config = briefing.load_config(path)
    built = briefing.build_views(handcount_view, OCTOBER, "zh", config)
    assert [v.name for v in built] == ["slowest_items", "on_time_trend"]
    assert list(built[1].data["month"]) == ["2026-08", "2026-09", "2026-10"]


@pytest.mark.parametrize(("text", "reason"), [
    ("views: []\n", "non-empty list"),
    ("views:\n  - pie_of_everything\n", "views[0]: unknown view 'pie_of_everything'"),
    ("views:\n  - headline_kpis\n  - {months: 3}\n", "views[1] must be a view name"),
    ("red_black_size: 0\nviews:\n  - headline_kpis\n", "red_black_size"),
])
def test_a_wrong_configuration_names_file_and_entry(tmp_path, text, reason):
    path = tmp_path / "meeting.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"meeting\.yaml") as error:
        briefing.load_config(path)
    assert reason in str(error.value)


def test_headline_kpis(views):
    kpis = views["headline_kpis"]
    values = dict(zip(kpis.data["key"], kpis.data["value_text"], strict=True))
    assert values["cases_accepted"] == "8 件"  # K06–K13
    assert values["avg_elapsed_wd"] == "6.00 工作日"  # 承诺件 K05 9, K10 3, K13 6 → 18 / 3
    # due in October and passed by the snapshot: K05, K06, K10, K11, K13 (K07 due today, K12 withdrawn
    # before its deadline); by the deadline K05, K10, K11 → 3/5
    assert values["on_time_rate"] == "60.0%"
    assert values["open_overdue"] == "1 件"  # K06
    assert values["online_rate"] == "50.0%"  # K06, K07, K10, K13 of 8
    assert values["satisfied_rate"] == "42.9%"  # R1, R3, R5 of R1–R6, R8: 3 of 7
    # 截至 the snapshot's day; September (the same span) has no case due, so no 环比 for the rate; 7 of the
    # 8 miss their target: mean 6.00 > 3.00, 60.0 < 95, 1 > 0, 50.0 < 58, 42.9 < 96, 50.0 < 95, 62.5 < 83
    assert kpis.takeaway == ("截至10月30日，按期办结率60.0%；7项指标未达目标：平均办理时长、按期办结率、"
                             "超期在办件（红灯）、网办率等7项。")
    table = kpis.tables[0].table
    assert list(table.columns) == ["指标", "本期", "环比", "同比", "目标", "是否达标"]
    # 办件量 has no target; September accepted K05 only: 1 → 8 = +700 %; 2025-10 is before the data
    assert table.iloc[0].tolist() == ["办件量", "8 件", "+700.0%", "无可比数据", "未设目标", "—"]
    # no 承诺件 was completed in September: nothing to compare
    assert table.iloc[1].tolist() == ["平均办理时长", "6.00 工作日", "无可比数据", "无可比数据", "≤ 3.00 工作日",
                                      "未达标"]
    assert kpis.indicators[0] == "cases_accepted"
    assert kpis.definitions("zh")[0].startswith("办件量：统计期内受理的办件数")
    # the notes say how a running period is compared, and that no data is not zero
    assert kpis.notes[0] == ("统计期尚未结束，环比、同比按同期比较：环比对比2026年9月1日至9月30日，"
                             "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。")
    assert kpis.notes[1].startswith("无数据不等于0")


def test_county_ranking_marks_small_bases_and_lists_nobody(views):
    ranking = views["county_ranking"]
    # 72.5 and 40.9: counted in tests/test_bulletin.py's docstring; 4 accepted cases each < 30
    assert list(ranking.data["unit_name"]) == ["甲区", "乙县"]
    assert list(ranking.data["rank"]) == [1, 2]
    assert list(ranking.data["label"]) == ["甲区（样本不足）", "乙县（样本不足）"]
    assert ranking.category_col == "label"
    red, black = ranking.tables
    assert (red.title, black.title) == ("红榜", "黑榜")
    assert red.table.empty and black.table.empty
    assert red.empty_text == "样本不足（受理办件少于30件）的区县不列入红黑榜，本期可列入的区县不足2个。"
    # nobody named first or last
    assert ranking.takeaway == ("样本充足（受理办件不少于30件）的区县不足2个（2个区县样本不足）："
                                "只列名次，不评首末，本期不设红黑榜。")
    assert "甲区" not in ranking.takeaway and "乙县" not in ranking.takeaway
    assert ranking.notes[0].startswith("样本不足：统计期内受理办件少于30件的单位")


def test_county_ranking_with_red_and_black_lists(handcount_view, min_cases):
    min_cases(4)  # each county accepted 4 cases in October: both may be listed
    ranking = briefing.build_view(handcount_view, OCTOBER, briefing.ViewSpec("county_ranking"))
    assert list(ranking.data["label"]) == ["甲区", "乙县"]
    red, black = ranking.tables
    assert red.table["区县"].tolist() == ["甲区"]
    assert black.table["区县"].tolist() == ["乙县"]
    # 甲区 was ranked in September too (K05, first and only): 持平; 乙县 had no case data then
    assert red.table.iloc[0].tolist() == ["1", "甲区", "72.5", "持平"]
    assert black.table.iloc[0].tolist() == ["2", "乙县", "40.9", "无可比数据"]
    assert ranking.takeaway == "甲区以72.5分居首，乙县以40.9分居末。"
    assert ranking.highlight == ()


def test_red_and_black_lists_never_name_a_unit_twice_nor_a_small_base():
    card = pd.DataFrame({"unit_code": ["A", "B", "C", "D", "E", "F", "G"], "unit_name": list("ABCDEFG"),
                         "rank": pd.array([1, 2, 3, 4, 5, 6, None], dtype="Int64"),
                         "small_base": [False, True, False, False, False, False, False]})
    red, black = briefing.red_and_black_lists(card, 3)
    # B is 样本不足 and G has no rank: five listable units split two and two
    assert list(red["unit_code"]) == ["A", "C"]
    assert list(black["unit_code"]) == ["F", "E"]  # worst first
    red, black = briefing.red_and_black_lists(card, 1)
    assert (list(red["unit_code"]), list(black["unit_code"])) == (["A"], ["F"])
    red, black = briefing.red_and_black_lists(card.assign(small_base=True), 3)
    assert red.empty and black.empty


def test_on_time_trend(views):
    trend = views["on_time_trend"]
    assert trend.title == "按期办结率月度走势"
    rates = dict(zip(trend.data["month"], trend.data["on_time_rate"], strict=True))
    assert len(rates) == 12 and min(rates) == "2025-11"
    # February: due K02 (02-28, completed 03-02: late), K03 (same day), K04 (immediate, done the day after)
    assert rates["2026-02"] == pytest.approx(100 / 3)
    assert rates["2026-03"] == 100.0  # K01, due 03-04, completed 02-28
    assert rates["2026-06"] == 0.0  # K14 and K15, due 06-30, completed in July
    assert rates["2026-10"] == 60.0
    # nothing fell due: a gap, not a zero (July completed K14 and K15, but they were due in June)
    assert pd.isna(rates["2026-07"]) and pd.isna(rates["2026-09"])
    assert trend.target == 95.0
    # October is running: no 较上月 against a whole month
    assert trend.takeaway == ("2026年10月（截至10月30日）按期办结率60.0%；近期最高2026年3月（100.0%），"
                              "最低2026年6月（0.0%）。")


def test_red_lights_by_department(views):
    lights = views["red_lights_by_department"]
    assert lights.data[["dept_name", "open_overdue", "open_yellow"]].values.tolist() == [
        ["市场监管局", 1, 1],  # K06 red, K07 yellow
        ["人社局", 0, 1],  # K08 yellow
    ]
    assert lights.takeaway == "截至2026-10-30 17:00，红灯1件、黄灯2件；红灯最多的是市场监管局（1件）。"
    assert [s.label for s in lights.series] == ["红灯（已超期）", "黄灯（临期）"]


def test_lights_of_a_closed_month_are_read_at_its_close(handcount_view):
    september = Filters(Period.parse("2026-09"))
    lights = briefing.build_view(handcount_view, september, briefing.ViewSpec("red_lights_by_department"))
    # at the end of September only K05 is open (accepted 09-29, due 10-22): neither red nor yellow
    assert lights.takeaway == "截至2026-09-30 24:00，没有超期或临期的在办件。"
    assert not briefing.through_text(handcount_view, september.period)  # a closed month: no 截至


@pytest.mark.parametrize(("as_of", "period", "expected"), [
    (dt.datetime(2026, 10, 30, 17, 0), "2026-10", (dt.date(2026, 10, 30), "17:00")),  # the month runs
    (dt.datetime(2026, 10, 30, 17, 0), "2026-09", (dt.date(2026, 9, 30), "24:00")),  # closed
    # a snapshot at the last second of the month has read the whole of it (the demo's 23:59:59)
    (dt.datetime(2026, 10, 31, 23, 59, 59), "2026-10", (dt.date(2026, 10, 31), "24:00")),
])
def test_the_state_time_as_people_write_it(as_of, period, expected):
    snapshot = SimpleNamespace(as_of=as_of)
    assert briefing.state_moment(snapshot, Filters(Period.parse(period))) == expected


def test_satisfaction_by_county_compares_all_counties(handcount_view, views):
    view = views["satisfaction_by_county"]
    # 乙县 R3, R4, R6, R8: satisfied R3; 甲区 R1, R2, R5: satisfied R1, R5
    assert view.data[["name", "ratings", "ratings_satisfied"]].values.tolist() == [["乙县", 4, 1], ["甲区", 3, 2]]
    assert view.takeaway == "全市满意率42.9%；最低乙县（25.0%），最高甲区（66.7%）；2个区县未达目标（≥ 96.0%）。"
    narrowed = briefing.build_view(handcount_view, C02, briefing.ViewSpec("satisfaction_by_county"))
    assert list(narrowed.data["name"]) == ["乙县", "甲区"]
    assert narrowed.highlight == ("乙县",)


def test_slowest_items(views):
    items = views["slowest_items"]
    first = items.tables[0].table.iloc[0]
    assert first["事项"] == "就业登记"
    assert first["P90用时（工作日）"] == "5.7"  # K10 3 and K13 6: 3 + 0.9 × 3
    assert first["承诺时限（工作日）"] == "3"
    assert first["按期办结率"] == "50.0%"  # due K10 (on time), K13 (late)
    assert items.takeaway == "最慢的是人社局的“就业登记”：P90用时5.7 工作日，承诺时限3 工作日。"


def test_a_county_narrows_all_but_the_comparisons(handcount_view):
    built = {v.name: v for v in briefing.build_views(handcount_view, C02, "zh")}
    values = dict(zip(built["headline_kpis"].data["key"], built["headline_kpis"].data["value"], strict=True))
    assert values["cases_accepted"] == 4  # K06, K08, K10, K12
    assert values["on_time_rate"] == 50.0  # due K06 (open, missed), K10 (on time); K12 withdrawn first
    assert built["county_ranking"].highlight == ("乙县（样本不足）",)
    assert len(built["county_ranking"].data) == 2


def test_english_views(handcount_view):
    built = {v.name: v for v in briefing.build_views(handcount_view, OCTOBER, "en")}
    assert built["red_lights_by_department"].title == "Open cases overdue (red) and due soon (yellow)"
    assert built["on_time_trend"].takeaway.startswith("Due-date completion rate 60.0% in 2026-10 (through")
    assert list(built["county_ranking"].data["label"]) == ["Jia District (small base)", "Yi County (small base)"]


# ---------------------------------------------------------------- no data is not zero

@pytest.mark.parametrize("case", EMPTY_CASES)
def test_no_data_says_so_and_ranks_nobody(handcount_view, case):
    filters = EMPTY_CASES[case]
    built = {v.name: v for v in briefing.build_views(handcount_view, filters, "zh")}
    ranking = built["county_ranking"]
    assert ranking.empty and ranking.data.empty
    assert all(tt.table.empty and tt.empty_text == "无数据，不设红黑榜。" for tt in ranking.tables)
    for name, view in built.items():
        assert "无数据" in view.takeaway, name
        assert "0 件" not in view.takeaway and "0件" not in view.takeaway, name
        assert "居首" not in view.takeaway, name
        if name != "headline_kpis" or case != "empty filter":
            assert view.empty, name
    assert built["on_time_trend"].data["on_time_rate"].isna().all()
    assert built["red_lights_by_department"].data.empty and built["slowest_items"].data.empty


def test_a_period_without_data_gives_the_reason(handcount_view):
    future = {v.name: v for v in briefing.build_views(handcount_view, FUTURE, "zh")}
    message = "无数据：2026年12月在快照 handcount 的数据截至日（2026年10月30日）之后，尚无数据。"
    assert {v.takeaway for v in future.values()} == {message}
    # every card says 无数据: not one 0 (the lights at the snapshot belong to October, not December)
    assert set(future["headline_kpis"].data["value_text"]) == {"无数据"}
    uncovered = briefing.build_view(handcount_view, UNCOVERED, briefing.ViewSpec("headline_kpis"))
    assert uncovered.takeaway == "无数据：2025年在快照 handcount 的数据起始日（2026年2月1日）之前。"
    assert set(uncovered.data["value_text"]) == {"无数据"}


def test_an_empty_filter_combination_names_what_has_no_data(handcount_view):
    kpis = briefing.build_view(handcount_view, NOTHING, briefing.ViewSpec("headline_kpis"))
    values = dict(zip(kpis.data["key"], kpis.data["value_text"], strict=True))
    # no 甲区 case came by kiosk; the survey index is not by channel: 甲区's S1 5, S2 4 → 87.5 ≥ 83
    assert values["cases_accepted"] == "无数据" and values["on_time_rate"] == "无数据"
    assert values["satisfaction_index"] == "87.5 分"
    assert kpis.takeaway == ("截至10月30日，有数据且设定目标的指标均已达标。7项指标无数据：办件量、平均办理时长、"
                             "按期办结率、超期在办件（红灯）等7项。")
    lights = briefing.build_view(handcount_view, NOTHING, briefing.ViewSpec("red_lights_by_department"))
    assert lights.takeaway == "无数据：所选统计期和筛选范围内没有办件、评价或测评数据。"  # not "no red light"


# ---------------------------------------------------------------- running periods: like for like

def test_a_running_quarter_is_compared_with_the_same_span(handcount_view):
    quarter = Filters(Period.parse("2026-Q4"))
    assert briefing.period_text(handcount_view, quarter.period) == "2026年第4季度（截至10月30日）"
    assert briefing.comparison_spans(handcount_view, quarter) == (
        "2026年7月1日至7月30日", "2025年10月1日至10月30日（不在数据范围内，无可比数据）")
    kpis = briefing.build_view(handcount_view, quarter, briefing.ViewSpec("headline_kpis"))
    assert kpis.takeaway.startswith("截至10月30日，按期办结率60.0%；")
    cards = kpis.data.set_index("key")
    # 1–30 July accepted nothing but completed K14 (7) and K15 (8): 承诺件 mean 7.5 → 6.00 is -20 %
    assert cards.loc["cases_accepted", "previous"] == 0
    assert cards.loc["avg_elapsed_wd", "previous"] == 7.5
    assert cards.loc["avg_elapsed_wd", "delta_text"] == "-20.0%"
    assert kpis.notes[0] == ("统计期尚未结束，环比、同比按同期比较：环比对比2026年7月1日至7月30日，"
                             "同比对比2025年10月1日至10月30日（不在数据范围内，无可比数据）。")
    assert briefing.footer_text(handcount_view, quarter, "zh").endswith(
        "统计期：2026年第4季度 · 区县：全部 · 部门：全部 · 事项类型：全部 · 渠道：全部 · "
        "截至10月30日，环比、同比按同期比较")
    assert briefing.period_text(handcount_view, quarter.period, "en") == "2026-Q4 (through 2026-10-30)"


def test_footer_states_filters_and_snapshot_time(handcount_view):
    assert briefing.footer_text(handcount_view, C02, "zh") == (
        "数据截至 2026-10-30 17:00（快照 handcount） · 统计期：2026年10月 · 区县：乙县 · 部门：全部 · "
        "事项类型：全部 · 渠道：全部 · 截至10月30日，环比、同比按同期比较")
    # a closed month has no 截至 note
    assert briefing.footer_text(handcount_view, Filters(Period.parse("2026-09")), "zh").endswith("渠道：全部")
    assert briefing.scope_text(handcount_view, C02, "zh") == "乙县"
    assert briefing.scope_text(handcount_view, OCTOBER, "zh") == "全市"
