"""What one template render may make and take: the bounds that keep a
template fed hostile trigger data from holding the hub's loop or its memory.

Admins write the templates; the values they work on come from the network.
`'x' * trigger.json.n`, `'%0999999999d' % 1` or `wordwrap(1)` on a megabyte
would have allocated gigabytes or held the loop for seconds. So, through the
sandbox's hooks (Jinja2's own way to watch a template's operators and calls):

- an operator (`*`, `%`, `+`, `**`), a call (`.center()`, `.format()`, ...),
  a filter (`center`, `indent`, `format`, `join`, `replace`, `wordwrap`,
  `tojson`, ...) or a `namespace` assignment that would make a value over
  `MAX_SIZE` characters (or an integer over `MAX_INT_BITS` bits) is refused
  before it runs;
- the output stops at `MAX_SIZE` characters;
- a render that has run `MAX_SECONDS` stops at its next loop turn, call,
  operator or filter.

The run fails with a `TemplateError` saying which limit; the hub goes on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from string import Formatter
from typing import Any

from jinja2 import nodes
from jinja2.utils import Namespace

from ..i18n import Text

#: characters of one value or of the output a template may make
MAX_SIZE = 1024 * 1024
#: bits of an integer a template may make (str() refuses past ~14000 anyway)
MAX_INT_BITS = 16 * 1024
#: seconds one render may take (on the loop: everything else waits)
MAX_SECONDS = 0.5
#: characters `wordwrap` takes: textwrap works in Python, about 2 µs each
WRAP_LIMIT = 64 * 1024


class TemplateLimit(Exception):
    """A render went past a limit; `reason` (a Text) says which."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason)
        self.reason = reason


def too_large(what: str, size: int, limit: int = MAX_SIZE) -> TemplateLimit:
    return TemplateLimit(Text("automation.template_too_large", what=what, size=size, limit=limit))


def measure(value: Any, limit: int = MAX_SIZE) -> int:
    """About how many characters `value` spells (strings their length, one
    for each item of a list or mapping besides what it holds), counted no
    further than past `limit`: cheap for what is small, bounded for what is not."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 1
    if not isinstance(value, list | tuple | dict | set | frozenset):
        return 1
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 * len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
    return total


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(what: str, bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise TemplateLimit(
            Text("automation.template_number_too_large", what=what, bits=bits, limit=MAX_INT_BITS)
        )


_SEQUENCES = (str, bytes, list, tuple)
_MADE = (*_SEQUENCES, dict)

# one %-conversion: %(name)s, %-08.3f, %*d ...
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def percent_size(fmt: str, args: Any) -> int:
    """About how long `fmt % args` would be: every width and precision it
    asks for counted (a `*` takes the largest integer given)."""
    values = args if isinstance(args, tuple) else (args,)
    widest = max((abs(v) for v in values if _is_int(v)), default=0)
    total = len(fmt) + measure(args)
    for match in _PERCENT.finditer(fmt):
        for part in match.groups():
            if part == "*":
                total += widest
            elif part:
                total += int(part) if len(part) < 12 else MAX_SIZE + 1
    return total


def format_size(fmt: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """About how long `fmt.format(*args, **kwargs)` would be, widths included."""
    values = [*args, *kwargs.values()]
    widest = max((abs(v) for v in values if _is_int(v)), default=0)
    total = len(fmt) + measure(list(values))
    for _, field, spec, _ in Formatter().parse(fmt):
        if field is None or not spec:
            continue
        if "{" in spec:  # a width from the arguments: '{:{w}}'
            total += widest
        total += sum(int(n) if len(n) < 12 else MAX_SIZE + 1 for n in re.findall(r"\d+", spec))
    return total


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `left <operator> right` when what it makes is over a limit."""
    what = repr(operator)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _SEQUENCES) and _is_int(times):
                if times > 0 and (size := measure(seq, MAX_SIZE // times)) * times > MAX_SIZE:
                    raise too_large(what, size * times)
                return
        if _is_int(left) and _is_int(right):
            _check_bits(what, left.bit_length() + right.bit_length())
    elif operator == "+":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            size = measure(left) + measure(right)
            if size > MAX_SIZE:
                raise too_large(what, size)
    elif operator == "%":
        if isinstance(left, str):
            size = percent_size(left, right)
            if size > MAX_SIZE:
                raise too_large(what, size)
    elif operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
            _check_bits(what, right * (abs(left).bit_length() - 1) + 1)


#: the str methods whose result can be much longer than the string
_GROWING = frozenset(
    ("center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "format", "format_map")
)


def check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a string method call whose result would be over MAX_SIZE."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        obj = getattr(obj, "__wrapped__", None)  # the sandbox wraps str.format
        owner = getattr(obj, "__self__", None)
        if not isinstance(owner, str):
            return
    name = obj.__name__
    if name not in _GROWING:
        return
    size = 0
    if name in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args else kwargs.get("width", 0)
        size = width if _is_int(width) else 0
    elif name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        size = len(owner) + owner.count("\t") * tabsize if _is_int(tabsize) else 0
    elif name == "replace" and len(args) >= 2:
        size = replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        size = joined_size(args[0], owner)
    elif name == "format":
        size = format_size(owner, args, kwargs)
    elif name == "format_map" and args and isinstance(args[0], Mapping):
        size = format_size(owner, (), args[0])
    if size > MAX_SIZE:
        raise too_large(f"{name}()", size)


def replaced_size(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    found = text.count(old) if old else len(text) + 1
    if _is_int(count) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def joined_size(items: Any, separator: Any) -> int:
    if not isinstance(items, list | tuple):
        return 0  # a generator: the result is checked once made
    gaps = max(len(items) - 1, 0) * len(str(separator))
    return gaps + sum(measure(item) for item in items)


# -- filters -------------------------------------------------------------------------


# Each takes the filter's own arguments (Jinja's names, so keywords work too).


def _center(value: Any, width: Any = 80, **_: Any) -> int:
    return max(len(str(value)), width) if _is_int(width) else 0


def _indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    text = str(s)
    step = len(width) if isinstance(width, str) else width if _is_int(width) else 0
    return len(text) + (text.count("\n") + 1) * step


def _wordwrap(
    s: Any,
    width: Any = 79,
    break_long_words: Any = True,
    wrapstring: Any = None,
    *_: Any,
    **__: Any,
) -> int:
    text = str(s)
    if len(text) > WRAP_LIMIT:
        raise TemplateLimit(
            Text(
                "automation.template_input_too_large",
                what="wordwrap",
                limit=WRAP_LIMIT,
                size=len(text),
            )
        )
    lines = len(text) // max(width, 1) + 1 if _is_int(width) else 1
    return len(text) + lines * len(str(wrapstring or "\n"))


def _format(value: Any, *args: Any, **kwargs: Any) -> int:
    return percent_size(str(value), kwargs or args)


def _join(value: Any, d: Any = "", attribute: Any = None, **_: Any) -> int:
    return joined_size(value, d) if attribute is None else 0


def _replace(s: Any, old: Any = "", new: Any = "", count: Any = None, **_: Any) -> int:
    return replaced_size(s, old, new, -1 if count is None else count)


def _tojson(value: Any, indent: Any = None, **_: Any) -> int:
    step = abs(indent) + 1 if _is_int(indent) else 1
    return measure(value, MAX_SIZE // step) * step


#: filters whose result can be much bigger than what they are given: what
#: they would make is reckoned from their arguments before they run
_RECKONERS: dict[str, Callable[..., int]] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "tojson": _tojson,
}


def guard_filter(env: Any, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as a filter that minds the render's time and what it makes."""
    passes = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    reckon = _RECKONERS.get(name)

    @functools.wraps(func)  # keeps jinja_pass_arg: Jinja still passes the context
    def guarded(*args: Any, **kwargs: Any) -> Any:
        env.tick()
        if reckon is not None:
            size = reckon(*args[passes:], **kwargs)
            if size > MAX_SIZE:
                raise too_large(name, size)
        result = func(*args, **kwargs)
        # what it made, at a glance: a list's items were each checked as made
        if isinstance(result, _MADE) and len(result) > MAX_SIZE:
            raise too_large(name, len(result))
        return result

    return guarded


def bounded_namespace() -> type[Namespace]:
    """`namespace()` whose attributes stay within MAX_SIZE: `{% set ns.s =
    ns.s ~ ns.s %}` in a loop doubles a value each turn."""

    class BoundedNamespace(Namespace):
        def __setitem__(self, name: str, value: Any) -> None:
            size = measure(value)
            if size > MAX_SIZE:
                raise too_large(f"namespace.{name}", size)
            super().__setitem__(name, value)

    return BoundedNamespace


def with_loop_ticks(tree: nodes.Template) -> nodes.Template:
    """Every `{% for %}` body starts by calling `environment.tick()`, so a
    loop with nothing in it that the sandbox sees still minds the time."""
    for loop in tree.find_all(nodes.For):
        tick = nodes.Call(nodes.EnvironmentAttribute("tick"), [], [], None, None)
        loop.body.insert(0, nodes.ExprStmt(tick).set_lineno(loop.lineno))
    return tree


def too_slow(seconds: float) -> TemplateLimit:
    return TemplateLimit(Text("automation.template_too_slow", seconds=f"{seconds:g}"))
