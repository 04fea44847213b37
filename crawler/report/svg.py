"""Inline SVG charts for report.html: no script, no external asset, readable when printed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from html import escape

from crawler.report.timeline import Bars

ALLOW_COLOUR = "#1f6fb4"  # blue and orange stay apart for colour-blind readers
DENY_COLOUR = "#d95f02"
_WIDTH = 760
_LABEL_WIDTH = 300
_ROW = 24


def horizontal_bars(
    title: str,
    rows: Sequence[tuple[str, int]],
    value_text: Callable[[int], str],
    colour: str,
) -> str:
    """One labelled bar per row, longest first as given; labels too long are cut with an
    ellipsis and kept whole in a tooltip."""
    if not rows:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    top = max(value for _, value in rows) or 1
    bar_space = _WIDTH - _LABEL_WIDTH - 110
    height = _ROW * len(rows) + 8
    parts = [_open(title, height)]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * _ROW
        length = max(1.0, bar_space * value / top) if value else 0.0
        short = label if len(label) <= 42 else label[:41] + "…"
        parts.append(
            f"<g><title>{escape(label)}: {escape(value_text(value))}</title>"
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{_ROW - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{_LABEL_WIDTH + length + 6:.1f}" y="{y + 16}">'
            f"{escape(value_text(value))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def decisions_over_time(bars: Bars | None) -> str:
    """Stacked columns: allowed decisions below, denied above, one column per time bucket."""
    title = "Decisions over time"
    if bars is None:
        return f'<p class="empty">{title}: no decisions.</p>'
    height, left, bottom, top_pad = 260, 64, 40, 24
    plot_w, plot_h = _WIDTH - left - 16, height - bottom - top_pad
    peak = max(a + d for a, d in zip(bars.allow, bars.deny, strict=True)) or 1
    step = plot_w / len(bars.allow)
    bar_w = min(step * 0.8, 36.0)  # a short crawl has few bars: keep them slim
    parts = [_open(title, height), _axes(left, top_pad, plot_w, plot_h, peak)]
    for i, (allowed, denied) in enumerate(zip(bars.allow, bars.deny, strict=True)):
        x = left + i * step + (step - bar_w) / 2
        h_allow = plot_h * allowed / peak
        h_deny = plot_h * denied / peak
        base = top_pad + plot_h
        when = bars.start + timedelta(seconds=bars.seconds * i)
        parts.append(
            f"<g><title>{when:%Y-%m-%d %H:%M:%S} UTC: {allowed:,} allowed, {denied:,} denied"
            f"</title>"
            f'<rect x="{x:.1f}" y="{base - h_allow:.1f}" width="{bar_w:.1f}" '
            f'height="{h_allow:.1f}" fill="{ALLOW_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - h_allow - h_deny:.1f}" width="{bar_w:.1f}" '
            f'height="{h_deny:.1f}" fill="{DENY_COLOUR}"/></g>'
        )
    parts.append(_time_labels(bars, left, plot_w, height - bottom + 18))
    parts.append(_legend(left + 4, 14))
    parts.append("</svg>")
    return "".join(parts)


def _open(title: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _axes(left: int, top: int, width: float, height: float, peak: int) -> str:
    base = top + height
    return (
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" class="axis"/>'
        f'<line x1="{left}" y1="{base}" x2="{left + width:.1f}" y2="{base}" class="axis"/>'
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:,}</text>'
        f'<text x="{left - 6}" y="{base}" text-anchor="end">0</text>'
    )


def _time_labels(bars: Bars, left: int, width: float, y: float) -> str:
    end = bars.start + timedelta(seconds=bars.seconds * len(bars.allow))
    form = "%Y-%m-%d %H:%M:%S" if bars.seconds < 60 else "%Y-%m-%d %H:%M"
    form = form if bars.seconds < 86400 else "%Y-%m-%d"
    per = f"{bars.seconds:,} s" if bars.seconds < 60 else f"{bars.seconds // 60:,} min"
    return (
        f'<text x="{left}" y="{y}">{bars.start:{form}}</text>'
        f'<text x="{left + width / 2:.1f}" y="{y}" text-anchor="middle" class="muted">'
        f"UTC, one column per {per}</text>"
        f'<text x="{left + width:.1f}" y="{y}" text-anchor="end">{end:{form}}</text>'
    )


def _legend(x: int, y: int) -> str:
    return (
        f'<rect x="{x + 6}" y="{y - 10}" width="12" height="12" fill="{ALLOW_COLOUR}"/>'
        f'<text x="{x + 22}" y="{y}">allowed</text>'
        f'<rect x="{x + 92}" y="{y - 10}" width="12" height="12" fill="{DENY_COLOUR}"/>'
        f'<text x="{x + 108}" y="{y}">denied</text>'
    )
