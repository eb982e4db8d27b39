"""Submission guidance on a page: a headed section, an FAQ answer, paragraphs or sentences about sending music.

Each piece found is scored (3: a long headed section; 2: a short one, an FAQ answer, paragraphs; 1: the meta
description) so that merging can show the best and read preferences from all the strong ones.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SENTENCE = re.compile(r"(?<=[.!?])\s+")  # what ``sentences`` splits at
SENTENCE_END = re.compile(r"[.!?]\s+")  # SENTENCE with its mark: led by a character the engine skips to
SUBMIT_WORDS = re.compile(r"(?i)submi(?:t|ssion|tting)|send (?:us )?(?:your |a )?(?:music|cds?|vinyl|records)|"
                          r"demos?\b|airplay|get played|music (?:policy|guidelines)|"
                          r"for (?:artists|labels|bands|musicians|promoters)|"
                          r"artists? and labels|labels and promoters|"
                          r"promos?\b|new music|(?:want|like|wish|hope) to be played|be played on")
# Each way of saying "send us your music", with words one of which is in any (lower-cased) text it matches.
SUBMIT_PARAGRAPH_PARTS = (
    (("submit",), r"submit(?:ting)? (?:your |new |a )?(?:music|tracks?|songs?|demos?|releases?|records?|albums?|cds?)"),
    (("music submission",), r"music submissions?"),
    (("submissions",), r"(?:digital|physical|mail) submissions"),
    (("send ",), r"send (?:us )?(?:your |a |a copy of your )?"
                 r"(?:music|tracks|songs|demos|cds?|records|promos|releases)"),
    (("artist", "band", "label", "promoter"),
     r"(?:artists?|bands?|labels?|promoters?)\b[^.]{0,80}"
     r"(?:airplay|on the radio|be played|(?:get|have) (?:your |their )?(?:songs|music|tracks) (?:on|played|heard))"),
    (("for airplay",), r"for airplay"),
    (("be sent", "be emailed", "be posted"),
     r"(?:demos?|promos?|submissions?) (?:should|can|may|must) be (?:sent|emailed|posted)"),
    (("accept",), r"accept(?:s|ing)? (?:new )?(?:music|submissions|demos)"),
    (("hearing your music",), r"hearing your music"),
    (("for airplay",), r"consider(?:ed)? for airplay"),
    (("upload ",), r"upload (?:your |a )?(?:music|tracks?|songs?|demos?)"),
    (("get ",), r"get (?:your |my )?(?:music|tracks?|songs?|demos?) (?:played|heard|on air)"),
    ((" played",), r"(?:music|tracks?|songs?) (?:could|can|will|may) (?:get|be) played"),
    (("by email", "via email"), r"(?:digital )?promos? (?:by|via) email"),
    (("send ",), r"send (?:us )?(?:your )?(?:tunes|links|promos)"),
)
SUBMIT_PARAGRAPH = re.compile("(?i)" + "|".join(pattern for _, pattern in SUBMIT_PARAGRAPH_PARTS))
SUBMIT_HINT_WORDS = ("submi", "send", "airplay", "demo", "promo", "accept", "hearing your", "consider", "on the radio",
                     "upload", "played")
SUBMIT_HINT = re.compile("(?i)" + "|".join(SUBMIT_HINT_WORDS))
# The same on lower-cased text, where only a yes/no is needed: case-insensitive matching is several times slower.
# SUBMIT_PARAGRAPH has no literal for the engine to skip to, so it is tried at every position of a text; its parts
# run only where one of their words is, most from a literal start that the engine skips to.
SUBMIT_PARAGRAPH_LOW = tuple((words, re.compile(pattern)) for words, pattern in SUBMIT_PARAGRAPH_PARTS)
# Under a heading about submitting ("Demo policy", "Airplay"), words that say how to send music.
HOW_TO_SEND = re.compile(r"(?i)\b(?:e-?mail|send|post|upload|service|servicing)\b[^.]{0,80}"
                         r"\b(?:links?|mp3s?|wavs?|tracks?|cds?|vinyl|"
                         r"music|demos?|promos?|releases?|@|\[at\])|\b(?:bandcamp|soundcloud)\b[^.]{0,40}\blinks?\b")
HOW_TO_SEND_LOW = re.compile(HOW_TO_SEND.pattern.replace("(?i)", "", 1))
# FAQ accordions: <details><summary>, <dt>, h5/h6 and the title of a theme's toggle (Divi, Elementor, Bootstrap).
FAQ_QUESTIONS = ("summary, dt, h5, h6, [class*=toggle_title], [class*=toggle-title], [class*=accordion-title], "
                 "[class*=accordion__title], [class*=faq-question], [class*=tab-title]")


def found(tree, facts, paragraphs: list[str]) -> list[tuple[int, str]]:
    """(score, text) of submission guidance: a headed section, a page about submitting, paragraphs, meta text."""
    out = []
    path = urlsplit(facts.url).path
    for question in tree.css(FAQ_QUESTIONS):
        if SUBMIT_WORDS.search(question.text()) and (answer := _answer_text(question)):
            if _submits(f"{question.text()} {answer}".lower()):
                out.append((2, f"{question.text().strip()} {answer}"))
    for heading in tree.css("h1, h2, h3, h4"):
        if SUBMIT_WORDS.search(heading.text()):
            section = _section_text(heading)
            low = f"{section} {heading.text()} {path}".lower()
            if len(section) > 60 and (_submits(low) or HOW_TO_SEND_LOW.search(low)):
                out.append((3 if len(section) >= 200 else 2, section))
    paragraphs = _submission_paragraphs(paragraphs)
    if paragraphs:
        out.append((2 + bool(SUBMIT_WORDS.search(path + facts.title)), " ".join(paragraphs)))
    elif _any_submission(facts.text.lower()) and (sentences := _submission_sentences(facts.text)):
        out.append((2, sentences))  # text not in paragraphs (<br>-separated, big table cells)
    if SUBMIT_PARAGRAPH.search(facts.description):
        out.append((1, facts.description))
    return out


def _submits(low: str) -> bool:
    """SUBMIT_PARAGRAPH on a lower-cased text: whether it says how to send music."""
    return any(any(map(low.__contains__, words)) and pattern.search(low) for words, pattern in SUBMIT_PARAGRAPH_LOW)


def _hinted(low: str) -> bool:
    """SUBMIT_HINT on a lower-cased text: plain words, found faster one by one than by a pattern."""
    return any(map(low.__contains__, SUBMIT_HINT_WORDS))


def _any_submission(low: str) -> bool:
    """Whether a lower-cased text speaks of submitting music anywhere: one search rejects most pages."""
    return _hinted(low) and _submits(low)


def _submission_paragraphs(paragraphs: list[str]) -> list[str]:
    """The paragraphs about submitting music."""
    if not _any_submission("\n".join(paragraphs).lower()):
        return []
    return [p for p in paragraphs if _hinted(low := p.lower()) and _submits(low)]


def _answer_text(question) -> str:
    """An FAQ answer: the text of the item around the question (details, toggle, dt/dd pair), without it."""
    if question.tag == "dt":
        answer = question.next
        while answer is not None and answer.tag == "-text":
            answer = answer.next
        return " ".join(answer.text(separator=" ").split()) if answer is not None and answer.tag == "dd" else ""
    item = question.parent
    text = " ".join(item.text(separator=" ").split()) if item is not None else ""
    if len(text) >= 2000:
        return ""
    return text.replace(" ".join(question.text(separator=" ").split()), "", 1).strip()


def _submission_sentences(text: str) -> str:
    """The sentences that speak of submitting music, each with the two that follow (where to send it)."""
    sentences = split_sentences(text)
    keep: dict[int, None] = {}
    for i, sentence in enumerate(sentences):
        if len(sentence) < 600 and _submits(sentence.lower()):
            keep.update(dict.fromkeys(range(i, min(i + 3, len(sentences)))))
    return " ".join(sentences[i] for i in keep)[:2000]


def split_sentences(text: str) -> list[str]:
    """SENTENCE.split(text), found without SENTENCE's lookbehind, which the engine tries at every position."""
    pieces, start = [], 0
    for end in SENTENCE_END.finditer(text):
        pieces.append(text[start:end.start() + 1])
        start = end.end()
    pieces.append(text[start:])
    return pieces


def _section_text(heading) -> str:
    level = int(heading.tag[1])
    parts, node = [], heading.next
    while node is not None and sum(map(len, parts)) < 3000:
        if node.tag in ("h1", "h2", "h3", "h4")[:level]:
            break
        if node.tag != "-text" or node.text().strip():
            parts.append(node.text(separator=" "))
        node = node.next
    return " ".join(" ".join(parts).split())
