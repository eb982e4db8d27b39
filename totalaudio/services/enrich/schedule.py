"""Schedule tables read by their header: which column holds the show, the host, the day and the time.

Two layouts are common on station sites: a list (one row a show; columns such as Day | Time | Show | Presenter)
and a grid (days across the top, times down the side, show names in the cells). A column headed "Host",
"Presenter" or "DJ" is strong evidence of a presenter, so its cells may name one; other tables are left to the
row-by-row reading in ``extract``.
"""

from __future__ import annotations

import re

from totalaudio.services.enrich import shows

COLUMN_KINDS = (
    ("host", re.compile(r"(?i)\b(?:hosts?|presenters?|presented by|djs?|hosted by|with)\b")),
    ("show", re.compile(r"(?i)\b(?:shows?|programs?|programmes?|title|name)\b")),
    ("day", re.compile(r"(?i)\bdays?\b")),
    ("time", re.compile(r"(?i)\b(?:times?|when|slot|hours?|start)\b")),
)
MAX_ROWS = 400
HOUR_RANGE = re.compile(r"^\s*\d{1,2}(?:[:.]\d{2})?\s*[-–]\s*\d{1,2}(?:[:.]\d{2})?\s*$")
SEPARATOR = re.compile(r"\s[-–—|:·•]\s|\s{2,}")
# A playlist (now-playing, Spinitron spins): its rows name artists and songs, never shows or presenters.
PLAYLIST_COLUMN = re.compile(r"(?i)^(?:artists?|songs?|tracks?|albums?|releases?|labels?|record labels?|composer)$")


def tables(tree, url: str) -> tuple[list[shows.ShowInfo], set[int]]:
    """Shows from schedule tables with a telling header, and the ids of the rows read (for others to skip)."""
    found: list[shows.ShowInfo] = []
    handled: set[int] = set()
    for table in tree.css("table"):
        rows = table.css("tr")[:MAX_ROWS]
        if len(rows) < 2 or rows[0].css_first("th") is None:  # a header row is made of <th> cells
            continue
        header = [c.text(separator=" ").strip() for c in rows[0].css("th, td")]
        marks = [h.strip().lower() for h in header if PLAYLIST_COLUMN.search(h.strip())]
        if len(marks) >= 2 or any(m.startswith("artist") for m in marks):  # Time | Artist | Title: songs played
            handled.update(row.mem_id for row in rows)
            continue
        columns = _columns(header)
        days = [shows.DAY.fullmatch(h.strip(" .")) is not None for h in header]
        if columns:
            found.extend(s for row in rows[1:] if (s := _list_row(row, columns, url)))
        elif sum(days) >= 3:
            found.extend(_grid(rows[1:], header, days, url))
        else:
            continue
        handled.update(row.mem_id for row in rows)
    return found, handled


def _columns(header: list[str]) -> dict[str, int] | None:
    """Column index per kind, when the header names a show or host column (each cell one kind)."""
    columns: dict[str, int] = {}
    for i, text in enumerate(header):
        if len(text) > 40:
            return None
        kind = next((k for k, pattern in COLUMN_KINDS if pattern.search(text)), None)
        if kind and kind not in columns:
            columns[kind] = i
    return columns if "show" in columns or "host" in columns else None


def _list_row(row, columns: dict[str, int], url: str) -> shows.ShowInfo | None:
    cells = [c.text(separator=" ").strip() for c in row.css("td, th")]
    if len(cells) <= max(columns.values()):
        return None
    pick = {kind: cells[i] for kind, i in columns.items()}
    title = pick.get("show")
    host = shows.person(pick.get("host"))
    if title is None or not shows.show_title(title):
        return None
    when = shows.TIME.search(pick.get("time", "") or " ".join(cells))
    day = shows.DAY.search(pick.get("day", "") or pick.get("time", ""))
    name = shows.show_title(title)
    if not (host or when or day):
        return None
    return shows.ShowInfo(name, day.group(0).strip() if day else None, when.group(0).strip() if when else None,
                          host, url)


def _grid(rows, header: list[str], days: list[bool], url: str) -> list[shows.ShowInfo]:
    """Days across, times down the first column ("9pm", "21:00", "9-10"), show names in the cells."""
    found = []
    for row in rows:
        cells = [c.text(separator="  ").strip() for c in row.css("td, th")]
        if len(cells) != len(header) or not (when := shows.TIME.search(cells[0]) or HOUR_RANGE.match(cells[0])):
            continue
        for day, cell, is_day in zip(header, cells, days):
            name, host = grid_cell(cell) if is_day and cell else (None, None)
            if name and len(name.split()) <= 8:
                found.append(shows.ShowInfo(name, day.strip(" ."), when.group(0).strip(), host, url))
    return found


def grid_cell(cell: str) -> tuple[str | None, str | None]:
    """A grid cell's show and host: "Drive with Jo Kerrigan" is Drive by Jo Kerrigan, but a first name after
    "with" stays in the title ("Tea Time with Kit and Lou"): a cell this short names the show as a whole."""
    cue = shows.HOST_CUE.search(cell)
    host = shows.person(cue.group(1)) if cue else None
    if host and shows.full_names(host):
        return shows.show_title(shows.TITLE_CUT.split(cell)[0]), host
    return shows.show_title(SEPARATOR.split(cell)[0]), None
