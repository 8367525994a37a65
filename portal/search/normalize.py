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

Synonyms, everyday phrasing and abbreviations are *concepts* (phrases.py):
"ЧСИ" or "частный судебный исполнитель" add the concept token ``qqbailiff``.
Queries are parsed in parsing.py. Everything here is plain Python, so
Elasticsearch and the embedded engine index exactly the same tokens (the
in-memory test server ignores Elasticsearch's synonym filters)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

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
_KK_MIN_STEM = 3

_STOPWORDS_RAW = (
    # Russian
    "и в во не что на я с со как а то все так но да к у же вы за бы по от о об из для при без "
    "до над под про или ли же ее его их мне нас вас это этот г обл ул д "
    # Russian: the pronouns and fillers of a situation told in plain words ("меня уволили",
    # "мне нужен нотариус", "как оформить наследство")
    "меня мой моя мое моё мои моего моей мою мы нам наш наша наши он она оно они ты тебя тебе "
    "ему ей им нужен нужна нужно нужны хочу хотим где когда "
    # Kazakh
    "және мен бен пен да де та те ма ме ба бе па пе үшін бойынша туралы жөнінде немесе "
    "маған мені менің біз бізге біздің сен сені саған ол оны оған оның керек қалай "
    # English
    "the a an of in on for and or to at by with my me i we our us he she they it is are "
    "does do not need want how"
)

WORD = re.compile(r"[^\W_]+", re.UNICODE)


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


_RU_STEMMER = Stemmer.Stemmer("russian")
_CYRILLIC_WORD = re.compile(r"^[а-яё]+$")
_KK_LETTERS = frozenset("әғқңөұүһіäğıñöşūüəq")  # q: only Kazakh Latin among the portal's languages
# Endings that mark a Cyrillic word without Kazakh letters as Kazakh: plural and genitive.
_KK_MARKERS = ("лар", "лер", "дар", "дер", "тар", "тер", "дың", "дің", "тың", "тің", "дан", "ден", "тан",
               "тен", "нан", "нен", "нда", "нде", "ыда", "ына")
# Kazakh endings as skeletons, stripped from the end in layers (case, then
# possessive, then plural, then the verbal noun / wish forms): нотариустарға ->
# notarius+tar+ga, мұрагерлікке -> muragerlik+ke, ажырасуға -> ajiras+u+ga,
# ажырасқым -> ajiras+kim. At least _KK_MIN_STEM letters are kept (Kazakh roots
# are often three letters: сот, жер, іс).
KK_SUFFIXES: tuple[tuple[str, ...], ...] = (
    # case: genitive, ablative, locative, dative, accusative, instrumental
    ("nin", "din", "tin", "dan", "den", "tan", "ten", "nan", "nen", "nda", "nde", "da", "de", "ta",
     "te", "ga", "ge", "ka", "ke", "na", "ne", "ni", "di", "ti", "men", "ben", "pen"),
    # possessive (my, your, his/her, our)
    ("imiz", "miz", "iniz", "niz", "kim", "gim", "si", "im", "in", "i", "m"),
    # plural
    ("lar", "ler", "dar", "der", "tar", "ter"),
    # verbal noun (-у) and wish (-қы- of -қым / -қысы: "I / he wants to")
    ("ki", "gi", "u"),
)


def is_kazakh(word: str) -> bool:
    """Kazakh letters (Cyrillic or Latin 2021), or a Cyrillic Kazakh plural/genitive ending."""
    low = word.lower()
    return any(ch in _KK_LETTERS for ch in low) or (
        _CYRILLIC_WORD.match(low) is not None and len(low) > 5 and low.endswith(_KK_MARKERS))


def kk_stem(token: str) -> str:
    """Strip stacked Kazakh endings (case, possessive, plural, verbal) from a skeleton."""
    for layer in KK_SUFFIXES:
        for ending in sorted(layer, key=len, reverse=True):
            if token.endswith(ending) and len(token) - len(ending) >= _KK_MIN_STEM:
                token = token[: -len(ending)]
                break
    return re.sub(r"(.)\1+", r"\1", token)


def ru_stem(word: str) -> str:
    """The Snowball (Porter) Russian stem of a Cyrillic word, lower case, ё -> е."""
    return _RU_STEMMER.stemWord(word.lower().replace("ё", "е"))


_LATIN_WORD = re.compile(r"^[a-z]+$")
# Russian typed in Latin letters, back to Cyrillic for the Snowball stemmer (longest first).
_TO_CYRILLIC = (("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
                ("sh", "ш"), ("ya", "я"), ("yu", "ю"), ("yo", "е"), ("ia", "я"), ("iu", "ю"),
                ("yy", "ый"), ("iy", "ий"), ("yi", "ый"), ("y", "ы"), ("x", "кс"))
_LATIN_LETTERS = dict(zip("abvgdezijklmnoprstufhcwq", "абвгдезийклмнопрстуфхцвк"))


def _cyrillic_of(word: str) -> str:
    for old, new in _TO_CYRILLIC:
        word = word.replace(old, new)
    return "".join(_LATIN_LETTERS.get(ch, ch) for ch in word)


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index/query term of one word ('' for a stop word): Russian Cyrillic words
    are stemmed by Snowball, Kazakh words by the suffix table, then reduced to their
    skeleton with the light ending strip (which also makes Latin spellings meet)."""
    sk = skeleton(word)
    if not sk or sk in _STOPWORDS:
        return ""
    if sk.isdigit():
        return sk
    if is_kazakh(word):
        return kk_stem(sk)
    low = word.lower()
    if _LATIN_WORD.match(low):  # Russian in Latin letters meets its Cyrillic spelling
        low = _cyrillic_of(low)
    if _CYRILLIC_WORD.match(low):
        stemmed = skeleton(ru_stem(low))
        if len(stemmed) >= _MIN_STEM:  # a too short Snowball stem ("семей" -> "сем") is not used
            return stemmed
    return stem(sk)


@lru_cache(maxsize=200_000)
def forms(word: str) -> tuple[str, ...]:
    """Every term one word is indexed and queried under: ``term(word)`` first, then
    its script-independent *base* form (skeleton + light ending strip) when that
    differs. The stemmers choose by script (Kazakh letters -> suffix table, Cyrillic
    -> Snowball, Latin -> Cyrillic -> Snowball), so one surname spelt "Жұмабеков",
    "Жумабеков" or "Zhumabekov" gets different stemmed terms; the base form is the
    same for all of them ("jumabek"), so they still meet. () for a stop word."""
    first = term(word)
    if not first:
        return ()
    base = stem(skeleton(word))
    return (first,) if base == first or not base else (first, base)


def words(text: str) -> list[str]:
    return WORD.findall(text or "")


def terms(text: str) -> list[str]:
    return [t for t in (term(w) for w in words(text)) if t]


def word_forms(text: str) -> list[tuple[str, ...]]:
    return [f for f in (forms(w) for w in words(text)) if f]


_STOPWORDS = frozenset(skeleton(w) for w in _STOPWORDS_RAW.split())


def prefixes(text: str, longest: int = 12) -> list[str]:
    """Edge n-grams (2..longest letters) of every skeleton word, for suggestions."""
    out: list[str] = []
    for w in words(text):
        sk = skeleton(w)
        out += [sk[:n] for n in range(2, min(len(sk), longest) + 1)]
    return out


def edit_distance(a: str, b: str, most: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, or swap two
    neighbours: the engines' fuzzy queries with transpositions), or most + 1 as
    soon as it must exceed ``most``."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > most:
            return most + 1
        prev2, prev = prev, row
    return prev[-1]
