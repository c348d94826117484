"""The demo's honesty stories (issue 13): one unit per check of xiaoneng.integrity games its numbers
from STORY_START on, so the 数据真实性核查 page has something real to find.

Each function takes the generator's whole arrays (xiaoneng.demo) and changes only the planted unit's
cases, drawn from the generator's own stream for these stories, so the rest of the city is the same as
without them. The ordinary city never trips the rules of config/integrity.yaml by construction (its
applications are accepted within a working day or two, same-day completions of promised items take at
least half an hour, completions come in office hours, applicant codes are unique draws), and its
suspension and unfounded-review shares stay near their norms.

Planted (county, department), from 2026-07-01 to the horizon:
  intake_wait       C01 D10  a third of its applications wait 4–10 working days before acceptance
  suspension_share  C01 D11  45 % of its cases of items with a limit of 3+ days are suspended 2–8 days
  quick_batch       C01 D19  on some days 3–5 promised cases are accepted and completed within 3–12 minutes
  deadline_rush     C01 D05  a third of its on-time promised cases are completed 23:00–23:58 on the deadline day
  resubmission      C01 D03  cases refused on the spot and re-submitted by the same applicant 1–3 working days later
  unfounded_share   C02 D03  half its reviews are complaints, and 80 % of its verified bad reviews are marked
                             unfounded (the city: 8 %)
"""

from __future__ import annotations

import datetime as dt

import numpy as np

STORY_START = dt.date(2026, 7, 1)
STORY_UNITS: dict[str, tuple[str, str]] = {
    "intake_wait": ("C01", "D10"),
    "suspension_share": ("C01", "D11"),
    "quick_batch": ("C01", "D19"),
    "deadline_rush": ("C01", "D05"),
    "resubmission": ("C01", "D03"),
    "unfounded_share": ("C02", "D03"),
}
UNFOUNDED_SHARE = 0.08  # of verified bad reviews, in the ordinary city
PLANTED_UNFOUNDED_SHARE = 0.8
US_PER_MIN = 60_000_000
US_PER_DAY = 24 * 60 * US_PER_MIN


def _story_day() -> int:
    return (STORY_START - dt.date(1970, 1, 1)).days


def unit_mask(check: str, counties: list[str], depts: list[str], county: np.ndarray, dept: np.ndarray,
              day: np.ndarray) -> np.ndarray:
    """The rows of the check's planted unit on or after STORY_START (``day``: day numbers)."""
    county_code, dept_code = STORY_UNITS[check]
    if county_code not in counties or dept_code not in depts:
        return np.zeros(len(day), dtype=bool)
    return (county == counties.index(county_code)) & (dept == depts.index(dept_code)) & (day >= _story_day())


def applicant_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pseudonymous applicant numbers, drawn from a pool fifty times the cases (repeat applicants are rare)."""
    return rng.integers(0, 50 * max(n, 1), n)


def plant_intake_waits(received: np.ndarray, day: np.ndarray, mask: np.ndarray, working: np.ndarray,
                       first: int, wd_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A third of the unit's applications received 4–10 working days before their acceptance day, in
    office hours (``working``: the calendar's working-day flags from day number ``first``; ``wd_index``:
    the acceptance days' working-day indexes)."""
    chosen = np.flatnonzero(mask & (rng.random(len(day)) < 1 / 3))
    working_days = np.flatnonzero(working) + first  # day number of working day with index i + 1
    back = rng.integers(4, 11, len(chosen))
    target = np.maximum(wd_index[chosen] - back, 1)
    out = received.copy()
    out[chosen] = working_days[target - 1] * US_PER_DAY + rng.integers(510, 1070, len(chosen)) * US_PER_MIN
    return np.minimum(out, received)


def plant_resubmissions(status: np.ndarray, applicant: np.ndarray, item: np.ndarray, wd_index: np.ndarray,
                        mask: np.ndarray, ordinary: int, refused: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the unit's consecutive cases of one item 1–3 working days apart, about half become a refusal
    followed by the same applicant's re-submission: the first is refused (on the spot: the caller makes
    it so with the mask returned), the second gets its applicant code. Returns status, applicant codes and
    the planted refusals. Rows are in acceptance order."""
    candidates = np.flatnonzero(mask & (status == ordinary))
    by_item = candidates[np.argsort(item[candidates], kind="stable")]
    first, second = by_item[:-1], by_item[1:]
    gap = wd_index[second] - wd_index[first]
    pair = (item[first] == item[second]) & (gap >= 1) & (gap <= 3) & (rng.random(len(first)) < 0.5)
    pair[1:] &= ~pair[:-1]  # a case is in one pair at most
    status, applicant = status.copy(), applicant.copy()
    status[first[pair]] = refused
    applicant[second[pair]] = applicant[first[pair]]
    planted = np.zeros(len(status), dtype=bool)
    planted[first[pair]] = True
    return status, applicant, planted


def plant_suspensions(suspended: np.ndarray, eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """45 % of the unit's eligible cases (items with a limit of 3+ days, not refused) suspended 2–8 days."""
    chosen = eligible & (rng.random(len(suspended)) < 0.45)
    return np.where(chosen, rng.integers(2, 9, len(suspended)), suspended)


def quick_batch_rows(eligible: np.ndarray, day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rows of the batches: on 40 % of the days with at least three of the unit's eligible cases
    (completed, promised limit of days, not late), up to five of them."""
    rows = np.flatnonzero(eligible)
    days, counts = np.unique(day[rows], return_counts=True)
    batch_days = days[(counts >= 3) & (rng.random(len(days)) < 0.4)]
    rows = rows[np.isin(day[rows], batch_days)]
    rank = np.arange(len(rows)) - np.searchsorted(day[rows], day[rows])  # position within its day
    return rows[rank < 5]


def quick_completions(acc: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Completion times 3–12 minutes after acceptance for ``rows``."""
    return acc[rows] + rng.integers(3, 13, len(rows)) * US_PER_MIN


def deadline_rush_rows(eligible: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A third of the unit's eligible cases (completed on time, promised limit of days)."""
    return np.flatnonzero(eligible & (rng.random(len(eligible)) < 1 / 3))


def late_evening(deadline_day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A time 23:00–23:58 on each deadline day (day numbers)."""
    return deadline_day * US_PER_DAY + rng.integers(23 * 60, 23 * 60 + 59, len(deadline_day)) * US_PER_MIN


def review_mask(counties: list[str], depts: list[str], county: np.ndarray, dept: np.ndarray,
                rated_at_us: np.ndarray) -> np.ndarray:
    """The reviews of the unfounded_share unit given on or after STORY_START."""
    return unit_mask("unfounded_share", counties, depts, county, dept, rated_at_us // US_PER_DAY)


def plant_complaints(band: np.ndarray, mask: np.ndarray, late_band: int, rng: np.random.Generator) -> np.ndarray:
    """Half of the unit's reviews scored like those of a late case (its applicants complain)."""
    return np.where(mask & (rng.random(len(band)) < 0.5), late_band, band)


def unfounded_probability(mask: np.ndarray) -> np.ndarray:
    """Per review, the chance that its verification finds it unfounded."""
    return np.where(mask, PLANTED_UNFOUNDED_SHARE, UNFOUNDED_SHARE)
