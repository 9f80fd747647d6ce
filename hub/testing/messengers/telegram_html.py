"""Telegram's parse_mode=HTML, as the Bot API reads it (it is tdlib's
`parse_html`): the supported tags, the four named entities and numeric ones,
the same error texts with UTF-8 byte offsets, and the entities the message
then carries (offsets and lengths in UTF-16 code units).

Where tdlib is lenient, the fake is strict by default: the Bot API
documentation says every `<`, `>` and `&` that is not markup must be escaped,
and a bare `&` or `>` slipping through means an escape is missing somewhere
(the next value may well hold a `<`). `strict=False` reads as tdlib does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\0\v"


class HtmlError(ValueError):
    """What follows "Bad Request: can't parse entities: " in the API's answer."""


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    text_start: int  # where its text begins in the result


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """tdlib's decode_html_entity: the character and the position after it."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value, digits = 0, ""
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                digits += text[end]
                end += 1
            value = int(digits, 16) if digits else 0
        else:
            while end < n and text[end].isdigit() and text[end].isascii():
                digits += text[end]
                end += 1
            value = int(digits) if digits else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in NAMED_ENTITIES:
            return None
        char = NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        end += 1
    return char, end


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and the entities of `text`, or HtmlError."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    out: list[str] = []
    utf16 = 0
    opened: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16 += _utf16_len(char)
                continue
            if strict:
                raise HtmlError(
                    f'Unescaped "&" at byte offset {_byte_offset(text, i)}: write &amp;'
                )
        if c == ">" and strict:
            raise HtmlError(f'Unescaped ">" at byte offset {_byte_offset(text, i)}: write &gt;')
        if c != "<":
            out.append(c)
            utf16 += _utf16_len(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise HtmlError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in TAGS:
                raise HtmlError(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            argument, i = _attributes(text, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                raise HtmlError(
                    'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            if tag == "tg-emoji" and not (argument.isdigit() and int(argument) != 0):
                raise HtmlError("Invalid custom emoji identifier specified")
            i += 1  # the '>'
            opened.append(_Open(tag, argument, utf16, len("".join(out))))
            continue
        # an end tag
        if not opened:
            raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        while at(i) not in _SPACE and at(i) != ">":
            i += 1
        end_name = text[begin + 2 : i]
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        top = opened.pop()
        if end_name and end_name != top.tag:
            raise HtmlError(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                f'expected "</{top.tag}>", found "</{end_name}>"'
            )
        i += 1
        _close(top, utf16, "".join(out)[top.text_start :], entities, opened)
    if opened:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{opened[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _attributes(text: str, i: int, tag: str, begin: int) -> tuple[str, int]:
    """Read a start tag's attributes up to its '>'; returns the one argument
    the tag uses (href, class, emoji-id, expandable) and the '>' position."""
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    argument = ""
    offset = _byte_offset(text, begin)
    while at(i) != ">":
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) == ">":
            break
        name_start = i
        while at(i) not in _SPACE and at(i) != "=":
            i += 1
        name = text[name_start:i]
        if not name:
            raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != "=":
            if tag == "blockquote" and name == "expandable":
                argument = "1"
                continue
            raise HtmlError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        i += 1
        while i < n and at(i) in _SPACE:
            i += 1
        if i >= n:
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        if at(i) not in "'\"":
            token_start = i
            while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                i += 1
            value = text[token_start:i].lower()
            if at(i) not in _SPACE and at(i) != ">":
                raise HtmlError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}"
                )
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_entity(text, i)
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                        continue
                chars.append(text[i])
                i += 1
            if at(i) == quote:
                i += 1
            value = "".join(chars)
        if i >= n:
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
    return argument, i


def _close(
    top: _Open, utf16: int, inner: str, entities: list[dict[str, Any]], opened: list[_Open]
) -> None:
    length = utf16 - top.utf16_offset
    if length == 0:
        return
    entity: dict[str, Any] = {"offset": top.utf16_offset, "length": length, "type": TAGS[top.tag]}
    if top.tag == "a":
        url = top.argument or inner
        if url.startswith("tg://user?id="):
            entity = {**entity, "type": "text_mention", "user": {"id": int(url[13:] or 0)}}
        elif not url.startswith(("http://", "https://", "tg://")):
            return  # tdlib drops a link it cannot read, without an error
        else:
            entity["url"] = url
    elif top.tag == "tg-emoji":
        entity["custom_emoji_id"] = top.argument
    elif top.tag == "blockquote" and top.argument:
        entity["type"] = "expandable_blockquote"
    elif top.tag == "code" and top.argument and opened and opened[-1].tag == "pre":
        opened[-1].argument = top.argument  # <pre><code class="language-x">: a pre with a language
        return
    elif top.tag == "pre" and top.argument:
        entity["language"] = top.argument
    entities.append(entity)
