"""Light charts for the administrator's pages, drawn on the server as inline SVG (and HTML bars) and
shown with st.markdown (st.html's sanitizer drops SVG): the browser only lays out a few hundred SVG
nodes, where each Vega-Lite chart (st.altair_chart, st.line_chart alike) costs it a chart runtime, a
compile and a canvas draw (on the 2-core machine under load, switching the completion page's four off took
it from 2.8 s to 1.3 s in Chromium; docs/review.md, bench/bench_review.py). Every value is drawn
as a point or a bar, so one day of data already shows; every mark has a tooltip (an SVG <title>);
every text is escaped. No Streamlit here: plain functions from numbers to markup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

PALETTE = ("#1f6fb4", "#ff8c1a", "#2ca02c", "#9467bd", "#8c564b", "#d62728")
_FONT = 'font-family="sans-serif" font-size="13" fill="#555"'
_W = 560  # the drawing's own width; it scales to the column's


def nice_max(v: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above v, and at least 5 (counts: whole ticks)."""
    if v <= 5:
        return 5.0
    k = 10 ** math.floor(math.log10(v))
    return next(m * k for m in (1, 2, 5, 10) if m * k >= v)


def _num(v: float) -> str:
    return f"{v:,.0f}"


def _legend(names: Sequence[str], y: float = 12) -> str:
    out, x = [], 60.0
    for i, name in enumerate(names):
        out.append(f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 14:.0f}" y="{y:.0f}" {_FONT}>{escape(name)}</text>')
        x += 30 + 14 * len(name)  # CJK-wide estimate: legends stay apart in either language
    return "".join(out)


def _frame(top: float, bottom: float, left: float, right: float, vmax: float, y_title: str) -> str:
    """Horizontal grid lines with their values, and the y title."""
    out = []
    steps = 4 if f"{vmax:.0f}".startswith("2") else 5  # 0, 0.5, 1, … or 0, 0.2, 0.4, … or 0, 1, 2, … × 10^k
    for i in range(steps + 1):
        v = vmax * i / steps
        y = bottom - (bottom - top) * i / steps
        out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{_num(v)}</text>')
    out.append(
        f'<text transform="translate(13,{(top + bottom) / 2:.0f}) rotate(-90)" text-anchor="middle" {_FONT}>'
        f"{escape(y_title)}</text>"
    )
    return "".join(out)


def _svg(height: float, label: str, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {_W} {height:.0f}" width="100%" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="max-width:{_W}px">{body}</svg>'
    )


def timeline(days: Sequence[date], series: dict[str, Sequence[int]], *, label: str, y_title: str, height: int = 230) -> str:
    """One line per series over the days, with a point on every day (a single day is a point)."""
    top, bottom, left, right = 30.0, height - 30.0, 60.0, _W - 14.0
    vmax = nice_max(max((max(v, default=0) for v in series.values()), default=0))
    n = len(days)
    first = days[0].toordinal() if days else 0
    span = (days[-1].toordinal() - first) if n > 1 else 0

    def x(d: date) -> float:
        return (left + right) / 2 if span == 0 else left + 10 + (right - left - 20) * (d.toordinal() - first) / span

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / vmax

    out = [_legend(list(series)), _frame(top, bottom, left, right, vmax, y_title)]
    shown = days if n <= 6 else [days[round(i * (n - 1) / 5)] for i in range(6)]
    for d in dict.fromkeys(shown):
        out.append(f'<text x="{x(d):.1f}" y="{bottom + 16:.0f}" text-anchor="middle" {_FONT}>{d.isoformat()}</text>')
    for i, (name, values) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        pts = [(x(d), y(v), d, v) for d, v in zip(days, values)]
        if len(pts) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _d, _v in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        r = 4 if len(pts) <= 60 else 2.5
        for px, py, d, v in pts:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r}" fill="{colour}">'
                f"<title>{escape(name)} · {d.isoformat()}: {_num(v)}</title></circle>"
            )
    return _svg(height, label, "".join(out))


def grouped_bars(
    categories: Sequence[str], series: dict[str, Sequence[int]], *, label: str, y_title: str, height: int = 170
) -> str:
    """Bars side by side per category (e.g. expected and read pages per year); a zero shows as a thin line."""
    top, bottom, left, right = 28.0, height - 24.0, 60.0, _W - 14.0
    vmax = nice_max(max((max(v, default=0) for v in series.values()), default=0))
    out = [_legend(list(series)), _frame(top, bottom, left, right, vmax, y_title)]
    group = (right - left) / max(1, len(categories))
    bar = min(22.0, (group - 8) / max(1, len(series)))
    for c, cat in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        out.append(
            f'<text x="{left + (c + 0.5) * group:.1f}" y="{bottom + 15:.0f}" text-anchor="middle" {_FONT}>{escape(cat)}</text>'
        )
        for i, (name, values) in enumerate(series.items()):
            v = values[c]
            h = max(1.0, (bottom - top) * v / vmax)
            out.append(
                f'<rect x="{x0 + i * bar:.1f}" y="{bottom - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(cat)} · {escape(name)}: {_num(v)}</title></rect>'
            )
    return _svg(height, label, "".join(out))


def bar_list(items: Sequence[tuple[str, int]], *, label: str, most: int = 15, more: str = "") -> str:
    """Labelled horizontal bars, largest first (at most `most`; `more` says how many are left out,
    with {n} for their number)."""
    items = sorted(items, key=lambda it: -it[1])
    vmax = max((n for _l, n in items), default=0) or 1
    rows = []
    for text, n in items[:most]:
        rows.append(
            '<div style="display:flex;align-items:center;gap:8px;margin:2px 0;font-size:13px">'
            f'<div style="flex:0 0 42%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap" title="{escape(text)}">'
            f"{escape(text)}</div>"
            f'<div style="flex:1"><div style="width:{max(0.5, 100 * n / vmax):.1f}%;height:14px;background:{PALETTE[0]}"'
            f' title="{escape(text)}: {_num(n)}"></div></div>'
            f'<div style="flex:0 0 56px;text-align:right">{_num(n)}</div></div>'
        )
    if len(items) > most and more:
        rows.append(f'<div style="font-size:12px;color:#777">{escape(more.format(n=len(items) - most))}</div>')
    return f'<div role="list" aria-label="{escape(label)}">{"".join(rows)}</div>'
