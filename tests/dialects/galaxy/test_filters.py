"""The filters= reader: the fast path for plain filters must read exactly as the general reader does."""

from __future__ import annotations

import pytest

from backoffice.core.errors import Invalid
from backoffice.dialects.galaxy import filters


@pytest.mark.parametrize("text", [
    "{QTRADECODE:[6201,Like]}",
    "{QTRADECODE:[6201,Like],QCoetID:[85354cb0-0077-46b9-a07a-0afe20cee6ef,In]}",
    "[{THIRDPARTYREVNUM:[4946904,Greater]}]",
    "{qtradecode:[6201 - A - 002205,equal]}",
    "{A:[1,2,In],B:[null,Equal]}",
    " { A : [ 1 , Equal ] } ",
    "{A:[,Equal]}",
])
def test_the_fast_path_agrees_with_the_general_reader(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = filters._plain(text)
    assert fast is not None
    monkeypatch.setattr(filters, "_plain", lambda _: None)
    assert filters.parse_filters(text) == fast


@pytest.mark.parametrize("text", ["{A:[1,Equal]}]", "[{A:[1,Equal]}", "{A:[1,]}", "{A:[1]}", "{A:1}", "{:[1,Equal]}"])
def test_malformed_filters_are_refused(text: str) -> None:
    assert filters._plain(text) is None
    with pytest.raises(Invalid):
        filters.parse_filters(text)
