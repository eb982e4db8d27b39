"""Role mailboxes: an address named for a function (info@, music.desk@, promos2024@, no-reply@), not a person.

The local part is split into words (separators, digits, camelCase) and each word into vocabulary words where it
runs several together ('musicdirector', 'newmusic', 'hrdept'). A mailbox is a role when every word is a role word,
carries a machine marker (noreply, mailer-daemon), or ends in a role suffix (-team, -desk, -info); it is a
person's when it holds the contact's own first or last name. The station's own name counts as a role word
(egofm@egofm.de, fluxinfo@fluxfm.de).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

from totalaudio.services.contacts.rolewords import GLUE, MARKERS, SHORT, STRONG_SUFFIXES, SUFFIXES, VOCABULARY

# Whole mailboxes a radio plugger meets daily, kept so they stay roles whatever the rules become.
ROLE_LOCALPARTS = frozenset("""
info music hello studio submissions submission submit newmusic new.music new-music contact contacts office admin
press news newsdesk team enquiries enquiry inquiries inquiry mail radio promo promos promotions demos demo playlist
playlists programming programmes programs requests request sales support webmaster postmaster noreply no-reply
editor editorial editors reviews review events bookings booking management shows producers production general
reception feedback listeners breakfast drivetime traffic tips music.submissions musicteam music.team team.music
station onair on-air hi mailbox library musiclibrary music.library md musicdirector music.director pd
""".split())
_SEPARATORS = re.compile(r"[^A-Za-z\u00c0-\u024f]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_LETTER = re.compile(r"[^a-z]+")
_ASCII_WORD = re.compile(r"[a-z]+")
_ALNUM = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
_SUFFIX_END = re.compile(f"(?:{'|'.join(sorted(SUFFIXES, key=len, reverse=True))})$")
_TRIPLE = re.compile(r"(.)\1\1")
_FILLER = re.compile(r"^(?:(\w)\1{2,}|(\w{3,4})\2+)$")  # 'aaa', 'xxxx', 'asdasd'; not 'mimi'
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefgh", "xyz")
_LONGEST = max(len(w) for w in VOCABULARY)


def fold(text: str) -> str:
    """Lower-case ASCII letters of a word: accents dropped ('Rédaction' -> 'redaction')."""
    if text.isascii():
        return _NOT_LETTER.sub("", text.lower())
    plain = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss").replace("ł", "l"))
    return "".join(ch for ch in plain if ch.isascii() and ch.isalpha())


def words(local: str) -> list[str]:
    """The words of a local part: 'newMusic_2024' -> ['new', 'music'], 'no-reply' -> ['no', 'reply']."""
    if local.isascii() and local.islower():
        return _ASCII_WORD.findall(local)
    return [w for part in _SEPARATORS.split(local) for w in (fold(x) for x in _CAMEL.split(part)) if w]


# Romance endings and their English ones: operacion(es)/operacao/operazione -> operation, administrador ->
# administrator, admision(es) -> admission
_ROMANCE = (("cion", "tion"), ("sion", "ssion"), ("cao", "tion"), ("zione", "tion"), ("zioni", "tion"), ("dor", "tor"),
            ("dad", "ty"), ("dade", "ty"), ("ita", "ity"), ("ia", "y"), ("ie", "y"), ("ico", "ic"), ("ica", "ic"),
            ("ivo", "ive"), ("iva", "ive"), ("coes", "tions"))


def _inflections(word: str) -> set[str]:
    """A vocabulary word's own forms: its plurals ('promos', 'enquiries'; stems of four letters or more) and the
    Romance forms of the English word ('operaciones', 'administrador', 'comunicazione')."""
    english = {word, word[:-1]} if word.endswith("s") else {word}  # the singular only leads to Romance forms
    stems = {word} | {s[: -len(eng)] + end for s in english for end, eng in _ROMANCE if s.endswith(eng) and
                      len(s) - len(eng) >= 4}
    out = set(stems)
    for stem in stems:
        if len(stem) >= 4:
            out |= {stem + "s", stem + "es"} | ({stem[:-1] + "ies"} if stem.endswith("y") else set())
    return out


@lru_cache(maxsize=1)
def forms() -> frozenset[str]:
    """Every form of every vocabulary word (built on first use: importing the audit stays quick)."""
    return frozenset().union(SHORT, *(_inflections(w) for w in VOCABULARY))


def _known(piece: str) -> bool:
    """A vocabulary word, or one of its plural or Romance forms."""
    return piece in forms()


@lru_cache(maxsize=50_000)
def split_word(word: str) -> tuple[str, ...] | None:
    """The vocabulary words ``word`` is made of ('musicdirector' -> ('music', 'director')), or None."""
    if _known(word) and (len(word) > 2 or word in SHORT):
        return (word,)
    best: tuple[str, ...] | None = None
    for i in range(min(len(word) - 2, _LONGEST), 1, -1):
        head = word[:i]
        if not _known(head) or (rest := split_word(word[i:])) is None:
            continue
        pieces = (head, *rest)
        if _plausible(pieces) and (best is None or len(pieces) < len(best)):
            best = pieces
    return best


def _plausible(pieces: tuple[str, ...]) -> bool:
    """Few pieces, a real role word among them, and every short piece beside a long one ('hrdept', not 'adam')."""
    if len(pieces) > 4 or all(p in GLUE for p in pieces):
        return False
    for i, piece in enumerate(pieces):
        if len(piece) <= 3 and piece in (SHORT | GLUE) and not any(
                len(pieces[j]) >= 4 for j in (i - 1, i + 1) if 0 <= j < len(pieces)):
            return False
    return True


@lru_cache(maxsize=100_000)
def role_words(local: str, label: str = "") -> bool:
    """The verdict on the words alone, the contact's name aside; ``label`` is the domain's name ('egofm')."""
    if local.lower() in ROLE_LOCALPARTS:
        return True
    found = words(local)
    if not found:
        return False
    if not MARKERS.isdisjoint(found) or (len(found) == 1 and _filler(found[0])):
        return True  # machine mailboxes, and filler such as 'asdasd' that no person is called
    pieces = [(w,) if w == label and len(w) >= 3 else split_word(w) for w in found]
    if all(pieces) and not all(w in GLUE for w in found):
        return True
    if len(found) > 1 and all(p or len(w) <= 3 for w, p in zip(found, pieces)) and split_word("".join(found)):
        return True  # 'do-not-reply', 'new-music'
    if len(found) == 1 and found[0] in VOCABULARY:
        return True  # 'cm', 'ta': an abbreviation alone (is_role checks it is not the contact's initials)
    if _DIGIT.search(local) and all(split_word(w) for w in _ALNUM.findall(local.lower())):
        return True  # 'b2bdata', 'pop3'
    return _role_suffix(found, pieces, label) or _coded(found)


def _coded(found: list[str]) -> bool:
    """A department's or desk's one- or two-letter code run into a role word of five letters or more
    ('rsreply', 'msteachers'); is_role still checks the code is not the contact's initials."""
    if len(found) != 1:
        return False
    word = found[0]
    return any((rest := split_word(word[i:])) is not None and len(rest[0]) >= 5 for i in (1, 2) if len(word) > i + 4)


def _filler(word: str) -> bool:
    """Keyboard filler no person is called: 'aaa', 'asdasd', 'asd', 'qwerty'."""
    return bool(_FILLER.match(word)) or (len(word) >= 3 and any(word in row for row in KEYBOARD))


def _role_suffix(found: list[str], pieces: list, label: str) -> bool:
    """'kink-team', 'infodesk', 'fluxinfo' at fluxfm.de: a role suffix after another word, 'info' before one, or
    the station's own name run into a suffix."""
    if len(found) >= 2 and pieces[-1] and pieces[-1][-1] in SUFFIXES:
        return True
    word = found[-1]
    if len(found) == 1 and word.startswith("info"):
        return True  # 'infodesk', 'infoline'
    if not (end := _SUFFIX_END.search(word, 2)):
        return False
    head = word[: end.start()]
    if len(found) == 1 and end.group() in STRONG_SUFFIXES:
        return True  # 'sfoffice', 'ukteam'; is_role checks the rest is not the contact's name
    return len(label) >= 3 and len(head) >= 3 and label.startswith(head)


def own_names(first: str | None, last: str | None) -> list[str]:
    """The words of a contact's name that are not role words themselves ('Music Desk' names nobody)."""
    return [n for part in (first or "", last or "") for n in words(part) if len(n) >= 2 and n not in VOCABULARY]


def is_role(local: str, first: str | None = None, last: str | None = None, label: str = "",
            names: frozenset[str] = frozenset()) -> bool:
    """A role mailbox rather than a person's: the words say a function and none is the contact's own name.

    A contact with no name at all is a role mailbox also when its local part is plain dictionary words
    ('food', 'namecheap') that are not names of the base (``names``: folded first and last names)."""
    if not role_words(local, label):
        return not (first or "").strip() and not (last or "").strip() and _plain_words(local, names)
    names = own_names(first, last)
    initials = "".join(n[0] for n in names)
    return not (len(initials) >= 2 and fold(local) == initials) and not any(
        w == n or (len(n) >= 3 and (w.startswith(n) or w.endswith(n))) for n in names for w in words(local))


def _plain_words(local: str, names: frozenset[str]) -> bool:
    """A nameless mailbox made of words that are not a person's name: dictionary words, role words and their
    abbreviations or plurals ('food', 'custserv', 'ceos', 'no-reply-forms'), a code of one or two letters alone
    ('lt', 'ny'), or letters no name has ('ifttt'); never a name the base gives its people."""
    found = words(local)
    if not found or any(_name_like(w, names) for w in found):
        return False
    if len(found) == 1:
        return len(found[0]) <= 2 or _not_a_name(found[0]) or foreign_word(found[0])
    return all(w in GLUE or w in SHORT or _not_a_name(w) for w in found) and any(len(w) >= 3 for w in found)


@lru_cache(maxsize=50_000)
def _not_a_name(word: str) -> bool:
    """A word of a nameless mailbox that names no person: a dictionary or role word, a plural of one, an
    abbreviation of role words, a short role code before a dictionary word ('adwords'), a tripled letter."""
    if dictionary_split(word) or (len(word) >= 3 and word.endswith("s") and _word_or_role(word[:-1])):
        return True
    if _TRIPLE.search(word):
        return True
    if len(word) >= 6 and word[:2] in SHORT and dictionary_split(word[2:], 1):
        return True  # 'adwords'
    if any(len(word) - i >= 4 and _known(word[i:]) for i in (1, 2)):
        return True  # a one- or two-letter code before a role word: 'ateam', 'hrteam' (nobody's name to check)
    return _abbreviated(word)


def _word_or_role(word: str) -> bool:
    return _known(word) or word in SHORT or dictionary_split(word, 1)


@lru_cache(maxsize=1)
def _prefixes() -> frozenset[str]:
    """The beginnings (three letters or more, one short of the end at least) of the role words of five letters
    or more: the abbreviations mailboxes are named with ('enq' for enquiries, 'cust' and 'serv')."""
    return frozenset(w[:i] for w in VOCABULARY if len(w) >= 5 for i in range(3, len(w)))


def _abbreviated(word: str) -> bool:
    """One or two role words or their abbreviations, at least one cut short ('enq', 'custserv', 'listproc'),
    where the cut piece is no dictionary word (a dictionary word is judged as one)."""
    cut = _prefixes()

    def piece(p: str) -> bool:
        return len(p) >= 3 and (_known(p) or (p in cut and not dictionary_split(p, 1)))
    if piece(word) and not _known(word):
        return True
    return any(piece(word[:i]) and piece(word[i:]) and not (_known(word[:i]) and _known(word[i:]))
               for i in range(3, len(word) - 2))


def _name_like(word: str, names: frozenset[str]) -> bool:
    """'harriet', 'hkingsley', 'harrietkingsley' when the base has those names: a person's mailbox."""
    if word in names or word[1:] in names:
        return True
    return any(word[:i] in names and word[i:] in names for i in range(2, len(word) - 1))


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, int]:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary


@lru_cache(maxsize=50_000)
def dictionary_split(word: str, parts: int = 3) -> bool:
    """``word`` is one to three dictionary words of three letters or more ('namecheap', 'postfix')."""
    known = _dictionary()
    if len(word) >= 3 and word in known:
        return True
    return parts > 1 and any(word[:i] in known and dictionary_split(word[i:], parts - 1)
                             for i in range(3, len(word) - 2))


# The other languages of a plugger's base whose word lists pyspellchecker ships (English is _dictionary's).
LANGUAGES = ("es", "pt", "it", "fr", "nl", "de")


@lru_cache(maxsize=None)
def _word_lines(language: str) -> list[bytes]:
    """The lines ('"word": frequency') of a shipped word list, sorted as lines for a binary search: reading them
    so costs a tenth of parsing the JSON into a dictionary. The lists are shipped sorted by word, which is not the
    order of their lines where a word is the start of a phrase ('"aan": 50' after '"aan den lijve": 50' in Dutch):
    sorting the nearly sorted lines again costs little and finds those words."""
    import gzip
    from importlib.resources import files

    with gzip.open(files("spellchecker").joinpath("resources", f"{language}.json.gz").open("rb")) as fh:
        return sorted(fh.read().split(b"\n"))


@lru_cache(maxsize=50_000)
def foreign_word(word: str) -> bool:
    """``word`` (four letters or more, unaccented) is a word of a base's other languages that its texts use, not
    only a listed form ('centro', 'sistemas', 'logistiek'; frequencies of 50 are the lists' floor)."""
    if len(word) < 4 or not word.isascii():
        return False
    key = f'"{word}":'.encode()
    for language in LANGUAGES:
        lines = _word_lines(language)
        i = bisect.bisect_left(lines, key)
        if i < len(lines) and lines[i].startswith(key) and int(lines[i][len(key):].strip(b" ,")) > 50:
            return True
    return False
