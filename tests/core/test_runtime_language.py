"""Errors people read at run time are Texts: English as a str (logs, tests,
APIs keep working), Indonesian when rendered where a person reads them,
and still both after a trip through JSON or pickle."""

from __future__ import annotations

import json
import pickle
from types import SimpleNamespace

import pytest

from hub.core import i18n
from hub.core.automation.templates import TemplateError
from hub.core.entities import DeviceRegistry, NoTarget, _each
from hub.core.mqtt.connection import MqttNotConnected
from hub.core.mqtt.topics import InvalidTopic, check_filter, check_topic
from hub.core.platform import Camera, DeviceError, DeviceUnavailable
from hub.core.services import ServiceNotFound
from hub.core.sites import SiteRegistry


def both(err: BaseException) -> tuple[str, str]:
    """What a person reads in English and in Indonesian."""
    text = i18n.message(err)
    assert isinstance(text, i18n.Text), f"{err!r} carries no Text"
    assert text.render("en") == str(err)
    return text.render("en"), text.render("id")


def test_a_device_registry_says_what_it_cannot_find_in_both_languages() -> None:
    registry = DeviceRegistry(SiteRegistry.from_config([{"id": "dinkes"}]))
    with pytest.raises(NoTarget) as missing:
        registry.resolve("siren", {"entity_id": ["siren.dinkes_halaman"]})
    assert both(missing.value) == (
        "siren.dinkes_halaman is not a configured siren",
        "siren.dinkes_halaman bukan sirene yang terdaftar di konfigurasi",
    )
    with pytest.raises(NoTarget) as nothing:
        registry.resolve("door", {"site": ["dinkes"]})
    assert both(nothing.value) == (
        "no door found for site=['dinkes']",
        "tidak ada pintu yang ditemukan untuk site=['dinkes']",
    )
    with pytest.raises(NoTarget) as empty:
        registry.resolve("siren", {})
    assert both(empty.value)[1] == "siren: sebutkan entity_id, site atau area yang dituju"
    with pytest.raises(NoTarget) as unknown:
        registry.resolve("siren", {"site": ["dinkess"]})
    assert both(unknown.value) == (
        "unknown site 'dinkess' (did you mean 'dinkes'?)",
        "lokasi 'dinkess' tidak dikenal (maksud Anda 'dinkes'?)",
    )


async def test_failures_of_several_devices_are_one_message_in_the_readers_language() -> None:
    devices = [SimpleNamespace(entity_id="siren.halaman"), SimpleNamespace(entity_id="siren.lobi")]

    async def act(device: SimpleNamespace) -> None:
        if device.entity_id == "siren.halaman":
            raise DeviceUnavailable(device.entity_id)
        raise RuntimeError("relay stuck")  # a plugin's own words stay as written

    with pytest.raises(DeviceError) as info:
        await _each(devices, act, "siren.turn_on")
    english, indonesian = both(info.value)
    assert english == (
        "siren.turn_on failed for siren.halaman: Siren siren.halaman is unavailable (offline);"
        " the command was not sent; siren.lobi: relay stuck"
    )
    assert indonesian == (
        "siren.turn_on gagal untuk siren.halaman: Sirene siren.halaman tidak tersedia (offline);"
        " perintah tidak dikirim; siren.lobi: relay stuck"
    )


async def test_a_camera_without_ptz_says_so_in_both_languages() -> None:
    camera = Camera.__new__(Camera)
    camera.entity_id = "camera.dinkes_lobi"
    with pytest.raises(DeviceError) as info:
        await camera.ptz_preset("pintu", context=None)
    assert both(info.value)[1] == "camera.dinkes_lobi tidak mendukung preset PTZ"


def test_mqtt_errors_in_both_languages() -> None:
    not_connected = MqttNotConnected("10.0.0.5", 1883, "sigap/siren/set")
    assert both(not_connected) == (
        "MQTT broker 10.0.0.5:1883 is not connected; the message to sigap/siren/set was not sent"
        " (the hub keeps reconnecting)",
        "broker MQTT 10.0.0.5:1883 tidak terhubung; pesan ke sigap/siren/set tidak terkirim"
        " (hub terus mencoba menyambung kembali)",
    )
    with pytest.raises(InvalidTopic) as wildcard:
        check_topic("gedung/+/sirene")
    assert both(wildcard.value)[1] == (
        "'gedung/+/sirene': wildcard '+' dan '#' hanya untuk berlangganan (subscribe),"
        " bukan untuk mengirim (publish)"
    )
    with pytest.raises(InvalidTopic) as hash_level:
        check_filter("gedung/#/lobi")
    assert "harus mengisi satu tingkat penuh" in both(hash_level.value)[1]


def test_an_unknown_service_and_a_template_error_in_both_languages() -> None:
    missing = ServiceNotFound("siren", "turn_onn", ["siren.turn_on", "door.unlock"])
    assert both(missing) == (
        "service 'siren.turn_onn' is not registered (did you mean 'siren.turn_on'?)",
        "layanan 'siren.turn_onn' tidak terdaftar (maksud Anda 'siren.turn_on'?)",
    )
    error = TemplateError(
        "{{ states('x') | int }}", i18n.Text("automation.template_run_syntax", error="x")
    )
    assert both(error)[1] == "template \"{{ states('x') | int }}\": kesalahan sintaks: x"


def test_a_text_survives_json_and_pickle_with_nested_texts_and_lists() -> None:
    text = i18n.message(
        DeviceError(
            i18n.Text(
                "entity.failed",
                service="siren.turn_on",
                failures=[
                    i18n.Text(
                        "entity.failure",
                        entity_id="siren.halaman",
                        error=i18n.message(DeviceUnavailable("siren.halaman")),
                    ),
                    "siren.lobi: relay stuck",
                ],
            )
        )
    )
    data = json.loads(json.dumps(text.as_dict()))
    again = i18n.Text.from_dict(data)
    assert again == text and again.render("id") == text.render("id")
    assert "Sirene siren.halaman tidak tersedia" in again.render("id")
    assert pickle.loads(pickle.dumps(text)).render("id") == text.render("id")
    assert json.dumps(text) == json.dumps(str(text))  # a str to JSON: its English


def test_a_key_registered_twice_with_other_words_is_refused() -> None:
    i18n.register({"test.runtime.once": {"en": "once", "id": "sekali"}})
    i18n.register({"test.runtime.once": {"en": "once", "id": "sekali"}})  # the same: fine
    with pytest.raises(ValueError, match="already registered"):
        i18n.register({"test.runtime.once": {"en": "twice", "id": "dua kali"}})
