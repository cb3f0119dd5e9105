"""A description must say what was done: long enough, and not filler or repetition."""

from __future__ import annotations

import re

from habitat_contributions.domain.errors import InvalidContribution

MIN_LENGTH = 10
MAX_LENGTH = 2000
TRIVIAL_WORDS = frozenset(
    [
        "test",
        "testing",
        "tests",
        "asdf",
        "qwerty",
        "foo",
        "bar",
        "baz",
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "na",
        "n",
        "a",
        "none",
        "nothing",
        "misc",
        "stuff",
        "things",
        "thing",
        "work",
        "worked",
        "working",
        "todo",
        "tbd",
        "xxx",
        "abc",
        "blah",
        "etc",
        "ok",
        "okay",
    ]
)
_REPEATED = re.compile(r"^(.+?)\1+$")


def clean_description(raw: str) -> str:
    """The description with white space folded, or InvalidContribution (invalid_description)."""
    text = " ".join(str(raw or "").split())
    if len(text) < MIN_LENGTH:
        raise _invalid(f"Describe what was done in at least {MIN_LENGTH} characters.")
    if len(text) > MAX_LENGTH:
        raise _invalid(f"Keep the description under {MAX_LENGTH} characters.")
    lowered = text.lower()
    compact = re.sub(r"[\W_]+", "", lowered)
    words = re.findall(r"[^\W\d_]+", lowered)
    if len(set(compact)) < 4 or _REPEATED.match(compact) or not any(len(word) >= 3 for word in words):
        raise _invalid("The description repeats itself; say what was done.")
    if all(word in TRIVIAL_WORDS for word in words):
        raise _invalid("The description is filler; say what was done.")
    return text


def _invalid(message: str) -> InvalidContribution:
    return InvalidContribution(message, code="invalid_description")
