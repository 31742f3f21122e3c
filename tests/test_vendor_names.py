"""Q-CIRCC vendor names, as properties of ``RuleSet.is_provider`` (hypothesis).

A spelling made from a contracted vendor's name by changing case, inserting
punctuation, widening white space or adding one corporate suffix (in any
punctuation) matches; a different name, spelled the same ways, never does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import default_rule_pack

RULES = default_rule_pack().at(dt.date(2027, 3, 31))
_CIRCC = RULES.credential("CIRCC")
assert _CIRCC is not None
VENDORS = _CIRCC.vendors
SUFFIXES = RULES.company_suffixes

PUNCTUATION = ".,-&'()/!:;_*\"#"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Words that are neither a vendor's word nor a corporate suffix.
OTHER_WORDS = ("Academy", "Consulting", "Managers", "Publishers", "Group", "The", "Health", "IR")


def punctuation_run() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), st.text(PUNCTUATION, min_size=1, max_size=2))


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """``name`` with its case changed, punctuation inserted and white space widened."""
    out = [draw(st.text(" \t", max_size=2))]
    for char in name:
        out.append(draw(punctuation_run()))
        if char == " ":
            out.append(draw(st.text(" \t\u00a0", min_size=1, max_size=3)))
        else:
            out.append(char.upper() if draw(st.booleans()) else char.lower())
    out.append(draw(punctuation_run()))
    return "".join(out)


@st.composite
def with_suffix(draw: st.DrawFn, name: str) -> str:
    """``name`` and one corporate suffix, set off and spelled in any punctuation."""
    suffix = draw(st.sampled_from(SUFFIXES))
    separator = draw(st.text(PUNCTUATION + " ", min_size=1, max_size=3))
    letters = [draw(punctuation_run()) + draw(st.sampled_from([c, c.upper()])) for c in suffix]
    return name + separator + "".join(letters) + draw(punctuation_run())


@st.composite
def contracted_spellings(draw: st.DrawFn) -> str:
    name = draw(spelled(draw(st.sampled_from(VENDORS))))
    return draw(with_suffix(name)) if draw(st.booleans()) else name


@st.composite
def different_names(draw: st.DrawFn) -> str:
    """A vendor's name changed in its letters or its word breaks, then spelled any way."""
    words = draw(st.sampled_from(VENDORS)).split()
    w = draw(st.integers(0, len(words) - 1))
    word = words[w]
    i = draw(st.integers(1, len(word) - 1))  # an inner position of the word
    letter = draw(st.sampled_from([c for c in LETTERS if c != word[i].lower()]))
    change = draw(st.sampled_from(["split", "join", "insert", "delete", "replace", "word", "add"]))
    if change == "split":  # "Z Health Publishing"
        words[w] = word[:i] + " " + word[i:]
    elif change == "join":  # "ZHealthPublishing" (every vendor has two words or more)
        j = w if w + 1 < len(words) else w - 1
        words[j : j + 2] = [words[j] + words[j + 1]]
    elif change == "insert":
        words[w] = word[:i] + letter + word[i:]
    elif change == "delete":
        words[w] = word[:i] + word[i + 1 :]
    elif change == "replace":
        words[w] = word[:i] + letter + word[i + 1 :]
    elif change == "word":  # "ZHealth Academy", "Medical Asset Managers"
        words[w] = draw(st.sampled_from([o for o in OTHER_WORDS if o.lower() != word.lower()]))
    else:
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(OTHER_WORDS)))
    name = draw(spelled(" ".join(words)))
    return draw(with_suffix(name)) if draw(st.booleans()) else name


@given(contracted_spellings())
def test_q_circc_any_spelling_of_a_contracted_vendor_matches(provider: str) -> None:
    """Q-CIRCC: case, inserted punctuation, white space runs and one suffix are ignored."""
    assert RULES.is_provider(provider, VENDORS)


@given(different_names())
def test_q_circc_a_different_name_never_matches(provider: str) -> None:
    """Q-CIRCC: other letters or other word breaks make another vendor, however spelled."""
    assert not RULES.is_provider(provider, VENDORS)


@pytest.mark.parametrize(
    "provider",
    [
        "MEDICAL ASSET MANAGEMENT L.L.C.",
        "Z-Health Publishing",
        "ZHealth Publishing, Inc.",
        "ZHealth Publishing,Inc",
        "zhealth   publishing",
        "MedLearn Publishing (LLC)",
        "Med-Learn Publishing Co.",
        "Medical Asset Management Corp",
        "  Medical Asset Management, ltd  ",
    ],
)
def test_q_circc_examples_that_match(provider: str) -> None:
    """Q-CIRCC: punctuation is deleted, not made a space; one trailing suffix is ignored."""
    assert RULES.is_provider(provider, VENDORS)


@pytest.mark.parametrize(
    "provider",
    [
        "ZHealth Academy",
        "Medical Asset Managers",
        "Z Health Publishing",  # a space is not punctuation: another name
        "ZHealthPublishing",
        "ZHealth Publishing Inc LLC",  # one suffix is ignored, not two
        "Inc",
        "",
        "...",
    ],
)
def test_q_circc_examples_that_do_not_match(provider: str) -> None:
    """Q-CIRCC: only the contracted companies count toward CIRCC."""
    assert not RULES.is_provider(provider, VENDORS)
