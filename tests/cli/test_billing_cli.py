"""`tap billing ...` end to end: the real CLI and SDK against the Stripe fake; JSON output, dry runs, exit codes."""

import pytest

from tests.cli.helpers import tap
from tests.fakes.stripe_fake import StripeFake
from tests.fakes.stripe_rig import add_contacts, pitched
from totalaudio.store.db import open_db

TOML = """[billing]
currency = "gbp"
artist_monthly = 30
usage = true
success_url = "https://promo.example/thanks"
"""


@pytest.fixture
def fake(monkeypatch, tap_home):
    with StripeFake() as server:
        monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_cli")
        monkeypatch.setenv("TAP_STRIPE_BASE_URL", server.url)
        (tap_home.parent / "cwd" / "tap.toml").write_text(TOML)
        yield server


def test_setup_dry_run_then_real_then_nothing_to_do(fake):
    dry = tap("billing", "setup", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert dry.json()["dryRun"] is True and dry.json()["created"] == 9 and not fake.creates("/v1/prices")
    real = tap("billing", "setup", "--json")
    assert real.code == 0 and real.json()["prices"][0]["unitAmount"] == 3000
    again = tap("billing", "setup")
    assert again.code == 0 and "Created 0 objects" in again.out


def test_customer_subscribe_status_and_a_decline_exit_4(fake, tap_home):
    tap("billing", "setup")
    added = tap("billing", "customers", "add", "Ann Label", "--email", "ann@example.com", "--artist", "Ann",
                "--json")
    assert added.code == 0 and "no campaign names these artists yet: Ann" in added.err
    customer = added.json()["id"]
    assert tap("billing", "customers", "list", "--json").json()[0]["artists"] == ["Ann"]
    tap("billing", "customers", "add", "[bold]Label[/bold]", "--email", "label@example.com")
    assert "[bold]Label[/bold]" in tap("billing", "customers", "list").out  # names are never rich markup
    fake.state.declines[customer] = "expired_card"
    declined = tap("billing", "subscribe", "Ann", "--plan", "artist", "--json")
    assert declined.code == 4 and declined.out == ""
    assert declined.err_json()["error"]["error"] == "card declined: Your card was declined. (expired card)"
    assert "Traceback" not in declined.err
    del fake.state.declines[customer]
    fake.state.cards.add(customer)
    sub = tap("billing", "subscribe", "Ann", "--plan", "artist", "--json")
    assert sub.code == 0, sub.err
    status = tap("billing", "status", "--json").json()
    assert status["mrr"] == 3000 and status["plans"][0] == {"plan": "artist", "active": 1, "trialing": 0,
                                                            "mrr": 3000}
    cancel = tap("billing", "cancel", "Ann", "--at-period-end", "--json")
    assert cancel.code == 0 and cancel.json()["cancelAtPeriodEnd"] is True


def test_links_invoice_and_invoices(fake, tap_home):
    tap("billing", "setup")
    tap("billing", "customers", "add", "Ann", "--email", "ann@example.com")
    dry = tap("billing", "checkout", "Ann", "--plan", "agency", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["dryRun"] is True and not fake.creates("/v1/checkout/sessions")
    link = tap("billing", "checkout", "ann@example.com", "--plan", "agency", "--yearly")
    assert link.code == 0 and link.out.strip().startswith("https://checkout.stripe.com/")
    assert tap("billing", "portal", "Ann").out.strip().startswith("https://billing.stripe.com/")
    db = open_db(tap_home / "tap.db")
    db.table("campaigns").insert({"id": "cmp_1", "name": "Spring", "artist": "Ann", "status": "sent",
                                  "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z"})
    bad = tap("billing", "invoice", "Ann", "--campaign", "Spring", "--amount", "ten", "--json")
    assert bad.code == 2 and "not a number" in bad.err_json()["error"]["message"]
    made = tap("billing", "invoice", "Ann", "--campaign", "Spring", "--amount", "250", "--send", "--json")
    assert made.code == 0, made.err
    assert made.json()["amount"] == 25000 and made.json()["status"] == "open"
    listed = tap("billing", "invoices", "--status", "open", "--json").json()
    assert [i["id"] for i in listed] == [made.json()["id"]]
    assert tap("billing", "invoices", "--status", "late").code == 2


def test_usage_report_and_show(fake, tap_home):
    tap("billing", "setup")
    tap("billing", "customers", "add", "Ann", "--email", "ann@example.com", "--artist", "Ann")
    db = open_db(tap_home / "tap.db")
    from datetime import datetime, timedelta, timezone

    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT12:00:00Z")
    pitched(db, "Ann", "Single", add_contacts(db, 3), yesterday)
    dry = tap("billing", "usage", "report", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["total"] == 3 and not fake.state.meter_events
    sent = tap("billing", "usage", "report", "--json")
    assert sent.code == 0 and len(fake.state.meter_events) == 1
    assert tap("billing", "usage", "report", "--json").json()["alreadySent"][0]["value"] == 3
    shown = tap("billing", "usage", "show", "--json").json()
    assert shown[0]["state"] == "sent" and shown[0]["reportedValue"] == 3


def test_sync_json_and_missing_key_exit_3(fake, monkeypatch):
    tap("billing", "customers", "add", "Ann", "--email", "ann@example.com")
    synced = tap("billing", "sync", "--json")
    assert synced.code == 0 and synced.json()["new"] == 1
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    missing = tap("billing", "setup", "--json")
    assert missing.code == 3 and "STRIPE_SECRET_KEY" in missing.err


def test_sync_sends_subscription_changes_and_failed_payments_to_make(fake, monkeypatch, httpserver, tap_home):
    """Polling sends the notifications itself, through services.notify, when MAKE_WEBHOOK_URL is set."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("Accepted")
    monkeypatch.setenv("MAKE_WEBHOOK_URL", httpserver.url_for("/hook"))
    tap("billing", "setup")
    customer = tap("billing", "customers", "add", "Ann", "--email", "ann@example.com", "--json").json()["id"]
    fake.state.cards.add(customer)
    sub = tap("billing", "subscribe", "Ann", "--plan", "agency", "--json").json()
    synced = tap("billing", "sync", "--json")
    assert synced.code == 0, synced.err
    assert synced.json()["notified"] == 1 and synced.json()["notifyFailed"] == []
    bodies = [r.get_json() for r, _ in httpserver.log]
    assert len(bodies) == 1 and sub["id"] in str(bodies[0]) and "subscription.changed" in str(bodies[0])
    db = open_db(tap_home / "tap.db")
    db.table("campaigns").insert({"id": "cmp_1", "name": "Spring", "artist": "Ann", "status": "sent",
                                  "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z"})
    invoice = tap("billing", "invoice", "Ann", "--campaign", "cmp_1", "--amount", "90", "--json").json()
    fake.routes.fail_payment(invoice["id"])
    failed = tap("billing", "sync", "--json").json()
    assert failed["notified"] == 1 and "payment.failed" in str(httpserver.log[-1][0].get_json())
    assert tap("billing", "sync", "--json").json()["notified"] == 0
