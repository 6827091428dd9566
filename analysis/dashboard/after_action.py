"""The after-action report of a tabletop exercise: one offline, printable HTML page for the class to keep.

It holds, in order: the exercise (scenario, seed, rounds, seats and who held them, by seat and
by the names typed, if any), each round (the cards that opened it, the decisions made and by
whom, what happened), the counterfactuals (the room's policy with the model's rule playing every
office; the policy unchanged with the model playing every office) and each decision's own
effect. Plain HTML and CSS, no script and nothing fetched: it opens anywhere, and prints. All
text is escaped.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from . import headline
from .exercise import BASELINE, PATHS, POLICY_ONLY, ROOM, Exercise
from .tables import count, judgement, signed
from ..provenance import provenance

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; margin: 24px auto;
       max-width: 960px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 4px; } h2 { font-size: 1.2rem; margin-top: 28px; border-bottom: 1px solid #cfd8dc; }
h3 { font-size: 1.02rem; margin: 18px 0 6px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px 0; width: 100%; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eceff1; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } th { border-bottom: 2px solid #b0bec5; }
.card { border: 1px solid #6a1b9a; border-left: 6px solid #6a1b9a; padding: 6px 10px; margin: 6px 0;
        border-radius: 4px; } .card b { color: #6a1b9a; }
.better { color: #2e7d32; font-weight: 600; } .worse { color: #d55e00; font-weight: 600; }
.neither, .same { color: #607d8b; font-weight: 600; } .muted { color: #607d8b; font-size: 12px; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table, .card { break-inside: avoid; } }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _diff(metric: str, value: float) -> str:
    verdict = judgement(headline.BETTER.get(metric, headline.Better.NEITHER).value, value)
    return f'<td class="{verdict}" data-judgement="{verdict}">{_e(signed(value))}</td>'


def _rows(rows: list[str]) -> str:
    return "".join(f"<tr>{r}</tr>" for r in rows)


def report_html(exercise: Exercise, when: datetime | None = None) -> str:
    """The after-action report of ``exercise`` as a complete HTML page."""
    when = when or datetime.now(timezone.utc)
    ex = exercise
    labels = headline.LABELS
    parts = [f"<h1>After-action report: exercise {_e(ex.code)}</h1>",
             f'<p class="muted">docsec tabletop exercise · {_e(when.strftime("%Y-%m-%d %H:%M UTC"))}</p>',
             "<h2>The exercise</h2>",
             f"<p>Scenario <b>{_e(ex.scenario.name)}</b> ({_e(ex.scenario.summary)}), seed {_e(ex.seed)}; "
             f"{len(ex.results)} of {ex.rounds} rounds of {ex.round_days} days played (days 1 to "
             f"{ex.days_played}).</p>"]
    seats = [f"<td>{_e(ex.seat_title(s))}</td><td>{_e(ex.holders[s].name) if s in ex.holders else ''}</td>"
             f"<td>{'held' if s in ex.holders else 'played by the model'}</td>" for s in ex.seat_names]
    parts.append("<table data-testid=\"aar-seats\"><thead><tr><th>Seat</th><th>Name typed</th><th>Played by</th>"
                 f"</tr></thead><tbody>{_rows(seats)}</tbody></table>")
    parts.append("<p class=\"muted\">Every office without a seat, and every choice a seat left to habit, "
                 "was decided by the model's own rule.</p>")

    parts.append("<h2>Round by round</h2>")
    for r in ex.results:
        parts.append(f'<h3 data-testid="aar-round">Round {r.round}: days {r.first_day} to {r.last_day}</h3>')
        for card in r.cards:
            parts.append(f'<div class="card" data-testid="aar-card"><b>{_e(card.title)}</b> '
                         f'<span class="muted">({_e("from the scenario" if card.source == "scenario" else "inject")}'
                         f", day {card.day})</span><br>{_e(card.text)}</div>")
        if r.decisions:
            rows = [f"<td>{_e(d.who)}</td><td style=\"text-align:left\">{_e(d.describe())}</td>" for d in r.decisions]
            parts.append("<table data-testid=\"aar-decisions\"><thead><tr><th>Seat</th><th style=\"text-align:left\">"
                         f"Decision</th></tr></thead><tbody>{_rows(rows)}</tbody></table>")
        else:
            parts.append("<p><i>No seat changed anything before this round.</i></p>")
        rows = [f"<td>{_e(labels[m])}</td><td>{_e(count(r.totals[ROOM][m]))}</td>"
                f"<td>{_e(count(r.totals[BASELINE][m]))}</td>" + _diff(m, r.totals[ROOM][m] - r.totals[BASELINE][m])
                for m in headline.HEADLINE]
        parts.append("<table><thead><tr><th>What happened</th><th>room</th><th>policy unchanged</th>"
                     f"<th>difference</th></tr></thead><tbody>{_rows(rows)}</tbody></table>")

    parts.append("<h2>Against the counterfactuals</h2>")
    parts.append(f"<p>Same scenario, same seed, same injects, every random draw shared: <b>{_e(POLICY_ONLY)}</b> "
                 f"keeps the centre's policy but lets the model's rule play every office, so the room's path "
                 f"against it is the seats' doing; <b>{_e(BASELINE)}</b> changes nothing, so it against the "
                 "second is the policy's doing. Colours: green is better for the organisation, orange worse, "
                 "grey neither.</p>")
    totals = ex.path_totals()
    rows = []
    for _, row in totals.iterrows():
        m = row["metric"]
        rows.append(f"<td>{_e(labels[m])}</td>" + "".join(f"<td>{_e(count(row[p]))}</td>" for p in PATHS)
                    + _diff(m, row[ROOM] - row[POLICY_ONLY]) + _diff(m, row[POLICY_ONLY] - row[BASELINE]))
    parts.append("<table data-testid=\"aar-paths\"><thead><tr><th>Total over the exercise</th>"
                 + "".join(f"<th>{_e(p)}</th>" for p in PATHS)
                 + "<th>seats' doing</th><th>policy's doing</th></tr></thead>"
                 f"<tbody>{_rows(rows)}</tbody></table>")

    parts.append("<h2>Each decision's own effect</h2>")
    effects = ex.effects()
    if effects.empty:
        parts.append("<p><i>No decisions were made: the room's path is the model's own.</i></p>")
    else:
        parts.append("<p>The room's path against a replay with that one decision left out (every other decision "
                     "and every inject kept). Effects need not add up: decisions interact.</p>")
        head = "".join(f"<th>{_e(labels[m])}</th>" for m in headline.HEADLINE)
        rows = []
        for (rnd, who, text), group in effects.groupby(["round", "who", "decision"], sort=False):
            values = dict(zip(group["metric"], group["effect"], strict=True))
            rows.append(f"<td>Round {rnd}: {_e(who)}<br><span class=\"muted\">{_e(text)}</span></td>"
                        + "".join(_diff(m, values[m]) for m in headline.HEADLINE))
        parts.append(f"<table data-testid=\"aar-effects\"><thead><tr><th>Decision</th>{head}</tr></thead>"
                     f"<tbody>{_rows(rows)}</tbody></table>")
    prov = provenance()
    parts.append(f'<p class="muted">Made by docsec {_e(prov["docsec_version"])} (git {_e(prov["git_revision"])}, '
                 f'Mesa {_e(prov["mesa_version"])}); scenario hash {_e(ex.scenario.source_hash)}. '
                 f'<code>docsec run {_e(ex.scenario.name)} --seed {_e(ex.seed)}</code> replays the model\'s own '
                 "path.</p>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>After-action report: exercise {_e(ex.code)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>")
