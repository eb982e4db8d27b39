"""Enrichment: crawl radio-station websites and turn them into contact intelligence (``tap airtable enrich``).

``runner`` crawls (``crawl``) and extracts (``extract`` with ``contacts``, ``social``, ``forms``, ``genres``,
``shows``), ``merge`` builds the seed's ``EnrichmentData`` (``record``) with ``confidence`` and
``intelligence``; ``service`` selects contacts, stores results and updates contacts.
"""
