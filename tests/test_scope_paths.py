"""The signed-in user's scope on every path (issue 9, point 2), on the hand-counted fixture (C01 甲区,
C02 乙县), October 2026: a county user of C02 sees C02 only on every page, in every case list and
in every download (the bytes the page's buttons would give, compared with the query layer under
Scope(("C02",))), in the deck and in the 通报, except the published ranking, which lists every
county's score and rank and nothing else of them. A leader sees no download; every download is
audited; nobody signed in sees nothing.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from pptx import Presentation
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from xiaoneng import audit, auth, briefing, bulletin, caselist, deck, overview, profile, scorecard
from xiaoneng.filters import Filters, Period, Scope
from xiaoneng.i18n import t
from xiaoneng.metrics import SnapshotView
from xiaoneng.snapshots import SnapshotStore

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "unit_profile", "approval_times", "supervision", "satisfaction", "tasks", "scorecard",
         "presentation", "bulletin", "definitions")
COUNTY_USER = auth.User("county-c02", "county", ("C02",))
LEADER = auth.User("leader-1", "leader")
ANALYST = auth.User("analyst-1", "analyst")
OCTOBER = Filters(Period.parse("2026-10"))
# Everything of 甲区 (C01) a file could carry: its code, its names, and its cases (tests/handcount.py).
OTHER_COUNTY = ("C01", "甲区", "Jia District")
OTHER_CASES = ("K01", "K02", "K05", "K07", "K09", "K11", "K13", "K14")
C02_CASES = ("K03", "K04", "K06", "K08", "K10", "K12", "K15")


@pytest.fixture
def folder(data_folder, monkeypatch) -> Path:
    monkeypatch.setenv("XIAONENG_DATA", str(data_folder))
    return data_folder


@pytest.fixture
def downloads(monkeypatch) -> list[dict]:
    """Every download button a page draws: its key, file name and data (a callable: the file is
    made on the click). Recorded around Streamlit's own download_button, which still runs."""
    made: list[dict] = []
    original = ButtonMixin.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        made.append({"key": kwargs.get("key"), "file_name": file_name, "data": data})
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", recording)
    monkeypatch.setattr(streamlit, "download_button",
                        lambda *args, **kwargs: recording(streamlit._main, *args, **kwargs))
    return made


def run_page(name: str, user: auth.User | None, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    if user is not None:
        auth.start_session(at.session_state, user)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def c02_view() -> SnapshotView:
    return SnapshotView(SnapshotStore().get("handcount"), Scope(("C02",)))


def file_bytes(download: dict) -> bytes:
    data = download["data"]
    return data() if callable(data) else data


def table_of(download: dict) -> pd.DataFrame:
    raw = file_bytes(download)
    # the first line says the snapshot and filters (AppContext.summary), then the table
    if download["file_name"].endswith(".xlsx"):
        return pd.read_excel(io.BytesIO(raw), dtype=str, engine="openpyxl", header=1)
    return pd.read_csv(io.BytesIO(raw), dtype=str, encoding="utf-8-sig", skiprows=2)


def cells(frame: pd.DataFrame) -> set[str]:
    return {str(v) for v in frame.fillna("").to_numpy().ravel()} | {str(c) for c in frame.columns}


def mentions_other_county(texts) -> list[str]:
    return [text for text in texts if any(mark in str(text) for mark in (*OTHER_COUNTY, *OTHER_CASES))]


def is_ranking(download: dict) -> bool:
    return str(download["key"]).startswith("scorecard_download")


# ---------------------------------------------------------------- every page, every download

@pytest.mark.parametrize("name", PAGES)
def test_county_user_sees_only_their_county_on_every_page(folder, downloads, name):
    at = run_page(name, COUNTY_USER)
    assert not at.exception
    for show in [b.key for b in at.button if str(b.key).endswith("_show")]:  # lists run when asked for
        at.button(key=show).click().run()
        assert not at.exception
    if name != "definitions":
        assert at.multiselect(key="filter_counties").options == ["乙县"]
    tables = [d for d in downloads if d["file_name"].endswith((".csv", ".xlsx"))]
    for download in tables:
        frame = table_of(download)
        if is_ranking(download):  # the published ranking: every county's score and rank, no indicator
            other = frame[frame[scorecard.text("unit_county")] == "甲区"]
            indicators = [scorecard.indicator_header(ind) for ind in scorecard.weighted_indicators()]
            assert len(other) == 1
            assert other.iloc[0][scorecard.text("score")] not in ("", "nan") and other.iloc[0][indicators].isna().all()
            continue
        assert mentions_other_county(cells(frame)) == [], download["file_name"]
    if name in ("overview", "supervision", "satisfaction", "unit_profile", "tasks", "scorecard", "approval_times"):
        assert tables, f"{name} offers no table download to a county user"


def test_the_overview_drill_list_download_is_the_query_layers_list_for_c02(folder, downloads):
    at = run_page("overview", COUNTY_USER)
    subset = "accepted"  # every case accepted in October
    at.selectbox(key="overview_drill_subset").set_value(subset).run()
    at.button(key="overview_drill_show").click().run()  # the list runs only when asked for
    csv = [d for d in downloads if d["key"] == "overview_drill_csv"][-1]
    listed = set(table_of(csv)[t("supervision.col.case_id")])
    expected, _ = caselist.case_page(c02_view(), OCTOBER, caselist.CaseSelection(subset=subset), 1,
                                     caselist.EXPORT_MAX_ROWS, "zh")
    everyone, _ = caselist.case_page(SnapshotView(c02_view().info), OCTOBER, caselist.CaseSelection(subset=subset),
                                     1, caselist.EXPORT_MAX_ROWS, "zh")
    assert listed == set(expected["case_id"])
    assert set(everyone["case_id"]) - listed  # the whole city's list holds 甲区's cases: the scope took them out
    assert listed <= set(C02_CASES)


def test_the_supervision_case_list_is_c02s(folder, downloads):
    run_page("supervision", COUNTY_USER)
    csv = next(d for d in downloads if d["key"] == "sup_cases_csv")
    frame = table_of(csv)
    assert set(frame[t("supervision.col.county_name")]) == {"乙县"}
    assert set(frame[t("supervision.col.case_id")]) <= set(C02_CASES)


def test_the_county_filter_of_a_link_cannot_widen_the_scope(folder, downloads):
    at = run_page("overview", COUNTY_USER, counties="C01,C02,C99")
    assert not at.exception
    assert at.multiselect(key="filter_counties").value == ["C02"]
    assert [w.value for w in at.warning] == [t("scope_notice.dropped_counties", codes="C01、C99")]


# ---------------------------------------------------------------- the published ranking

def test_the_published_ranking_lists_every_county_and_nothing_else_of_them(folder):
    view = c02_view()
    published = scorecard.published_ranking(view, OCTOBER)
    city = scorecard.scorecard(SnapshotView(view.info), OCTOBER)
    assert list(published.columns) == list(scorecard.PUBLISHED_COLUMNS)
    assert list(published["unit_code"]) == list(city["unit_code"]) and set(city["unit_code"]) == {"C01", "C02"}
    assert published.set_index("unit_code")["composite_score"].to_dict() == \
        city.set_index("unit_code")["composite_score"].to_dict()
    assert published.set_index("unit_code")["rank"].to_dict() == city.set_index("unit_code")["rank"].to_dict()
    assert published.set_index("unit_code")["selected"].to_dict() == {"C01": False, "C02": True}

    ranking = overview.county_ranking(view, OCTOBER)
    other = ranking.set_index("unit_code").loc["C01"]
    assert not other["in_scope"] and other[list(overview.RANKING_INDICATORS)].isna().all()
    own = ranking.set_index("unit_code").loc["C02"]
    assert own["on_time_rate"] == city.set_index("unit_code").loc["C02", "on_time_rate"]
    assert t("scope_notice.not_published") in overview.ranking_table(ranking).to_html()


def test_the_overview_and_scorecard_pages_rank_every_county_for_a_county_user(folder, downloads):
    at = run_page("overview", COUNTY_USER)
    ranking = at.table[0].value
    ranking = getattr(ranking, "data", ranking)
    assert set(ranking[t("ranking.county")]) == {"甲区", "乙县"}
    assert t("scope_notice.ranking_published") in [c.value for c in at.caption]
    at = run_page("scorecard", COUNTY_USER)
    assert set(at.dataframe[0].value["unit_name"]) == {"甲区", "乙县"}  # the ranking table
    assert at.selectbox(key="scorecard_unit").options == ["乙县"]  # the breakdown: one's own county only
    assert not at.number_input  # no trial weights without try_weights
    assert not [e.value for e in at.exception]


# ---------------------------------------------------------------- deck and 通报

def _slide_texts(data: bytes) -> list[tuple[str, list[str]]]:
    """Per slide: its title text and every text on it (shapes, tables, chart categories and series)."""
    slides = []
    for slide in Presentation(io.BytesIO(data)).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                for plot in shape.chart.plots:
                    texts += [str(c) for c in plot.categories] + [s.name for s in plot.series]
        slides.append(texts)
    return [(texts[0] if texts else "", texts) for texts in slides]


def test_the_deck_of_a_county_user_names_other_counties_in_the_ranking_only(folder):
    view = c02_view()
    ranking_title = t("briefing.title.county_ranking")
    slides = _slide_texts(deck.deck_bytes(view, OCTOBER))
    ranking = [texts for _, texts in slides if ranking_title in texts]
    others = [texts for _, texts in slides if ranking_title not in texts]
    assert len(ranking) == 1 and any("甲区" in text for text in ranking[0])
    assert [text for texts in others for text in mentions_other_county(texts)] == []
    # the whole city's deck names 甲区 outside the ranking: the scope is what took it out
    city = _slide_texts(deck.deck_bytes(SnapshotView(view.info), OCTOBER))
    assert any(mentions_other_county(texts) for _, texts in city if ranking_title not in texts)


def test_the_bulletin_of_a_county_user_names_other_counties_in_the_ranking_only(folder):
    draft = bulletin.draft(c02_view(), OCTOBER)
    ranking_heading = bulletin._text("heading.ranking", "zh")
    ranking = [p for heading, paragraphs in draft.sections if heading == ranking_heading for p in paragraphs]
    rest = [draft.title, *draft.preamble, *(p for heading, paragraphs in draft.sections if heading != ranking_heading
                                             for p in paragraphs)]
    assert any("甲区" in p for p in ranking)
    assert mentions_other_county(rest) == []
    assert "乙县" in draft.title
    city = bulletin.draft(SnapshotView(c02_view().info), OCTOBER)
    assert "乙县" not in city.title


def test_meeting_views_are_of_the_users_county(folder):
    views = briefing.build_views(c02_view(), OCTOBER)
    satisfaction = next(v for v in views if v.name == "satisfaction_by_county")
    assert set(satisfaction.data["code"]) <= {"C02"}
    assert briefing.scope_text(c02_view(), OCTOBER) == "乙县"


# ---------------------------------------------------------------- unit profile, permissions, audit

def test_a_county_user_cannot_profile_another_county(folder):
    with pytest.raises(PermissionError):
        profile.unit_vs_peers(c02_view(), OCTOBER, "zh", level="county", county="C01")
    with pytest.raises(PermissionError):
        profile.bad_reviews(c02_view(), OCTOBER, "zh", county="C01")
    at = run_page("unit_profile", COUNTY_USER, counties="C01")
    assert not at.exception
    assert at.selectbox(key="profile_county").options == ["乙县"]


@pytest.mark.parametrize("name", PAGES)
def test_a_leader_sees_no_download(folder, downloads, name):
    at = run_page(name, LEADER)
    assert not at.exception
    assert downloads == [] and not at.get("download_button")


def test_an_analyst_gets_the_downloads_and_the_trial_weights(folder, downloads):
    at = run_page("scorecard", ANALYST)
    assert {d["key"] for d in downloads} >= {"scorecard_download_csv", "scorecard_trial_download_csv"}
    assert at.number_input


def test_every_download_is_audited_with_user_scope_and_rows(folder, downloads):
    run_page("supervision", COUNTY_USER)
    csv = next(d for d in downloads if d["key"] == "sup_cases_csv")
    rows = len(table_of(csv))
    entry = list(audit.entries())[-1]
    assert entry["action"] == "export" and entry["user"] == "county-c02" and entry["scope"] == ["C02"]
    assert entry["details"]["file"] == csv["file_name"] and entry["details"]["rows"] == rows
    assert entry["details"]["snapshot"] == "handcount" and entry["details"]["filters"] == {"period": "2026-10"}
    assert audit.verify() == []


def test_nobody_signed_in_sees_nothing(folder, downloads):
    at = run_page("overview", None)
    assert not at.exception
    assert [w.value for w in at.warning] == [t("scope_notice.signed_out")]
    assert not at.metric and not at.table and not at.dataframe and downloads == []


# ---------------------------------------------------------------- the command line

def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"XIAONENG_DATA": str(folder), "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    return subprocess.run([sys.executable, "-m", "xiaoneng", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def users_file(folder):
    from xiaoneng.users import UserStore

    store = UserStore()
    for name, role, counties in (("county-c02", "county", ("C02",)), ("leader-1", "leader", None)):
        if name not in {r.name for r in store.list()}:
            store.add(name, role, counties)
    return store.path


def test_the_cli_as_a_county_user_outputs_c02_only(folder, users_file):
    done = _cli(folder, "indicators", "--by", "county", "--period", "2026-10", "--format", "json",
                "--as-user", "county-c02")
    assert done.returncode == 0, done.stderr
    assert [r["county_code"] for r in json.loads(done.stdout)["rows"]] == ["C02"]
    everyone = _cli(folder, "indicators", "--by", "county", "--period", "2026-10", "--format", "json")
    assert sorted(r["county_code"] for r in json.loads(everyone.stdout)["rows"]) == ["C01", "C02"]
    entry = [e for e in audit.entries() if e["action"] == "export"][-2]
    assert entry["user"] == "county-c02" and entry["scope"] == ["C02"] and entry["details"]["rows"] == 1


def test_the_cli_refuses_a_county_outside_the_scope_and_a_leader(folder, users_file, tmp_path):
    outside = _cli(folder, "deck", "--county", "C01", "--out", str(tmp_path / "d.pptx"), "--as-user", "county-c02")
    assert outside.returncode == 2
    assert outside.stderr.strip() == t("scope_notice.cli_county_outside", county="C01", name="county-c02",
                                       counties="C02")
    assert not (tmp_path / "d.pptx").exists()
    leader = _cli(folder, "bulletin", "--out", str(tmp_path / "b.txt"), "--as-user", "leader-1")
    assert leader.returncode == 2 and "leader-1" in leader.stderr and not (tmp_path / "b.txt").exists()
    unknown = _cli(folder, "indicators", "--counties", "C99", "--as-user", "county-c02")
    assert unknown.returncode == 2 and "C99" in unknown.stderr


def test_the_cli_deck_as_a_county_user_is_c02s(folder, users_file, tmp_path):
    out = tmp_path / "deck.pptx"
    done = _cli(folder, "deck", "--period", "2026-10", "--out", str(out), "--as-user", "county-c02")
    assert done.returncode == 0, done.stderr
    ranking_title = t("briefing.title.county_ranking")
    others = [texts for _, texts in _slide_texts(out.read_bytes()) if ranking_title not in texts]
    assert [text for texts in others for text in mentions_other_county(texts)] == []
