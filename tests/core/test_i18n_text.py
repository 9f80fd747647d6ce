"""i18n.Text: a catalog message that is its English text and renders in Indonesian."""

from __future__ import annotations

from hub.core import i18n
from hub.core.platform import DeviceUnavailable

i18n.register(
    {
        "test.outer": {"en": "{what} failed{why}", "id": "{what} gagal{why}"},
        "test.why": {"en": " ({reason})", "id": " ({reason})"},
        "test.reason": {"en": "no answer", "id": "tidak ada jawaban"},
        "test.braces": {"en": "write {{minutes: 5}}", "id": "tulis {{minutes: 5}}"},
    }
)


def test_a_text_is_its_english_and_renders_nested_texts_in_the_asked_language() -> None:
    text = i18n.Text(
        "test.outer", what="siren.lobi", why=i18n.Text("test.why", reason=i18n.Text("test.reason"))
    )
    assert text == "siren.lobi failed (no answer)"
    assert text.render("id") == "siren.lobi gagal (tidak ada jawaban)"
    assert i18n.render(text, "en") == str(text)
    assert i18n.render("a plugin's own words", "id") == "a plugin's own words"
    # literal braces, with or without values
    assert i18n.Text("test.braces") == "write {minutes: 5}"


def test_an_unavailable_device_is_reported_in_both_languages() -> None:
    error = DeviceUnavailable("siren.dinkes_halaman")
    assert str(error) == (
        "Siren siren.dinkes_halaman is unavailable (offline); the command was not sent"
    )
    assert i18n.render(error.args[0], "id") == (
        "Sirene siren.dinkes_halaman tidak tersedia (offline); perintah tidak dikirim"
    )
