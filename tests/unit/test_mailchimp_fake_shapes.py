"""The Mailchimp fake answers in the shapes of Mailchimp's official API description (every key and type)."""

import json

import pytest

from tests.fakes.mailchimp_fake import MailchimpFake, md5
from tests.standins import shared_file
from totalaudio.clients.mailchimp import MailchimpClient

SPEC = "specs/mailchimp/marketing.openapi3.v3.0.85.prism-fixed.json"
TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}


@pytest.fixture(scope="module")
def spec():
    return json.loads(shared_file(SPEC).read_text(encoding="utf-8"))


def resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def mismatches(spec, schema, value, where="$"):
    """Keys the spec does not declare and values of the wrong JSON type."""
    schema = resolve(spec, schema)
    expected = schema.get("type")
    if expected in TYPES and not (isinstance(value, TYPES[expected]) and not (expected != "boolean"
                                                                             and isinstance(value, bool))):
        return [f"{where}: {type(value).__name__} is not {expected}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    if isinstance(value, dict) and "properties" in schema:
        out = []
        for key, item in value.items():
            if key not in schema["properties"]:
                out.append(f"{where}.{key}: not in the spec")
            else:
                out += mismatches(spec, schema["properties"][key], item, f"{where}.{key}")
        return out
    if isinstance(value, list) and "items" in schema:
        return [m for i, item in enumerate(value) for m in mismatches(spec, schema["items"], item, f"{where}[{i}]")]
    return []


def response_schema(spec, path, method, status="200"):
    return spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def test_fake_responses_have_the_specs_shapes(spec):
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        fake.state.add_member("list1", "old@radio.com", "unsubscribed")
        client = MailchimpClient("key-us1", "us1", fake.url, sleep=lambda s: None)
        batch = client.batch_members("list1", [{"email_address": "jo@radio.com", "status": "subscribed",
                                                "merge_fields": {"FNAME": "Jo"}, "tags": ["indie"]},
                                               {"email_address": "old@radio.com", "status": "unsubscribed"},
                                               {"email_address": "broken", "status": "subscribed"}])
        exists = client.batch_members("list1", [{"email_address": "jo@radio.com", "status": "subscribed"}],
                                      update_existing=False)
        segment = client.create_segment("list1", "s", ["jo@radio.com"])
        campaign = client.create_campaign({"type": "regular", "recipients": {"list_id": "list1", "segment_opts": {
            "saved_segment_id": segment["id"]}}, "settings": {"subject_line": "S"}})
        client.send(campaign["id"])
        fake.state.activity[campaign["id"]] = [{"email_address": "jo@radio.com", "campaign_id": campaign["id"],
                                                "list_id": "list1", "activity": [
                                                    {"action": "open", "timestamp": "2026-11-25T21:00:00+00:00"}]}]
        checks = [
            (batch, "/lists/{listId}", "post"),
            (segment, "/lists/{listId}/segments", "post"),
            (client.add_segment_members("list1", segment["id"], ["jo@radio.com", "nobody@radio.com"]),
             "/lists/{listId}/segments/{segmentId}", "post"),
            (exists, "/lists/{listId}", "post"),
            (fake_page(fake, "/lists/list1/segments"), "/lists/{listId}/segments", "get"),
            (fake_page(fake, "/lists"), "/lists", "get"),
            (fake_page(fake, "/lists/list1/members"), "/lists/{listId}/members", "get"),
            (campaign, "/campaigns", "post"),
            (client.campaign(campaign["id"]), "/campaigns/{campaignId}", "get"),
            (client.report(campaign["id"]), "/reports/{campaignId}", "get"),
            (fake_page(fake, f"/reports/{campaign['id']}/email-activity"), "/reports/{campaignId}/email-activity",
             "get"),
            (fake_page(fake, f"/reports/{campaign['id']}/sent-to"), "/reports/{campaignId}/sent-to", "get"),
        ]
    assert batch["error_count"] == 1 and batch["updated_members"][0]["status"] == "unsubscribed"
    assert exists["errors"][0]["error_code"] == "ERROR_CONTACT_EXISTS" and exists["total_created"] == 0
    assert [t["name"] for t in fake.state.members["list1"][md5("jo@radio.com")]["tags"]] == ["indie", "s"]
    assert [t["name"] for t in batch["new_members"][0]["tags"]] == ["indie"]
    for payload, path, method in checks:
        assert mismatches(spec, response_schema(spec, path, method), payload) == [], path


def fake_page(fake, path):
    import requests

    return requests.get(fake.url + path, params={"count": 1000}, timeout=5).json()


def test_the_checker_catches_a_wrong_shape(spec):
    schema = response_schema(spec, "/lists/{listId}", "post")
    assert mismatches(spec, schema, {"new_members": [{"status": 3}], "bogus": 1}) == [
        "$.new_members[0].status: int is not string", "$.bogus: not in the spec"]


def test_fake_errors_have_the_problem_document_shape(spec):
    schema = spec["paths"]["/lists/{listId}"]["post"]["responses"]["default"]["content"]["application/problem+json"]
    with MailchimpFake() as fake:
        import requests

        body = requests.get(fake.url + "/campaigns/nope", timeout=5).json()
    assert mismatches(spec, schema["schema"], body) == []
    assert {"type", "title", "status", "detail", "instance"} == set(body)


@pytest.mark.parametrize("member", [{"email_address": "jo@radio.com", "status_if_new": "subscribed"},
                                    {"email_address": "jo@radio.com", "status": "subscribed", "bogus": 1},
                                    {"email_address": "jo@radio.com", "status": "subscribed", "tags": "indie"},
                                    {"email_address": "jo@radio.com", "status": "maybe"},
                                    {"email_address": "jo@radio.com"}])
def test_fake_rejects_batch_members_the_spec_does_not_describe(spec, member):
    """The fake holds batch bodies to the API description (plus tags as a list of names, which Mailchimp's
    2022-01-24 release note adds), so status_if_new or unknown keys cannot creep in."""
    import requests

    schema = spec["components"]["schemas"]["AddListMembers"]
    declared = mismatches(spec, schema, member)
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        answer = requests.post(fake.url + "/lists/list1", json={"members": [member]}, timeout=5)
    assert answer.status_code == 400 and fake.state.members["list1"] == {}
    assert declared or "status" not in member  # the spec itself disowns the extra keys and the wrong status


def test_fake_accepts_tags_the_spec_omits_but_mailchimp_takes(spec):
    """tags is the one member key the fake accepts beyond AddListMembers (see the release note above)."""
    import requests

    member = {"email_address": "jo@radio.com", "status": "subscribed", "tags": ["indie", "radio"]}
    schema = spec["components"]["schemas"]["AddListMembers"]
    assert mismatches(spec, schema, member) == ["$.tags: not in the spec"]
    body = resolve(spec, spec["paths"]["/lists/{listId}"]["post"]["requestBody"]["content"]["application/json"][
        "schema"])
    assert {"members", "sync_tags", "update_existing"} <= set(body["properties"])  # sync_tags is described
    with MailchimpFake() as fake:
        fake.state.add_list("list1")
        answer = requests.post(fake.url + "/lists/list1", json={"members": [member]}, timeout=5)
        tags = fake.state.members["list1"][md5("jo@radio.com")]["tags"]
    assert answer.status_code == 200 and [t["name"] for t in tags] == ["indie", "radio"]
