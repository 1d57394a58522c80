"""The YAML depth guard: our scanner decides, before PyYAML or libyaml see the text."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from verdict.errors import InvalidInput
from verdict.faces.jutge.yaml_depth import nesting_depth
from verdict.faces.jutge.yaml_io import MAX_DEPTH, load_document

pytestmark = pytest.mark.unit


def nested_lists(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def nested_maps(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = {f"k{level}": value}
    return value


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    return 0


def block(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True)


def flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30)


TOO_DEEP = "nested deeper than 64 levels"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 1001, 100_000])
def test_flow_brackets_too_deep_get_our_message(depth: int) -> None:
    with pytest.raises(InvalidInput, match=TOO_DEEP):
        load_document("[" * depth + "]" * depth)
    with pytest.raises(InvalidInput, match=TOO_DEEP):
        load_document("a: " + "{b: " * depth + "c" + "}" * depth)


@pytest.mark.parametrize("make", [nested_lists, nested_maps])
@pytest.mark.parametrize("render", [block, flow])
def test_too_deep_by_one_is_refused_and_at_the_limit_is_read(make: Any, render: Any) -> None:
    with pytest.raises(InvalidInput, match=TOO_DEEP):
        load_document(render(make(MAX_DEPTH + 1)))
    assert load_document(render(make(MAX_DEPTH))) == make(MAX_DEPTH)


def test_block_nesting_too_deep_in_every_shape() -> None:
    compact = "- " * (MAX_DEPTH + 1) + "x\n"
    indented = "a:\n" + "".join(" " * i + "- \n" for i in range(1, 200))
    keys = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + " " * (MAX_DEPTH + 1) + "x\n"
    for text in (compact, indented, keys):
        with pytest.raises(InvalidInput, match=TOO_DEEP):
            load_document(text)
    assert load_document("- " * MAX_DEPTH + "x\n") == nested_lists(MAX_DEPTH)


def test_brackets_in_text_are_not_nesting() -> None:
    text = (
        "title: 'a[[[[' \n"
        + 'statement: "{{{{ [[[[ \\" [[["\n'
        + "code: |\n"
        + "".join("  " + " " * i + "[{\n" for i in range(100))
        + "note: x[0][1][2] # [[[[[[\n"
        + "url: http://example.org/a{b}\n"
    )
    doc = load_document(text)
    assert doc["title"] == "a[[[[" and doc["note"] == "x[0][1][2]"
    assert nesting_depth(text, MAX_DEPTH) == 1


json_like = st.recursive(
    st.one_of(st.integers(), st.text(max_size=8), st.none(), st.booleans()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=1000, deadline=None)
@given(json_like)
def test_depth_is_exact_on_documents_pyyaml_writes(value: Any) -> None:
    expected = depth_of(value)
    assert nesting_depth(block(value), 1000) == expected
    assert nesting_depth(flow(value), 1000) == expected
