"""The easy-read rules a program can check (DOMAIN.md "Easy read and plain language").

Long sentences, acronyms, and passive voice where a simple "be + participle" pattern shows it. A person
still reviews the rest: one idea a sentence, the reading age, a hard word explained in the next sentence.
English only: translations are checked by their translator.
"""

from __future__ import annotations

import re

MAX_SENTENCE_WORDS = 15

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ACRONYM = re.compile(r"\b[A-Z]*[A-Z]{2,}[A-Za-z]*\b")
_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|gotten)"
_ADVERB = r"(?:not|never|also|always|usually|often|sometimes|then|only|still|just|all|already)"
_IRREGULAR = (
    "given|taken|seen|told|made|done|written|kept|sent|known|shown|held|found|paid|put|set|"
    "sold|brought|bought|caught|taught|thought|heard|left|lost|met|read|run|said|hit|hurt|"
    "chosen|spoken|broken|driven|forgotten|hidden|stolen|tested|drawn|beaten|bitten|eaten"
)
_PASSIVE = re.compile(
    rf"\b{_BE}\s+(?:{_ADVERB}\s+)?((?:[a-z]+(?<!ee)ed)|(?:{_IRREGULAR}))\b",
    re.IGNORECASE,
)
# "-ed" words that are adjectives, not passive participles, after "be".
_ADJECTIVES = {"tired", "worried", "scared", "bored", "married", "interested", "excited", "ashamed",
               "confused", "stressed", "red", "bed", "wed", "shed"}


def sentences(text: str) -> list[str]:
    """Split on sentence-ending punctuation; good enough for short easy-read pages."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def easy_read_problems(text: str) -> list[str]:
    """Problems against the easy-read rules we can check mechanically (DOMAIN.md "Easy read").

    Long sentences, acronyms, and passive voice where a simple "be + participle" pattern shows it;
    a human reviewer still checks the rest (one idea, reading age, hard words explained).
    """
    problems: list[str] = []
    for sentence in sentences(text):
        words = sentence.split()
        if len(words) > MAX_SENTENCE_WORDS:
            problems.append(f"sentence has {len(words)} words (max {MAX_SENTENCE_WORDS}): {sentence!r}")
    for match in _ACRONYM.finditer(text):
        problems.append(f"acronym or capitals {match.group(0)!r}: write the full words")
    for match in _PASSIVE.finditer(text):
        if match.group(1).lower() not in _ADJECTIVES:
            problems.append(f"passive voice {match.group(0)!r}: say who does what")
    return problems
