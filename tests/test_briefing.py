"""The meeting views (xiaoneng.briefing) on the hand-counted fixture: every number counted by hand
from tests/handcount.py's docstring, October 2026 unless stated."""

from __future__ import annotations

import pandas as pd
import pytest

from xiaoneng import briefing
from xiaoneng.filters import Filters, Period

OCTOBER = Filters(Period.parse("2026-10"))
C02 = Filters(Period.parse("2026-10"), counties=("C02",))


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
    assert values["cases_accepted"] == "8 件"
    assert values["on_time_rate"] == "60.0%"  # K05, K10, K11 on time of K05, K10, K11, K13 + open overdue K06
    assert values["open_overdue"] == "1 件"  # K06
    assert values["online_rate"] == "50.0%"  # K06, K07, K10, K13 of 8
    assert values["satisfied_rate"] == "42.9%"  # 3 of 7
    # the on-time rate has no September base to change from: no 环比 in the takeaway
    assert kpis.takeaway == ("按时办结率60.0%；6项指标未达目标：按时办结率、超期件（红灯）、网办率、满意率等6项。")
    table = kpis.tables[0].table
    assert list(table.columns) == ["指标", "本期", "环比", "同比", "目标", "是否达标"]
    assert table.iloc[1].tolist() == ["平均办理时长", "4.50 工作日", "—", "—", "≤ 5.00 工作日", "达标"]
    assert kpis.indicators[0] == "cases_accepted"
    assert kpis.definitions("zh")[0].startswith("办件量：统计期内受理的办件数")


def test_county_ranking_with_red_and_black_lists(views):
    ranking = views["county_ranking"]
    assert list(ranking.data["unit_name"]) == ["甲区", "乙县"]
    assert list(ranking.data["rank"]) == [1, 2]
    red, black = ranking.tables
    assert (red.title, black.title) == ("红榜", "黑榜")
    assert red.table["区县"].tolist() == ["甲区"]
    assert black.table["区县"].tolist() == ["乙县"]
    assert ranking.takeaway.startswith("甲区以") and "乙县以" in ranking.takeaway
    assert ranking.highlight == ()


def test_red_and_black_lists_never_name_a_unit_twice():
    card = pd.DataFrame({"unit_code": ["A", "B", "C", "D", "E", "F"], "unit_name": list("ABCDEF"),
                         "rank": pd.array([1, 2, 3, 4, 5, None], dtype="Int64")})
    red, black = briefing.red_and_black_lists(card, 3)
    assert list(red["unit_code"]) == ["A", "B"]
    assert list(black["unit_code"]) == ["E", "D"]  # worst first; F has no rank
    red, black = briefing.red_and_black_lists(card, 1)
    assert (list(red["unit_code"]), list(black["unit_code"])) == (["A"], ["E"])


def test_on_time_trend(views):
    trend = views["on_time_trend"]
    rates = dict(zip(trend.data["month"], trend.data["on_time_rate"], strict=True))
    assert len(rates) == 12 and min(rates) == "2025-11"
    assert rates["2026-02"] == pytest.approx(200 / 3)  # K01, K03 on time; K04 late
    assert rates["2026-03"] == 0.0  # K02, late
    assert rates["2026-10"] == 60.0
    assert pd.isna(rates["2026-09"])
    assert trend.target == 95.0
    assert trend.takeaway == "2026年10月按时办结率60.0%；近期最高2026年2月（66.7%），最低2026年3月（0.0%）。"


def test_red_lights_by_department(views):
    lights = views["red_lights_by_department"]
    assert lights.data[["dept_name", "open_overdue", "open_yellow"]].values.tolist() == [
        ["市场监管局", 1, 1],  # K06 red, K07 yellow
        ["人社局", 0, 1],  # K08 yellow
    ]
    assert lights.takeaway == "截至2026-10-30 17:00，红灯1件、黄灯2件；红灯最多的是市场监管局（1件）。"
    assert [s.label for s in lights.series] == ["红灯（已超期）", "黄灯（临期）"]


def test_satisfaction_by_county_compares_all_counties(handcount_view, views):
    view = views["satisfaction_by_county"]
    assert view.data[["name", "ratings", "ratings_satisfied"]].values.tolist() == [["乙县", 4, 1], ["甲区", 3, 2]]
    assert view.takeaway == "全市满意率42.9%；最低乙县（25.0%），最高甲区（66.7%）；2个区县未达目标（≥ 98.0%）。"
    narrowed = briefing.build_view(handcount_view, C02, briefing.ViewSpec("satisfaction_by_county"))
    assert list(narrowed.data["name"]) == ["乙县", "甲区"]
    assert narrowed.highlight == ("乙县",)


def test_slowest_items(views):
    items = views["slowest_items"]
    first = items.tables[0].table.iloc[0]
    assert first["事项"] == "就业登记"
    assert first["P90用时（工作日）"] == "5.7"  # K10 3 and K13 6: 3 + 0.9 × 3
    assert first["承诺时限（工作日）"] == "3"
    assert items.takeaway == "最慢的是人社局的“就业登记”：P90用时5.7 工作日，承诺时限3 工作日。"


def test_a_county_narrows_all_but_the_comparisons(handcount_view):
    built = {v.name: v for v in briefing.build_views(handcount_view, C02, "zh")}
    values = dict(zip(built["headline_kpis"].data["key"], built["headline_kpis"].data["value"], strict=True))
    assert values["cases_accepted"] == 4
    assert values["on_time_rate"] == 50.0
    assert built["county_ranking"].highlight == ("乙县",)
    assert len(built["county_ranking"].data) == 2


def test_english_views(handcount_view):
    built = {v.name: v for v in briefing.build_views(handcount_view, OCTOBER, "en")}
    assert built["red_lights_by_department"].title == "Open cases overdue (red) and due soon (yellow)"
    assert built["on_time_trend"].takeaway.startswith("On-time rate 60.0% in 2026-10")


def test_an_empty_period_says_so(handcount_view):
    empty = Filters(Period.parse("2025-06"))
    for view in briefing.build_views(handcount_view, empty, "zh"):
        if view.name in ("headline_kpis", "satisfaction_by_county", "slowest_items"):
            assert view.empty, view.name
            assert view.takeaway == "所选统计期和筛选范围内没有数据。"


def test_footer_states_filters_and_snapshot_time(handcount_view):
    assert briefing.footer_text(handcount_view, C02, "zh") == (
        "数据截至 2026-10-30 17:00（快照 handcount） · 统计期：2026年10月 · 区县：乙县 · 部门：全部 · "
        "事项类型：全部 · 渠道：全部")
    assert briefing.scope_text(handcount_view, C02, "zh") == "乙县"
    assert briefing.scope_text(handcount_view, OCTOBER, "zh") == "全市"
