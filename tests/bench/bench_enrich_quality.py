"""Enrichment quality: per-field precision, recall and F1 against the hand-made labels of ../shared/corpus/stations.

Run: ``python tests/bench/bench_enrich_quality.py``. Two modes, side by side:
- ``crawl``: the real crawler from each station's entry page on a loopback server (links to the original host
  mapped to it), page budget 8: what a user gets, discovery included;
- ``pages``: every labelled HTML page parsed directly and merged: extraction alone, discovery excluded.

Scoring (micro-averaged over the stations): emails = labels.emails plus decoded ``emailsObfuscated``; social
profiles de-duplicated by platform+handle; contact forms by page path (on-site) or URL (external); submission
guidelines as presence (a binary per station); genres normalised through the vocabulary on both sides;
DJs against ``djNames`` (staff, artists and placeholders count as false positives); shows against ``showNames``;
phones by their last 9 digits. JS-only truth (``jsRenderedData``, ``notInStaticHtml``) is not expected.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.sites import Site, rewrites_for  # noqa: E402
from tests.standins import SHARED  # noqa: E402

STATIONS = SHARED / "corpus" / "stations"
FIELDS = ("emails", "socialMedia", "contactForms", "submissionGuidelines", "genres", "djNames", "showNames", "phones")


def gold(labels: dict) -> dict[str, set]:
    """The label sets each field is scored against."""
    from totalaudio.services.enrich.genres import from_list_item
    from totalaudio.services.enrich.social import dedupe, profile_from_url

    lab = labels["labels"]
    emails = set(lab.get("emails", []))
    for entry in lab.get("emailsObfuscated", []):
        if "->" in entry:
            emails.add(entry.split("->", 1)[1].split("(")[0].strip().lower())
    forms = {_form_key(f["url"]) for f in lab.get("contactForms", [])}
    return {
        "emails": emails,
        "socialMedia": {(p.platform, p.handle.lower()) for p in dedupe(profile_from_url(u) for u in lab["socialMedia"])},
        "contactForms": forms,
        "submissionGuidelines": {"present"} if lab["submissionGuidelines"]["present"] else set(),
        "genres": {g for item in lab.get("genres", []) for g in from_list_item(item)},
        "djNames": {n.lower() for n in lab.get("djNames", [])},
        "showNames": {n.lower() for n in lab.get("showNames", [])},
        "djNamesLenient": {n.lower() for n in lab.get("djNamesLenient") or []},
        "showNamesLenient": {n.lower() for n in (lab.get("showNamesLenient") or []) + (lab.get("showNamesAmbiguous") or [])},
        "phones": {re.sub(r"\D", "", p.split("(fax)")[0])[-9:] for p in lab.get("phones", [])},
    }


def _form_key(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme and parts.hostname not in ("127.0.0.1", "localhost"):
        return url.lower().rstrip("/")
    return parts.path.lstrip("/").lower()


def predicted(record: dict) -> dict[str, set]:
    """The same sets from an EnrichmentData record (JSON form)."""
    data = record["scrapedData"]
    return {
        "emails": {c["value"] for c in data["additionalContacts"] if c["type"] == "email"},
        "socialMedia": {(p["platform"], p["handle"].lower()) for p in data["socialMedia"]},
        "contactForms": {_form_key(f["url"]) for f in data["contactForms"]},
        "submissionGuidelines": {"present"} if data["submissionGuidelines"] else set(),
        "genres": set(data["genres"]),
        "djNames": {n.lower() for n in data["djNames"]},
        "showNames": {s["name"].lower() for s in data["showInfo"]},
        "phones": {re.sub(r"\D", "", c["value"])[-9:] for c in data["additionalContacts"] if c["type"] == "phone"},
    }


def crawl_record(slug: str, labels: dict) -> dict:
    from totalaudio.clients.web import CrawlPolicy
    from totalaudio.models import to_json
    from totalaudio.services.enrich.runner import EnrichOptions, Target, run

    site = Site(STATIONS / slug, rewrites_for(labels.get("originalBaseUrl")))
    try:
        out = []
        run([Target(site.url + labels["entryPage"])], CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",),
                                                                   delay=0.0), EnrichOptions(),
            lambda _t, r: out.append(r))
        return to_json(out[0])
    finally:
        site.stop()


def pages_record(slug: str, labels: dict) -> dict:
    from totalaudio.models import to_json
    from totalaudio.services.enrich import confidence
    from totalaudio.services.enrich.extract import parse
    from totalaudio.services.enrich.merge import merge

    base = "http://127.0.0.1/"
    pages = [parse((STATIONS / slug / page).read_text(encoding="utf-8", errors="replace"), base + page)
             for page in sorted(labels["pages"], key=lambda p: p != labels["entryPage"])  # entry page first
             if not page.endswith(".json")]
    data, name = merge(pages)
    return {"scrapedData": to_json(data), "confidence": confidence.score(data, name, len(pages), 0)}


def score(counts: dict[str, list[int]]) -> dict[str, dict]:
    table = {}
    for field, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[field] = {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3),
                        "f1": round(f1, 3)}
    return table


def evaluate(mode: str, slugs: list[str]) -> dict:
    counts = {f: [0, 0, 0] for f in FIELDS}
    stations = {}
    for slug in slugs:
        labels = json.loads((STATIONS / slug / "labels.json").read_text())
        record = crawl_record(slug, labels) if mode == "crawl" else pages_record(slug, labels)
        want, got = gold(labels), predicted(record)
        for field in FIELDS:
            extra = got[field] - want[field] - want.get(field + "Lenient", set())  # lenient names: neither way
            counts[field][0] += len(want[field] & got[field])
            counts[field][1] += len(extra)
            counts[field][2] += len(want[field] - got[field])
        stations[slug] = {"confidence": record["confidence"], "expected": labels.get("expectedConfidence"),
                          "missed": {f: sorted(map(str, want[f] - got[f])) for f in FIELDS if want[f] - got[f]},
                          "extra": {f: sorted(map(str, got[f] - want[f] - want.get(f + "Lenient", set())))
                                    for f in FIELDS if got[f] - want[f] - want.get(f + "Lenient", set())}}
    return {"fields": score(counts), "stations": stations}


AIMS = {"djNames": (0.9, 0.7), "showNames": (0.9, 0.7), "genres": (0.8, 0.6)}
F1_AIMS = ("emails", "socialMedia", "contactForms", "submissionGuidelines")


def aims(fields: dict) -> dict[str, bool]:
    """Issue 12's aims: DJs and shows P >= 0.9, R >= 0.7; genres P >= 0.8, R >= 0.6; the easy fields F1 >= 0.9."""
    met = {f: fields[f]["precision"] >= p and fields[f]["recall"] >= r for f, (p, r) in AIMS.items()}
    met.update({f: fields[f]["f1"] >= 0.9 for f in F1_AIMS})
    return met


def main() -> None:
    if not STATIONS.is_dir():
        print(json.dumps({"skipped": f"{STATIONS} is absent"}))
        return
    slugs = sorted(p.name for p in STATIONS.iterdir() if (p / "labels.json").is_file())
    modes = {mode: evaluate(mode, slugs) for mode in ("crawl", "pages")}
    report = {"benchmark": "enrich quality", "stations": slugs, "render": "auto (Chromium when installed)",
              "aimsMetInCrawlMode": aims(modes["crawl"]["fields"]), "modes": modes}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
