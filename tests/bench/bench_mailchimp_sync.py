"""Benchmark: API calls (and time) to sync 10,000 contacts to a Mailchimp audience, batched vs one call per member.

Run: ``python tests/bench/bench_mailchimp_sync.py [--contacts N] [--latency SECONDS]``.
Both runs go through the real SDK to the stateful loopback fake, which answers every request after a fixed
latency (a stand-in for the round trip to Mailchimp). The naive baseline is what a script does with the same
SDK: one PUT /lists/{id}/members/{hash} per contact (the fake serves it with the batch rules), run
sequentially, as such scripts do. A re-run of the batched sync (nothing changed) is measured too.
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
from totalaudio.services import mailchimp as svc  # noqa: E402
from totalaudio.services.mailchimp import member_payload  # noqa: E402
from totalaudio.store.contacts import ContactStore  # noqa: E402
from totalaudio.store.db import open_db  # noqa: E402


def put_member(state, query, body, list_id, hash_):
    """PUT /lists/{id}/members/{hash}: the naive per-member upsert, with the batch endpoint's rules."""
    kind, member = routes._upsert(state, list_id, body, True)
    return (400, {"title": "Invalid Resource", "detail": member}) if kind == "error" else (200, member)


routes.ROUTES.append(("PUT", r"/lists/([^/]+)/members/([0-9a-f]+)", put_member))


def contacts(n: int):
    db = open_db(":memory:")
    ContactStore(db).insert_many([{"email": f"dj{i:05d}@station{i % 300}.fm", "first_name": "DJ", "last_name": str(i),
                                   "station": f"Station {i % 300}", "genres": ["indie", "rock"][: 1 + i % 2],
                                   "contact_type": "radio", "status": "opted-in"} for i in range(n)])
    return db, list(ContactStore(db).iter())


def batched(n: int, latency: float) -> dict:
    db, chosen = contacts(n)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        fake.delay = latency
        client = MailchimpClient("key-us1", "us1", fake.url)
        started = time.perf_counter()
        result = svc.sync(client, db, "list1", chosen)
        first = {"apiCalls": fake.calls, "seconds": round(time.perf_counter() - started, 2),
                 "members": len(fake.state.members["list1"]), "batches": result.batches,
                 "maxConcurrentConnections": fake.max_in_flight}
        calls, started = fake.calls, time.perf_counter()
        again = svc.sync(client, db, "list1", list(ContactStore(db).iter()))
        rerun = {"apiCalls": fake.calls - calls, "seconds": round(time.perf_counter() - started, 2),
                 "sent": again.sent, "unchanged": again.unchanged}
    return {"firstSync": first, "unchangedResync": rerun}


def naive(n: int, latency: float) -> dict:
    _, chosen = contacts(n)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        fake.delay = latency
        client = MailchimpClient("key-us1", "us1", fake.url)
        started = time.perf_counter()
        for contact in chosen:
            body = {k: v for k, v in member_payload(contact).items() if k != "status_if_new"}
            client._call("lists.put", client.sdk.lists.set_list_member, "list1", subscriber_hash(contact.email),
                         {**body, "status_if_new": "subscribed"})
        return {"apiCalls": fake.calls, "seconds": round(time.perf_counter() - started, 2),
                "members": len(fake.state.members["list1"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.005, help="simulated round trip per request, seconds")
    args = parser.parse_args()
    tap = batched(args.contacts, args.latency)
    base = naive(args.contacts, args.latency)
    print(json.dumps({
        "benchmark": "mailchimp audience sync", "contacts": args.contacts, "latencyPerRequest": args.latency,
        "tap": tap, "naiveOneCallPerMember": base,
        "callRatio": round(base["apiCalls"] / max(tap["firstSync"]["apiCalls"], 1), 1),
        "withinBudget": tap["firstSync"]["apiCalls"] <= 20,
    }, indent=2))


if __name__ == "__main__":
    main()
