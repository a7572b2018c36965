"""The canonical JSON that trackers and challenges hash: one byte string per value."""

from __future__ import annotations

import pytest

from councils.voting.crypto.canonical import canonical_json, parse_json
from councils.voting.crypto.errors import MalformedError


def test_keys_are_sorted_and_there_is_no_whitespace():
    assert (
        canonical_json({"b": [1, 2], "a": {"d": None, "c": True}}) == b'{"a":{"c":true,"d":null},"b":[1,2]}'
    )


def test_strings_are_utf8_with_only_the_escapes_json_stringify_writes():
    value = {"title": 'Вся власть Советам!\n"tab"\t\x01\u2028'}
    assert canonical_json(value) == '{"title":"Вся власть Советам!\\n\\"tab\\"\\t\\u0001\u2028"}'.encode()


@pytest.mark.parametrize("value", [1.5, float("nan"), 2**53, -(2**53), {1: "x"}, b"bytes"])
def test_it_refuses_what_has_no_single_encoding(value):
    with pytest.raises(MalformedError):
        canonical_json({"x": value})


@pytest.mark.parametrize("text", ['{"a":1.0}', '{"a":NaN}', '{"a":1,"a":2}', "[", b"\xff"])
def test_parsing_refuses_floats_duplicates_and_garbage(text):
    with pytest.raises(MalformedError):
        parse_json(text)
