"""Benchmark: N signed-in browser sessions with different scopes change filters at once.

    .venv/bin/python bench/bench_sessions.py [--sessions 20] [--seconds 120] [--snapshot demo]

Serves the app (streamlit on a free localhost port) over the data folder's snapshots with a users
file of its own (admins, analysts, leaders and county users of every county, round robin), opens one
headless Chromium (Debian's, /usr/bin/chromium) with one context per session, signs each in through
the real form, then has every session click through the period kinds (月 → 季 → 年 → 月 …) for the
given time, counted from its first settled page. A change is settled when the page's script state
returns to notRunning (recorded in the page by a MutationObserver, so no poll interval is added to the figure).

Prints the machine, settle p50/p95/max over all changes, changes per session, errors (an exception
box, a sign-in that failed, a change that never settled) and the server's RSS (max and at the end,
the streamlit process and its children). It also checks after every change that a county user's
county filter offers only their own county, and counts any other county seen as a scope leak.
Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from xiaoneng.auth import User  # noqa: E402
from xiaoneng.metrics import SnapshotView, unit_names  # noqa: E402
from xiaoneng.paths import data_dir  # noqa: E402
from xiaoneng.snapshots import SnapshotStore  # noqa: E402
from xiaoneng.users import UserStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "bench-password-2026"
KINDS = ("month", "quarter", "year")
SETTLE_TIMEOUT_S = 120
# Records every change of Streamlit's script state with its time (ms since the page's origin).
WATCH_SCRIPT_STATE = """
window.__states = [];
const watch = () => {
  const app = document.querySelector('[data-test-script-state]');
  if (!app) { setTimeout(watch, 20); return; }
  window.__states.push([performance.now(), app.getAttribute('data-test-script-state')]);
  new MutationObserver(() => window.__states.push([performance.now(), app.getAttribute('data-test-script-state')]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
};
watch();
"""


@dataclass
class SessionResult:
    user: User
    settles: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: int = 0


def bench_users(counties: list[str], sessions: int) -> list[User]:
    """Round robin over the roles; county users take the counties in turn."""
    users, county = [], 0
    for i in range(sessions):
        role = ("county", "analyst", "county", "leader", "county", "admin")[i % 6]
        if role == "county":
            users.append(User(f"bench-{i:02d}", role, (counties[county % len(counties)],)))
            county += 1
        else:
            users.append(User(f"bench-{i:02d}", role))
    return users


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    """RSS of a process and all its descendants, MiB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo += [int(c) for c in children]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


async def wait_settled(page, since_ms: float) -> float:
    """Seconds from ``since_ms`` until the script state went running → notRunning after it."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        states = await page.evaluate("window.__states")
        seen_running = False
        for at, state in states:
            if at < since_ms:
                continue
            seen_running = seen_running or state == "running"
            if seen_running and state == "notRunning":
                return (at - since_ms) / 1000
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no settle within {SETTLE_TIMEOUT_S} s")


async def wait_idle(page) -> None:
    """Until the current script run has finished (the widgets are live)."""
    await page.wait_for_function(
        "document.querySelector('[data-test-script-state]')?.getAttribute('data-test-script-state') === 'notRunning'")


async def county_options(page) -> list[str]:
    """The county filter's options as the browser lists them (open, read, close)."""
    for _ in range(5):  # a rerun that starts meanwhile closes the list: open it again
        await wait_idle(page)
        await page.get_by_role("combobox", name="区县", exact=True).click()
        try:
            await page.get_by_role("option").first.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            continue
        options = await page.get_by_role("option").all_inner_texts()
        await page.keyboard.press("Escape")
        return [o for o in options if o != "Select all"]  # Streamlit's own entry, not a county
    raise TimeoutError("the county filter's list did not stay open")


async def run_session(browser, url: str, user: User, names: dict[str, str], seconds: float) -> SessionResult:
    result = SessionResult(user)
    context = await browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    await context.add_init_script(WATCH_SCRIPT_STATE)
    page = await context.new_page()
    page.set_default_timeout(SETTLE_TIMEOUT_S * 1000)
    try:
        await page.goto(url)
        await page.locator(".st-key-signin_name input").fill(user.name)
        await page.locator(".st-key-signin_password input").fill(PASSWORD)
        await page.locator(".st-key-signin_submit button").click()
        await page.locator("[data-testid='stMetric']").first.wait_for()
        await wait_idle(page)
        if user.role == "county":
            allowed = {names[c] for c in user.counties}
            result.leaks += len(set(await county_options(page)) - allowed)
        turn = 0  # the page opens on a month: the first click goes to the quarter
        stop_at = time.monotonic() + seconds  # from this session's first settled page
        while time.monotonic() < stop_at:
            turn = (turn + 1) % len(KINDS)
            buttons = page.locator(".st-key-filter_period_kind button")
            since = await page.evaluate("performance.now()")
            await buttons.nth(turn).click()
            try:
                result.settles.append(await wait_settled(page, since))
            except TimeoutError as exc:
                result.errors.append(str(exc))
                continue
            await wait_idle(page)  # a rerun queued behind this one (the URL update) ends too
            if await page.locator("[data-testid='stException']").count():
                result.errors.append("exception box")
        if user.role == "county":  # and once more after every change of this session
            result.leaks += len(set(await county_options(page)) - allowed)
    except Exception as exc:  # a session that fails is counted, the others go on
        result.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        await context.close()
    return result


async def run_all(url: str, users: list[User], names: dict[str, str], seconds: float) -> list[SessionResult]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(run_session(browser, url, u, names, seconds) for u in users))
        finally:
            await browser.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--snapshot", help="snapshot id (default: the store's default)")
    args = parser.parse_args()

    store = SnapshotStore()
    info = store.get(args.snapshot) if args.snapshot else store.default()
    county_names, _ = unit_names(SnapshotView(info), "zh")
    users = bench_users(sorted(county_names), args.sessions)
    work = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    users_file = work / "users.yaml"
    user_store = UserStore(users_file)
    for user in users:
        user_store.add(user.name, user.role, user.counties, password=PASSWORD)

    port = free_port()
    env = {**os.environ, "XIAONENG_DATA": str(data_dir()), "XIAONENG_USERS": str(users_file)}
    log = (work / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    rss: list[float] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(1.0):
            rss.append(rss_mib(server.pid))

    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        threading.Thread(target=sample, daemon=True).start()
        started = time.monotonic()
        results = asyncio.run(run_all(url, users, county_names, args.seconds))
        elapsed = time.monotonic() - started
    finally:
        sampling.set()
        final_rss = rss_mib(server.pid)
        server.terminate()
        server.wait(timeout=20)
        log.close()

    settles = [s for r in results for s in r.settles]
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"snapshot: {info.snapshot_id} ({info.row_counts['cases']:,} cases) · {args.sessions} sessions · "
          f"{elapsed:.0f} s wall")
    roles = {role: sum(u.role == role for u in users) for role in ("admin", "analyst", "leader", "county")}
    print("roles: " + ", ".join(f"{k} {v}" for k, v in roles.items()))
    if settles:
        print(f"filter changes: {len(settles)} settled · p50 {statistics.median(settles):.2f} s · "
              f"p95 {percentile(settles, 0.95):.2f} s · max {max(settles):.2f} s")
    per_session = [len(r.settles) for r in results]
    print(f"changes per session: min {min(per_session)} · median {statistics.median(per_session):g} · "
          f"max {max(per_session)}")
    errors = [e for r in results for e in r.errors]
    print(f"errors: {len(errors)}" + ("".join(f"\n  {e}" for e in sorted(set(errors))[:10]) if errors else ""))
    print(f"scope leaks (another county seen by a county user): {sum(r.leaks for r in results)}")
    print(f"server RSS: max {max(rss, default=final_rss):,.0f} MiB · at the end {final_rss:,.0f} MiB")
    print(f"log: {work / 'streamlit.log'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
