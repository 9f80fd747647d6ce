"""Every configuration error and warning the core writes, in Indonesian and English.

One place, each message written once per language. The sites that find a
mistake build `Text(key, **values)` (hub.core.i18n); `sigap check-config` and
the hub render it in the hub's language. Values (key names, files, what was
found, suggestions) are inserted as they are, never translated; a value that
is itself a Text (a hint, a "got ...") renders in the same language.
"""

from __future__ import annotations

from ..i18n import register

MESSAGES: dict[str, dict[str, str]] = {
    # -- pieces other messages insert ---------------------------------------
    "config.did_you_mean": {
        "en": " (did you mean '{match}'?)",
        "id": " (maksud Anda '{match}'?)",
    },
    "config.or": {"en": "{first} or {second}", "id": "{first} atau {second}"},
    "config.none": {"en": "none", "id": "tidak ada"},
    "config.value.empty": {"en": "an empty value", "id": "nilai kosong"},
    "config.value.mapping": {"en": "a mapping", "id": "sebuah pemetaan"},
    "config.value.list": {"en": "a list", "id": "sebuah daftar"},
    "config.got_more": {"en": "{message}{more}", "id": "{message}{more}"},
    "config.got": {"en": "{message}, got {value}", "id": "{message}, didapat {value}"},
    "config.bool_hint": {
        "en": (
            "{message} (YAML reads unquoted yes/no/on/off as true/false: put the text in quotes)"
        ),
        "id": (
            "{message} (YAML membaca yes/no/on/off tanpa tanda kutip sebagai true/false: "
            "beri tanda kutip pada teksnya)"
        ),
    },
    "config.thing.key": {"en": "key", "id": "kunci"},
    "config.thing.name": {"en": "name", "id": "nama"},
    "config.thing.site_id": {"en": "site id", "id": "id lokasi"},
    "config.thing.area_id": {"en": "area id", "id": "id area"},
    "config.thing.entity_id": {"en": "entity id", "id": "id entitas"},
    "config.thing.site": {"en": "site", "id": "lokasi"},
    "config.thing.area": {"en": "area", "id": "area"},
    "config.thing.platform": {"en": "{domain} platform", "id": "platform {domain}"},
    "config.known": {"en": "known", "id": "yang dikenal"},
    "config.known_in_site": {
        "en": "known in site '{site}'",
        "id": "yang dikenal di lokasi '{site}'",
    },
    # -- what was expected --------------------------------------------------
    "config.expected_int": {"en": "expected an integer", "id": "diharapkan bilangan bulat"},
    "config.expected_number": {"en": "expected a number", "id": "diharapkan angka"},
    "config.expected_string": {"en": "expected a string", "id": "diharapkan teks"},
    "config.expected_bool": {
        "en": "expected true or false",
        "id": "diharapkan true atau false",
    },
    "config.expected_mapping": {
        "en": "expected a mapping (key: value)",
        "id": "diharapkan pemetaan (kunci: nilai)",
    },
    "config.expected_list": {"en": "expected a list", "id": "diharapkan daftar"},
    "config.expected_list_got": {
        "en": "expected a list, got {value}",
        "id": "diharapkan daftar, didapat {value}",
    },
    "config.expected_one_of": {
        "en": "expected one of {choices}{hint}",
        "id": "diharapkan salah satu dari {choices}{hint}",
    },
    "config.expected_range": {
        "en": "expected a number from {low} to {high}",
        "id": "diharapkan angka dari {low} sampai {high}",
    },
    "config.expected_slug": {
        "en": "expected an id of lowercase letters, digits and _, got {value}{hint}",
        "id": "diharapkan id dari huruf kecil, angka, dan _, didapat {value}{hint}",
    },
    "config.slug_try": {"en": "; try '{fixed}'", "id": "; coba '{fixed}'"},
    "config.expected_time_zone": {
        "en": "expected a time zone name such as '{example}'",
        "id": "diharapkan nama zona waktu seperti '{example}'",
    },
    "config.unknown_time_zone": {
        "en": "unknown time zone {value}{hint}",
        "id": "zona waktu {value} tidak dikenal{hint}",
    },
    "config.expected_sections": {
        "en": "expected a mapping of sections (hub:, sites:, ...), got {value}",
        "id": "diharapkan pemetaan bagian (hub:, sites:, ...), didapat {value}",
    },
    "config.expected_secrets": {
        "en": "expected a mapping of name: value, got {value}",
        "id": "diharapkan pemetaan nama: nilai, didapat {value}",
    },
    "config.expected_merge": {
        "en": "expected a mapping to merge, got {value}",
        "id": "diharapkan pemetaan untuk digabung, didapat {value}",
    },
    # -- keys ---------------------------------------------------------------
    "config.unknown_key": {
        "en": "{key} is not a known key{hint}",
        "id": "{key} bukan kunci yang dikenal{hint}",
    },
    "config.known_keys": {"en": "; known keys: {keys}", "id": "; kunci yang dikenal: {keys}"},
    "config.required_key": {
        "en": "required key '{key}' is missing",
        "id": "kunci wajib '{key}' tidak ada",
    },
    "config.key_not_single": {
        "en": "a key must be a single value, got {value}",
        "id": "kunci harus berupa satu nilai, didapat {value}",
    },
    "config.duplicate": {
        "en": "duplicate {what} {value}{also}",
        "id": "{what} {value} ganda{also}",
    },
    "config.also_on_line": {"en": " (also on line {line})", "id": " (juga di baris {line})"},
    "config.also_at": {"en": " (also at {place})", "id": " (juga di {place})"},
    "config.unknown": {
        "en": "unknown {what} {value}{hint}",
        "id": "{what} {value} tidak dikenal{hint}",
    },
    "config.known_list": {"en": "; {label}: {known}", "id": "; {label}: {known}"},
    "config.section_failed": {
        "en": "checking this section failed: {error}",
        "id": "pemeriksaan bagian ini gagal: {error}",
    },
    # -- files, tags, secrets -----------------------------------------------
    "config.read.not_utf8": {"en": "it is not UTF-8 text", "id": "isinya bukan teks UTF-8"},
    "config.read.no_file": {"en": "no such file", "id": "berkas tidak ada"},
    "config.read.folder": {
        "en": "it is a folder (use !include_dir_list and its kin for folders)",
        "id": "itu sebuah folder (pakai !include_dir_list dan sejenisnya untuk folder)",
    },
    "config.read.denied": {"en": "permission denied", "id": "izin ditolak"},
    "config.cannot_read": {
        "en": "cannot read this file: {reason}",
        "id": "tidak dapat membaca berkas ini: {reason}",
    },
    "config.include_cycle": {
        "en": "cannot include '{file}': it includes itself ({chain})",
        "id": "tidak dapat menyertakan '{file}': berkas itu menyertakan dirinya sendiri ({chain})",
    },
    "config.cannot_include": {
        "en": "cannot include '{file}': {reason}{hint}",
        "id": "tidak dapat menyertakan '{file}': {reason}{hint}",
    },
    "config.no_folder": {
        "en": "cannot include folder '{folder}': no such folder",
        "id": "tidak dapat menyertakan folder '{folder}': folder tidak ada",
    },
    "config.invalid_yaml": {"en": "invalid YAML: {problem}", "id": "YAML tidak valid: {problem}"},
    "config.secret_missing": {
        "en": "secret '{name}' is not defined{looked}",
        "id": "rahasia '{name}' tidak ditemukan{looked}",
    },
    "config.secret_looked_in": {"en": " in {files}", "id": " di {files}"},
    "config.secret_outside": {
        "en": ": files outside {root} have no secrets.yaml",
        "id": ": berkas di luar {root} tidak memiliki secrets.yaml",
    },
    "config.secret_no_file": {
        "en": ": there is no secrets.yaml in {folder}",
        "id": ": tidak ada secrets.yaml di {folder}",
    },
    "config.secret_no_file_above": {
        "en": ": there is no secrets.yaml in {folder} or the folders above it up to {root}",
        "id": ": tidak ada secrets.yaml di {folder} maupun folder di atasnya sampai {root}",
    },
    "config.tag_needs_value": {
        "en": "{tag} needs a value, like: {example}",
        "id": "{tag} memerlukan nilai, contohnya: {example}",
    },
    "config.env_var_missing": {
        "en": "environment variable '{name}' is not set (give a default: !env_var {name} value)",
        "id": (
            "variabel lingkungan '{name}' tidak diatur (beri nilai bawaan: !env_var {name} nilai)"
        ),
    },
    "config.unknown_tag": {
        "en": "unknown tag '{tag}'{hint}",
        "id": "tag '{tag}' tidak dikenal{hint}",
    },
}

register(MESSAGES)
