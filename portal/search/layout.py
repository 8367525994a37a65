"""Text typed with the wrong keyboard layout, converted back.

"celt,ysq 'rcgthn" is "судебный эксперт" typed while the English layout was on,
"дфцнук" is "lawyer" typed on the Russian one. The tables map the keys of one
layout to the characters the same keys give in the other.

Layouts (the ones preinstalled with Windows and macOS in Kazakhstan):

- English: US QWERTY.
- Russian: the standard ЙЦУКЕН layout (Windows "Russian", macOS "Russian – PC"),
  punctuation keys included: ``[ ] ; ' , . \\``` give х ъ ж э б ю ё.
- Kazakh: the Windows "Kazakh" layout (KBDKAZ). Its letter keys are the Russian
  ones; the nine Kazakh letters sit on the number row: 2 ә, 3 і, 4 ң, 5 ғ,
  8 ү, 9 ұ, 0 қ, - ө, = һ (macOS "Kazakh" puts them on the same keys). A digit
  is read as a Kazakh letter only inside a word that has other letters, so
  "2024" or "5 000" stay numbers.

``to_cyrillic`` and ``to_latin`` convert a whole string; ``convert`` picks the
direction from the text's script and returns None when the text does not look
mistyped (mixed scripts, no letters, or a result that is no plausible word)."""
from __future__ import annotations

import re

_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RU_CHARS = "ёйцукенгшщзхъфывапролджэячсмитьбю."
_EN_SHIFT = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_RU_SHIFT = "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
# the Kazakh layout's number row (lower case; Shift gives the capitals)
_KK_DIGITS = {"2": "ә", "3": "і", "4": "ң", "5": "ғ", "8": "ү", "9": "ұ", "0": "қ", "-": "ө", "=": "һ"}

# English key -> Cyrillic character (the Russian layout's letters and punctuation keys)
LATIN_TO_CYRILLIC: dict[str, str] = dict(zip(_EN_KEYS + _EN_SHIFT, _RU_CHARS + _RU_SHIFT))
# Cyrillic letter -> the English key under it (Russian and Kazakh letters, both cases)
CYRILLIC_TO_LATIN: dict[str, str] = {
    **{ru: en for en, ru in zip(_EN_KEYS, _RU_CHARS) if ru.isalpha()},
    **{ru: en for en, ru in zip(_EN_SHIFT, _RU_SHIFT) if ru.isalpha()},
    **{kk: key for key, kk in _KK_DIGITS.items()},
    **{kk.upper(): key for key, kk in _KK_DIGITS.items()},
}

_CYRILLIC_LETTER = re.compile(r"[а-яёәіңғүұқөһ]", re.IGNORECASE)
_LATIN_LETTER = re.compile(r"[a-z]", re.IGNORECASE)
# a run of keys that the conversion treats as one word (letters, the punctuation keys
# that are Russian letters, and digits or -/= that are Kazakh letters inside a word)
_EN_WORD = re.compile(r"[A-Za-z0-9\[\]{};:'\",<>.`~=\-]+")
_CYRILLIC_VOWELS = set("аеёиоуыэюяәіүұө")
_LATIN_VOWELS = set("aeiouy")


def _convert_en_word(word: str) -> str:
    has_letter = any(c.isalpha() for c in word)
    out = []
    for i, ch in enumerate(word):
        if ch in _KK_DIGITS and has_letter and not (ch == "-" and (i == 0 or i == len(word) - 1)):
            out.append(_KK_DIGITS[ch])
        else:
            out.append(LATIN_TO_CYRILLIC.get(ch, ch))
    converted = "".join(out)
    # the "/" key is the Russian full stop, "," / "." keys are б / ю: a trailing key that
    # is no letter of the other layout stays as typed
    return converted


def to_cyrillic(text: str) -> str:
    """``text`` as it would read had the keys been pressed on the Russian/Kazakh layout."""
    return _EN_WORD.sub(lambda m: _convert_en_word(m.group()), text or "")


def to_latin(text: str) -> str:
    """``text`` as it would read had the keys been pressed on the English layout."""
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text or "")


def _plausible(words: list[str], vowels: set[str]) -> bool:
    """Every word of two letters or more has a vowel, and none is a run of consonants
    longer than a real word would have (catches "ghbdtn"-style junk either way)."""
    if not words:
        return False
    for word in words:
        letters = [c for c in word.lower() if c.isalpha()]
        if len(letters) < 2:
            continue
        if not any(c in vowels for c in letters):
            return False
        run = longest = 0
        for c in letters:
            run = 0 if c in vowels else run + 1
            longest = max(longest, run)
        if longest > 4:
            return False
    return True


def convert(text: str) -> str | None:
    """The text the visitor meant, when ``text`` looks typed with the wrong layout:
    only one script's letters, and the conversion gives plausible words of the
    other script. None otherwise."""
    text = (text or "").strip()
    cyrillic, latin = bool(_CYRILLIC_LETTER.search(text)), bool(_LATIN_LETTER.search(text))
    if cyrillic == latin:  # no letters, or both scripts: not a layout slip
        return None
    if latin:
        converted = to_cyrillic(text)
        if _LATIN_LETTER.search(converted):
            return None
        vowels = _CYRILLIC_VOWELS
    else:
        converted = to_latin(text)
        if _CYRILLIC_LETTER.search(converted):
            return None
        vowels = _LATIN_VOWELS
    converted = " ".join(converted.split())
    words = re.findall(r"[^\W_]+", converted)
    if converted == text or not _plausible(words, vowels):
        return None
    return converted
