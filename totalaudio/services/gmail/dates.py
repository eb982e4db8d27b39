"""The return date an out-of-office names ("until 23rd March", "bis 20.03.2026", "jusqu'au 27 mars" ...)."""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    1: "january jan januar janvier enero gennaio januari janeiro jän",
    2: "february feb februar février fevrier febrero febbraio februari fevereiro fev",
    3: "march mar märz maerz mars marzo maart março marco",
    4: "april apr avril abril aprile",
    5: "may mai mayo maggio mei maio",
    6: "june jun juni juin junio giugno junho",
    7: "july jul juli juillet julio luglio julho",
    8: "august aug août aout agosto augustus",
    9: "september sep sept septembre septiembre settembre setembro",
    10: "october oct oktober octobre octubre ottobre oktober outubro okt",
    11: "november nov novembre noviembre novembre novembro",
    12: "december dec dezember décembre decembre diciembre dicembre dezembro dez",
}
MONTH_OF = {name: num for num, names in MONTHS.items() for name in names.split()}
MONTH_WORD = "|".join(sorted(map(re.escape, MONTH_OF), key=len, reverse=True))
UNTIL = (r"(?:until|till|through|returning|return on|back on|back in the office on|bis(?: zum| einschließlich| "
         r"einschliesslich)?|ab dem|ab|jusqu'(?:au|à)|hasta el|hasta|fino al|fino a|tot en met|tot|até(?: dia| ao)?)")
NUMERIC = re.compile(UNTIL + r"\s+(?:\w+,?\s+)?(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?", re.I)
WORDY = re.compile(UNTIL + r"\s+(?:(?:\w+day|montag|dienstag|mittwoch|donnerstag|freitag|lundi|mardi|mercredi|jeudi"
                   r"|vendredi|lunes|martes|miércoles|jueves|viernes|lunedì|martedì|maandag|dinsdag|segunda),?\s+)?"
                   r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th|\.|er|º)?\s+(?:de\s+|of\s+)?(" + MONTH_WORD +
                   r")\b\.?(?:\s+(?:de\s+)?(\d{4}))?", re.I)
MONTH_FIRST = re.compile(UNTIL + r"\s+(?:\w+day,?\s+)?(" + MONTH_WORD + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b,?"
                         r"(?:\s+(\d{4}))?", re.I)


def _build(day: int, month: int, year: int | None, sent: datetime | None) -> date | None:
    base = (sent.date() if sent else date.today())
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or base.year, month, day)
        if year is None and found < base:
            found = date(base.year + 1, month, day)
        return found
    except ValueError:
        return None


def return_date(text: str, sent: datetime | None) -> str | None:
    """The ISO date an auto-reply says its writer is back, or None when it names none."""
    sample = text[:3000]
    for match in NUMERIC.finditer(sample):
        found = _build(int(match.group(1)), int(match.group(2)), int(match.group(3)) if match.group(3) else None, sent)
        if found:
            return found.isoformat()
    for match in WORDY.finditer(sample):
        found = _build(int(match.group(1)), MONTH_OF[match.group(2).lower()],
                       int(match.group(3)) if match.group(3) else None, sent)
        if found:
            return found.isoformat()
    for match in MONTH_FIRST.finditer(sample):
        found = _build(int(match.group(2)), MONTH_OF[match.group(1).lower()],
                       int(match.group(3)) if match.group(3) else None, sent)
        if found:
            return found.isoformat()
    return None
