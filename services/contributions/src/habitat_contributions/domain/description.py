"""Free text must say something: long enough, and not filler or repetition."""

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
        "no",
        "yes",
        "because",
    ]
)
_REPEATED = re.compile(r"^(.+?)\1+$")


def clean_description(raw: str) -> str:
    """The description with white space folded, or InvalidContribution (invalid_description)."""
    return meaningful_text(raw, field="description", code="invalid_description", say="say what was done")


def meaningful_text(raw: str | None, *, field: str, code: str, say: str, min_length: int = MIN_LENGTH) -> str:
    """Folded text that is long enough and neither filler nor repetition, else InvalidContribution(code)."""
    text = " ".join(str(raw or "").split())
    if len(text) < min_length:
        raise InvalidContribution(f"The {field} needs at least {min_length} characters; {say}.", code=code)
    if len(text) > MAX_LENGTH:
        raise InvalidContribution(f"Keep the {field} under {MAX_LENGTH} characters.", code=code)
    lowered = text.lower()
    compact = re.sub(r"[\W_]+", "", lowered)
    words = re.findall(r"[^\W\d_]+", lowered)
    if len(set(compact)) < 4 or _REPEATED.match(compact) or not any(len(word) >= 3 for word in words):
        raise InvalidContribution(f"The {field} repeats itself; {say}.", code=code)
    if all(word in TRIVIAL_WORDS for word in words):
        raise InvalidContribution(f"The {field} is filler; {say}.", code=code)
    return text
