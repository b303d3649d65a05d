"""Charts drawn on the server as inline SVG: no script, no network, nothing but the page.

Colours and sizes are SVG presentation attributes, not ``style``, so the pages' Content
Security Policy (no inline styles) lets them through. Every chart has a title for screen
readers, and the page shows the same numbers as a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

#: Colours of the series in turn; each has at least 3:1 contrast on white.
PALETTE = ("#2657d6", "#c2410c", "#2e7d32", "#7b1fa2")
_TEXT = "#1d2430"
_GRID = "#c9ced6"
WIDTH = 480
_ROW = 26
_LABEL_WIDTH = 160


def _svg(title: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _shorten(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title: str, bars: Sequence[tuple[str, float, str]]) -> Markup:
    """Horizontal bars: (label, value, the value as written) each, longest value widest."""
    top = max((value for _, value, _ in bars), default=0) or 1
    room = WIDTH - _LABEL_WIDTH - 80
    body = []
    for row, (label, value, written) in enumerate(bars):
        y = row * _ROW + 4
        length = max(value / top * room, 1 if value else 0)
        body.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" font-size="13"'
            f' fill="{_TEXT}">{escape(_shorten(label))}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y + 2}" width="{length:.1f}" height="{_ROW - 8}"'
            f' fill="{PALETTE[0]}"/>'
            f'<text x="{_LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" font-size="13"'
            f' fill="{_TEXT}">{escape(written)}</text>'
        )
    return _svg(title, max(len(bars), 1) * _ROW + 8, body)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Markup:
    """Lines over the days of a period: ``labels`` under the x axis, one line per series."""
    top_pad = 16 * len(series) + 16
    height, left, bottom = 200 + top_pad, 44, 40
    plot_w, plot_h = WIDTH - left - 12, height - bottom - top_pad
    top = max((max(values, default=0) for _, values in series), default=0) or 1
    step = plot_w / max(len(labels) - 1, 1)
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - 12}" y2="{top_pad + plot_h}"'
        f' stroke="{_GRID}"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" font-size="12"'
        f' fill="{_TEXT}">{top}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="12"'
        f' fill="{_TEXT}">0</text>',
    ]
    every = max(len(labels) // 4, 1)  # about four dates under the axis
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{left + i * step:.1f}" y="{height - bottom + 18}" font-size="11"'
                f' text-anchor="middle" fill="{_TEXT}">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + plot_h - v / top * plot_h:.1f}"
            for i, v in enumerate(values)
        )
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        legend_y = 4 + n * 16  # the legend stacked above the lines, one row per series
        body.append(
            f'<rect x="{left}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{legend_y + 11}" font-size="12" fill="{_TEXT}">'
            f"{escape(name)}</text>"
        )
    return _svg(title, height, body)
