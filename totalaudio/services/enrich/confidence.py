"""The confidence score (0-100) of an enrichment, from the evidence found.

Weights (documented; they add up to 100 before the penalty):

| evidence                                   | points |
|--------------------------------------------|--------|
| the website answered with a readable page  | 10     |
| a station name                             | 5      |
| at least one email address                 | 15     |
| an email meant for music submissions       | 5      |
| submission guidelines                      | 20     |
| a contact or submission form               | 10     |
| social or music-platform profiles          | 10     |
| genres                                     | 10     |
| the station's kind or format               | 5      |
| shows or presenters                        | 10     |
|   (only show names mentioned in prose: 5)  |        |

More than twice as many failed pages as readable ones costs 10 points; dead links (404/410) the crawler tried
do not count (it tries some on a separate allowance: they say nothing about what was read). Nothing readable at
all is 0.
"""

from __future__ import annotations

from totalaudio.services.enrich.record import ScrapedData

WEIGHTS = {
    "reachable": 10, "stationName": 5, "emails": 15, "submissionEmail": 5, "submissionGuidelines": 20,
    "contactForms": 10, "socialMedia": 10, "genres": 10, "format": 5, "shows": 10,
}
ERROR_PENALTY = 10


def score(data: ScrapedData, station_name: str | None, pages_ok: int, pages_failed: int) -> int:
    """0-100 from the evidence in ``data``; 0 when no page could be read."""
    if pages_ok == 0:
        return 0
    emails = [c for c in data.additional_contacts if c["type"] == "email"]
    present = {
        "reachable": True, "stationName": bool(station_name), "emails": bool(emails),
        "submissionEmail": any(p.startswith("email ") for p in data.contact_preferences),
        "submissionGuidelines": data.submission_guidelines is not None, "contactForms": bool(data.contact_forms),
        "socialMedia": bool(data.social_media), "genres": bool(data.genres), "format": bool(data.format),
        "shows": bool(data.show_info or data.dj_names),
    }
    total = sum(WEIGHTS[k] for k, on in present.items() if on)
    if present["shows"] and not (data.dj_names or any(s.day or s.time or s.host for s in data.show_info)):
        total -= WEIGHTS["shows"] // 2  # a name in passing is weaker evidence than a schedule or a presenter
    if pages_failed > 2 * pages_ok:
        total -= ERROR_PENALTY
    return max(0, min(100, total))
