"""The endpoints of the Mailchimp fake; each returns (status, payload) in the shapes of the official spec."""

from __future__ import annotations

from typing import Any

from tests.fakes.mailchimp_fake import COMPLIANCE, MailchimpState, md5, problem

GONE = ("unsubscribed", "cleaned")


def _member_out(member: dict) -> dict:
    return {k: v for k, v in member.items() if not k.startswith("_")}


def _page(items: list, query: dict, key: str, **extra: Any) -> tuple[int, dict]:
    offset, count = int(query.get("offset", 0)), int(query.get("count", 10))
    return 200, {key: items[offset:offset + count], "total_items": len(items), **extra}


def ping(state: MailchimpState, query: dict, body: Any) -> tuple[int, Any]:
    return 200, {"health_status": "Everything's Chimpy!"}


def lists(state: MailchimpState, query: dict, body: Any) -> tuple[int, Any]:
    out = []
    for item in state.lists.values():
        members = state.members[item["id"]].values()
        count = {s: sum(1 for m in members if m["status"] == s) for s in ("subscribed", *GONE)}
        out.append({**item, "stats": {"member_count": count["subscribed"], "unsubscribe_count": count["unsubscribed"],
                                      "cleaned_count": count["cleaned"], "total_contacts": len(members)}})
    return _page(out, query, "lists", constraints={"may_create": True, "max_instances": 1,
                                                   "current_total_instances": len(out)})


def get_list(state: MailchimpState, query: dict, body: Any, list_id: str) -> tuple[int, Any]:
    if list_id not in state.lists:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    return 200, state.lists[list_id]


BATCH_KEYS = {"members", "update_existing", "sync_tags"}
# AddListMembers in the API description, plus tags (a list of names): missing from the v3.0.85 description, but
# Mailchimp's release note of 2022-01-24 says bulk syncs through the Lists endpoint add them to new and existing
# members, and replace a member's tags when sync_tags is true (with update_existing).
MEMBER_KEYS = {"email_address", "email_type", "status", "merge_fields", "interests", "language", "vip", "location",
               "ip_signup", "timestamp_signup", "ip_opt", "timestamp_opt", "tags"}
STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
EXISTS = "{email} is already a list member, do you want to update? please provide update_existing:true in the request body"


def _upsert(state: MailchimpState, list_id: str, entry: dict, update: bool,
            sync_tags: bool = False) -> tuple[str, dict | str]:
    """('new'|'updated', member) or ('error', message): Mailchimp's rules for one batch entry."""
    email = entry.get("email_address") or ""
    if "@" not in email:
        return "error", f"{email} looks fake or invalid, please enter a real email address."
    existing = state.members[list_id].get(md5(email))
    wanted = entry.get("status")
    if email.lower() in state.blocked:
        return "error", COMPLIANCE.format(email=email)
    if existing is None:
        member = state.add_member(list_id, email, wanted)
    elif not update:
        return "exists", EXISTS.format(email=email)
    else:
        member = existing
        if wanted in ("subscribed", "pending") and member["status"] in GONE:
            return "error", COMPLIANCE.format(email=email)
        member["status"] = wanted
    member["merge_fields"] = {**member["merge_fields"], **(entry.get("merge_fields") or {})}
    if sync_tags and update:
        untag_all_but(state, list_id, member, entry.get("tags") or [])
    for name in entry.get("tags") or []:
        tag_by_name(state, list_id, member, name)
    return ("new" if existing is None else "updated"), member


def tag_member(member: dict, seg_id: int, name: str) -> None:
    """Tags are static segments: adding a member to one tags the member."""
    if seg_id not in {t["id"] for t in member["tags"]}:
        member["tags"].append({"id": seg_id, "name": name})
        member["tags_count"] = len(member["tags"])


def tag_by_name(state: MailchimpState, list_id: str, member: dict, name: str) -> None:
    """Tag a member by name, as a batch does: a missing tag (a static segment) is created; names ignore case."""
    found = [s for s in state.segments[list_id].values() if s["name"].lower() == name.strip().lower()]
    if not found:
        seg_id = next(state.ids)
        state.segments[list_id][seg_id] = {"id": seg_id, "name": name.strip(), "type": "static", "list_id": list_id,
                                           "members": set(), "created_at": "2026-01-01T00:00:00+00:00"}
        found = [state.segments[list_id][seg_id]]
    found[0]["members"].add(member["id"])
    tag_member(member, found[0]["id"], found[0]["name"])


def untag_all_but(state: MailchimpState, list_id: str, member: dict, names: list[str]) -> None:
    """sync_tags: remove every tag of the member that is not named."""
    keep = {n.strip().lower() for n in names}
    for tag in [t for t in member["tags"] if t["name"].lower() not in keep]:
        state.segments[list_id][tag["id"]]["members"].discard(member["id"])
    member["tags"] = [t for t in member["tags"] if t["name"].lower() in keep]
    member["tags_count"] = len(member["tags"])


def invalid_batch(body: Any) -> str | None:
    """Why a batch body does not match the API description (unknown keys, a missing or wrong status), or None."""
    if not isinstance(body, dict) or set(body) - BATCH_KEYS:
        return f"unknown keys {sorted(set(body or {}) - BATCH_KEYS)}"
    for entry in body.get("members") or []:
        if set(entry) - MEMBER_KEYS:
            return f"{entry.get('email_address')}: unknown keys {sorted(set(entry) - MEMBER_KEYS)}"
        if entry.get("status") not in STATUSES:
            return f"{entry.get('email_address')}: status must be one of {', '.join(STATUSES)}"
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            return f"{entry.get('email_address')}: tags must be a list of tag names"
    return None


def batch(state: MailchimpState, query: dict, body: Any, list_id: str) -> tuple[int, Any]:
    if list_id not in state.lists:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    if invalid_batch(body):
        return problem(400, "Invalid Resource", f"The resource submitted could not be validated: {invalid_batch(body)}")
    members = body.get("members") or []
    if len(members) > 500:
        return problem(400, "Invalid Resource", "You can only add 500 members at a time.")
    new, updated, errors = [], [], []
    for entry in members:
        kind, member = _upsert(state, list_id, entry, bool(body.get("update_existing")),
                               bool(body.get("sync_tags")))
        if kind in ("error", "exists"):
            errors.append({"email_address": entry.get("email_address"), "error": member,
                           "error_code": "ERROR_CONTACT_EXISTS" if kind == "exists" else "ERROR_GENERIC"})
        else:
            (new if kind == "new" else updated).append(_member_out(member))
    return 200, {"new_members": new, "updated_members": updated, "errors": errors, "total_created": len(new),
                 "total_updated": len(updated), "error_count": len(errors)}


def members(state: MailchimpState, query: dict, body: Any, list_id: str) -> tuple[int, Any]:
    found = list(state.members.get(list_id, {}).values())
    if query.get("status"):
        found = [m for m in found if m["status"] == query["status"]]
    if query.get("since_last_changed"):
        found = [m for m in found if m["last_changed"] > query["since_last_changed"]]
    return _page([_member_out(m) for m in found], query, "members", list_id=list_id)


def member(state: MailchimpState, query: dict, body: Any, list_id: str, hash_: str) -> tuple[int, Any]:
    found = state.members.get(list_id, {}).get(hash_)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    return 200, _member_out(found)


def create_segment(state: MailchimpState, query: dict, body: Any, list_id: str) -> tuple[int, Any]:
    if len(body.get("static_segment") or []) > 500:
        return problem(400, "Invalid Resource", "You can only add 500 members at a time.")
    if any(s["name"].lower() == body["name"].lower() for s in state.segments[list_id].values()):
        return problem(400, "Invalid Resource", "Sorry, a segment or tag with that name already exists.")
    seg_id = next(state.ids)
    state.segments[list_id][seg_id] = {"id": seg_id, "name": body["name"], "type": "static", "list_id": list_id,
                                       "members": set(), "created_at": "2026-01-01T00:00:00+00:00"}
    _add_to_segment(state, list_id, seg_id, body.get("static_segment") or [])
    return 200, _segment_out(state.segments[list_id][seg_id])


def segments(state: MailchimpState, query: dict, body: Any, list_id: str) -> tuple[int, Any]:
    found = [_segment_out(s) for s in state.segments.get(list_id, {}).values()
             if not query.get("type") or s["type"] == query["type"]]
    return _page(found, query, "segments", list_id=list_id)


def _segment_out(seg: dict) -> dict:
    return {**{k: v for k, v in seg.items() if k != "members"}, "member_count": len(seg["members"])}


def _add_to_segment(state: MailchimpState, list_id: str, seg_id: int, emails: list[str]) -> list[str]:
    segment = state.segments[list_id][seg_id]
    missing = [e for e in emails if md5(e) not in state.members[list_id]]
    for email in emails:
        if email not in missing:
            segment["members"].add(md5(email))
            tag_member(state.members[list_id][md5(email)], seg_id, segment["name"])
    return missing


def segment_add(state: MailchimpState, query: dict, body: Any, list_id: str, seg_id: str) -> tuple[int, Any]:
    emails = body.get("members_to_add") or []
    if len(emails) > 500:
        return problem(400, "Invalid Resource", "Maximum allowed member items exceeded, please provide at most 500 "
                                                "items in members_to_add field or members_to_remove field")
    missing = _add_to_segment(state, list_id, int(seg_id), emails)
    added = [_member_out(state.members[list_id][md5(e)]) for e in emails if e not in missing]
    errors = [{"email_addresses": missing, "error": "Email addresses are not list members"}] if missing else []
    return 200, {"members_added": added, "members_removed": [], "errors": errors, "total_added": len(added),
                 "total_removed": 0, "error_count": len(missing)}


def create_campaign(state: MailchimpState, query: dict, body: Any) -> tuple[int, Any]:
    cid = f"cmp{next(state.ids):07d}"
    recipients = dict(body.get("recipients") or {})
    state.campaigns[cid] = {"id": cid, "web_id": 1, "type": body.get("type"), "status": "save",
                            "create_time": "2026-11-25T20:00:00+00:00", "emails_sent": 0, "send_time": "",
                            "recipients": recipients, "settings": body.get("settings") or {},
                            "content_type": "template"}
    return 200, _member_out(state.campaigns[cid])


def campaigns(state: MailchimpState, query: dict, body: Any) -> tuple[int, Any]:
    found = [c for c in state.campaigns.values() if not query.get("list_id")
             or c["recipients"].get("list_id") == query["list_id"]]
    return _page([_member_out(c) for c in reversed(found)], query, "campaigns")


def _campaign(state: MailchimpState, cid: str) -> dict | None:
    return state.campaigns.get(cid)


def get_campaign(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    return 200, _member_out(found)


def content(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    found["_content"] = body
    return 200, {"html": (body or {}).get("html", "<html></html>"), "plain_text": "", "variate_contents": []}


def test(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    found.setdefault("_tests", []).append(body["test_emails"])
    return 204, None


def schedule(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found or found["status"] != "save":
        return problem(400, "Bad Request", "This campaign cannot be scheduled.")
    found.update(status="schedule", send_time=body["schedule_time"])
    return 204, None


def send(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    state.send_calls[cid] = state.send_calls.get(cid, 0) + 1
    if found["status"] != "save":
        return problem(400, "Bad Request", "Your Campaign is not ready to send.")
    recipients = _recipients(state, found)
    found.update(status="sent", send_time="2026-11-25T21:00:00+00:00", emails_sent=len(recipients))
    found["_sent_to"] = recipients
    return 204, None


def _recipients(state: MailchimpState, campaign: dict) -> list[dict]:
    list_id = campaign["recipients"]["list_id"]
    seg_id = (campaign["recipients"].get("segment_opts") or {}).get("saved_segment_id")
    hashes = state.segments[list_id][seg_id]["members"] if seg_id else set(state.members[list_id])
    return [m for h, m in state.members[list_id].items() if h in hashes and m["status"] == "subscribed"]


def report(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid)
    if not found:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    acts = [a for e in state.activity.get(cid, []) for a in e["activity"]]
    opens, clicks = [a for a in acts if a["action"] == "open"], [a for a in acts if a["action"] == "click"]
    openers = {e["email_address"] for e in state.activity.get(cid, [])
               if any(a["action"] == "open" for a in e["activity"])}
    sent = max(found["emails_sent"], 1)
    return 200, {
        "id": cid, "campaign_title": found["settings"].get("title", ""), "type": "regular",
        "list_id": found["recipients"]["list_id"], "subject_line": found["settings"].get("subject_line", ""),
        "emails_sent": found["emails_sent"], "unsubscribed": len(state.unsubscribes.get(cid, [])),
        "send_time": found["send_time"], "abuse_reports": 0,
        "bounces": {"hard_bounces": sum(1 for a in acts if a.get("type") == "hard"),
                    "soft_bounces": sum(1 for a in acts if a.get("type") == "soft"), "syntax_errors": 0},
        "opens": {"opens_total": len(opens), "unique_opens": len(openers), "open_rate": len(openers) / sent,
                  "proxy_excluded_opens": max(len(opens) - 1, 0),
                  "proxy_excluded_unique_opens": max(len(openers) - 1, 0),
                  "proxy_excluded_open_rate": max(len(openers) - 1, 0) / sent, "last_open": ""},
        "clicks": {"clicks_total": len(clicks), "unique_clicks": len(clicks), "unique_subscriber_clicks": len(clicks),
                   "click_rate": len(clicks) / sent, "last_click": ""},
    }


def activity(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    return _page(state.activity.get(cid, []), query, "emails", campaign_id=cid)


def sent_to(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    found = _campaign(state, cid) or {}
    rows = [{"email_id": m["id"], "email_address": m["email_address"], "status": "sent", "open_count": 0,
             "campaign_id": cid, "list_id": m["list_id"]} for m in found.get("_sent_to", [])]
    return _page(rows, query, "sent_to", campaign_id=cid)


def unsubscribed(state: MailchimpState, query: dict, body: Any, cid: str) -> tuple[int, Any]:
    return _page(state.unsubscribes.get(cid, []), query, "unsubscribes", campaign_id=cid)


ROUTES = [
    ("GET", r"/ping", ping),
    ("GET", r"/lists", lists),
    ("GET", r"/lists/([^/]+)", get_list),
    ("POST", r"/lists/([^/]+)", batch),
    ("GET", r"/lists/([^/]+)/members", members),
    ("GET", r"/lists/([^/]+)/members/([0-9a-f]+)", member),
    ("POST", r"/lists/([^/]+)/segments", create_segment),
    ("GET", r"/lists/([^/]+)/segments", segments),
    ("POST", r"/lists/([^/]+)/segments/(\d+)", segment_add),
    ("POST", r"/campaigns", create_campaign),
    ("GET", r"/campaigns", campaigns),
    ("GET", r"/campaigns/([^/]+)", get_campaign),
    ("PUT", r"/campaigns/([^/]+)/content", content),
    ("POST", r"/campaigns/([^/]+)/actions/test", test),
    ("POST", r"/campaigns/([^/]+)/actions/schedule", schedule),
    ("POST", r"/campaigns/([^/]+)/actions/send", send),
    ("GET", r"/reports/([^/]+)", report),
    ("GET", r"/reports/([^/]+)/email-activity", activity),
    ("GET", r"/reports/([^/]+)/sent-to", sent_to),
    ("GET", r"/reports/([^/]+)/unsubscribed", unsubscribed),
]
