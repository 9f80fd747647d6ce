"""The words people read live in gettext catalogs, one domain for the core
and one per plugin: every message exists in both languages with the same
values, none is written in code, plural forms pick the right words, and the
catalogs export to JSON for the dashboard."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import hub.cli  # noqa: F401  (the CLI's words are used by its Texts)
from hub.core import i18n
from hub.core.plugins import CORE_PLUGINS
from hub.plugins import FIRST_PARTY_PLUGINS

for _module in (*CORE_PLUGINS, *FIRST_PARTY_PLUGINS):
    importlib.import_module(_module)  # each plugin names its domain when imported

DOMAINS = i18n.domains()


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def _messages(domain: str, lang: str) -> dict[str, tuple[str, ...]]:
    path = i18n.po_path(domain, lang)
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang)
    found = {}
    for item in catalog:
        if item.id:
            key = item.id[0] if isinstance(item.id, tuple | list) else item.id
            found[key] = _forms(
                tuple(item.string) if isinstance(item.string, list) else item.string
            )
    return found


def test_the_core_and_every_first_party_plugin_have_catalogs():
    assert set(DOMAINS) >= {
        "sigap",
        "demo",
        "sensors",
        "hikvision",
        "dahua",
        "mqtt_devices",
        "onvif",
    }
    for domain in DOMAINS:
        for lang in i18n.LANGUAGES:
            assert i18n.po_path(domain, lang).is_file(), (domain, lang)


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_message_is_translated_in_both_languages_with_the_same_values(domain: str):
    indonesian, english = _messages(domain, "id"), _messages(domain, "en")
    assert indonesian.keys() == english.keys(), (
        f"{domain}: only in id: {sorted(indonesian.keys() - english.keys())}; "
        f"only in en: {sorted(english.keys() - indonesian.keys())}"
    )
    for key in english:
        forms = indonesian[key] + english[key]
        assert all(form.strip() for form in forms), f"{domain}: {key} lacks a translation"
        names = {frozenset(i18n.placeholders(form)) for form in forms}
        assert len(names) == 1, f"{domain}: {key} inserts different values: {forms}"


def test_no_message_of_the_hub_is_written_in_code():
    in_code = [
        key for key in i18n.catalog() if i18n.owner(key) is None and not key.startswith("test.")
    ]
    assert not in_code, f"messages registered in code instead of a catalog: {in_code}"


def test_a_key_in_two_domains_is_refused(tmp_path: Path, monkeypatch):
    i18n.catalog()  # everything known is loaded; the clash must not stay behind
    for name in ("_DOMAINS", "_PENDING", "_CATALOG", "_OWNER", "_PLURAL"):
        monkeypatch.setattr(i18n, name, type(getattr(i18n, name))(getattr(i18n, name)))
    for name in ("clash_a",):
        for lang in i18n.LANGUAGES:
            folder = tmp_path / name / lang / "LC_MESSAGES"
            folder.mkdir(parents=True)
            (folder / f"{name}.po").write_text(
                f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n\n'
                'msgid "cli.stopping"\nmsgstr "Stop"\n'
            )
        i18n.add_domain(name, tmp_path / name)
    with pytest.raises(ValueError, match=r"'cli\.stopping' is defined by both sigap and clash_a"):
        i18n.catalog()


def test_plural_forms_pick_the_words_for_the_count():
    one = i18n.Text("cli.config_bad", path="config", count=1)
    many = i18n.Text("cli.config_bad", path="config", count=6)
    assert str(one) == "Configuration in config has 1 error:"
    assert str(many) == "Configuration in config has 6 errors:"
    assert many.render("id") == "Konfigurasi di config memiliki 6 kesalahan:"


def test_the_catalog_exports_to_json_for_the_dashboard():
    indonesian = i18n.export_json("id")
    assert indonesian["device.kind.siren"] == "sirene"
    assert indonesian["device.kind.binary_sensor"] == "sensor"
    assert i18n.export_json("en")["cli.config_bad"] == [
        "Configuration in {path} has {count} error:",
        "Configuration in {path} has {count} errors:",
    ]


def test_texts_built_when_a_module_loads_found_their_words():
    import pkgutil

    import hub

    unfound = []
    for info in pkgutil.walk_packages(hub.__path__, "hub."):
        if info.name.endswith("__main__") or info.name.endswith("rtsp_source"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, i18n.Text) and str(value) == value.key:
                unfound.append(f"{info.name}.{name}")
    assert not unfound, f"built before their domain was named: {unfound}"
