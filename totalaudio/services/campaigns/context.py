"""What every workflow step receives: the store, settings, the campaign, the run, and the replaceable doors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from totalaudio.config import Settings
from totalaudio.services.campaigns.ports import Ports

STEPS = ("import", "enrich", "create", "send", "replies", "report", "update")
REFRESHABLE = ("replies", "report", "update")  # re-run on every run once reached: they refresh the results


def _no(_question: str) -> bool:
    return False


def _mailchimp(settings: Settings) -> Any:
    from totalaudio.services.mailchimp.audience import client

    return client(settings)


def _enrich(ctx: "StepContext", chosen: list[tuple[Any, Any]]) -> dict[str, Any]:
    """The enrichment runner of ``tap airtable enrich``, on these contacts and targets."""
    from totalaudio.services.enrich import runner, service
    from totalaudio.store.enrichment import EnrichmentStore, PageCacheStore

    result = service.EnrichResult(dry_run=False, selected=len(chosen), run_id=ctx.run_id)
    applier = service.Applier(ctx.db, ctx.run_id, {c.id: c for c, _t in chosen}, dry_run=False, result=result)
    runner.run([t for _c, t in chosen], service.policy_from(ctx.settings), service.options_from(ctx.settings),
               applier, cache=PageCacheStore(ctx.db), history=EnrichmentStore(ctx.db))
    return {"crawled": result.enriched, "reused": result.reused, "unreachable": result.failed,
            "updated": result.updated}


@dataclass
class StepContext:
    """One workflow run: where it writes, which campaign, and the functions that reach the outside."""

    db: Any
    settings: Settings
    campaign: dict[str, Any]
    run_id: str | None = None
    dry_run: bool = False
    yes: bool = False
    ports: Ports = field(default_factory=Ports)
    confirm: Callable[[str], bool] = _no
    mailchimp: Callable[[Settings], Any] = _mailchimp
    enrich: Callable[["StepContext", list[tuple[Any, Any]]], dict[str, Any]] = _enrich
    write_report: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None
    note: Callable[[str], None] = lambda _text: None
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    warnings: list[str] = field(default_factory=list)

    def configured(self, integration: str) -> bool:
        """True when every required variable of the integration is set."""
        return not self.settings.missing(integration)

    def tell(self, event: str, data: dict[str, Any]) -> None:
        """A Make.com notification (when configured); a failure becomes a warning, never a failed step."""
        warning = self.ports.notify(self.settings, event, {"campaign": self.campaign["name"],
                                                           "campaignId": self.campaign["id"], **data})
        if warning:
            self.warnings.append(warning)
            self.note(f"warning: {warning}")
