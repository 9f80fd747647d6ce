"""Fuzzing the YAML loader and `sigap check-config` (hypothesis, bounded in
examples): whatever a config folder holds, loading and checking it ends with
errors at file:line, never an exception, a traceback in the log, a canary
secret in what is printed, or memory past a bound."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.cli import main
from hub.core.config import load_config_dir
from hub.testing import canary

REPO_CONFIG = Path(__file__).resolve().parent.parent.parent / "config"

# Scaled from the profile's max_examples (100 unless a run loads a bigger one):
# the suite's run takes seconds, a deliberate deep run takes what it asks.
EXAMPLES = settings.default.max_examples
FUZZ = settings(
    deadline=None,  # a shared machine: bounded by the number of examples, not a clock
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words the loader and the schemas react to, and the values that broke them once.
SCALARS = [
    "on", "yes", "no", "~", "null", "''", '""', "15:30", "05:00:00", "0x1F", "0o17", "1e999",
    "-.inf", ".nan", "2024-02-30", "2024-02-29", "2001-12-14t21:59:43.10-05:00", "-1", "0",
    "3.5", "12345678901234567890", "dinkes", "Lobi Dinkes", "demo", "onvif", "console",
    "siren.turn_on", "camera.motion", "door.forced", "notify.pusat_komando", "'{{ x }'",
    "'{{ states(\"siren.a\") }}'", "'{% if %}'", '"\\x00\\u202e"', "'\t'", "Asia/Makassar",
    "!secret sigap_canary", "!secret missing", f"!env_var {canary.CANARY_ENV}",
    f"!env_var {canary.CANARY_ENV} x", "!env_var SIGAP_NOT_SET", "!env_var",
    "!!timestamp x", "!!bool maybe", "!!int dua", "!!float x", "!!binary abc", "!!str",
    "!!python/object/apply:os.system [ls]", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]",
    "!include part.yaml", "!include missing.yaml", "!include /etc/passwd", "!include ..",
    "!include configuration.yaml", "!include_dir_merge_list /", "!include_dir_list .",
    "!include_dir_named parts", "!include_dir_merge_named .", "!inclde x", "!unknown",
    "*a", "&a x", "*undefined",
]  # fmt: skip
KEYS = [
    "hub", "sites", "camera", "door", "siren", "notify", "automation", "mqtt", "http",
    "media", "id", "name", "platform", "site", "area", "areas", "language", "time_zone",
    "latitude", "triggers", "trigger", "actions", "action", "service", "data", "target",
    "entity_id", "event_type", "mode", "choose", "sequence", "conditions", "condition",
    "delay", "variables", "<<", "? [k]", "1", "on", "'a b'", "!secret sigap_canary",
]  # fmt: skip

scalar = st.sampled_from(SCALARS) | st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=8
).map(lambda text: "'" + text.replace("'", "''") + "'")
key = st.sampled_from(KEYS)


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _flow_map(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=4).map(_flow_list)
        | st.lists(st.tuples(key, inner), max_size=4).map(_flow_map)
        | st.tuples(st.sampled_from(["&a ", "&b ", "!!seq ", "!!map ", ""]), inner).map("".join)
    ),
    max_leaves=25,
)


@st.composite
def document(draw: st.DrawFn) -> str:
    """A configuration.yaml: top-level keys with flow values, some block lines."""
    lines = [f"{draw(key)}: {draw(value)}" for _ in range(draw(st.integers(1, 6)))]
    if draw(st.booleans()):
        lines.insert(0, f"anchors: &a {draw(value)}")
    if draw(st.booleans()):  # a block sequence of mappings, as sites and devices are written
        lines.append(f"{draw(key)}:")
        for _ in range(draw(st.integers(1, 3))):
            pairs = draw(st.lists(st.tuples(key, value), min_size=1, max_size=3))
            lines.append(f"  - {pairs[0][0]}: {pairs[0][1]}")
            lines.extend(f"    {k}: {v}" for k, v in pairs[1:])
    return "\n".join(lines) + "\n"


@st.composite
def mutated_example(draw: st.DrawFn) -> dict[str, str]:
    """The example config/ with one file cut and spliced at random."""
    files = {
        str(p.relative_to(REPO_CONFIG)): p.read_text(encoding="utf-8")
        for p in REPO_CONFIG.rglob("*.yaml")
        if ".storage" not in p.parts
    }
    name = draw(st.sampled_from(sorted(files)))
    text = files[name]
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    splice = draw(scalar | value | st.sampled_from(["", "\n  ", ": ", "- ", "\t"]))
    files[name] = text[:start] + splice + text[end:]
    return files


_VALUE_AT = re.compile(r"(?m)(?<=: )[^\n#]+$|(?<=- )[^\n#:]+$")


@st.composite
def example_with_odd_values(draw: st.DrawFn) -> dict[str, str]:
    """The example config/ with some of its values replaced: every schema is reached."""
    files = {
        str(p.relative_to(REPO_CONFIG)): p.read_text(encoding="utf-8")
        for p in REPO_CONFIG.rglob("*.yaml")
        if ".storage" not in p.parts
    }
    for name in draw(st.lists(st.sampled_from(sorted(files)), min_size=1, max_size=3)):
        spots = list(_VALUE_AT.finditer(files[name]))
        chosen = draw(st.sets(st.integers(0, len(spots) - 1), min_size=1, max_size=4))
        text = files[name]
        for index in sorted(chosen, reverse=True):  # from the end, so offsets hold
            match = spots[index]
            text = text[: match.start()] + draw(value) + text[match.end() :]
        files[name] = text
    return files


folder_files = st.one_of(
    example_with_odd_values(),
    st.builds(lambda doc, part: {"configuration.yaml": doc, "part.yaml": part}, document(), value),
    mutated_example(),
    st.builds(lambda text: {"configuration.yaml": text}, st.text(max_size=200)),
)


@contextlib.contextmanager
def config_folder(files: dict[str, str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "config"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        canary.plant(root)
        yield root


class Tracebacks(logging.Handler):
    """Log records that carry a traceback: an exception something caught too late."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@contextlib.contextmanager
def no_logged_traceback() -> Iterator[None]:
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
    assert not handler.records, [logging.Formatter().format(r) for r in handler.records]


# Inputs that once escaped as exceptions, tried on every run before the random ones.
KNOWN_BAD = [
    "hub:\n  id: !!timestamp x\n",
    "hub:\n  language: !!bool maybe\n",
    "deep: " + "[" * 400 + "]" * 400 + "\n",
    "!secret sigap_canary: 2024-02-30\n",
    "loop: &a [1, *a]\n",
]


def known_bad(test):
    for text in KNOWN_BAD:
        test = example(files={"configuration.yaml": text})(test)
    return test


@FUZZ
@given(files=folder_files)
@known_bad
def test_the_loader_reports_and_never_raises(files: dict[str, str]) -> None:
    with config_folder(files) as root, no_logged_traceback():
        config, errors = load_config_dir(root)
        assert isinstance(config, dict)
        for error in errors:
            for lang in ("en", "id"):
                shown = error.render(lang)
                assert ":" in shown  # file:line, or at least file:
                assert not canary.canaries_in(shown), shown


@settings(FUZZ, max_examples=EXAMPLES * 3 // 5)
@given(files=folder_files, lang=st.sampled_from(["en", "id"]))
@example(files={"configuration.yaml": KNOWN_BAD[0]}, lang="id")
@example(files={"configuration.yaml": KNOWN_BAD[3]}, lang="en")
def test_check_config_prints_errors_never_a_traceback(files: dict[str, str], lang: str) -> None:
    with config_folder(files) as root, no_logged_traceback():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check-config", "-c", str(root)]) if lang == "en" else _in_id(root)
        printed = out.getvalue() + err.getvalue()
        assert code in (0, 1), printed
        assert "Traceback" not in printed
        assert not canary.canaries_in(printed), printed


def _in_id(root: Path) -> int:
    with _language("id"):
        return main(["check-config", "-c", str(root)])


@contextlib.contextmanager
def _language(lang: str) -> Iterator[None]:
    import os

    before = os.environ.get("SIGAP_LANG")
    os.environ["SIGAP_LANG"] = lang
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SIGAP_LANG", None)
        else:
            os.environ["SIGAP_LANG"] = before


def _bomb(width: int, levels: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['ha'] * width)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=max(5, EXAMPLES // 7))
@given(
    width=st.integers(6, 12),  # 6 ** 8: 1.7 million leaves at the least
    levels=st.integers(8, 10),
    place=st.sampled_from(
        [
            "automation: [{id: x, triggers: [{trigger: event, event_type: x}],"
            " actions: [{action: siren.turn_on, data: {x: *LAST}}]}]",
            "sites: *LAST",
            "mqtt: {topics: *LAST}",
            "automation: [{id: x, variables: {v: *LAST}, triggers: *LAST, actions: []}]",
        ]
    ),
)
def test_an_alias_bomb_costs_bounded_memory(width: int, levels: int, place: str) -> None:
    text = _bomb(width, levels) + place.replace("LAST", f"l{levels - 1}") + "\n"
    with config_folder({"configuration.yaml": text}) as root:
        out, err = io.StringIO(), io.StringIO()
        tracemalloc.start()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["check-config", "-c", str(root)])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert code in (0, 1)
        assert "Traceback" not in err.getvalue()
        assert peak < 64 * 1024 * 1024, f"{peak / 1e6:.0f} MB for {width}^{levels}"
