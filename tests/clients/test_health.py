"""Each client's cheap authenticated call, through its real SDK, against a stand-in on 127.0.0.1."""

import json

import pytest

from tests import standins
from totalaudio.clients import airtable, anthropic as claude, gmail, mailchimp, make, perplexity, stripe
from totalaudio.config import Settings
from totalaudio.errors import ConfigError, IntegrationError


def settings(tmp_path, **env):
    return Settings(environ={"TAP_HOME": str(tmp_path / "home"), **env}, cwd=tmp_path)


def test_airtable_whoami_against_loopback(httpserver, tmp_path):
    user = json.loads(standins.shared_file("specs/airtable/pyairtable-sample_data/UserInfo.json").read_text())
    httpserver.expect_request("/v0/meta/whoami", headers={"Authorization": "Bearer patTEST"}).respond_with_json(user)
    s = settings(tmp_path, AIRTABLE_API_KEY="patTEST", AIRTABLE_BASE_ID="appX",
                 TAP_AIRTABLE_BASE_URL=httpserver.url_for("/").rstrip("/"))
    assert airtable.health(s) == f"token of {user['id']}"


def test_airtable_bad_token_is_a_config_error(httpserver, tmp_path):
    httpserver.expect_request("/v0/meta/whoami").respond_with_json(
        {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}, status=401)
    s = settings(tmp_path, AIRTABLE_API_KEY="bad", AIRTABLE_BASE_ID="appX",
                 TAP_AIRTABLE_BASE_URL=httpserver.url_for("/").rstrip("/"))
    with pytest.raises(ConfigError) as info:
        airtable.health(s)
    err = info.value
    assert err.exit_code == 3 and "AIRTABLE_API_KEY" in err.hint
    assert "AUTHENTICATION_REQUIRED" in err.message and "bad" not in err.message


def test_mailchimp_ping_against_prism(prism_mailchimp, tmp_path, monkeypatch):
    recorder = standins.RequestsRecorder(monkeypatch)
    s = settings(tmp_path, MAILCHIMP_API_KEY="0123456789abcdef-us21", TAP_MAILCHIMP_BASE_URL=prism_mailchimp.url)
    assert "Chimpy" in mailchimp.health(s)
    assert recorder.violations() == []
    [(request, _)] = recorder.exchanges
    assert request.url.endswith("/ping") and request.headers["Authorization"].startswith("Basic ")


def test_mailchimp_server_prefix_needs_key_suffix(tmp_path):
    s = settings(tmp_path, MAILCHIMP_API_KEY="nosuffix")
    with pytest.raises(ConfigError, match="MAILCHIMP_SERVER_PREFIX"):
        mailchimp.build(s)


def test_claude_count_tokens_against_prism(prism_anthropic, tmp_path):
    s = settings(tmp_path, ANTHROPIC_API_KEY="sk-ant-test", TAP_ANTHROPIC_BASE_URL=prism_anthropic.url)
    client = claude.build(s)
    raw = client.sdk.messages.with_raw_response.count_tokens(
        model=client.model, messages=[{"role": "user", "content": "ping"}])
    assert raw.http_response.status_code == 200 and "sl-violations" not in raw.headers
    assert "tokens counted" in claude.health(s)


def test_perplexity_completion_against_prism(prism_openai, tmp_path):
    s = settings(tmp_path, PERPLEXITY_API_KEY="pplx-test", TAP_PERPLEXITY_BASE_URL=prism_openai.url)
    answer = perplexity.build(s).ask("You research radio stations.", "Who runs KXRP?")
    assert set(answer) >= {"answer", "citations"}


def test_stripe_balance_against_localstripe(localstripe_server, tmp_path):
    s = settings(tmp_path, STRIPE_SECRET_KEY="sk_test_12345", TAP_STRIPE_BASE_URL=localstripe_server.url)
    assert stripe.health(s) in ("test mode", "live mode")


def test_gmail_needs_a_stored_token(tmp_path):
    s = settings(tmp_path, GOOGLE_CLIENT_ID="cid", GOOGLE_CLIENT_SECRET="secret")
    with pytest.raises(ConfigError, match="not authorised"):
        gmail.health(s)


def test_gmail_profile_with_encrypted_token(httpserver, tmp_path):
    httpserver.expect_request("/gmail/v1/users/me/profile", headers={"Authorization": "Bearer tok"}) \
        .respond_with_json({"emailAddress": "plugger@example.com", "messagesTotal": 3})
    s = settings(tmp_path, GOOGLE_CLIENT_ID="cid", GOOGLE_CLIENT_SECRET="secret",
                 TAP_GMAIL_BASE_URL=httpserver.url_for("/"))
    store = gmail.TokenStore(s.secrets_dir)
    store.save({"token": "tok", "refresh_token": "r"})
    assert b"tok" not in store.token_path.read_bytes()
    assert oct(store.token_path.stat().st_mode & 0o777) == "0o600"
    assert gmail.health(s) == "mailbox plugger@example.com"


def test_make_post_sends_body_headers_and_api_key(httpserver, tmp_path):
    httpserver.expect_request("/hook", method="POST", data=b'{"type":"campaign.sent"}',
                              headers={"webhook-id": "msg_1", "x-make-apikey": "mk-key",
                                       "content-type": "application/json"}) \
        .respond_with_data("Accepted", content_type="text/plain")
    s = settings(tmp_path, MAKE_WEBHOOK_URL=httpserver.url_for("/hook"), MAKE_API_KEY="mk-key")
    assert make.build(s).post(b'{"type":"campaign.sent"}', {"webhook-id": "msg_1"}, {"webhookId": "msg_1"}) == "Accepted"


def test_make_failure_carries_payload_for_the_queue(httpserver, tmp_path):
    httpserver.expect_request("/hook").respond_with_data("Scenario is disabled", status=410)
    s = settings(tmp_path, MAKE_WEBHOOK_URL=httpserver.url_for("/hook"))
    with pytest.raises(IntegrationError) as info:
        make.build(s).post(b"{}", {"webhook-id": "msg_2"}, {"webhookId": "msg_2", "type": "x"})
    assert info.value.payload == {"webhookId": "msg_2", "type": "x"} and info.value.status == 410
    assert "/hook" not in info.value.message  # the webhook URL is a secret
