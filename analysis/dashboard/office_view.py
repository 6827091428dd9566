"""The office view: one card per office, drawn as HTML from the office table.

Takes the table of ``analysis.dashboard.offices.office_table`` (it never sees the
model). A card shows who holds the storage-room key (marked when a worker holds
it), the documents in storage, out of storage and lost, the officials now under
warnings, and how many were dismissed. All text is escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from ..figures._style import require_columns

STYLE = """
<style>
.docsec-offices { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px; }
.docsec-office { border: 1px solid #cfd8dc; border-radius: 6px; padding: 6px 8px; font-size: 13px;
                 line-height: 1.35; background: #ffffff; }
.docsec-office h4 { margin: 0 0 4px 0; font-size: 14px; }
.docsec-office .key-worker { color: #b23c00; font-weight: 600; }
.docsec-office .key-official { color: #1b5e20; }
.docsec-office .warned { color: #8a6d00; }
.docsec-office .dismissed { color: #b00020; font-weight: 600; }
.docsec-office .muted { color: #607d8b; }
.docsec-office.alarm { border-color: #d55e00; box-shadow: 0 0 0 1px #d55e00 inset; }
</style>
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def office_card(row: pd.Series) -> str:
    """One office as an HTML card."""
    worker = bool(row["key_with_worker"])
    key_class = "key-worker" if worker else "key-official"
    key_note = " (storage room open to staff)" if worker else ""
    lines = [
        f'<h4>{_e(row["office"])}</h4>',
        f'<div class="{key_class}" data-testid="key-holder">Key: {_e(row["key_holder"])}{_e(key_note)}</div>',
        f'<div data-testid="documents">in storage {int(row["in_storage"])} &middot; '
        f'<b>out of storage {int(row["out_of_storage"])}</b> &middot; lost {int(row["lost"])}</div>',
    ]
    if int(row["warned"]):
        lines.append(f'<div class="warned" data-testid="warned">Warned: {_e(row["warned_officials"])}</div>')
    else:
        lines.append('<div class="muted" data-testid="warned">no official under warning</div>')
    if int(row["dismissed"]):
        lines.append(f'<div class="dismissed" data-testid="dismissed">dismissed so far: {int(row["dismissed"])}</div>')
    alarm = " alarm" if worker or int(row["dismissed"]) else ""
    return f'<div class="docsec-office{alarm}" data-testid="office-card">{"".join(lines)}</div>'


def office_cards_html(offices: pd.DataFrame) -> str:
    """All offices as a grid of cards (with its style block)."""
    require_columns(offices, ["office", "key_holder", "key_with_worker", "in_storage", "out_of_storage", "lost",
                              "warned", "warned_officials", "dismissed"], "office view")
    cards = "".join(office_card(row) for _, row in offices.iterrows())
    return f'{STYLE}<div class="docsec-offices" data-testid="office-view">{cards}</div>'


def office_summary(offices: pd.DataFrame) -> str:
    """One line over all offices: keys in workers' hands, documents out, officials warned, dismissals."""
    return (f"{int(offices['key_with_worker'].sum())} of {len(offices)} storage keys held by workers · "
            f"{int(offices['out_of_storage'].sum())} documents out of storage · "
            f"{int(offices['lost'].sum())} lost · {int(offices['warned'].sum())} officials under warning · "
            f"{int(offices['dismissed'].sum())} dismissed")
