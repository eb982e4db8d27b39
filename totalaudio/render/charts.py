"""The report's charts: matplotlib figures rendered to inline SVG (text kept as text, no external reference).

Only the object-oriented API (``Figure``) is used: no pyplot global state, no GUI backend, safe in threads.
"""

from __future__ import annotations

import io
import re
from typing import Any

INK, ACCENT, SOFT, GRID = "#1f2933", "#d64545", "#3e7cb1", "#e4e7eb"
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "tap-report", "font.size": 10, "axes.edgecolor": GRID,
         "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK, "font.family": "sans-serif"}


def _svg(fig: Any, label: str) -> str:
    """The figure as an <svg> element that scales with its container, with an accessible label."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg"):], flags=re.S)
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1', text, count=1)
    return text.replace("<svg", f'<svg role="img" aria-label="{label}" class="chart"', 1)


def _figure(width: float, height: float):
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=72)
        return fig, fig.add_subplot()


def _tidy(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def funnel(stages: list[dict[str, Any]]) -> str:
    """Horizontal bars from chosen to outcomes, each labelled with its count."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(8.0, 3.0)
        names = [s["stage"].capitalize() for s in stages][::-1]
        counts = [s["count"] for s in stages][::-1]
        bars = ax.barh(names, counts, color=[ACCENT if n == "Outcomes" else SOFT for n in names])
        ax.bar_label(bars, padding=3, color=INK)
        _tidy(ax)
        ax.set_xlim(0, max(counts + [1]) * 1.15)
        return _svg(fig, "Funnel: " + ", ".join(f"{n} {c}" for n, c in zip(names[::-1], counts[::-1])))


def over_time(daily: list[dict[str, Any]]) -> str:
    """Opens and replies per day (bars for opens, a line for replies)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(8.0, 2.8)
        days = [d["date"][5:] for d in daily]
        ax.bar(days, [d["opened"] for d in daily], color=SOFT, label="Opens")
        ax.plot(days, [d["replied"] for d in daily], color=ACCENT, marker="o", linewidth=2, label="Replies")
        ax.legend(frameon=False, loc="upper right")
        step = max(1, len(days) // 10)
        ax.set_xticks(range(0, len(days), step), days[::step], rotation=0)
        _tidy(ax)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        return _svg(fig, "Opens and replies per day")


def groups(rows: list[dict[str, Any]], title: str, top: int = 8) -> str:
    """Opened and replied contacts per group (station type, region or genre), the top groups only."""
    import matplotlib

    rows = rows[:top][::-1]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(4.6, 0.6 + 0.34 * max(len(rows), 1))
        names = [r["name"][:28] for r in rows]
        positions = range(len(rows))
        ax.barh([p + 0.2 for p in positions], [r["opened"] for r in rows], height=0.4, color=SOFT, label="Opened")
        ax.barh([p - 0.2 for p in positions], [r["replied"] for r in rows], height=0.4, color=ACCENT,
                label="Replied")
        ax.set_yticks(list(positions), names)
        ax.legend(frameon=False, loc="lower right")
        _tidy(ax)
        return _svg(fig, f"Responses by {title}")
