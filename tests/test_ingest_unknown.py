"""Issue 10 point 5: an explicit unknown channel and status (a mapping's `unknown`, shown 未知), counted by hand.

Eight cases of January 2026 through the Chinese mapping (tests/ingest_corpus.case_row n: accepted
01-(5+n) 09:30, completed two days later 15:00, system deadline five days later 17:30):

    n  办理渠道  办件状态  办结时间          what it is
    1  网上      办结      01-08            online, on time
    2  移动端    办结      01-09            mobile, on time
    3  自助终端  未知      01-10            status unknown with a completion time: a completion, on time
    4  窗口      未知      (blank)          status unknown, no completion time: open; its deadline 01-14 passed → red
    5  网上      未知      01-20            status unknown, completed after its deadline 01-15: late
    6  移动端    办结      01-13            mobile, on time
    7  未知      办结      01-14            channel unknown
    8  未知      办结      01-15            channel unknown

January (state: the month's end): 办件量 8; 网办率 = online/mobile 4 (1, 2, 5, 6) ÷ channel known 6 = 66.7 %
(not 4 ÷ 8); completed 7, with a deadline 7, on time 6 → 办结件按时率 85.7 %; due 8 (every deadline
fell in January), completed by it 6 (not 4, not 5) → 按期办结率 75 %; open overdue 1 (case 4).
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from tests.ingest_corpus import ingest_fixtures, write_cases
from xiaoneng.caselist import CaseSelection, case_page, selection_total
from xiaoneng.filters import Filters, Period
from xiaoneng.indicators import add_indicator_values
from xiaoneng.metrics import SnapshotView, measures

ref, store, run = ingest_fixtures("2026-02-28")

CHANGES = {
    3: {"办件状态": "未知"},
    4: {"办件状态": "未知", "办结时间": ""},
    5: {"办件状态": "未知", "办结时间": "2026-01-20 15:00:00"},
    7: {"办理渠道": "未知"},
    8: {"办理渠道": "未知"},
}
JANUARY = Filters(Period.parse("2026-01"))


@pytest.fixture
def published(tmp_path, run):
    result = run([write_cases(tmp_path / "办件.csv", 8, changes=CHANGES)])
    assert result.ok and result.rows_rejected == 0, result.summary()
    return result


def test_unknown_channel_and_status_are_kept_as_unknown(published):
    text = published.summary()
    assert "办件.csv → cases（办件）: 读取 8 行，保留 8，隔离 0 (read 8, kept 8, rejected 0) [utf-8]" in text
    assert ("未知值 (explicit unknowns, cases of this load): 渠道未知 2 件（不计入网办率的分母），状态未知 3 件"
            "（按时间戳计：有办结时间的计为办结） (channel unknown 2: outside the online share's base; status "
            "unknown 3: counted by their timestamps, a completion once they have a completion time)") in text
    assert published.published.manifest["report"]["unknowns"] == {"channel": 2, "status": 3}
    cases = pq.read_table(published.published.table_path("cases")).to_pandas().set_index("case_id").sort_index()
    assert list(cases["channel"]) == ["online", "mobile", "kiosk", "window", "online", "mobile", "unknown", "unknown"]
    assert list(cases["status"]) == ["completed", "completed", "unknown", "unknown", "unknown", "completed",
                                     "completed", "completed"]
    assert list(cases["is_completed"]) == [True, True, True, False, True, True, True, True]
    assert list(cases["on_time"]) == [True, True, True, None, False, True, True, True]


def test_online_share_is_over_known_channels_and_unknown_statuses_count_by_their_timestamps(published):
    view = SnapshotView(published.published)
    row = add_indicator_values(measures(view, JANUARY)).iloc[0]
    assert (row["cases_accepted"], row["cases_online"], row["cases_channel_known"]) == (8, 4, 6)
    assert row["online_rate"] == pytest.approx(100 * 4 / 6)
    assert (row["completed"], row["completed_with_deadline"], row["completed_on_time"]) == (7, 7, 6)
    assert row["completion_on_time_rate"] == pytest.approx(100 * 6 / 7)
    assert (row["due_cases"], row["due_on_time"], row["on_time_rate"]) == (8, 6, 75.0)
    assert row["open_overdue"] == 1
    # the drill-through of 网办率's base lists exactly its six cases
    assert selection_total(view, JANUARY, CaseSelection("channel_known")) == 6
    assert selection_total(view, JANUARY, CaseSelection("online")) == 4


def test_unknowns_are_shown_as_such_in_case_lists(published):
    view = SnapshotView(published.published)
    page, total = case_page(view, JANUARY, CaseSelection("accepted"), lang="zh")
    shown = page.set_index("case_id")
    assert total == 8
    assert shown.loc["BJ2026000007", "channel"] == "未知"
    assert shown.loc["BJ2026000003", "status"] == "已结束（状态未知）"
    assert shown.loc["BJ2026000004", "status"] == "在办·红灯"
    page_en, _ = case_page(view, JANUARY, CaseSelection("accepted"), lang="en")
    shown_en = page_en.set_index("case_id")
    assert shown_en.loc["BJ2026000008", "channel"] == "Unknown"
    assert shown_en.loc["BJ2026000005", "status"] == "closed (status unknown)"


def test_a_value_the_mapping_does_not_name_is_still_rejected(tmp_path, run):
    result = run([write_cases(tmp_path / "办件.csv", 3, changes={2: {"办件状态": "挂起"}, 3: {"办理渠道": "电话"}})])
    assert [(r.line, r.column, r.code) for r in result.rejects] == [(3, "status", "not_accepted"),
                                                                    (4, "channel", "not_accepted")]
    assert result.rejects[1].reason == (
        "值不在允许范围内：'电话' 不是允许的值（window, online, mobile, kiosk, unknown） "
        "(value not in the accepted set: '电话' is not one of window, online, mobile, kiosk, unknown)")
