"""The fake's parse_mode=HTML reader: whatever a plugin escapes correctly
reads back as the same text, offsets count UTF-16 units as the Bot API's
entities do, and any input ends in a result or an HtmlError, quickly."""

from __future__ import annotations

import html
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.testing.messengers.telegram_html import HtmlError, parse_html

FUZZ = settings(max_examples=300, deadline=None)


@FUZZ
@given(st.text())
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)) == (text, [])


@FUZZ
@given(st.text(), st.text())
def test_escaped_text_in_bold_is_one_bold_entity(before: str, inside: str) -> None:
    plain, entities = parse_html(
        f"{html.escape(before, quote=False)}<b>{html.escape(inside, quote=False)}</b>"
    )
    assert plain == before + inside
    utf16 = [len(s.encode("utf-16-le")) // 2 for s in (before, inside)]
    assert entities == (
        [{"offset": utf16[0], "length": utf16[1], "type": "bold"}] if inside else []
    )


@FUZZ
@given(st.text(alphabet="<>&/=\"' abi;#x0123456789-", max_size=60))
def test_any_markup_ends_in_a_result_or_an_html_error(text: str) -> None:
    started = time.perf_counter()
    try:
        parse_html(text)
        parse_html(text, strict=False)
    except HtmlError:
        pass
    assert time.perf_counter() - started < 0.5


def test_an_emoji_counts_two_utf16_units() -> None:
    assert parse_html("🚨 <b>Alarm</b>") == (
        "🚨 Alarm",
        [{"offset": 3, "length": 5, "type": "bold"}],
    )


def test_lenient_mode_reads_a_bare_ampersand_as_tdlib_does() -> None:
    assert parse_html("A & B > C", strict=False) == ("A & B > C", [])
    assert parse_html("&lt &amp;amp; &#128680; &nbsp;", strict=False)[0] == "< &amp; 🚨 &nbsp;"
