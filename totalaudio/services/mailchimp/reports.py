"""Campaign results from Mailchimp: the report's figures and per-member events stored once each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from totalaudio.services.mailchimp.audience import StatusChange, apply_gone
from totalaudio.services.mailchimp.campaigns import ensure_local, local_status
from totalaudio.store.campaigns import CampaignStore
from totalaudio.store.contacts import ContactStore, normalise_email
from totalaudio.store.runs import Journal

ACTIONS = {"open": "open", "click": "click"}  # Mailchimp activity action -> event kind (bounces by type)


@dataclass(frozen=True)
class MemberActivity:
    """One recipient's results in a campaign."""

    email: str
    contact_id: str | None
    sent: bool
    opens: int
    clicks: int
    bounce: str | None
    unsubscribed: bool


@dataclass(frozen=True)
class ReportResult:
    """What ``campaign report`` found and stored."""

    id: str
    mailchimp_id: str
    subject: str | None
    status: str
    emails_sent: int
    opens: dict[str, Any]
    clicks: dict[str, Any]
    bounces: dict[str, int]
    unsubscribes: int
    events_found: int
    events_new: int
    members: tuple[MemberActivity, ...]
    status_changes: tuple[StatusChange, ...]
    dry_run: bool
    run_id: str | None = None


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report's headline numbers; opens also without Apple Mail Privacy Protection's machine opens."""
    opens, clicks, bounces = report.get("opens") or {}, report.get("clicks") or {}, report.get("bounces") or {}
    return {
        "emails_sent": int(report.get("emails_sent") or 0),
        "opens": {"total": opens.get("opens_total"), "unique": opens.get("unique_opens"),
                  "rate": opens.get("open_rate"),
                  "proxyExcludedTotal": opens.get("proxy_excluded_opens"),
                  "proxyExcludedUnique": opens.get("proxy_excluded_unique_opens"),
                  "proxyExcludedRate": opens.get("proxy_excluded_open_rate")},
        "clicks": {"total": clicks.get("clicks_total"), "unique": clicks.get("unique_clicks"),
                   "uniqueSubscribers": clicks.get("unique_subscriber_clicks"), "rate": clicks.get("click_rate")},
        "bounces": {"hard": int(bounces.get("hard_bounces") or 0), "soft": int(bounces.get("soft_bounces") or 0)},
        "unsubscribes": int(report.get("unsubscribed") or 0),
    }


def _event(mc_id: str, email: str, kind: str, at: str | None, extra: str = "") -> dict[str, Any]:
    """An event whose dedupe key makes a re-run add nothing: one per campaign, address, kind and moment."""
    key = f"mailchimp:{mc_id}:{normalise_email(email)}:{kind}"
    if kind in ("open", "click"):
        key += f":{at or ''}:{extra}"
    data = {"url": extra} if extra else {}
    return {"email": email, "kind": kind, "source": "mailchimp", "at": at or "", "data": data, "dedupe_key": key}


def collect_events(client: Any, mc_id: str, send_time: str | None) -> list[dict[str, Any]]:
    """sent, open, click, bounce_hard, bounce_soft and unsubscribe events of a campaign."""
    events = [_event(mc_id, row["email_address"], "sent", send_time) for row in client.sent_to(mc_id)]
    for member in client.email_activity(mc_id):
        for act in member.get("activity") or []:
            action = act.get("action")
            if action == "bounce":
                kind = "bounce_hard" if act.get("type") == "hard" else "bounce_soft"
                events.append(_event(mc_id, member["email_address"], kind, act.get("timestamp")))
            elif action in ACTIONS:
                events.append(_event(mc_id, member["email_address"], ACTIONS[action], act.get("timestamp"),
                                     act.get("url") or ""))
    events += [_event(mc_id, u["email_address"], "unsubscribe", u.get("timestamp")) for u in client.unsubscribes(mc_id)]
    return events


def per_member(events: Iterable[dict[str, Any]]) -> list[MemberActivity]:
    """Events folded into one line per recipient."""
    rows: dict[str, dict[str, Any]] = {}
    for e in events:
        row = rows.setdefault(normalise_email(e["email"]), {"email": e["email"], "contact_id": e.get("contact_id"),
                                                            "sent": False, "opens": 0, "clicks": 0, "bounce": None,
                                                            "unsubscribed": False})
        kind = e["kind"]
        if kind == "sent":
            row["sent"] = True
        elif kind in ("open", "click"):
            row[kind + "s"] += 1
        elif kind.startswith("bounce_"):
            row["bounce"] = "hard" if kind == "bounce_hard" or row["bounce"] == "hard" else "soft"
        elif kind == "unsubscribe":
            row["unsubscribed"] = True
    return [MemberActivity(**r) for r in rows.values()]


def _attach(db: Any, events: list[dict[str, Any]], campaign_id: str) -> None:
    """Fill contact_id and campaign_id of each event (contacts matched on the normalised address)."""
    ids = {r["email_norm"]: r["id"] for r in db.query("SELECT id, email_norm FROM contacts ORDER BY created_at DESC")}
    for e in events:
        e["contact_id"] = ids.get(normalise_email(e["email"]))
        e["campaign_id"] = campaign_id


def report(client: Any, db: Any, ref: str, *, dry_run: bool = False, run_id: str | None = None) -> ReportResult:
    """Read a campaign's report and activity; store events once, counters, and unsubscribes/bounces locally."""
    row = ensure_local(client, db, ref) if not dry_run else _peek(client, db, ref)
    mc_id = row["mailchimp_id"]
    rep, events = client.report(mc_id), []
    nums = figures(rep)
    events = collect_events(client, mc_id, rep.get("send_time") or None)
    _attach(db, events, row["id"])
    new, changes = 0, []
    if not dry_run:
        new = CampaignStore(db).add_events(events)
        CampaignStore(db).update(row["id"], _counters(row, rep, nums))
        gone = {e["email"]: ("bounced" if e["kind"] == "bounce_hard" else "unsubscribed") for e in events
                if e["kind"] in ("bounce_hard", "unsubscribe")}
        changes = apply_gone(db, ContactStore(db), Journal(db), run_id, gone)
    return ReportResult(row["id"], mc_id, row.get("subject"), row.get("status") or "", nums["emails_sent"],
                        nums["opens"], nums["clicks"], nums["bounces"], nums["unsubscribes"], len(events), new,
                        tuple(per_member(events)), tuple(changes), dry_run, run_id)


def _counters(row: dict[str, Any], rep: dict[str, Any], nums: dict[str, Any]) -> dict[str, Any]:
    """Campaign row changes: the counters Airtable shows, and 'sent' once Mailchimp reports a send time."""
    out = {"sent": nums["emails_sent"], "opens": int(nums["opens"]["unique"] or 0),
           "clicks": int(nums["clicks"]["uniqueSubscribers"] or 0)}
    if rep.get("send_time") and row.get("status") in ("sending", "scheduled", "draft"):
        out["status"] = "sent"
    return out


def _peek(client: Any, db: Any, ref: str) -> dict[str, Any]:
    """The campaign row, or a stand-in built from Mailchimp without recording it (dry runs change nothing)."""
    rows = [r for r in CampaignStore(db).list() if ref in (r["id"], r.get("mailchimp_id"), r.get("airtable_id"))]
    if rows:
        return rows[0]
    remote = client.campaign(ref)
    return {"id": remote["id"], "mailchimp_id": remote["id"], "status": local_status(remote.get("status") or ""),
            "subject": (remote.get("settings") or {}).get("subject_line")}
