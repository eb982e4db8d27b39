"""Contact and submission forms: on-site ``<form>`` elements and external form services, not newsletters.

A form counts when it lets someone write to the station or send music (a textarea, a file input, or several
fields); search boxes, log-ins, comment boxes and newsletter sign-ups do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

EXTERNAL = (
    ("docs.google.com/forms", "Google Forms"), ("forms.gle/", "Google Forms"), ("goo.gl/forms", "Google Forms"),
    ("typeform.com/to/", "Typeform"), (".typeform.com/", "Typeform"), ("form.typeform.com", "Typeform"),
    ("jotform.com/", "Jotform"), ("jotform.me/", "Jotform"), ("airtable.com/shr", "Airtable form"),
    ("airtable.com/app", "Airtable form"),
    ("airtable.com/embed/shr", "Airtable form"), ("tally.so/", "Tally"), ("forms.office.com", "Microsoft Forms"),
    ("wufoo.com/forms", "Wufoo"), ("cognitoforms.com/", "Cognito Forms"), ("formstack.com/forms", "Formstack"),
    ("123formbuilder.com", "123FormBuilder"), ("submithub.com/", "SubmitHub"), ("groover.co/", "Groover"),
    ("labelradar.com/", "LabelRadar"), ("musosoup.com", "Musosoup"),
)
NEWSLETTER = re.compile(r"(?i)newsletter|subscribe|mailing.?list|sign.?up for|list-manage\.com|mailchimp|"
                        r"createsend|mailerlite|substack|sendinblue|convertkit|klaviyo|e-?news|mc4wp|mailpoet|"
                        r"sib-form|ml-subscribe|\bmce-|stay in (?:touch|the loop)")
SIGNUP_BUTTON = re.compile(r"(?i)sign ?up|subscribe|join (?:the|our) (?:list|mailing)|keep me posted")
SUBMISSION = re.compile(r"(?i)submission|submit[- _]?(?:your[- _])?(?:music|tracks?|songs?|demos?|releases?)|demo|"
                        r"upload|your music|send music|\btracks?\b|album|mp3|airplay|record[- _]label|artist[- _]name")
APPLICATION = re.compile(r"(?i)apply|application|volunteer|join|radio show|new show|show proposal|present a|"
                         r"get involved|dj\b|become a")
CONTACT = re.compile(r"(?i)contact|message|enquir|inquir|get in touch|feedback|request|studio|write to|email us")


@dataclass(frozen=True)
class Form:
    """A form a plugger can use: where it is, what it is for, and the service behind it when external."""

    url: str
    kind: str
    action: str | None = None
    provider: str | None = None


def external_provider(url: str) -> str | None:
    """The form service an URL belongs to, or None."""
    low = url.lower()
    for marker, provider in EXTERNAL:
        if marker in low:
            return provider
    return None


def classify(text: str, default: str = "contact") -> str:
    """submission, application or contact, from words around the form."""
    if SUBMISSION.search(text):
        return "submission"
    if APPLICATION.search(text):
        return "application"
    if CONTACT.search(text):
        return "contact"
    return default


def html_form(form, page_url: str, context: str) -> Form | None:
    """A Form for a ``<form>`` node, or None for search, log-in, comment and newsletter forms."""
    action = (form.attributes.get("action") or "").strip()
    fields = form.css("input, textarea, select")
    types = [(f.attributes.get("type") or f.tag or "").lower() for f in fields]
    names = " ".join(f"{f.attributes.get('name') or ''} {f.attributes.get('id') or ''} "
                     f"{f.attributes.get('placeholder') or ''}" for f, t in zip(fields, types)
                     if t not in ("hidden", "submit", "button", "image", "reset"))
    visible = [t for t in types if t not in ("hidden", "submit", "button", "image", "reset")]
    ident = f"{form.attributes.get('id') or ''} {form.attributes.get('class') or ''} {form.attributes.get('name') or ''}"
    if "password" in types or "search" in types or re.search(r"(?i)search|login|comment", ident + " " + action):
        return None
    if NEWSLETTER.search(ident + " " + action) or (len(visible) <= 2 and NEWSLETTER.search(context + names)):
        return None
    if "textarea" not in types and "file" not in types and _signup(form, context):
        return None  # name + email + "Sign up": a mailing list however many fields it asks for
    rich = "textarea" in [f.tag for f in fields] or "file" in types or len(visible) >= 3
    if not rich:
        return None
    where = f"{ident} {action} {names} {context} {urlsplit(page_url).path}"
    return Form(page_url, classify(where), urljoin(page_url, action) if action else None)


def _signup(form, context: str) -> bool:
    buttons = " ".join(f"{b.attributes.get('value') or ''} {b.text()}" for b in form.css("button, input[type=submit]"))
    return bool(SIGNUP_BUTTON.search(buttons) or NEWSLETTER.search(context))


def external_form(url: str, anchor: str, page_url: str) -> Form | None:
    """A Form for a link or iframe to a form service, or None (unknown service or a newsletter sign-up)."""
    provider = external_provider(url)
    if provider is None or NEWSLETTER.search(anchor):
        return None
    kind = classify(f"{anchor} {url}", default="form")
    return Form(url, kind, None, provider)
