"""The downloads of a page, as the page makes them (AppTest, the hand-counted fixture): the file name
carries the county selection after the period, and the file's first line says which snapshot and
filters it came from (widgets.download_buttons, the one place downloads are made)."""

from __future__ import annotations

from tests.test_scope_paths import ANALYST, file_bytes, run_page, table_of
from tests.test_scope_paths import downloads as downloads  # the fixtures, for pytest
from tests.test_scope_paths import folder as folder
from xiaoneng.i18n import t


def test_the_case_list_download_names_the_county_and_its_source(folder, downloads):
    at = run_page("overview", ANALYST, period="2026-10", counties="C02")
    at.selectbox(key="overview_drill_subset").set_value("accepted").run()
    at.button(key="overview_drill_show").click().run()  # the list runs only when asked for
    csv, xlsx = ([d for d in downloads if d["key"] == f"overview_drill_{kind}"][-1] for kind in ("csv", "xlsx"))
    assert csv["file_name"] == f"{t('supervision.file_cases')}_handcount_2026-10_乙县_accepted.csv"
    assert xlsx["file_name"] == f"{t('supervision.file_cases')}_handcount_2026-10_乙县_accepted.xlsx"
    source = file_bytes(csv).decode("utf-8-sig").split("\r\n")[0]
    assert source == ("数据截至 2026-10-30 17:00（快照 handcount） · 统计期：2026年10月 · 区县：乙县 · 部门：全部 · "
                      "事项类型：全部 · 渠道：全部")
    assert set(table_of(csv)[t("supervision.col.county_name")]) == {"乙县"}
    assert set(table_of(xlsx)[t("supervision.col.county_name")]) == {"乙县"}
