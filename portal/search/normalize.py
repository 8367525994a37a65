"""Text normalisation for search, shared by every backend at index and query time.

Visitors type Russian, Kazakh Cyrillic, Kazakh Latin (2021 alphabet, with or
without diacritics) or Russian in Latin letters. Every word is reduced to one
*term*: an ASCII skeleton of its sound with a light Russian/Kazakh ending
stripped, so "нотариус", "notarius" and "нотариусқа" give the same term, and
"Алматы қаласы" / "Almaty qalasy" / "almaty kalasy" meet as well.

1. case folding, ё→е, Cyrillic (Russian and Kazakh letters) → Latin;
   Kazakh Latin letters (ä ğ ı ñ ö ş ū ü ç q) and other diacritics → ASCII;
2. spellings that differ between transliteration schemes are merged
   (shch/sch→sh, zh→j, kh→h, ts→c, y→i), so chastnyi / chastniy / chastny agree;
3. one frequent Russian or Kazakh ending (case, number, plural, possessive)
   is stripped, repeatedly for Kazakh's stacked endings, keeping at least four
   letters; doubled letters are merged.

Synonyms and abbreviations are *concepts*: a phrase such as "ЧСИ" or "частный
судебный исполнитель" adds the concept token ``qqbailiff`` to the document,
and a query for any of its phrases looks for that token. Query-only expansions
("юрист" → advocates and legal consultants) widen a query without changing
documents. Everything here is plain Python, so Elasticsearch and the embedded
engine index exactly the same tokens (the in-memory test server ignores
Elasticsearch's synonym filters, see search-notes.md)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "j", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "c", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
# Kazakh Latin (2021) and the letters NFKD would not reduce the way we want.
_LATIN = {"ş": "sh", "ç": "ch", "ı": "i", "q": "k", "ä": "a", "ə": "a", "ğ": "g", "ñ": "n",
          "ö": "o", "ū": "u", "ü": "u", "'": "", "’": "", "ʼ": ""}
_MERGES = (("shch", "sh"), ("sch", "sh"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("y", "i"),
           ("w", "v"))

# Frequent endings, written as skeletons. Russian: case and number of nouns and
# adjectives. Kazakh: plural, genitive, dative, locative, ablative, accusative.
_ENDINGS = sorted({
    # Russian
    "a", "e", "i", "o", "u", "ia", "iu", "ov", "ev", "ei", "oi", "om", "em", "am", "ah",
    "ami", "iami", "iah", "iam", "ii", "ie", "iia", "iiu", "iem", "ogo", "ego", "omu", "emu",
    "im", "imi", "ih", "aia", "oe", "ee", "uiu", "iaia",
    # Kazakh
    "lar", "ler", "dar", "der", "tar", "ter", "nin", "din", "tin", "ga", "ge", "ka", "ke",
    "na", "ne", "da", "de", "ta", "te", "nda", "nde", "dan", "den", "tan", "ten", "nan", "nen",
}, key=len, reverse=True)
_MIN_STEM = 4

_STOPWORDS_RAW = (
    # Russian
    "и в во не что на я с со как а то все так но да к у же вы за бы по от о об из для при без "
    "до над под про или ли же ее его их мне нас вас это этот г обл ул д "
    # Kazakh
    "және мен бен пен да де та те ма ме ба бе па пе үшін бойынша туралы жөнінде немесе "
    # English
    "the a an of in on for and or to at by with"
)

# concept -> phrases (any language, any script) that mean it.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "bailiff": ("ЧСИ", "частный судебный исполнитель", "судебный исполнитель", "судебный пристав",
                "пристав", "жеке сот орындаушысы", "сот орындаушысы", "сот орындаушы", "bailiff",
                "private bailiff"),
    "notary": ("нотариус", "нотариат", "нотариальный", "notary", "notarius"),
    "advocate": ("адвокат", "защитник", "адвокатура", "қорғаушы", "advocate", "defence lawyer",
                 "defense attorney", "attorney at law"),
    "consultant": ("юридический консультант", "юрконсультант", "юридическая консультация",
                   "заң кеңесшісі", "заң консультанты", "legal consultant"),
    # "экспертиза" alone is also a lawyer's review of a contract, so only the forensic phrases count
    "expert": ("судебный эксперт", "эксперт", "судебная экспертиза", "сот сарапшысы", "сарапшы",
               "сараптама", "court expert", "forensic expert", "expert"),
    "inheritance": ("наследство", "наследование", "наследственный", "мұра", "мұрагерлік",
                    "inheritance"),
    "realty": ("недвижимость", "жылжымайтын мүлік", "квартира", "пәтер", "real estate"),
    "alimony": ("алименты", "алимент", "alimony"),
    "proxy": ("доверенность", "сенімхат", "power of attorney", "powers of attorney"),
    "divorce": ("развод", "расторжение брака", "ажырасу", "divorce"),
    "astana": ("Астана", "Нур-Султан", "Нұр-Сұлтан", "Nur-Sultan", "Целиноград"),
}
# Query-only widening: the phrase also finds these concepts (documents unchanged).
QUERY_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "юрист": ("advocate", "consultant"),
    "заңгер": ("advocate", "consultant"),
    "lawyer": ("advocate", "consultant"),
}
CONCEPT_PREFIX = "qq"  # never produced by the skeleton (q → k), so concept tokens cannot collide
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def skeleton(word: str) -> str:
    """ASCII skeleton of one word (no stemming)."""
    out = []
    for ch in word.lower():
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _LATIN:
            out.append(_LATIN[ch])
        else:
            out.append(ch)
    text = unicodedata.normalize("NFKD", "".join(out))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "ignore").decode()
    for old, new in _MERGES:
        text = text.replace(old, new)
    return text


def stem(token: str) -> str:
    if token.isdigit():
        return token
    for _ in range(3):
        for ending in _ENDINGS:
            if token.endswith(ending) and len(token) - len(ending) >= _MIN_STEM:
                token = token[: -len(ending)]
                break
        else:
            break
    return re.sub(r"(.)\1+", r"\1", token)


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index/query term of one word ('' for a stop word)."""
    sk = skeleton(word)
    if not sk or sk in _STOPWORDS:
        return ""
    return stem(sk)


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def terms(text: str) -> list[str]:
    return [t for t in (term(w) for w in words(text)) if t]


_STOPWORDS = frozenset(skeleton(w) for w in _STOPWORDS_RAW.split())


def _phrase_table(source: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], set[str]] = {}
    for concept, phrases in source.items():
        for phrase in phrases:
            key = tuple(terms(phrase))
            if key:
                table.setdefault(key, set()).add(CONCEPT_PREFIX + concept)
    return {k: tuple(sorted(v)) for k, v in table.items()}


_CONCEPT_PHRASES = _phrase_table(CONCEPTS)
_EXPANSION_PHRASES = {
    tuple(terms(phrase)): tuple(CONCEPT_PREFIX + c for c in concepts)
    for phrase, concepts in QUERY_EXPANSIONS.items()
}
_STARTS = {id(table): frozenset(key[0] for key in table)
           for table in (_CONCEPT_PHRASES, _EXPANSION_PHRASES)}
_MAX_PHRASE = max(len(k) for k in list(_CONCEPT_PHRASES) + list(_EXPANSION_PHRASES))
# concept token -> terms of its phrases (to highlight the words that matched a concept)
CONCEPT_TERMS: dict[str, frozenset[str]] = {}
for _key, _concepts in _CONCEPT_PHRASES.items():
    for _c in _concepts:
        CONCEPT_TERMS[_c] = CONCEPT_TERMS.get(_c, frozenset()) | frozenset(_key)


def _find_phrases(seq: list[str], table) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, concepts) for every phrase of ``table`` in ``seq``, longest first."""
    found = []
    starts = _STARTS[id(table)]
    i = 0
    while i < len(seq):
        if seq[i] not in starts:  # most words start no phrase: skip the window lookups
            i += 1
            continue
        for n in range(min(_MAX_PHRASE, len(seq) - i), 0, -1):
            concepts = table.get(tuple(seq[i:i + n]))
            if concepts:
                found.append((i, i + n, concepts))
                i += n
                break
        else:
            i += 1
    return found


def analyze(text: str) -> list[str]:
    """Tokens to index for ``text``: its terms plus the concept tokens it mentions."""
    seq = terms(text)
    extra = [c for _, _, concepts in _find_phrases(seq, _CONCEPT_PHRASES) for c in concepts]
    return seq + extra


def analyzed(text: str) -> str:
    """``analyze`` as one space-separated string (what backends store in their token fields)."""
    return " ".join(analyze(text))


def prefixes(text: str, longest: int = 12) -> list[str]:
    """Edge n-grams (2..longest letters) of every skeleton word, for suggestions."""
    out: list[str] = []
    for w in words(text):
        sk = skeleton(w)
        out += [sk[:n] for n in range(2, min(len(sk), longest) + 1)]
    return out


@dataclass(frozen=True)
class Group:
    """One word (or synonym phrase) of a query: a document matches the group when
    any field holds one of ``exact``, or a term one edit away from one of ``fuzzy``."""
    exact: tuple[str, ...]
    fuzzy: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[Group, ...] = ()
    raw: str = ""
    highlight_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.groups


FUZZY_MIN_LENGTH = 5


def parse_query(text: str) -> ParsedQuery:
    text = (text or "")[:200]
    seq = terms(text)
    spans = {s: (e, c) for s, e, c in _find_phrases(seq, _CONCEPT_PHRASES)}
    expansions = {s: (e, c) for s, e, c in _find_phrases(seq, _EXPANSION_PHRASES)}
    groups: list[Group] = []
    i = 0
    while i < len(seq):
        if i in spans or i in expansions:
            end, concepts = spans.get(i, (i + 1, ()))
            if i in expansions:
                end2, more = expansions[i]
                end = max(end, end2)
                concepts = tuple(sorted(set(concepts) | set(more)))
            literal = seq[i:end]
            exact = tuple(concepts) + (tuple(literal) if len(literal) == 1 else ())
            groups.append(Group(exact=exact))
            i = end
            continue
        t = seq[i]
        fuzzy = (t,) if len(t) >= FUZZY_MIN_LENGTH and not t.isdigit() else ()
        groups.append(Group(exact=(t,), fuzzy=fuzzy))
        i += 1
    # de-duplicate repeated words
    unique: list[Group] = []
    for g in groups:
        if g not in unique:
            unique.append(g)
    marks = set(seq)
    for g in unique:
        for token in g.exact:
            marks |= CONCEPT_TERMS.get(token, frozenset())
    return ParsedQuery(tuple(unique), text, frozenset(marks))


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [k for k in range(la) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    for k in range(len(a) + 1):
        if a[:k] == b[:k] and a[k:] == b[k + 1:]:
            return True
    return False


def word_matches(word: str, query: ParsedQuery) -> bool:
    t = term(word)
    if not t:
        return False
    if t in query.highlight_terms:
        return True
    return any(_within_one_edit(t, f) for g in query.groups for f in g.fuzzy)


def highlight(text: str, query: ParsedQuery, width: int = 180) -> Markup | None:
    """An escaped snippet of ``text`` around the first words that match ``query``,
    with those words in <mark>; None if nothing matches."""
    if not text or query.is_empty:
        return None
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if word_matches(m.group(), query)]
    if not spans:
        return None
    start = max(0, spans[0][0] - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
