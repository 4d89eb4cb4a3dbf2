"""The commented YAML writer: whatever it writes reads back as the same data, comments where they belong."""
from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.yamlwrite import Commented, comment_lines, dump_commented, reads_back

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40),
                    st.sampled_from(["7.2", "8.0", "0-16383", "yes", "null", "~", "#x", "- a", "a: b", "'q'", '"', ""]))
KEYS = st.text(min_size=1, max_size=12)
COMMENTS = st.lists(st.text(max_size=30), max_size=2)


def _tree(leaf: st.SearchStrategy) -> st.SearchStrategy:
    plain = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)
    return plain


@st.composite
def commented(draw: st.DrawFn, depth: int = 2) -> Commented:
    """A Commented mapping with random comments, plain values, lists of mappings and nested Commented ones."""
    value = st.one_of(_tree(SCALARS), st.lists(st.dictionaries(KEYS, SCALARS, max_size=3), max_size=3))
    if depth > 0:
        value = st.one_of(value, commented(depth - 1), st.lists(commented(depth - 1), max_size=2))
    data = Commented(draw(st.dictionaries(KEYS, value, max_size=4)))
    for key in data:
        data.note(key, before=draw(COMMENTS), inline=draw(st.one_of(st.none(), st.text(max_size=20))),
                  after=draw(COMMENTS))
    return data


@settings(max_examples=200, deadline=None)
@given(commented(), COMMENTS)
def test_what_is_written_reads_back_the_same(data: Commented, header: list[str]) -> None:
    """yaml.safe_load(dump_commented(x)) == x for any mix of values, comments, wrapping and quoting."""
    assert yaml.safe_load(dump_commented(data, header)) == (data or None)


def test_comments_go_where_they_are_asked() -> None:
    """A header, a comment before a key, a remark at the end of its line, lines after its value; the first
    key of a list item has its comment above the `- `."""
    db = Commented({"uid": 1, "dataset": {"bytes": 10, "keys": 0}})
    db.note("uid", before=["database one"]).note("dataset", inline="set the real size",
                                                 after=["workload: {reads_per_sec: 0}"])
    doc = Commented({"name": "x", "versions": ["7.2", "8.0"], "databases": [db], "timeline": []})
    doc.note("timeline", inline="nothing yet", after=["- at: 10"])
    assert dump_commented(doc, ["head", "", "two\nlines"]) == (
        "# head\n"
        "#\n"
        "# two\n"
        "# lines\n"
        "\n"
        "name: x\n"
        "versions: ['7.2', '8.0']\n"
        "databases:\n"
        "  # database one\n"
        "  - uid: 1\n"
        "    dataset: {bytes: 10, keys: 0}  # set the real size\n"
        "    # workload: {reads_per_sec: 0}\n"
        "timeline: []  # nothing yet\n"
        "# - at: 10\n")


def test_long_flow_values_wrap_inside_their_item() -> None:
    """A flow value longer than the width continues on lines indented past its item; it reads back whole."""
    caps = [f"capability_{i}" for i in range(20)]
    doc = Commented({"modules": [{"uid": "0123", "capabilities": caps}]})
    text = dump_commented(doc)
    lines = text.splitlines()
    assert len(lines) > 3 and all(line.startswith("        ") for line in lines[2:])
    assert yaml.safe_load(text) == {"modules": [{"uid": "0123", "capabilities": caps}]}


def test_comment_lines_indent() -> None:
    """Comment lines carry the indentation asked for; an empty line is a bare `#`."""
    assert comment_lines(["a", ""], 2) == ["  # a", "  #"]


def test_reads_back_tells_a_faithful_text_from_another() -> None:
    """`reads_back` is true for the written text, false once a value in it changes."""
    doc = Commented({"name": "x", "versions": ["7.2", "8.0"]})
    text = dump_commented(doc, ["header"])
    assert reads_back(text, doc)
    assert not reads_back(text.replace("'8.0'", "8.0"), doc)  # unquoted, 8.0 reads as a number
