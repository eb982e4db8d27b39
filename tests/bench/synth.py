"""Synthetic contact files for benchmarks (deterministic, no real people)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = ["Jo", "Sam", "Alex", "Priya", "Tom", "Aoife", "Liam", "Mia", "Noah", "Zoe", "Kai", "Ruth", "Omar", "Isla"]
LAST = ["Bloggs", "Hart", "Okafor", "Murphy", "Nguyen", "Walsh", "Evans", "Khan", "Reid", "Silva", "Byrne"]
GENRES = ["Indie", "Rock", "Folk", "Electronic", "Drum and Bass", "Soul", "Jazz", "Hip Hop", "Country", "Punk"]
HEADER = ["Email", "First Name", "Last Name", "Station", "Show", "Contact Type", "Region / Country", "Genres",
          "Status", "Website", "Notes", "Tags"]


def write_contacts(path: Path, n: int, seed: int = 7) -> Path:
    """n contacts at n/20 stations, Airtable-export style."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(n):
            station = f"Station {i % max(1, n // 20)} FM"
            domain = f"station{i % max(1, n // 20)}.example.org"
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.writerow([f"{first.lower()}.{last.lower()}.{i}@{domain}", first, last, station,
                          f"The {rng.choice(GENRES)} Show", "Radio", rng.choice(["UK", "US", "AU", "IE"]),
                          ", ".join(rng.sample(GENRES, 2)), rng.choice(["Opted-In"] * 9 + ["Unsubscribed"]),
                          f"https://{domain}", "Prefers links, no attachments", "Priority"])
    return path
