"""Which language an answer is written in: Kazakh and Russian told apart by their letters and
their common words. Pure functions, no database.

Kazakh has nine letters Russian lacks (ә ғ қ ң ө ұ ү һ і); Russian text has none of them, and
its commonest words are not Kazakh words. A text with no Cyrillic words at all (a number, a
link, a Latin name) is "unknown" and never refused: the check is there to catch an answer in
the other language, not to judge every line.
"""

from __future__ import annotations

import re

KAZAKH_LETTERS = frozenset("әғқңөұүһі")
# ъ and э are kept in Kazakh only for Russian loan words; in a sentence they mark Russian.
RUSSIAN_LETTERS = frozenset("ъэё")
KAZAKH_WORDS = frozenset(
    "және мен бен пен бойынша үшін бұл осы сіздің сіз біз жоқ бар туралы арқылы екенін болып болады "
    "жүйесінде қатысты сондай-ақ тиіс қажет жұмыс ескерту ескертуіңіз қаралды жойылды шешілді".split()
)
RUSSIAN_WORDS = frozenset(
    "и в во не на что с со по для это как от до из за к у о об или но же ли бы был была было были "
    "будет является ваш ваше вашего вас вы мы наш при также так который которая которые уже "
    "обращение замечание ответ сообщаем устранено рассмотрено".split()
)
WORD = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*")
# Each language needs at least this share of the telling words to count as present.
SHARE = 0.2


def detect(text: str) -> str | None:
    """"kk", "ru", "kk_ru" (both present), or None when the text tells nothing."""
    kazakh = russian = 0
    for word in WORD.findall(text.lower()):
        if KAZAKH_LETTERS.intersection(word) or word in KAZAKH_WORDS:
            kazakh += 1
        elif RUSSIAN_LETTERS.intersection(word) or word in RUSSIAN_WORDS:
            russian += 1
    telling = kazakh + russian
    if telling == 0:
        return None
    found = [code for code, count in (("kk", kazakh), ("ru", russian)) if count / telling >= SHARE]
    return "_".join(found)


def letter_language(remark_language: str, *, bilingual: bool) -> str:
    """The letter is in the remark's language, or in both when the officer says so."""
    return "kk_ru" if bilingual or remark_language == "kk_ru" else remark_language


def mismatch(text: str, language: str) -> str | None:
    """The language found in `text` when it does not fit a letter in `language`, else None:
    a Kazakh letter refuses a Russian answer (and the other way round); a bilingual letter
    refuses an answer in one language only."""
    found = detect(text)
    if found is None or found == language:
        return None
    if language != "kk_ru" and found == "kk_ru":
        return None  # the letter's language is there; a name or a quote in the other is fine
    return found
