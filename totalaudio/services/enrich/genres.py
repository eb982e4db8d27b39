"""The genre vocabulary: canonical names with aliases ("drum & bass" = "drum and bass" = "dnb"), and matching.

Explicit lists (a genre ``<select>``, "Genres: a, b, c", tag lists) are trusted; prose only counts in sentences
that talk about what the station plays, so "School of Rock" or a CSS class named "indie" is not a genre.
"""

from __future__ import annotations

import re

VOCABULARY: dict[str, tuple[str, ...]] = {
    "Rock": ("rock", "rock music", "rock n roll", "rock and roll", "rock & roll"),
    "Indie": ("indie", "indie rock", "indie pop", "indie music"),
    "Alternative": ("alternative", "alt rock", "alternative rock", "alt-rock", "alt"),
    "Pop": ("pop", "pop music"),
    "Punk": ("punk", "punk rock", "post-punk", "post punk"),
    "Hardcore": ("hardcore",),
    "Metal": ("metal", "heavy metal", "metal music"),
    "Electronic": ("electronic", "electronica", "electronic music", "edm"),
    "Dance": ("dance", "dance music", "club", "club music"),
    "House": ("house", "house music", "deep house", "tech house"),
    "Techno": ("techno",),
    "Drum and Bass": ("drum and bass", "drum & bass", "drum n bass", "drum'n'bass", "drum 'n' bass", "dnb", "d&b",
                      "jungle"),
    "Dubstep": ("dubstep",),
    "Garage": ("garage", "uk garage", "ukg"),
    "Grime": ("grime",),
    "Ambient": ("ambient",),
    "Experimental": ("experimental", "avant-garde", "noise"),
    "Hip Hop": ("hip hop", "hip-hop", "hiphop", "rap", "hip=hop"),
    "R&B": ("r&b", "rnb", "r 'n' b", "rhythm and blues", "r & b"),
    "Soul": ("soul", "neo soul", "neo-soul"),
    "Funk": ("funk",),
    "Disco": ("disco", "nu disco", "nu-disco"),
    "Jazz": ("jazz",),
    "Blues": ("blues",),
    "Folk": ("folk", "folk music", "traditional folk"),
    "Roots": ("roots", "roots music"),
    "Americana": ("americana",),
    "Country": ("country", "alt-country", "country music"),
    "Bluegrass": ("bluegrass",),
    "Singer-Songwriter": ("singer-songwriter", "singer songwriter", "acoustic"),
    "Classical": ("classical", "classical music", "orchestral", "opera"),
    "Reggae": ("reggae", "dub", "dancehall", "ska"),
    "World": ("world", "world music", "global", "international", "afrobeat", "afrobeats", "afro", "latin"),
    "Gospel": ("gospel", "christian"),
    "Soundtrack": ("soundtrack", "film music"),
    "Psychedelic": ("psychedelic", "psych"),
    "Shoegaze": ("shoegaze", "dream pop"),
    "Lo-Fi": ("lo-fi", "lofi", "lo fi"),
    "Trip Hop": ("trip hop", "trip-hop"),
    "Synthpop": ("synthpop", "synth-pop", "synthwave", "new wave"),
    "Emo": ("emo",),
    "Grunge": ("grunge",),
    "Chillout": ("chillout", "chill out", "downtempo", "chill"),
    "Eclectic": ("eclectic", "freeform", "free-form", "variety"),
    "Talk": ("talk", "spoken word", "talkback"),
    "Local Music": ("local music", "local artists", "unsigned"),
}
ALIASES: dict[str, str] = {alias: name for name, aliases in VOCABULARY.items()
                           for alias in (name.lower(), *aliases)}
# Words too ambiguous to count in prose (kept for explicit lists only).
PROSE_AMBIGUOUS = frozenset({"alt", "club", "world", "global", "international", "talk", "chill", "dance", "house",
                             "country", "garage", "roots", "soul", "afro", "latin", "christian", "variety",
                             "noise", "psych", "dub", "acoustic", "unsigned", "local artists", "opera"})
_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(a) for a in ALIASES), key=len, reverse=True))
                      + r")(?![\w-])", re.I)
# Cues of a statement about what the station (or a show) programmes; "featuring", "the best in" or "sounds of"
# are as often a news post's or a gig's words as the station's.
PROSE_CUE = re.compile(r"(?i)\b(genres?|we play|playing|plays|play(?:list)? of|specialis|specializ|format|"
                       r"showcas|dedicated to|focus(?:es|ing)? on|styles? (?:ranging|spanning|from|of|like|such as|"
                       r"including)|mix(?:es|ing)? (?:of|up)|music (?:ranging|spanning)|"
                       r"g[ée]neros?|programa(?:r|mos|ción)|ritmos|estilos|nous diffusons|diffus(?:e|ons)|"
                       r"wir spielen|spielen|musikrichtung|generi|suoniamo|trasmettiamo)")
PROSE_CUE_LOW = re.compile(PROSE_CUE.pattern.replace("(?i)", "", 1))
LIST_SPLIT = re.compile(r"\s*(?:/|,|;|\||&(?!b)|\band\b|\+|·|•)\s*", re.I)


def normalise(name: str) -> str | None:
    """The canonical genre of a name or alias, or None."""
    return ALIASES.get(" ".join(name.lower().split()))


def from_list_item(item: str) -> list[str]:
    """Genres of one explicit list entry ("Hip Hop / R&B / Soul" -> Hip Hop, R&B, Soul)."""
    whole = normalise(item)
    if whole:
        return [whole]
    found = []
    for part in LIST_SPLIT.split(item):
        genre = normalise(part) or (normalise(part.rstrip("s")) if len(part) > 4 else None)
        if genre:
            found.append(genre)
    return found or [g for g in (ALIASES.get(m.group(1).lower()) for m in _PATTERN.finditer(item)) if g]


TOKEN = re.compile(r"[\w&'’=-]+")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
MAX_ALIAS_WORDS = 3
FIRST_WORDS = frozenset(alias.split()[0] for alias in ALIASES)


def from_prose(text: str) -> list[str]:
    """Genres named in sentences about what is played; ambiguous words are ignored in prose."""
    found, seen = [], set()
    for sentence in _cue_sentences(text):
        if sentence in seen:  # repeated boilerplate
            continue
        seen.add(sentence)
        tokens = [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(sentence)]
        i = 0
        while i < len(tokens):
            i += _match_at(sentence, tokens, i, found) if tokens[i][0].lower() in FIRST_WORDS else 1
    return found


def _cue_sentences(text: str):
    """The sentences around each cue ("we play", "genres" ...), once each."""
    last_end = -1
    low = text.lower()  # case-insensitive scanning is several times slower; positions agree when lengths do
    for cue in PROSE_CUE_LOW.finditer(low) if len(low) == len(text) else PROSE_CUE.finditer(text):
        if cue.start() < last_end:
            continue
        start = max((m.end() for m in SENTENCE_END.finditer(text, max(0, cue.start() - 300), cue.start())),
                    default=max(0, cue.start() - 300))
        stop = SENTENCE_END.search(text, cue.end())
        last_end = stop.start() if stop else min(len(text), cue.end() + 300)
        yield text[start:min(last_end, cue.end() + 400)]


def _match_at(sentence: str, tokens: list, i: int, found: list[str]) -> int:
    """Longest alias starting at token i: record it (unless ambiguous or in a proper name); tokens consumed."""
    for size in range(min(MAX_ALIAS_WORDS, len(tokens) - i), 0, -1):
        words = tokens[i:i + size]
        if any(sentence[a[2]:b[1]].strip() for a, b in zip(words, words[1:])):
            continue  # "punk, rock" is two genres, not "punk rock"
        alias = " ".join(w[0] for w in words).lower()
        if alias in ALIASES:
            if alias not in PROSE_AMBIGUOUS and not _in_title_phrase(sentence, words[0][1], words[-1][2]):
                found.append(ALIASES[alias])
            return size
    return 1


def _in_title_phrase(text: str, start: int, end: int) -> bool:
    """"School of Rock", "Rock FM": a capitalised genre word inside a proper name."""
    if not text[start:start + 1].isupper():
        return False
    before = text[max(0, start - 12):start].split()
    after = text[end:end + 12].split()
    joined_before = before[-1] if before else ""
    return (joined_before in ("of", "the", "The") or (joined_before[:1].isupper() and joined_before.isalpha())
            or (bool(after) and after[0][:1].isupper() and after[0].isalpha()))


def ranked(genres: list[str], limit: int = 20) -> list[str]:
    """Distinct genres, most often seen first (ties keep first-seen order)."""
    counts: dict[str, int] = {}
    for genre in genres:
        counts[genre] = counts.get(genre, 0) + 1
    order = {g: i for i, g in reversed(list(enumerate(genres)))}
    return sorted(counts, key=lambda g: (-counts[g], order[g]))[:limit]
