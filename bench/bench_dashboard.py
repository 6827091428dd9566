"""Benchmark of the dashboard as a class sees it: a step redrawn, and a tabletop round, in real Chromium.

Starts ``docsec dashboard`` (its own process) and Debian's Chromium headless through Playwright,
then times, from the click to the page showing the result:

- a free-play **step**: Step clicked -> the day counter shows the new day and every live chart
  has drawn the run up to that day (its ``data-days``, set once plotly.js has drawn) (targets: median <= 300 ms on 2 cores), at 7 and at 30 days per step;
- a tabletop **round** of 30 days: "Play round" clicked -> the round's result card and the live
  charts show the round (target: <= 1.5 s).

It also prints the bytes the server sent the page per step (websocket frames) and the server's
CPU time per step. Nothing is asserted.

    .venv/bin/python bench/bench_dashboard.py                  # 20 steps at each speed, 6 rounds
    .venv/bin/python bench/bench_dashboard.py --steps 40 --rounds 12
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboard_server import FrameMeter, chromium, cpu_seconds, dashboard_server  # noqa: E402

TIMEOUT_MS = 120_000

DAY_AND_POINTS = """([scope, day]) => {
  const counter = document.querySelector(scope + ' .day-counter');
  const m = counter && counter.innerText.match(/Day (\\d+) of/);
  if (!m || Number(m[1]) !== day) { return false; }
  const charts = Array.from(document.querySelectorAll(scope + ' .live-chart'));
  return charts.length > 0 && charts.every(el => el.getAttribute('data-days') === String(day));
}"""

ROUND_SHOWN = """([round, days]) => {
  const card = document.querySelector('.tabletop .round-result');
  if (!card || !card.innerText.includes('Round ' + round + ': what happened')) { return false; }
  const charts = Array.from(document.querySelectorAll('.tabletop .live-chart'));
  return charts.length > 0 && charts.every(el => el.getAttribute('data-days') === String(days));
}"""


def figures(label: str, seconds: list[float], target: float | None = None) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    line = (f"{label:<34} n={len(ms):>3}  median {statistics.median(ms):7.0f} ms  p90 {p90:7.0f} ms  "
            f"min {ms[0]:6.0f} ms  max {ms[-1]:6.0f} ms")
    if target is not None:
        line += f"  (target <= {target * 1000:.0f} ms median)"
    print(line, flush=True)


def time_steps(page, meter: FrameMeter, pid: int, steps: int, speed: int) -> tuple[list[float], float, float]:
    """Seconds per step from click to redrawn charts; mean bytes sent and server CPU seconds per step."""
    page.locator(".free-play .reset-button").click()
    page.wait_for_function(DAY_AND_POINTS, arg=[".free-play", 0], timeout=TIMEOUT_MS)
    page.locator(".free-play .speed-toggle button", has_text=str(speed)).first.click()
    page.wait_for_function(
        "(s) => { const b = document.querySelector('.free-play .speed-toggle .v-btn--active'); "
        "return b && b.innerText.trim() === String(s); }", arg=speed, timeout=TIMEOUT_MS)
    times, sent, cpu = [], [], []
    day = 0
    for _ in range(steps):
        if day + speed > 365:
            break
        before_bytes, before_cpu = meter.received, cpu_seconds(pid)
        start = time.perf_counter()
        page.locator(".free-play .step-button").click()
        day += speed
        page.wait_for_function(DAY_AND_POINTS, arg=[".free-play", day], timeout=TIMEOUT_MS, polling=10)
        times.append(time.perf_counter() - start)
        sent.append(meter.received - before_bytes)
        cpu.append(cpu_seconds(pid) - before_cpu)
    return times, statistics.mean(sent), statistics.mean(cpu)


def time_rounds(page, pid: int, rounds: int) -> tuple[list[float], float]:
    page.get_by_role("tab", name="Tabletop").click()
    page.wait_for_selector(".tabletop .start-game", timeout=TIMEOUT_MS)
    page.locator(".tabletop .start-game").click()
    page.wait_for_selector(".tabletop .play-round", timeout=TIMEOUT_MS)
    times, cpu = [], []
    for number in range(1, rounds + 1):
        button = page.locator(".tabletop .play-round")
        button.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function("() => { const b = document.querySelector('.tabletop .play-round'); "
                               "return b && !b.disabled; }", timeout=TIMEOUT_MS)
        before_cpu = cpu_seconds(pid)
        start = time.perf_counter()
        button.click()
        page.wait_for_function(ROUND_SHOWN, arg=[number, number * 30], timeout=TIMEOUT_MS, polling=10)
        times.append(time.perf_counter() - start)
        cpu.append(cpu_seconds(pid) - before_cpu)
    return times, statistics.mean(cpu)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="steps timed at each speed (default 20)")
    parser.add_argument("--rounds", type=int, default=6, help="tabletop rounds of 30 days timed (default 6)")
    args = parser.parse_args()
    with dashboard_server() as (url, pid), chromium() as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 1600})
        page = context.new_page()
        meter = FrameMeter(page)
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(DAY_AND_POINTS, arg=[".free-play", 0], timeout=TIMEOUT_MS)
        print(load(), flush=True)
        print(f"page loaded and drawn in {time.perf_counter() - start:.1f} s", flush=True)
        page.locator(".free-play .step-button").click()  # warm up (first draw of every chart's data)
        page.wait_for_function(DAY_AND_POINTS, arg=[".free-play", 7], timeout=TIMEOUT_MS)
        for speed in (7, 30):
            times, sent, cpu = time_steps(page, meter, pid, args.steps, speed)
            figures(f"step, {speed} days per step", times, target=0.3)
            print(f"{'':<34} sent per step {sent / 1000:.1f} kB, server CPU per step {cpu * 1000:.0f} ms",
                  flush=True)
        times, cpu = time_rounds(page, pid, args.rounds)
        figures("tabletop round of 30 days", times, target=1.5)
        print(f"{'':<34} server CPU per round {cpu * 1000:.0f} ms", flush=True)
        print(load(), flush=True)
        context.close()


if __name__ == "__main__":
    main()
