"""``tap notify``: Make.com notifications (campaign.sent, reply.received, ... subscription.changed)."""

from __future__ import annotations

import typer

from totalaudio.cli import output
from totalaudio.cli.context import state

app = output.group("Notifications to a Make.com scenario (MAKE_WEBHOOK_URL), Standard Webhooks signed.")


@app.command("test")
def test(type_: str = typer.Option("campaign.sent", "--type", "-t", help="The notification type to send."),
         json_: bool = output.JSON) -> None:
    """Send one test notification now and say whether it went, is chosen, is signed, and any 410 remembered."""
    from totalaudio.services import notify

    st = state()
    result = notify.send_test(st.settings, type_, db=st.db)
    output.emit(result, "json" if json_ else "text", _render)


def _render(r: dict) -> None:
    print(f"sent a test {r['type']} notification (webhook-id {r['webhookId']}, "
          f"{'signed' if r['signed'] else 'unsigned: MAKE_SIGNING_SECRET is not set'})")
    if not r["chosen"]:
        output.note(f"note: {r['type']} is not in [make] events, so real ones are not sent")
    if r["goneSince"]:
        output.note(f"note: the webhook had answered 410 Gone at {r['goneSince']}; it takes notifications again")
