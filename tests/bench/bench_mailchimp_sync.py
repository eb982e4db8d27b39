"""Benchmark: API calls (and time) to sync 10,000 contacts to a Mailchimp audience, batched vs one call per member.

Run: ``python tests/bench/bench_mailchimp_sync.py [--contacts N] [--latency SECONDS]``.
All runs go through the real SDK to the stateful loopback fake, which answers every request after a fixed
latency (a stand-in for the round trip to Mailchimp). The naive baseline is what a script does with the same
SDK: one PUT /lists/{id}/members/{hash} per contact carrying status_if_new and tags, run sequentially, as such
scripts do. tap sends members 500 a call with their tags in the same batch (POST /lists/{id}, sync_tags false),
so there are no separate tag calls. Measured: a first sync to an empty audience (budget: 20 calls for 10,000),
an unchanged re-run (one status pull), and a first sync to an audience that already holds every address (5%
unsubscribed or cleaned: create-only batches, one paged read of the refused members' statuses, update batches).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes import mailchimp_routes as routes  # noqa: E402
from tests.fakes.mailchimp_fake import MailchimpFake  # noqa: E402
from totalaudio.clients.mailchimp import MailchimpClient, subscriber_hash  # noqa: E402
from totalaudio.services.mailchimp import audience as svc  # noqa: E402
from totalaudio.services.mailchimp.audience import member_payload  # noqa: E402
from totalaudio.store.contacts import ContactStore  # noqa: E402
from totalaudio.store.db import open_db  # noqa: E402


def put_member(state, query, body, list_id, hash_):
    """PUT /lists/{id}/members/{hash}: the naive per-member upsert (status_if_new for new members, tags)."""
    exists = state.members[list_id].get(hash_)
    entry = {k: v for k, v in body.items() if k in routes.MEMBER_KEYS}
    entry["status"] = body.get("status") or (exists["status"] if exists else body["status_if_new"])
    kind, member = routes._upsert(state, list_id, entry, True)
    if kind in ("error", "exists"):
        return 400, {"title": "Invalid Resource", "detail": member}
    for name in body.get("tags") or []:
        routes.tag_by_name(state, list_id, member, name)
    return 200, member


routes.ROUTES.append(("PUT", r"/lists/([^/]+)/members/([0-9a-f]+)", put_member))


def contacts(n: int):
    db = open_db(":memory:")
    ContactStore(db).insert_many([{"email": f"dj{i:05d}@station{i % 300}.fm", "first_name": "DJ", "last_name": str(i),
                                   "station": f"Station {i % 300}", "genres": ["indie", "rock"][: 1 + i % 2],
                                   "contact_type": "radio", "status": "opted-in"} for i in range(n)])
    return db, list(ContactStore(db).iter())


def _figures(fake, client_calls_before: int, result, started: float) -> dict:
    return {"apiCalls": result.api_calls, "memberCalls": result.member_calls,
            "requestsSeenByMailchimp": fake.calls - client_calls_before,
            "seconds": round(time.perf_counter() - started, 2), "members": len(fake.state.members["list1"]),
            "batches": result.batches, "memberTagPairs": result.tagged, "tagsInAudience": _tags(fake),
            "kept": len(result.kept), "maxConcurrentConnections": fake.max_in_flight}


def _tags(fake) -> dict[str, int]:
    """Each tag of the audience with its member count (tags are static segments)."""
    return {s["name"]: len(s["members"]) for s in fake.state.segments["list1"].values()}


def batched(n: int, latency: float) -> dict:
    db, chosen = contacts(n)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        fake.delay = latency
        client = MailchimpClient("key-us1", "us1", fake.url)
        started = time.perf_counter()
        first = _figures(fake, 0, svc.sync(client, db, "list1", chosen), started)
        calls, started = fake.calls, time.perf_counter()
        again = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
        rerun = {"apiCalls": fake.calls - calls, "seconds": round(time.perf_counter() - started, 2),
                 "sent": again.sent, "unchanged": again.unchanged}
    return {"firstSyncEmptyAudience": first, "unchangedResync": rerun}


def filled(n: int, latency: float) -> dict:
    """A first sync (nothing mirrored) to an audience already holding every address; 5% unsubscribed or cleaned."""
    db, chosen = contacts(n)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        for i, contact in enumerate(chosen):
            fake.state.add_member("list1", contact.email, "unsubscribed" if i % 40 == 0 else
                                  "cleaned" if i % 40 == 1 else "subscribed")
        fake.delay = latency
        client = MailchimpClient("key-us1", "us1", fake.url)
        started = time.perf_counter()
        result = svc.sync(client, db, "list1", chosen)
        figures = _figures(fake, 0, result, started)
        resubscribed = sum(1 for i, c in enumerate(chosen) if i % 40 in (0, 1) and
                           fake.state.members["list1"][subscriber_hash(c.email)]["status"] == "subscribed")
    return {**figures, "gonePreserved": resubscribed == 0}


def naive(n: int, latency: float) -> dict:
    _, chosen = contacts(n)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        fake.delay = latency
        client = MailchimpClient("key-us1", "us1", fake.url)
        started = time.perf_counter()
        for contact in chosen:
            body = {k: v for k, v in member_payload(contact).items() if k != "status"}
            client._call("lists.put", client.sdk.lists.set_list_member, "list1", subscriber_hash(contact.email),
                         {**body, "status_if_new": "subscribed"})  # body holds the tags
        return {"apiCalls": fake.calls, "seconds": round(time.perf_counter() - started, 2),
                "members": len(fake.state.members["list1"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.005, help="simulated round trip per request, seconds")
    args = parser.parse_args()
    tap = batched(args.contacts, args.latency)
    existing = filled(args.contacts, args.latency)
    base = naive(args.contacts, args.latency)
    first, rerun = tap["firstSyncEmptyAudience"], tap["unchangedResync"]
    budget = max(20, -(-args.contacts // 500))  # the issue: 10,000 contacts in at most 20 calls
    print(json.dumps({
        "benchmark": "mailchimp audience sync", "contacts": args.contacts, "latencyPerRequest": args.latency,
        "apiCalls": {"tapFirstSync": first["apiCalls"], "naiveOneCallPerMember": base["apiCalls"],
                     "tapUnchangedResync": rerun["apiCalls"], "tapFirstSyncToFilledAudience": existing["apiCalls"]},
        "callRatio": round(base["apiCalls"] / max(first["apiCalls"], 1), 1),
        "budget": budget, "withinBudget": first["apiCalls"] <= budget,
        "tap": tap, "tapFirstSyncToFilledAudience": existing, "naiveOneCallPerMember": base,
    }, indent=2))

if __name__ == "__main__":
    main()
