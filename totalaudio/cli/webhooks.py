"""``tap webhooks``: the receiver of Stripe, Mailchimp and Make.com events, and the events it stored."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("Receive Stripe, Mailchimp and Make.com webhooks; list and replay what arrived.")


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
          port: int = typer.Option(8787, "--port", min=1, max=65535, help="Port to listen on."),
          tls_cert: Optional[Path] = typer.Option(None, "--tls-cert", help="TLS certificate (PEM)."),
          tls_key: Optional[Path] = typer.Option(None, "--tls-key", help="TLS private key (PEM)."),
          behind_proxy: bool = typer.Option(False, "--behind-proxy",
                                            help="A TLS-terminating proxy forwards to this port (allows a "
                                                 "non-loopback address without TLS).")) -> None:
    """Serve POST /stripe, GET|POST /mailchimp/<secret>, POST /make and GET /healthz until interrupted."""
    from totalaudio.server import app as server_app
    from totalaudio.server import run

    run.check_binding(host, tls_cert, tls_key, behind_proxy)
    settings = state().settings
    sources = run.sources_on(settings)
    asgi = server_app.create_app(settings, behind_proxy=behind_proxy)
    scheme = "https" if tls_cert else "http"
    output.note(f"receiving {', '.join(sources)} events on {scheme}://{host}:{port} (Ctrl-C stops)")
    run.serve(asgi, host, port, tls_cert=tls_cert, tls_key=tls_key)


@app.command("events")
def events(source: Optional[str] = typer.Option(None, "--source", "-s", help="stripe, mailchimp or make."),
           limit: int = typer.Option(50, "--limit", "-n", min=1, help="How many, newest first."),
           json_: bool = output.JSON) -> None:
    """The deliveries received, newest first: source, event id, type, status, repeats."""
    from totalaudio.services.webhooks import inbox

    found = inbox.events(state().db, source, limit)
    output.emit(found, "json" if json_ else "text", _render_events)


def _render_events(rows) -> None:
    output.table(f"{len(rows)} webhook events", ["Id", "Source", "Event", "Type", "Status", "Repeats", "Received"],
                 [(e.id, e.source, e.event_id, e.type, e.status + (f": {e.error}" if e.error else ""), e.repeats,
                   e.received_at) for e in rows])


@app.command("replay")
def replay(event_id: str = typer.Argument(..., help="The local id or the source's event id (evt_..., msg_...)."),
           dry_run: bool = output.DRY_RUN, json_: bool = output.JSON) -> None:
    """Run a stored event's handler again; the notifications it asks for are sent (failures dead-lettered)."""
    from totalaudio.services import notify
    from totalaudio.services.webhooks import inbox, replay as svc

    st = state()
    with st.mutating("webhooks replay", {"event": event_id}, dry_run=dry_run) as run_id:
        if dry_run:
            event = inbox.find(st.db, event_id)
            report = {"dryRun": True, "id": event.id, "source": event.source, "eventId": event.event_id,
                      "type": event.type, "status": event.status}
        else:
            outcome = svc.replay(st.db, st.settings, event_id, run_id=run_id)
            sent = notify.send_many(st.settings, outcome.notifications, db=st.db)
            report = {"dryRun": False, **svc.describe(outcome), "notifications": sent}
    output.emit(report, "json" if json_ else "text", _render_replay)


def _render_replay(r: dict) -> None:
    verb = "would run again" if r["dryRun"] else "ran again"
    print(f"{verb}: {r['source']} event {r['eventId']} ({r['type']}), stored as {r['id']}")
    for note in r.get("notifications") or []:
        output.note(f"notification {note['type']}: {note['outcome']}")
