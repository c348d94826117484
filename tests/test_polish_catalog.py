"""Texts a leader reads say what the rule is and who changes it, not which file or command holds it;
commands stay in the administrators' hints of 数据管理 and on the command line."""

from __future__ import annotations

import re

import pytest

from xiaoneng.i18n import LANGS, messages

LEADER_TEXTS = ("context.outside_calendar", "definitions.intro", "definitions.rules_intro",
                "scorecard_data.scorecard.method", "scorecard_data.scorecard.trial_caption", "ledger.rules",
                "ledger.none", "presentation.sequence", "presentation.tip")
TECHNICAL = re.compile(r"config/|python -m|\.ya?ml\b")


@pytest.mark.parametrize("lang", LANGS)
def test_leader_texts_name_no_files_or_commands(lang):
    texts = messages(lang)
    assert {key: texts[key] for key in LEADER_TEXTS if TECHNICAL.search(texts[key])} == {}
