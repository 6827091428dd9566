"""Load benchmark of a tabletop exercise: 30 participant browsers on one laptop, and the facilitator's view.

Starts ``docsec dashboard`` (its own process) and Debian's Chromium headless through
Playwright. A facilitator creates an exercise of the default organisation with 20 office
seats; participants join it in their own browser contexts (as phones in a room would): the
centre, one custodian per office seat, and the rest waiting on the seat list. Before each
round, every seated participant makes one choice. Timed, from the click to the page showing it:

- the facilitator's round (Start round clicked -> the round's card and the charts drawn),
  first with no participant connected, then with all of them (target: no slower than 1.5 s);
- how long after the facilitator's click each participant's page shows the next round
  (median and slowest).

It also prints the server's CPU time per round. Nothing is asserted.

    .venv/bin/python bench/bench_dashboard_room.py                 # 30 participants, 3 rounds each way
    .venv/bin/python bench/bench_dashboard_room.py --participants 10 --rounds 2
"""

from __future__ import annotations

import argparse
import os

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard_server import chromium, cpu_seconds, dashboard_server  # noqa: E402

TIMEOUT_MS = 180_000
EX = ".exercise"
OFFICE_SEATS = 20


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def ms(values: list[float]) -> str:
    v = sorted(x * 1000 for x in values)
    return f"median {statistics.median(v):6.0f} ms, slowest {v[-1]:6.0f} ms (n={len(v)})"


def open_tab(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".free-play .day-counter", timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="Exercise").click()


def create(browser, url: str, rounds: int):
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    page = context.new_page()
    open_tab(page, url)
    for field, value in (("exercise-rounds", rounds), ("exercise-office-seats", OFFICE_SEATS)):
        page.locator(f"{EX} .{field} input").fill(str(value))
        page.locator(f"{EX} .{field} input").press("Enter")
    page.locator(f"{EX} .create-exercise").click()
    page.wait_for_function("() => { const c = document.querySelector('.exercise [data-testid=join-code]'); "
                           "return c && /^[A-Z2-9]{4}$/.test(c.innerText); }", timeout=TIMEOUT_MS)
    return context, page, page.locator(f"{EX} [data-testid=join-code]").inner_text()


def join(browser, url: str, code: str, seat: str | None):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    open_tab(page, url)
    page.locator(f"{EX} .join-code input").fill(code)
    page.locator(f"{EX} .find-exercise").click()
    page.wait_for_selector(f"{EX} .take-seat", timeout=TIMEOUT_MS)
    if seat is not None:
        page.locator(f"{EX} .seat-{seat}").click()
        page.wait_for_selector(f"{EX} .my-seat", timeout=TIMEOUT_MS)
    return context, page


def play_round(page, pid: int, number: int) -> tuple[float, float, float]:
    """Seconds from Start round to the facilitator's page showing the round; server CPU; click time."""
    page.wait_for_function(f"() => {{ const b = document.querySelector('.exercise .start-round'); "
                           f"return b && !b.disabled && /round {number}/i.test(b.innerText); }}", timeout=TIMEOUT_MS)
    before = cpu_seconds(pid)
    start = time.perf_counter()
    page.locator(f"{EX} .start-round").click()
    page.wait_for_function(
        """(n) => { const s = document.querySelector('.exercise .exercise-status');
             const charts = Array.from(document.querySelectorAll('.exercise .live-chart'));
             return s && (s.innerText.includes('Round ' + (n + 1) + ' of') || s.innerText.includes('rounds played'))
               && charts.length > 0 && charts.every(el => el.getAttribute('data-days') === String(n * 30)); }""",
        arg=number, timeout=TIMEOUT_MS, polling=10)
    return time.perf_counter() - start, cpu_seconds(pid) - before, start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=30, help="participant browsers (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds timed with and without them (default 3)")
    args = parser.parse_args()
    with dashboard_server() as (url, pid), chromium() as browser:
        print(load(), flush=True)
        alone_ctx, alone, _ = create(browser, url, args.rounds)
        alone_times, alone_cpu = [], []
        for n in range(1, args.rounds + 1):
            seconds, cpu, _ = play_round(alone, pid, n)
            alone_times.append(seconds)
            alone_cpu.append(cpu)
        alone_ctx.close()
        print(f"facilitator's round, nobody else connected:  {ms(alone_times)}; "
              f"server CPU {statistics.mean(alone_cpu) * 1000:.0f} ms per round", flush=True)

        context, facilitator, code = create(browser, url, args.rounds)
        seats = ["centre"] + [f"office-{i}" for i in range(1, OFFICE_SEATS + 1)]
        participants = []
        start = time.perf_counter()
        for i in range(args.participants):
            participants.append((seats[i] if i < len(seats) else None, *join(browser, url, code, seats[i]
                                                                              if i < len(seats) else None)))
        print(f"{args.participants} participants joined in {time.perf_counter() - start:.0f} s "
              f"({min(args.participants, len(seats))} seated)", flush=True)
        times, cpu, spread = [], [], []
        for n in range(1, args.rounds + 1):
            for seat, _, page in participants:  # each seated participant makes a choice for the round
                if seat and seat != "centre":
                    choice = "take it" if n % 2 else "refuse"
                    page.locator(f"{EX} .choice-delegate button", has_text=choice).click()
            facilitator.wait_for_function(
                "(k) => (document.querySelector('.exercise [data-testid=seat-table]') || {innerText: ''})"
                ".innerText.split('decided').length - 1 >= k", arg=min(len(participants), len(seats)) - 1,
                timeout=TIMEOUT_MS)
            seconds, used, clicked = play_round(facilitator, pid, n)
            times.append(seconds)
            cpu.append(used)
            for seat, _, page in participants:
                if seat is None:
                    continue
                page.wait_for_function(
                    "(n) => { const s = document.querySelector('.exercise .my-seat'); return s && "
                    "(s.innerText.includes('round ' + (n + 1) + ' of') || s.innerText.includes('all rounds')); }",
                    arg=n, timeout=TIMEOUT_MS, polling=20)
                spread.append(time.perf_counter() - clicked)
        print(f"facilitator's round, {args.participants} participants: {ms(times)}; "
              f"server CPU {statistics.mean(cpu) * 1000:.0f} ms per round (target <= 1500 ms)", flush=True)
        print(f"participants' pages show the next round {ms(spread)} after the click "
              "(read one after another: an upper bound)", flush=True)
        print(load(), flush=True)
        for _, ctx, _ in participants:
            ctx.close()
        context.close()



if __name__ == "__main__":
    main()
