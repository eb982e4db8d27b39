"""Personal messages from a template with merge fields, each with a Message-ID tap generated.

Fields are written ``{{ first_name }}`` (or ``{{firstName}}``): any contact column (first_name, last_name,
name, email, station, show, region, contact_type, genres ...) or key of the contact's extra fields. A field a
contact lacks is an error naming the contacts and fields, raised before anything is sent: never a blank.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from totalaudio.errors import InputError
from totalaudio.models import Contact, camel

FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_ -]{0,60}?)\s*\}\}")


@dataclass(frozen=True)
class Draft:
    """One message ready to send: recipient, subject, body and the headers tap sets."""

    contact_id: str
    to: str
    subject: str
    body: str
    rfc822_id: str
    in_reply_to: str | None = None
    thread_id: str | None = None


def new_message_id(sender: str) -> str:
    """A Message-ID tap recognises later in replies and bounces: <tap.HEX@sender-domain>."""
    domain = sender.rpartition("@")[2] or "tap.invalid"
    return f"<tap.{secrets.token_hex(12)}@{domain}>"


def fields_of(contact: Contact) -> dict[str, str]:
    """Every merge field a contact offers, by snake_case and camelCase name; empty values left out."""
    values: dict[str, Any] = {f: getattr(contact, f) for f in ("first_name", "last_name", "email", "station", "show",
                                                               "region", "contact_type", "website", "phone")}
    values["name"] = contact.name
    values["genres"] = ", ".join(contact.genres)
    values.update({str(k): v for k, v in (contact.extra or {}).items() if isinstance(v, (str, int, float))})
    out = {}
    for key, value in values.items():
        text = str(value).strip() if value is not None else ""
        if text:
            out[key.lower()] = text
            out[camel(key).lower()] = text
    return out


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A template's front matter (``---`` lines of ``key: JSON value``, as `tap claude pitch` writes) and its body;
    ({}, text) for a template without one."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        return {}, text
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    head: dict[str, Any] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if not sep:
            raise InputError(f"template front matter line {line!r} is not `key: value`")
        try:
            head[key.strip()] = json.loads(value)
        except ValueError:
            head[key.strip()] = value.strip()
    return head, "\n".join(lines[end + 1:]).lstrip("\n")


def render(template: str, contact: Contact) -> tuple[str, list[str]]:
    """The template filled for a contact, and the fields it lacks."""
    fields, missing = fields_of(contact), []

    def fill(match: re.Match) -> str:
        """One field's value, or "" with the field noted as missing."""
        key = match.group(1).strip().lower().replace(" ", "_").replace("-", "_")
        if key in fields:
            return fields[key]
        missing.append(match.group(1).strip())
        return ""
    return FIELD.sub(fill, template), missing


def render_all(contacts: list[Contact], subject: str, body: str) -> list[tuple[Contact, str, str]]:
    """(contact, subject, body) for every contact; InputError (exit 2) naming what is missing, before any send."""
    out, problems = [], []
    for contact in contacts:
        subj, miss_s = render(subject, contact)
        text, miss_b = render(body, contact)
        if miss_s or miss_b:
            problems.append(f"{contact.email}: {', '.join(dict.fromkeys(miss_s + miss_b))}")
        out.append((contact, subj, text))
    if problems:
        raise InputError(f"{len(problems)} contacts lack merge fields the template uses: " + "; ".join(problems[:10]),
                         hint="fill those fields (`tap contacts import`, Airtable) or leave those contacts out")
    return out


def build(draft: Draft, sender: str, sender_name: str | None, unsubscribe: str) -> bytes:
    """The RFC 5322 bytes of a draft, with List-Unsubscribe and, for follow-ups, In-Reply-To/References."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = draft.to
    msg["Subject"] = draft.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = draft.rfc822_id
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
        msg["References"] = draft.in_reply_to
    msg["List-Unsubscribe"] = unsubscribe
    msg.set_content(draft.body)
    return msg.as_bytes()


def unsubscribe_header(sender: str, configured: str | None = None) -> str:
    """The List-Unsubscribe value: a mailto: to the plugger (replies land where watch sorts them), plus a URL."""
    mailto = f"<mailto:{sender}?subject=unsubscribe>"
    return f"{mailto}, <{configured}>" if configured else mailto
