"""Pitch drafts: one per contact, personalised from what tap knows (station, show, genres, submission notes, past
replies, research), with two subject lines, written as template files with merge fields for ``tap gmail send``.

What a contact's pages, emails and research say goes to the model as delimited data; a link or an address in a
draft must be the release's own or the contact's own, else the draft is asked for again and then replaced by
the template draft."""

from __future__ import annotations

import json
import re
from typing import Any

from totalaudio.models import Contact
from totalaudio.services.claude.prompts import DATA_NOTE, data_block, system_blocks
from totalaudio.services.claude.structured import InvalidAnswer, ask, content_only, tool, validate
from totalaudio.services.research.citations import URL, key

PURPOSE = "claude.pitch"
MAX_TOKENS = 900
MERGE_FIELDS = ("first_name", "last_name", "station", "show", "email")
MERGE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PITCH_TOOL = tool("write_pitch", "One pitch email draft with two subject lines.", {
    "type": "object", "required": ["subjects", "body"],
    "properties": {"subjects": {"type": "array", "minItems": 2, "maxItems": 2,
                                "items": {"type": "string", "maxLength": 120}},
                   "body": {"type": "string", "maxLength": 4000}}})
TONES = ("warm", "brief", "formal", "excited")


def task(tone: str) -> str:
    """This task's instructions (after the cached style guide)."""
    return (f"Write one pitch email for the release to the contact below, in a {tone} tone, through the tool. Use "
            "merge fields {{first_name}}, {{station}} and {{show}} (the last only if the contact has a show). "
            + DATA_NOTE)


def known(db: Any, contact: Contact) -> dict[str, Any]:
    """What tap knows of a contact: its fields, past replies (snippets) and its latest research summary."""
    replies = [json.loads(r["data"] or "{}").get("snippet") for r in db.query(
        "SELECT data FROM events WHERE contact_id = ? AND kind = 'reply' ORDER BY at DESC LIMIT 3", [contact.id])]
    research = next(iter(db.query("SELECT result FROM research WHERE contact_id = ? ORDER BY id DESC LIMIT 1",
                                  [contact.id])), None)
    crawl = next(iter(db.query("SELECT record FROM enrichment_results WHERE contact_id = ? ORDER BY id DESC LIMIT 1",
                               [contact.id])), None)
    scraped = (json.loads(crawl["record"]).get("scrapedData") or {}) if crawl else {}
    return {"firstName": contact.first_name, "station": contact.station, "show": contact.show,
            "submissionGuidelines": scraped.get("submissionGuidelines"), "shows": scraped.get("showInfo"),
            "type": contact.contact_type, "region": contact.region, "genres": list(contact.genres),
            "notes": contact.notes, "intelligence": contact.contact_intelligence,
            "pastReplies": [r for r in replies if r],
            "research": json.loads(research["result"]).get("summary") if research else None}


def prompt(release: str, about: dict[str, Any]) -> str:
    """The user message: the release and the contact as delimited data."""
    return f"{data_block('release', release)}\n\n{data_block('contact', about)}\n\nWrite the pitch now."


def allowed_links(release: str, contact: Contact) -> set[str]:
    """Links and addresses a draft may contain: the release's own and the contact's own."""
    found = {key(u) for u in URL.findall(release)} | {e.lower() for e in EMAIL.findall(release)}
    if contact.website:
        found.add(key(contact.website if "://" in contact.website else "https://" + contact.website))
    return found | {contact.email.lower()}


def problems(value: dict[str, Any], contact: Contact, allowed: set[str]) -> list[str]:
    """What is wrong with a draft beyond its shape: foreign links or addresses, unknown or unusable merge fields."""
    text = "\n".join([*value["subjects"], value["body"]])
    out = [f"the link {u} is not the release's or the contact's own: leave it out" for u in URL.findall(text)
           if key(u) not in allowed]
    out += [f"the address {e} is not the release's or the contact's own: leave it out" for e in EMAIL.findall(text)
            if e.lower() not in allowed]
    for name in MERGE.findall(text):
        if name not in MERGE_FIELDS or (name == "show" and not contact.show):
            out.append(f"the merge field {{{{{name}}}}} cannot be filled for this contact")
    if len({s.strip().lower() for s in value["subjects"]}) < 2:
        out.append("the two subject lines must differ")
    return out


def template(release: str, contact: Contact) -> dict[str, Any]:
    """The template draft (no model): the release's first lines and the contact's fit."""
    lines = [ln.strip() for ln in release.strip().splitlines() if ln.strip()]
    title = lines[0][:80] if lines else "a new release"
    where = "{{show}} on {{station}}" if contact.show else "{{station}}"
    body = (f"Hi {{{{first_name}}}},\n\n{' '.join(lines[1:4]) or title}\n\nI think it would sit well on {where}. "
            "Could I send you the track for consideration?\n\nThanks for listening,")
    return {"subjects": [f"New music: {title}"[:120], f"For {where}: {title}"[:120]], "body": body}


def draft(db: Any, session: Any, contact: Contact, release: str, tone: str) -> dict[str, Any]:
    """One contact's draft: Claude's (checked, retried once) or the template's; ``source`` says which."""
    allowed = allowed_links(release, contact)
    if session is None:
        return {**template(release, contact), "source": "template", "problems": []}
    try:
        value, _attempts = ask(session, PURPOSE, system=system_blocks(task(tone)), max_tokens=MAX_TOKENS,
                               prompt=prompt(release, known(db, contact)), spec=PITCH_TOOL,
                               check=lambda v: problems(v, contact, allowed))
    except InvalidAnswer as exc:
        return {**template(release, contact), "source": "template", "problems": content_only(exc).problems}
    return {**value, "source": "claude", "problems": []}


def from_batch(value: Any, release: str, contact: Contact) -> dict[str, Any]:
    """A batch result as a draft: used when valid and clean, else the template (batches are not retried)."""
    issues = ["no valid tool call"] if not isinstance(value, dict) else validate(value, PITCH_TOOL["input_schema"])
    if not issues:
        issues = problems(value, contact, allowed_links(release, contact))
    if issues:
        return {**template(release, contact), "source": "template", "problems": issues}
    return {**value, "source": "claude", "problems": []}


def request(contact: Contact, db: Any, release: str, tone: str, model: str) -> dict[str, Any]:
    """A Message Batches request for one contact (the same prompt as a direct call)."""
    return {"custom_id": re.sub(r"[^A-Za-z0-9_-]", "_", contact.id)[:64],
            "params": {"model": model, "max_tokens": MAX_TOKENS, "system": system_blocks(task(tone)),
                       "messages": [{"role": "user", "content": prompt(release, known(db, contact))}],
                       "tools": [PITCH_TOOL], "tool_choice": {"type": "tool", "name": PITCH_TOOL["name"]}}}


def template_file(contact: Contact, pitch: dict[str, Any]) -> str:
    """The draft as a template file: a front matter (to, contact, two subjects) and the body with merge fields."""
    head = {"to": contact.email, "contact_id": contact.id, "subject": pitch["subjects"][0],
            "subject_b": pitch["subjects"][1], "source": pitch["source"]}
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()] + ["---", ""]
    return "\n".join(lines) + pitch["body"].strip() + "\n"


def file_name(contact: Contact) -> str:
    """A safe file name for a contact's draft."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", contact.email.split("@")[0] + "_" + contact.id)[:100] + ".md"
