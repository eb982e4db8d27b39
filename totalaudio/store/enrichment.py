"""Enrichment results (a history per contact and per website) and the crawler's page cache with validators."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlite_utils

from totalaudio.errors import utc_now

MIGRATIONS = [
    ("0300_enrichment_results", """
    CREATE TABLE enrichment_results (
        id INTEGER PRIMARY KEY,
        run_id TEXT,
        contact_id TEXT,
        website TEXT NOT NULL,
        domain TEXT,
        confidence INTEGER NOT NULL,
        quality TEXT NOT NULL,
        errors INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX enrichment_results_contact ON enrichment_results(contact_id, created_at);
    CREATE INDEX enrichment_results_website ON enrichment_results(website, created_at)
    """),
    ("0301_page_cache", """
    CREATE TABLE page_cache (
        url TEXT PRIMARY KEY,
        final_url TEXT,
        etag TEXT,
        last_modified TEXT,
        body BLOB NOT NULL,
        fetched_at TEXT NOT NULL
    )
    """),
]


def _ago(seconds: float) -> str:
    moment = datetime.now(timezone.utc) - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class EnrichmentStore:
    """Reads and writes enrichment results and cached pages."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, record: dict[str, Any], *, website: str, contact_id: str | None, run_id: str | None,
             quality: str) -> None:
        """Keep one result (the record's JSON form) in the history."""
        self.db.table("enrichment_results").insert({
            "run_id": run_id, "contact_id": contact_id, "website": website, "domain": record.get("domain"),
            "confidence": int(record.get("confidence") or 0), "quality": quality,
            "errors": len(record.get("errors") or []), "record": json.dumps(record, ensure_ascii=False),
            "created_at": utc_now()})

    def fresh(self, website: str, max_age_seconds: float) -> dict[str, Any] | None:
        """The latest result for a website newer than ``max_age_seconds`` and with a readable page, or None."""
        rows = list(self.db.query(
            "SELECT record FROM enrichment_results WHERE website = ? AND created_at >= ? AND confidence > 0 "
            "ORDER BY created_at DESC, id DESC LIMIT 1", [website, _ago(max_age_seconds)]))
        return json.loads(rows[0]["record"]) if rows else None

    def history(self, contact_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """A contact's results, newest first: ``{runId, website, confidence, quality, createdAt, record}``."""
        rows = self.db.query(
            "SELECT * FROM enrichment_results WHERE contact_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            [contact_id, limit])
        return [{"runId": r["run_id"], "website": r["website"], "confidence": r["confidence"],
                 "quality": r["quality"], "createdAt": r["created_at"], "record": json.loads(r["record"])}
                for r in rows]


class PageCacheStore:
    """The crawler's page cache: HTML (compressed) with the ETag/Last-Modified validators it came with."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, url: str) -> tuple[str | None, str | None, str] | None:
        """(etag, last_modified, html) of a cached page, or None."""
        rows = list(self.db.query("SELECT etag, last_modified, body FROM page_cache WHERE url = ?", [url]))
        if not rows:
            return None
        row = rows[0]
        return row["etag"], row["last_modified"], zlib.decompress(row["body"]).decode("utf-8", "replace")

    def put(self, url: str, fetched: Any, html: str) -> None:
        """Keep a page that came with validators (only those can be revalidated)."""
        self.db.table("page_cache").upsert({
            "url": url, "final_url": fetched.final_url, "etag": fetched.etag, "last_modified": fetched.last_modified,
            "body": zlib.compress(html.encode("utf-8"), 6), "fetched_at": utc_now()}, pk="url")
