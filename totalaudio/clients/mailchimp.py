"""Mailchimp through mailchimp-marketing: explicit timeouts, at most 10 connections, readable errors."""

from __future__ import annotations

import hashlib
import threading
from typing import Any, Callable, Iterator

from totalaudio import integrations
from totalaudio.clients import _requests
from totalaudio.clients._base import Caller, Failure, parse_retry_after, status_is_retryable
from totalaudio.config import Settings
from totalaudio.errors import ConfigError
from totalaudio.redact import redact

INTEGRATION = integrations.get("mailchimp")
TIMEOUT = (5, 30)  # the SDK's default is 120 s with no retries
BATCH_SIZE = 500  # Mailchimp's limit for POST /lists/{list_id} and segment member batches
PAGE_SIZE = 1000  # Mailchimp's largest `count`
# The member object of POST /lists/{id} in Mailchimp's API description (no status_if_new), plus `tags`: absent
# from the v3.0.85 description but accepted by Mailchimp per its release note of 2022-01-24 ("Added ability to
# sync tags to existing members"): a list of tag names, added to new and existing members.
BATCH_MEMBER_KEYS = frozenset({"email_address", "email_type", "status", "merge_fields", "interests", "language",
                               "vip", "location", "ip_signup", "timestamp_signup", "ip_opt", "timestamp_opt", "tags"})
MEMBER_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
COMPLIANCE_HINT = ("Mailchimp keeps this address unsubscribed: the person unsubscribed, bounced or was reviewed for "
                   "compliance, so the law and Mailchimp forbid adding them back. Only they can re-subscribe, "
                   "through your audience's signup form.")


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lower-cased address."""
    return hashlib.md5(email.strip().lower().encode("utf-8")).hexdigest()


def explain(title: str | None, detail: str | None) -> str | None:
    """A plugger's explanation of a Mailchimp refusal, where tap knows one."""
    text = f"{title or ''} {detail or ''}".lower()
    if "compliance state" in text:
        return COMPLIANCE_HINT
    if "forgotten email" in text or "permanently deleted" in text:
        return "This address was permanently deleted from Mailchimp and cannot be re-imported through the API."
    return None


class EmptyResponse(Exception):
    """Mailchimp answered an error status with no body (the SDK then returns the raw response)."""

    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _error_text(body: Any) -> tuple[str | None, str | None]:
    """(title, detail) of a Mailchimp problem document, field errors folded into the detail."""
    if not isinstance(body, dict):
        text = redact(str(body or "")).strip()  # before the cut, which could halve a secret
        return None, (text[:200] or None)
    detail = body.get("detail")
    fields = [f"{e.get('field')}: {e.get('message')}" for e in body.get("errors") or [] if isinstance(e, dict)]
    if fields:
        detail = f"{detail or ''} ({'; '.join(fields)})".strip()
    return body.get("title"), detail


def classify(exc: BaseException, response: Any = None) -> Failure | None:
    """ApiClientError has an empty str(): read its status_code and parsed body; headers from ``response``."""
    from mailchimp_marketing.api_client import ApiClientError

    if isinstance(exc, EmptyResponse):
        status = exc.response.status_code
        return _failure(status, f"Mailchimp answered HTTP {status} with no explanation", exc.response)
    if not isinstance(exc, ApiClientError):
        return None
    if exc.status_code is None:  # the SDK wraps transport errors: the cause sits in .text
        return _transport(exc.text)
    title, detail = _error_text(exc.text)
    message = ": ".join(p for p in (title, detail) if p) or f"Mailchimp refused the request (HTTP {exc.status_code})"
    return _failure(exc.status_code, message, response, explain(title, detail))


def _failure(status: int, message: str, response: Any, hint: str | None = None) -> Failure:
    headers = {k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    text = f"HTTP {status}: {message}" + (f". {hint}" if hint else "")
    return Failure(text, status=status, retryable=status_is_retryable(status),
                   retry_after=parse_retry_after(headers.get("retry-after")), request_id=headers.get("x-request-id"))


def _transport(cause: Any) -> Failure | None:
    """A Failure for a transport error the SDK wrapped; None for anything that is not one (a bug)."""
    import requests

    if not isinstance(cause, requests.exceptions.RequestException):
        return None
    return _requests.classify(cause) or Failure(f"request failed: {cause.__class__.__name__}")


class MailchimpClient:
    """The Marketing API of one Mailchimp account."""

    def __init__(self, api_key: str, server: str, host: str | None = None, *,
                 sleep: Callable[[float], None] | None = None,
                 on_response: Callable[[Any], None] | None = None) -> None:
        import mailchimp_marketing

        self.sdk = mailchimp_marketing.Client()
        self.sdk.set_config({"api_key": api_key, "server": server, "timeout": TIMEOUT})
        if host:  # after set_config, which resets the host
            if "server" in host:  # the SDK replaces every 'server' in the URL with the data-centre prefix
                raise ConfigError(f"the Mailchimp base URL {host!r} contains the word 'server', which the SDK "
                                  "rewrites", hint="use another host name for TAP_MAILCHIMP_BASE_URL")
            self.sdk.api_client.host = host.rstrip("/")
        self.caller = Caller(INTEGRATION, self.classify, sleep=sleep)
        # Never retry a send: a timed-out send may have gone out; the send ledger decides instead.
        self.once = Caller(INTEGRATION, self.classify, max_attempts=1, sleep=sleep, limiter=self.caller.limiter)
        self.hooks: list[Callable[[Any], None]] = [on_response] if on_response else []
        self._local = threading.local()
        self._observe()

    def _observe(self) -> None:
        """Wrap the SDK's one HTTP entry point to keep each thread's last response (headers the SDK drops)."""
        api = self.sdk.api_client
        send = api.request

        def request(method: str, url: str, query_params: Any = None, headers: Any = None, body: Any = None) -> Any:
            response = send(method, url, query_params, headers=headers, body=body)
            self._local.response = response
            for hook in self.hooks:
                hook(response)
            return response

        api.request = request

    def classify(self, exc: BaseException) -> Failure | None:
        """``classify`` with the headers of this thread's last response (Retry-After, request id)."""
        return classify(exc, getattr(self._local, "response", None))

    def _checked(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run an SDK call; a raw response back means no JSON body: an error, or an empty success (204)."""
        import requests

        result = fn(*args, **kwargs)
        if isinstance(result, requests.Response):
            if not result.ok:
                raise EmptyResponse(result)
            return {}
        return result

    def _call(self, operation: str, fn: Callable[..., Any], *args: Any, payload: dict | None = None,
              **kwargs: Any) -> Any:
        return self.caller.call(operation, self._checked, fn, *args, payload=payload, **kwargs)

    def _pages(self, operation: str, fn: Callable[..., Any], key: str, *args: Any, **kwargs: Any) -> Iterator[dict]:
        """Every item of a paged collection, PAGE_SIZE at a time."""
        offset = 0
        while True:
            page = self._call(operation, fn, *args, count=PAGE_SIZE, offset=offset, **kwargs)
            items = page.get(key) or []
            yield from items
            offset += len(items)
            if len(items) < PAGE_SIZE or offset >= int(page.get("total_items") or 0):
                return

    def ping(self) -> dict[str, Any]:
        """GET /ping: checks the key."""
        return self._call("ping", self.sdk.ping.get)

    def lists(self) -> list[dict[str, Any]]:
        """Every audience with its stats."""
        fields = "lists.id,lists.name,lists.stats,lists.date_created,lists.campaign_defaults,total_items"
        return list(self._pages("lists.list", self.sdk.lists.get_all_lists, "lists", fields=fields))

    def get_list(self, list_id: str) -> dict[str, Any]:
        """One audience (its campaign defaults: from name, reply-to)."""
        return self._call("lists.get", self.sdk.lists.get_list, list_id)

    def members(self, list_id: str, *, since: str | None = None, status: str | None = None) -> Iterator[dict]:
        """Members (address and status), only those changed since an ISO time when given."""
        kwargs: dict[str, Any] = {"fields": "members.email_address,members.status,members.last_changed,total_items"}
        if since:
            kwargs["since_last_changed"] = since
        if status:
            kwargs["status"] = status
        return self._pages("lists.members", self.sdk.lists.get_list_members_info, "members", list_id, **kwargs)

    def member(self, list_id: str, email: str) -> dict[str, Any]:
        """One member by address (through its subscriber hash)."""
        return self._call("lists.member", self.sdk.lists.get_list_member, list_id, subscriber_hash(email))

    def batch_members(self, list_id: str, members: list[dict[str, Any]], *, update_existing: bool = True,
                      sync_tags: bool = False) -> dict[str, Any]:
        """POST /lists/{id}: add (and with update_existing, update) up to 500 members, each with a status and
        optionally tags (names, added; with sync_tags they replace the member's tags); the answer lists new,
        updated and rejected members."""
        if len(members) > BATCH_SIZE:
            raise ValueError(f"at most {BATCH_SIZE} members per batch")
        if sync_tags and not update_existing:
            raise ValueError("sync_tags only works with update_existing")
        unknown = {k for m in members for k in m} - BATCH_MEMBER_KEYS
        if unknown or any(m.get("status") not in MEMBER_STATUSES or not _tag_names(m.get("tags", []))
                          for m in members):
            raise ValueError(f"batch members need a valid status, tags as a list of names, and no other keys "
                             f"than the spec's: {sorted(unknown)}")
        body = {"members": members, "update_existing": update_existing, "sync_tags": sync_tags}
        return self._call("lists.batch", self.sdk.lists.batch_list_members, list_id, body)

    def create_segment(self, list_id: str, name: str, emails: list[str]) -> dict[str, Any]:
        """A static segment holding the first 500 addresses (add the rest with add_segment_members)."""
        body = {"name": name, "static_segment": emails[:BATCH_SIZE]}
        return self._call("lists.segment", self.sdk.lists.create_segment, list_id, body)

    def add_segment_members(self, list_id: str, segment_id: int, emails: list[str]) -> dict[str, Any]:
        """Add up to 500 addresses to a static segment."""
        body = {"members_to_add": emails[:BATCH_SIZE]}
        return self._call("lists.segment_add", self.sdk.lists.batch_segment_members, body, list_id, segment_id)

    def create_campaign(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /campaigns."""
        return self._call("campaigns.create", self.sdk.campaigns.create, body)

    def set_content(self, campaign_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT /campaigns/{id}/content: a template id or HTML."""
        return self._call("campaigns.content", self.sdk.campaigns.set_content, campaign_id, body)

    def campaign(self, campaign_id: str) -> dict[str, Any]:
        """GET /campaigns/{id}."""
        return self._call("campaigns.get", self.sdk.campaigns.get, campaign_id)

    def campaigns(self, list_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest campaigns, newest first."""
        kwargs: dict[str, Any] = {"count": min(limit, PAGE_SIZE), "sort_field": "create_time", "sort_dir": "DESC"}
        if list_id:
            kwargs["list_id"] = list_id
        return self._call("campaigns.list", self.sdk.campaigns.list, **kwargs).get("campaigns") or []

    def send_test(self, campaign_id: str, emails: list[str]) -> dict[str, Any]:
        """Send a test email of the campaign to a few addresses."""
        body = {"test_emails": emails, "send_type": "html"}
        return self._call("campaigns.test", self.sdk.campaigns.send_test_email, campaign_id, body)

    def schedule(self, campaign_id: str, at: str) -> dict[str, Any]:
        """Schedule the campaign for an ISO-8601 UTC time (Mailchimp wants quarter hours)."""
        return self.once.call("campaigns.schedule", self._checked, self.sdk.campaigns.schedule, campaign_id,
                              {"schedule_time": at})

    def send(self, campaign_id: str) -> dict[str, Any]:
        """Send the campaign now: one attempt only (see the send ledger in services)."""
        return self.once.call("campaigns.send", self._checked, self.sdk.campaigns.send, campaign_id)

    def report(self, campaign_id: str) -> dict[str, Any]:
        """GET /reports/{id}: sends, opens (with proxy-excluded figures), clicks, bounces, unsubscribes."""
        return self._call("reports.get", self.sdk.reports.get_campaign_report, campaign_id)

    def email_activity(self, campaign_id: str) -> Iterator[dict]:
        """Per-member activity (open, click, bounce) of a sent campaign."""
        return self._pages("reports.activity", self.sdk.reports.get_email_activity_for_campaign, "emails",
                           campaign_id)

    def sent_to(self, campaign_id: str) -> Iterator[dict]:
        """The members the campaign went to, with the delivery status of each."""
        return self._pages("reports.sent_to", self.sdk.reports.get_campaign_recipients, "sent_to", campaign_id)

    def unsubscribes(self, campaign_id: str) -> Iterator[dict]:
        """The members who unsubscribed from this campaign."""
        return self._pages("reports.unsubscribed", self.sdk.reports.get_unsubscribed_list_for_campaign,
                           "unsubscribes", campaign_id)


def _tag_names(tags: Any) -> bool:
    """Batch tags are a list of non-empty names (strings), as in the release note; not {name, status} objects."""
    return isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)


def server_prefix(api_key: str, explicit: str | None) -> str:
    """The data-centre prefix (us21): MAILCHIMP_SERVER_PREFIX, else the key's suffix."""
    if explicit:
        return explicit
    if "-" in api_key:
        return api_key.rsplit("-", 1)[1]
    raise ConfigError("MAILCHIMP_SERVER_PREFIX is not set and the API key has no '-usNN' suffix",
                      hint="set MAILCHIMP_SERVER_PREFIX (the 'us21' in your Mailchimp admin URL)")


def build(settings: Settings) -> MailchimpClient:
    """A client from MAILCHIMP_API_KEY, MAILCHIMP_SERVER_PREFIX and TAP_MAILCHIMP_BASE_URL."""
    env = settings.require("mailchimp")
    key = env["MAILCHIMP_API_KEY"]
    return MailchimpClient(key, server_prefix(key, env["MAILCHIMP_SERVER_PREFIX"]), settings.base_url("mailchimp"))


def health(settings: Settings) -> str:
    """Ping: cheap, authenticated, changes nothing."""
    return str(build(settings).ping().get("health_status", "ok"))
