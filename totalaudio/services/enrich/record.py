"""The seed's ``EnrichmentData`` and its ``scrapedData``, field names exactly as the seed wrote them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from totalaudio.services.enrich.forms import Form
from totalaudio.services.enrich.shows import ShowInfo
from totalaudio.services.enrich.social import Profile


@dataclass(frozen=True)
class ScrapedData:
    """What the station's pages say (JSON: format, genres, submissionGuidelines, ... rawContent)."""

    format: str | None = None
    genres: list[str] = field(default_factory=list)
    genre_evidence: list[dict[str, str]] = field(default_factory=list)  # {genre, source, page} per genre
    submission_guidelines: dict[str, Any] | None = None
    contact_preferences: list[str] = field(default_factory=list)
    dj_names: list[str] = field(default_factory=list)
    show_info: list[ShowInfo] = field(default_factory=list)
    contact_forms: list[Form] = field(default_factory=list)
    social_media: list[Profile] = field(default_factory=list)
    additional_contacts: list[dict[str, Any]] = field(default_factory=list)
    raw_content: str = ""


@dataclass(frozen=True)
class EnrichmentData:
    """One contact's (or one website's) enrichment; ``confidence`` is 0-100."""

    email: str | None
    domain: str | None
    station_name: str | None
    website_url: str | None
    scraped_data: ScrapedData
    confidence: int
    errors: list[str]
    contact_intelligence: str
    crawl: dict[str, Any] = field(default_factory=dict)  # pagesRead, requests, pageBudget, stopReason


def quality(confidence: int) -> str:
    """Airtable's Enrichment Quality from the confidence: High (>= 70), Medium (>= 40) or Low."""
    return "High" if confidence >= 70 else "Medium" if confidence >= 40 else "Low"
