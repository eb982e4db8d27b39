"""Random and malformed bodies and headers at every endpoint: never a 500, never a traceback.

Unsigned noise tests the doors; signed noise (valid signatures over hostile bodies) tests the parsers and
handlers behind them."""

import json
import logging
import random
import string

import httpx
import stripe

from tests.webhooks.conftest import MAILCHIMP_SECRET, make_post

PATHS = ["/stripe", f"/mailchimp/{MAILCHIMP_SECRET}", "/mailchimp/guess", "/make", "/healthz", "/",
         f"/mailchimp/{MAILCHIMP_SECRET}/more", "/stripe/../make", "/%00", "/mailchimp/%FF%FE", "/" + "a" * 3000]
WORDS = ["type", "data", "email", "merges", "FNAME", "id", "action", "rows", "contacts", "t", "v1", "v1,", "whsec_",
         "unsubscribe", "cleaned", "upemail", "profile", "new_email", "old_email", "campaign.create",
         "contacts.import", "audit.run", "null", "[]", "{}", "%", "&", "=", "[", "]", "\u202e", "é", "\x00"]


def noise(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 2000))
    if kind == 1:
        return "&".join(f"{rng.choice(WORDS)}[{rng.choice(WORDS)}]={rng.choice(WORDS)}"
                        for _ in range(rng.randrange(1, 300))).encode()
    if kind == 2:
        return json.dumps(hostile_json(rng, 4)).encode()
    if kind == 3:
        deep = rng.randrange(1, 5000)
        return rng.choice([("[" * deep).encode(), ("type=profile&data" + "[x]" * deep + "=1").encode()])
    if kind == 4:
        return "".join(rng.choice(WORDS) for _ in range(rng.randrange(50))).encode("utf-8", "surrogatepass")
    return b""


def hostile_json(rng: random.Random, depth: int):
    choices = [None, True, -1, 1e308, "", "x" * rng.randrange(100), rng.choice(WORDS)]
    if depth > 0:
        choices += [[hostile_json(rng, depth - 1) for _ in range(rng.randrange(4))],
                    {rng.choice(WORDS): hostile_json(rng, depth - 1) for _ in range(rng.randrange(5))}]
    return rng.choice(choices)


def headers(rng: random.Random) -> dict:
    pool = {"stripe-signature": ["t=1,v1=00", "t=,v1=", "t=999999999999999999999999,v1=zz", ",,,", "t=1" * 500],
            "webhook-id": ["msg_1", "", "x" * 5000], "webhook-timestamp": ["0", "-1", "1e9", "nan", "9" * 40],
            "webhook-signature": ["v1,AAAA", "v1,", "v2,x v1,###"],
            "content-type": ["application/json", "application/x-www-form-urlencoded", "text/plain; charset=x"],
            "content-length-ish": ["5"], "x-forwarded-for": ["1.2.3.4"]}
    out = {k: rng.choice(v) for k, v in pool.items() if rng.random() < 0.5}
    if rng.random() < 0.2:
        out["x-odd"] = "".join(rng.choice(string.printable[:94]) for _ in range(40))
    return out


def hostile_triggers(rng: random.Random) -> dict:
    action = rng.choice(["campaign.create", "contacts.import", "audit.run", "nope", None])
    data = rng.choice([hostile_json(rng, 3), {"rows": [hostile_json(rng, 2) for _ in range(5)]},
                       {"name": hostile_json(rng, 1), "contacts": hostile_json(rng, 2)},
                       {"rows": [{"email": rng.choice(WORDS), rng.choice(WORDS): hostile_json(rng, 2)}]},
                       {"minScore": hostile_json(rng, 1)}])
    return {"action": action, "data": data}


def test_noise_never_breaks_the_receiver(receiver, caplog):
    caplog.set_level(logging.INFO)
    server, rng = receiver(), random.Random(20261202)
    statuses = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for i in range(300):
            method = rng.choice(["POST", "POST", "GET", "PUT", "DELETE"])
            resp = client.request(method, rng.choice(PATHS), content=noise(rng), headers=headers(rng))
            statuses.append(resp.status_code)
        for i in range(60):
            body = noise(rng).decode("utf-8", "replace")
            header = stripe.WebhookSignature.generate_signature_header(body, "whsec_stripe_test_secret")
            statuses.append(client.post("/stripe", content=body.encode(), headers={"stripe-signature": header})
                            .status_code)
            statuses.append(make_post(server.url, hostile_triggers(rng), msg_id=f"msg_fuzz{i}").status_code)
            statuses.append(client.post(f"/mailchimp/{MAILCHIMP_SECRET}", content=noise(rng)).status_code)
        assert client.get("/healthz").status_code in (200, 429)
    assert 500 not in statuses and all(s < 600 for s in statuses)
    assert {200, 400, 404}.issubset(set(statuses))
    broken = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert broken == []
