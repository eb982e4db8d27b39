"""Usage billing: contacts pitched per customer's artist per day, counted from the campaign records (a contact a
campaign of the artist was sent to), reported as Billing Meter events whose identifier names what they count, so
that a re-run never bills twice. Only whole days (before today, UTC) are reported: a day's count is final."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.billing.common import BillingConfig
from totalaudio.store.billing import MeterLedger

MAX_AGE_DAYS = 35  # Stripe accepts meter events up to 35 days old
COUNT_SQL = """
SELECT a.customer_id AS customer_id, a.artist AS artist, substr(e.at, 1, 10) AS day,
       count(DISTINCT e.contact_id) AS value
FROM events e
JOIN campaigns c ON c.id = e.campaign_id
JOIN campaign_contacts cc ON cc.campaign_id = c.id AND cc.contact_id = e.contact_id
JOIN billing_customer_artists a ON a.artist = c.artist
JOIN billing_customers bc ON bc.id = a.customer_id AND bc.deleted = 0
WHERE e.kind = 'sent' AND e.at >= ? AND substr(e.at, 1, 10) < ?
GROUP BY a.customer_id, a.artist, day
ORDER BY day, a.customer_id, a.artist
"""


def identifier(customer_id: str, artist: str, day: str) -> str:
    """The meter event identifier of one count: customer, artist and day (Stripe's limit is 100 characters)."""
    artist_hash = hashlib.sha256(artist.encode("utf-8")).hexdigest()[:12]
    return f"tap-{customer_id}-{artist_hash}-{day}"


def _since(since: str | None, today: date, strict: bool = True) -> str:
    if since is None:
        return (today - timedelta(days=MAX_AGE_DAYS - 1)).isoformat()
    try:
        start = date.fromisoformat(since)
    except ValueError:
        raise InputError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    if strict and start < today - timedelta(days=MAX_AGE_DAYS - 1):
        raise InputError(f"--since {since} is more than {MAX_AGE_DAYS - 1} days ago: Stripe refuses older usage")
    return start.isoformat()


def counts(db: Any, since: str | None = None, today: date | None = None,
           strict: bool = True) -> list[dict[str, Any]]:
    """Whole-day counts from ``since`` (default: as far back as Stripe accepts), each with its identifier."""
    today = today or datetime.now(timezone.utc).date()
    rows = db.query(COUNT_SQL, [_since(since, today, strict), today.isoformat()])
    return [{"customerId": r["customer_id"], "artist": r["artist"], "day": r["day"], "value": r["value"],
             "identifier": identifier(r["customer_id"], r["artist"], r["day"])} for r in rows]


def _timestamp(day: str) -> int:
    """The last second of the day counted (UTC): the meter event's time."""
    start = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    return int((start + timedelta(days=1)).timestamp()) - 1


def report(client: Any, db: Any, cfg: BillingConfig, *, since: str | None = None, dry_run: bool = False,
           today: date | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Send each day's count not yet sent as a meter event; identifiers already sent are skipped."""
    if not cfg.usage:
        raise InputError("usage billing is off", hint="set usage = true under [billing] in tap.toml, then run "
                                                      "`tap billing setup` to create the meter")
    ledger, sent, skipped = MeterLedger(db), [], []
    for row in counts(db, since, today):
        done = ledger.get(row["identifier"])
        if done and done["state"] == "sent":
            skipped.append({**row, "sentValue": done["value"]})
            continue
        if not dry_run:
            _send(client, ledger, cfg, row)
        sent.append(row)
    return {"eventName": cfg.meter_event_name, "sent": sent, "alreadySent": skipped,
            "total": sum(r["value"] for r in sent), "dryRun": dry_run, "runId": run_id}


def _send(client: Any, ledger: MeterLedger, cfg: BillingConfig, row: dict[str, Any]) -> None:
    """Ledger first (committed), then the event under a key derived from its identifier."""
    ledger.intend({"identifier": row["identifier"], "customer_id": row["customerId"], "artist": row["artist"],
                   "day": row["day"], "value": row["value"]})
    value = ledger.get(row["identifier"])["value"]  # a crashed run's count is the one Stripe may hold already
    client.create_meter_event({"event_name": cfg.meter_event_name, "identifier": row["identifier"],
                               "timestamp": _timestamp(row["day"]),
                               "payload": {"stripe_customer_id": row["customerId"], "value": str(value)}},
                              key=f"tap-meter-{row['identifier']}")
    ledger.sent(row["identifier"])


def show(db: Any, since: str | None = None, today: date | None = None) -> list[dict[str, Any]]:
    """Each whole day's local count beside what was reported to Stripe for it."""
    ledger = {r["identifier"]: r for r in MeterLedger(db).rows()}
    out = []
    for row in counts(db, since, today, strict=False):
        sent = ledger.get(row["identifier"])
        out.append({**row, "state": sent["state"] if sent else "unreported",
                    "reportedValue": sent["value"] if sent else None, "sentAt": sent["sent_at"] if sent else None})
    return out
