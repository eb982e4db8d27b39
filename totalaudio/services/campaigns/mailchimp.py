"""The workflow's Mailchimp steps, through services/mailchimp (campaign create and send, the report's activity).

``mailchimp.campaigns.create`` records the Mailchimp campaign in a campaign row of its own; the workflow moves
that campaign's Mailchimp id onto the workflow's campaign, so one campaign holds the plan, the steps and the
events. The Mailchimp campaign's title carries the campaign id, so a run interrupted between the two finds the
campaign already created (and adopts it) instead of creating a second one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalaudio.errors import InputError
from totalaudio.services.campaigns.context import StepContext
from totalaudio.services.campaigns.selection import chosen_contacts
from totalaudio.store.campaign_runs import plan_of
from totalaudio.store.campaigns import CampaignStore


def marker(campaign: dict[str, Any]) -> str:
    """The title of the campaign's Mailchimp campaign: its name and tap's id."""
    return f"{campaign['name']} [{campaign['id']}]"


def _content(ctx: StepContext, plan: dict[str, Any]) -> tuple[int | None, str | None]:
    section = ctx.settings.section("campaign")
    template, html = plan.get("templateId") or section.get("template_id"), plan.get("html")
    if html:
        try:
            return None, Path(html).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{html}: cannot read the campaign's HTML: {exc.strerror}") from None
    if template in (None, ""):
        raise InputError("the campaign has no content: give --template-id or --html at `tap campaign new`, or "
                         "set [campaign] template_id in tap.toml")
    return int(template), None


def spec_for(ctx: StepContext) -> Any:
    """The CampaignSpec of the workflow's campaign (audience, subject and content from its plan or tap.toml)."""
    from totalaudio.services.mailchimp.campaigns import CampaignSpec

    plan, section, c = plan_of(ctx.campaign), ctx.settings.section("mailchimp"), ctx.campaign
    list_id = plan.get("listId") or section.get("list_id")
    if not list_id:
        raise InputError("the campaign has no Mailchimp audience: give --list at `tap campaign new` or set "
                         "[mailchimp] list_id in tap.toml", hint="`tap mailchimp audiences` lists them")
    subject = plan.get("subject") or " - ".join(p for p in (c.get("artist"), c.get("release")) if p) or c["name"]
    template, html = _content(ctx, plan)
    return CampaignSpec(str(list_id), subject, template, html, section.get("from_name"), section.get("reply_to"),
                        title=marker(c), artist=c.get("artist"), release=c.get("release"))


def _orphan(ctx: StepContext) -> dict[str, Any] | None:
    rows = list(ctx.db.query("SELECT * FROM campaigns WHERE name = ? AND id != ?", [marker(ctx.campaign),
                                                                                    ctx.campaign["id"]]))
    if rows and not rows[0]["mailchimp_id"]:
        raise InputError(f"an earlier run stopped while creating the Mailchimp campaign {marker(ctx.campaign)!r}",
                         hint="check Mailchimp's campaigns; delete the half-made one there and the local row "
                              f"{rows[0]['id']}, then run again")
    return rows[0] if rows else None


def _adopt(ctx: StepContext, row: dict[str, Any]) -> None:
    """Move the Mailchimp campaign recorded in ``row`` onto the workflow's campaign."""
    with ctx.db.conn:
        ctx.db.execute("DELETE FROM campaigns WHERE id = ?", [row["id"]])
        CampaignStore(ctx.db).update(ctx.campaign["id"], {"mailchimp_id": row["mailchimp_id"], "list_id":
                                                          row["list_id"], "subject": row["subject"],
                                                          "status": row["status"], "raw": row["raw"]})
    ctx.campaign.update(CampaignStore(ctx.db).get(ctx.campaign["id"]))


def create(ctx: StepContext) -> dict[str, Any]:
    """Create (once) the Mailchimp campaign to exactly the chosen contacts."""
    from totalaudio.services.mailchimp import campaigns

    if ctx.campaign.get("mailchimp_id"):
        return {"mailchimpId": ctx.campaign["mailchimp_id"], "detail": "already created"}
    spec, found = spec_for(ctx), _orphan(ctx)
    if found:
        _adopt(ctx, found)
        return {"mailchimpId": found["mailchimp_id"], "detail": "adopted the campaign an earlier run created"}
    result = campaigns.create(ctx.mailchimp(ctx.settings), ctx.db, spec, chosen_contacts(ctx.db, ctx.campaign["id"]),
                              run_id=ctx.run_id)
    _adopt(ctx, CampaignStore(ctx.db).get(result.id))
    return {"mailchimpId": result.mailchimp_id, "listId": result.list_id, "recipients": result.recipients,
            "excluded": [{"email": s.email, "reason": s.reason} for s in result.excluded]}


def _mailchimp_id(ctx: StepContext) -> str:
    if not ctx.campaign.get("mailchimp_id"):
        raise InputError(f"campaign {ctx.campaign['name']!r} has no Mailchimp campaign yet",
                         hint=f"run `tap campaign run {ctx.campaign['name']!r} --from create`")
    return ctx.campaign["mailchimp_id"]


def send(ctx: StepContext) -> dict[str, Any]:
    """Send the Mailchimp campaign now (never twice: services/mailchimp checks its status first)."""
    from totalaudio.services.mailchimp import campaigns

    result = campaigns.send(ctx.mailchimp(ctx.settings), ctx.db, _mailchimp_id(ctx), ctx.run_id)
    ctx.campaign.update(CampaignStore(ctx.db).get(ctx.campaign["id"]))
    return {"mailchimpId": result.mailchimp_id, "sent": result.done, "status": result.status,
            "detail": result.detail}


def activity(ctx: StepContext) -> dict[str, Any]:
    """Mailchimp's per-contact activity stored as events (tap mailchimp campaign report)."""
    from totalaudio.services.mailchimp import reports

    result = reports.report(ctx.mailchimp(ctx.settings), ctx.db, _mailchimp_id(ctx), run_id=ctx.run_id)
    return {"emailsSent": result.emails_sent, "eventsNew": result.events_new, "eventsFound": result.events_found}
