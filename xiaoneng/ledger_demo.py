"""The demo's 整改台账 history: the September and October 通报 of 清河市, issued as the efficiency office
would have issued them.

``python -m xiaoneng demo`` (the default snapshot ``demo``, as of 2026-10-31) also publishes
``demo-0930``, the same world as known on 30 September (``demo --as-of``: a cut, so its September is
the September of ``demo``), and, while the ledger is empty, issues the city's September 通报 from it
and the October 通报 from ``demo``, each on the first working day after its data date. The ledger
then tells a story a presenter can walk through on 整改台账 and in the next 通报's
五、上期整改落实情况: of September's units some rectified in October and some did not (the deadline
has passed), and units such as 自然资源和规划局 are on the 黑榜 in both months (连续末位). October's
entries wait for November: ``demo --snapshot-id demo-1130 --as-of 2026-11-30`` is that month's snapshot
of the same world, and its November 通报 reports which of October's units rectified.

A ledger that already holds entries is never added to (it is append-only, and the demo must not
write a history beside real issues).
"""

from __future__ import annotations

import datetime as dt

from xiaoneng import auth, bulletin, ledger
from xiaoneng.filters import Filters, Period
from xiaoneng.metrics import SnapshotView
from xiaoneng.paths import ledger_file
from xiaoneng.snapshots import SnapshotStore

SEPTEMBER_SNAPSHOT = "demo-0930"
SEPTEMBER_AS_OF = dt.date(2026, 9, 30)
# The issuer the history names: the demo, not a person.
ISSUER = auth.User(name="demo", role="admin", display_name="演示数据", source="cli")
# Beijing 09:00 is 01:00 UTC: the 通报 goes out in the morning.
ISSUE_HOUR_UTC = 1


def issued_at(view: SnapshotView) -> dt.datetime:
    """The first working day after the snapshot's data date, 09:00 Beijing time (in UTC)."""
    day = ledger.deadline(view, view.as_of.date(), 1)
    return dt.datetime.combine(day, dt.time(ISSUE_HOUR_UTC), tzinfo=dt.UTC)


def write_history(store: SnapshotStore, build_september, october_id: str = "demo") -> list[ledger.Entry]:
    """Publish the September snapshot (``build_september(store, snapshot_id, as_of)``, skipped when it
    exists) and issue the September and October 通报 into an empty ledger; returns the entries written
    ([] when the ledger already has entries)."""
    if ledger.read():
        return []
    if not store.exists(SEPTEMBER_SNAPSHOT):
        build_september(store, SEPTEMBER_SNAPSHOT, SEPTEMBER_AS_OF)
    written: list[ledger.Entry] = []
    for snapshot_id in (SEPTEMBER_SNAPSHOT, october_id):
        view = SnapshotView(store.get(snapshot_id))
        filters = Filters(Period.parse(f"{view.as_of:%Y-%m}"))
        _, entries = bulletin.issue(view, filters, "zh", ISSUER, issued_at=issued_at(view))
        written += entries
    return written


def describe(entries: list[ledger.Entry]) -> str:
    """One line for the demo command: how many 通报 and entries the history holds, and where."""
    issues = len({e.issue_id for e in entries})
    return (f"整改台账演示记录：{issues} 期通报、{len(entries)} 条 → {ledger_file()} "
            f"(ledger history: {issues} issues, {len(entries)} entries)")
