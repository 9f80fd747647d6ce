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
    "config.at_least": {
        "en": "value must be at least {low}",
        "id": "nilai harus paling sedikit {low}",
    },
    "config.at_most": {
        "en": "value must be at most {high}",
        "id": "nilai harus paling banyak {high}",
    },
    "config.one_of_values": {
        "en": "value must be one of {choices}",
        "id": "nilai harus salah satu dari {choices}",
    },
    "config.length_at_least": {
        "en": "length of value must be at least {low}",
        "id": "panjang nilai harus paling sedikit {low}",
    },
    "config.length_at_most": {
        "en": "length of value must be at most {high}",
        "id": "panjang nilai harus paling banyak {high}",
    },
    "config.expected_url": {"en": "expected a URL", "id": "diharapkan URL"},
    "config.expected_list": {"en": "expected a list", "id": "diharapkan daftar"},
    "config.positive_seconds": {
        "en": "duration must be a positive number of seconds",
        "id": "durasi harus berupa angka detik yang positif",
    },
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
    "config.include_outside": {
        "en": (
            "cannot include '{file}': it is outside the config folder {root}"
            " (list other folders in {variable})"
        ),
        "id": (
            "tidak dapat menyertakan '{file}': berkas itu di luar folder konfigurasi {root}"
            " (daftarkan folder lain di {variable})"
        ),
    },
    "config.include_folder_outside": {
        "en": (
            "cannot include folder '{file}': it is outside the config folder {root}"
            " (list other folders in {variable})"
        ),
        "id": (
            "tidak dapat menyertakan folder '{file}': folder itu di luar folder konfigurasi"
            " {root} (daftarkan folder lain di {variable})"
        ),
    },
    "config.no_folder": {
        "en": "cannot include folder '{folder}': no such folder",
        "id": "tidak dapat menyertakan folder '{folder}': folder tidak ada",
    },
    "config.unreadable_value": {
        "en": "{value} is not a valid {tag} value",
        "id": "{value} bukan nilai {tag} yang valid",
    },
    "config.contains_itself": {
        "en": "this value contains itself through an alias",
        "id": "nilai ini memuat dirinya sendiri lewat alias",
    },
    "config.too_deep": {
        "en": "nested more than {limit} levels deep",
        "id": "bersarang lebih dari {limit} tingkat",
    },
    "config.too_large": {
        "en": "this value expands to more than {limit} values (YAML aliases repeat what they"
        " point to)",
        "id": "nilai ini mengembang menjadi lebih dari {limit} nilai (alias YAML mengulang isi"
        " yang ditunjuknya)",
    },
    "config.includes_too_deep": {
        "en": "cannot include '{file}': includes nested more than {limit} deep",
        "id": "tidak dapat menyertakan '{file}': penyertaan bersarang lebih dari {limit} tingkat",
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

# Automations (hub.core.automation.schema and engine): the same catalog, so
# every message `sigap check-config` prints is written here.
AUTOMATION_MESSAGES: dict[str, dict[str, str]] = {
    "automation.expected_template": {
        "en": "expected a template (text)",
        "id": "diharapkan templat (teks)",
    },
    "automation.template_syntax": {
        "en": "template syntax error: {problem} (template line {line})",
        "id": "kesalahan sintaks templat: {problem} (baris templat {line})",
    },
    "automation.expected_entity_ids": {
        "en": "expected an entity id or a list of entity ids",
        "id": "diharapkan id entitas atau daftar id entitas",
    },
    "automation.invalid_entity_id": {
        "en": "invalid entity id {value}: expected domain.name, e.g. siren.dinkes_halaman",
        "id": "id entitas {value} tidak valid: diharapkan domain.nama, mis. siren.dinkes_halaman",
    },
    "automation.expected_number_or_entity": {
        "en": "expected a number or an entity id holding one, got {value}",
        "id": "diharapkan angka atau id entitas yang berisi angka, didapat {value}",
    },
    "automation.expected_names": {
        "en": "expected a name or a list of names",
        "id": "diharapkan nama atau daftar nama",
    },
    "automation.expected_duration": {"en": "expected a duration", "id": "diharapkan durasi"},
    "automation.expected_duration_example": {
        "en": "expected a duration such as 30, '00:05:00' or {{minutes: 5}}",
        "id": "diharapkan durasi seperti 30, '00:05:00' atau {{minutes: 5}}",
    },
    "automation.expected_duration_got": {
        "en": "expected a duration such as 30, '00:05:00' or {{minutes: 5}}, got {value}",
        "id": "diharapkan durasi seperti 30, '00:05:00' atau {{minutes: 5}}, didapat {value}",
    },
    "automation.not_duration_key": {
        "en": "{key} is not a duration key{hint}",
        "id": "{key} bukan kunci durasi{hint}",
    },
    "automation.duration_parts": {
        "en": "duration parts must be numbers",
        "id": "bagian durasi harus berupa angka",
    },
    "automation.expected_time": {
        "en": "expected a time such as '07:30' or '22:00:00', or an entity id, got {value}",
        "id": "diharapkan waktu seperti '07:30' atau '22:00:00', atau id entitas, didapat {value}",
    },
    "automation.expected_positive": {
        "en": "expected a whole number of at least 1",
        "id": "diharapkan bilangan bulat minimal 1",
    },
    "automation.must_be_below": {"en": "must be below {limit}", "id": "harus di bawah {limit}"},
    "automation.expected_pattern": {
        "en": "expected a number below {limit}, '*' or '/N' (every N)",
        "id": "diharapkan angka di bawah {limit}, '*' atau '/N' (setiap N)",
    },
    "automation.expected_methods": {
        "en": "expected methods among {methods}",
        "id": "diharapkan metode di antara {methods}",
    },
    "automation.expected_list_of": {
        "en": "expected a list of {what}",
        "id": "diharapkan daftar {what}",
    },
    "automation.things.triggers": {"en": "triggers", "id": "pemicu"},
    "automation.things.conditions": {"en": "conditions", "id": "kondisi"},
    "automation.things.actions": {"en": "actions", "id": "aksi"},
    "automation.things.options": {"en": "options", "id": "pilihan"},
    "automation.expected_automation": {
        "en": "expected an automation (a mapping with triggers: and actions:)",
        "id": "diharapkan otomasi (pemetaan dengan triggers: dan actions:)",
    },
    "automation.either": {
        "en": "use either '{first}' or '{second}', not both",
        "id": "pakai '{first}' atau '{second}', jangan keduanya",
    },
    "automation.no_blueprints": {
        "en": "blueprints are not supported yet",
        "id": "blueprint belum didukung",
    },
    "automation.expected_trigger": {
        "en": "expected a trigger (a mapping with trigger: <type>)",
        "id": "diharapkan pemicu (pemetaan dengan trigger: <jenis>)",
    },
    "automation.trigger_type_missing": {
        "en": "trigger type missing: add 'trigger: <type>' ({known}){found}",
        "id": "jenis pemicu tidak ada: tambahkan 'trigger: <jenis>' ({known}){found}",
    },
    "automation.found": {"en": "; found {key}{hint}", "id": "; ditemukan {key}{hint}"},
    "automation.unknown_trigger": {
        "en": "unknown trigger type {value}{hint}",
        "id": "jenis pemicu {value} tidak dikenal{hint}",
    },
    "automation.condition_text": {
        "en": (
            "a condition written as text must be a template such as "
            "\"{{{{ is_state('x', 'on') }}}}\", got {value}"
        ),
        "id": (
            "kondisi yang ditulis sebagai teks harus berupa templat seperti "
            "\"{{{{ is_state('x', 'on') }}}}\", didapat {value}"
        ),
    },
    "automation.expected_condition": {
        "en": "expected a condition (a mapping with condition: <type>)",
        "id": "diharapkan kondisi (pemetaan dengan condition: <jenis>)",
    },
    "automation.condition_type_missing": {
        "en": "condition type missing: add 'condition: <type>'{hint}",
        "id": "jenis kondisi tidak ada: tambahkan 'condition: <jenis>'{hint}",
    },
    "automation.unknown_condition": {
        "en": "unknown condition type {value}{hint}",
        "id": "jenis kondisi {value} tidak dikenal{hint}",
    },
    "automation.numeric_state_needs": {
        "en": "numeric_state needs 'above', 'below' or both",
        "id": "numeric_state memerlukan 'above', 'below' atau keduanya",
    },
    "automation.time_needs": {
        "en": "time needs 'after', 'before' or 'weekday'",
        "id": "time memerlukan 'after', 'before' atau 'weekday'",
    },
    "automation.sun_needs": {
        "en": "sun needs 'after', 'before' or both",
        "id": "sun memerlukan 'after', 'before' atau keduanya",
    },
    "automation.expected_action": {
        "en": "expected an action (a mapping such as action: siren.turn_on)",
        "id": "diharapkan aksi (pemetaan seperti action: siren.turn_on)",
    },
    "automation.unknown_action": {
        "en": "{key} is not a known action{hint}",
        "id": "{key} bukan aksi yang dikenal{hint}",
    },
    "automation.empty_action": {
        "en": "this action says nothing to do (no action:, delay:, ...)",
        "id": "aksi ini tidak menyuruh melakukan apa pun (tidak ada action:, delay:, ...)",
    },
    "automation.repeat_needs": {
        "en": "repeat needs exactly one of count, while, until, for_each",
        "id": "repeat memerlukan tepat satu dari count, while, until, for_each",
    },
    # warnings: a reference that may appear once the hub runs
    "automation.reference": {
        "en": "{where}: automation {name}: {message}",
        "id": "{where}: otomasi {name}: {message}",
    },
    "automation.no_entity": {
        "en": "entity {value} does not exist (yet){hint}",
        "id": "entitas {value} tidak (atau belum) ada{hint}",
    },
    "automation.no_service": {
        "en": "service {value} does not exist (yet){hint}",
        "id": "layanan {value} tidak (atau belum) ada{hint}",
    },
}

register(AUTOMATION_MESSAGES)
