"""The schema checks every reader applies to values read from files, and the bounded JSON parser."""
import doctest
import json

import pytest

from ember.io import schema
from ember.io.bounded import json_census, json_depth, loads_json
from ember.io.schema import (Any, Bool, Either, Int, ListOf, MapOf, Null, Num, Record, SchemaError,
                             Str, check)

ACCEPTED = [
    (5, Int(min=0)), (0, Int(min=0, max=0)), (2.5, Num(min=0)), (3, Num()), ("a", Str()),
    ("relu", Str(choices=["relu"])), (True, Bool()), (None, Null()), ([1, 2], ListOf(Int())),
    ((1, 2), ListOf(Int())), ({"a": 1.0}, MapOf(Num())), ({"x": 1}, Record({"x": Int()})),
    ({"x": 1, "y": "s"}, Record({"x": Int()}, {"y": Str()})), (None, Either(Int(), Null())),
    ([{"any": "thing"}], ListOf(Any())), (float("inf"), Num(finite=False)),
]
REJECTED = [
    (True, Int(), "must be an integer, got True (a boolean)"),
    (1.0, Int(), "must be an integer, got 1.0 (a number)"),
    ("5", Int(), "got '5' (a string)"),
    (-1, Int(min=0), "an integer >= 0"),
    (11, Int(min=0, max=10), "an integer in [0, 10]"),
    (float("nan"), Num(), "a finite number"),
    (float("inf"), Num(), "a finite number"),
    (1e400, Num(), "a finite number"),
    (False, Num(), "(a boolean)"),
    ("false", Bool(), "must be true or false, got 'false' (a string)"),
    (0, Bool(), "true or false"),
    (0, Null(), "must be null"),
    ("x" * 20, Str(max_len=10), "at most 10 characters"),
    ("tanh2", Str(choices=["tanh"]), "one of 'tanh'"),
    ([1, "2"], ListOf(Int()), "[1] must be an integer"),
    ([1, 2, 3], ListOf(Int(), max_len=2), "a list of at most 2 items"),
    ([], ListOf(Int(), min_len=1), "a list of 1 to"),
    ({1: 2}, MapOf(Int()), "an object with string keys"),
    ({"a": "b"}, MapOf(Int()), "a must be an integer"),
    ([], Record({"x": Int()}), "an object with the keys x"),
    ({}, Record({"x": Int()}), "lacks the key(s) 'x'"),
    ({"x": 1, "z": 2}, Record({"x": Int()}), "unknown key(s) 'z'"),
    ({"x": {"y": [0, -1]}}, Record({"x": Record({"y": ListOf(Int(min=0))})}), "x.y[1] must be"),
    ("a", Either(Int(), Null()), "must be an integer or null"),
]


@pytest.mark.parametrize("value, spec", ACCEPTED, ids=[repr(v)[:30] for v, _ in ACCEPTED])
def test_schema_accepts(value, spec):
    out = check(value, spec, "f.json")
    assert out == value or (isinstance(value, tuple) and out == list(value)) or value != value


@pytest.mark.parametrize("value, spec, message", REJECTED, ids=[m for _, _, m in REJECTED])
def test_schema_rejects_naming_file_path_and_expectation(value, spec, message):
    with pytest.raises(SchemaError) as raised:
        check(value, spec, "f.json")
    assert str(raised.value).startswith("f.json: ") and message in str(raised.value), str(raised.value)


def test_schema_error_is_a_value_error():
    assert issubclass(SchemaError, ValueError)


def test_schema_docstring_example_runs():
    result = doctest.testmod(schema, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('"[[[["', 0), ('["\\"[[", []]', 2),
    ("[" * 5000, 5000), ('{"a": "]]]]"}', 1),
])
def test_json_depth_skips_strings(text, depth):
    assert json_depth(text) == depth


ESCAPES = ['["\\\\", [[]]]', '["\\\\\\"[", []]', '{"k\\"{": ["\\\\\\\\", {"x": "\\u005b"}]}',
           '[' + '"\\\\[",' * 5 + '[[]]]', '["' + "\\" * 9 + '"[[", "]"]']


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1 << 16])
@pytest.mark.parametrize("text", ESCAPES)
def test_json_depth_matches_the_parsed_depth_across_chunk_boundaries(text, chunk, monkeypatch):
    """Escaped quotes and backslash runs split between chunks keep strings and brackets apart."""
    import json

    from ember.io import bounded

    def parsed_depth(value):
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        return 0 if children is None else 1 + max(map(parsed_depth, children), default=0)

    monkeypatch.setattr(bounded, "_CHUNK", chunk)
    assert json_depth(text) == parsed_depth(json.loads(text))


def test_json_depth_scratch_memory_does_not_grow_with_the_text():
    import tracemalloc
    text = "[" + ",".join(['"a\\"b"'] * 200000) + "]"  # 1.8 MB of strings with escapes
    tracemalloc.start()
    try:
        assert json_depth(text) == 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(text) + (8 << 20), peak  # the text's bytes plus a few MiB of scratch


@pytest.mark.parametrize("text, message", [
    ("[" * 70, "nests 70 levels deep; at most 64"), ("{", "not valid JSON"), (b"\xff", "not UTF-8"),
    ("[1,]", "not valid JSON"),
])
def test_loads_json_errors_are_the_callers_type(text, message):
    with pytest.raises(KeyError, match=message.replace("[", r"\[")):
        loads_json(text, "c.json", KeyError)


def test_loads_json_reads_what_json_reads():
    assert loads_json(b'{"a": [1, 2.5, null, true]}', "c.json", ValueError) == {"a": [1, 2.5, None, True]}


def _containers_by_depth(value, depth=1, counts=None):
    counts = {} if counts is None else counts
    if isinstance(value, (list, dict)):
        counts[depth] = counts.get(depth, 0) + 1
        for item in value.values() if isinstance(value, dict) else value:
            _containers_by_depth(item, depth + 1, counts)
    return counts


@pytest.mark.parametrize("text", ['{"a": [1, 2], "b": {"c": "[{\\"]"}}', '[[[]], {"x": [[]]}, "\\\\"]',
                                  '{"": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}'])
def test_json_census_counts_containers_by_depth_outside_strings(text):
    table = json_census(text, 8)
    counted = {d: int(table[d, ord("[")] + table[d, ord("{")]) for d in range(9) if table[d, ord("[")] + table[d, ord("{")]}
    assert counted == _containers_by_depth(json.loads(text))


def test_json_census_of_unbalanced_text_counts_at_depth_zero():
    assert int(json_census("]]]", 2)[0, ord("]")]) == 3
