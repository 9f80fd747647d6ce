"""What the ONVIF plugin tells people, in Bahasa Indonesia and English."""

from hub import i18n

i18n.register(
    {
        "onvif.auth": {
            "en": "{entity_id} ({host}): the camera refused user {username!r}:"
            " wrong user name or password",
            "id": "{entity_id} ({host}): kamera menolak pengguna {username!r}:"
            " nama pengguna atau kata sandi salah",
        },
        "onvif.auth_clock": {
            "en": "{entity_id} ({host}): the camera refused the login"
            " and its clock is off by {offset} s;"
            " WS-UsernameToken digests fail when the clocks differ: set the camera's time (NTP)"
            " or set adjust_time: true",
            "id": "{entity_id} ({host}): kamera menolak login dan jamnya selisih {offset} detik;"
            " digest WS-UsernameToken gagal bila jam berbeda: atur jam kamera (NTP)"
            " atau pasang adjust_time: true",
        },
        "onvif.clock_off": {
            "en": "{entity_id} ({host}): the camera's clock is off by {offset} s; logins may fail"
            " (set the camera to NTP)",
            "id": "{entity_id} ({host}): jam kamera selisih {offset} detik; login bisa gagal"
            " (atur kamera ke NTP)",
        },
        "onvif.clock_unread": {
            "en": "{entity_id} ({host}): the camera's clock cannot be read ({error});"
            " carrying on without checking it",
            "id": "{entity_id} ({host}): jam kamera tidak dapat dibaca ({error});"
            " dilanjutkan tanpa memeriksanya",
        },
        "onvif.timeout": {
            "en": "no answer from {host} in time",
            "id": "tidak ada jawaban dari {host} tepat waktu",
        },
        "onvif.unreachable": {
            "en": "cannot reach {host}: {error}",
            "id": "tidak dapat menghubungi {host}: {error}",
        },
        "onvif.answered": {
            "en": "{host} answered: {error} (SOAP fault)",
            "id": "{host} menjawab: {error} (SOAP fault)",
        },
        "onvif.http_status": {
            "en": "{host} answered HTTP {status} instead of ONVIF",
            "id": "{host} menjawab HTTP {status}, bukan ONVIF",
        },
        "onvif.bad_answer": {
            "en": "{host} answered something that is not a usable ONVIF answer: {error}",
            "id": "{host} menjawab sesuatu yang bukan jawaban ONVIF yang dapat dipakai: {error}",
        },
        "onvif.failed": {
            "en": "{host}: {error}",
            "id": "{host}: {error}",
        },
        "onvif.renew_refused": {
            "en": "{host} refused to renew the event subscription ({error})",
            "id": "{host} menolak memperpanjang langganan event ({error})",
        },
        "onvif.pull_fault": {
            "en": "{host} dropped the event subscription (SOAP fault: {error});"
            " it probably restarted",
            "id": "{host} membuang langganan event (SOAP fault: {error});"
            " kemungkinan kamera restart",
        },
        "onvif.subscription_expired": {
            "en": "{host}: the event subscription ran out while the camera could not be reached",
            "id": "{host}: langganan event habis selama kamera tidak dapat dihubungi",
        },
        "onvif.subscribing_again": {
            "en": "{entity_id} ({site}): {reason}; subscribing again",
            "id": "{entity_id} ({site}): {reason}; berlangganan lagi",
        },
        "onvif.no_events": {
            "en": "{entity_id} ({host}): the camera reports no events ({why});"
            " it is used for snapshots, clips and PTZ, but no motion or other camera event"
            " comes from it",
            "id": "{entity_id} ({host}): kamera tidak mengirim event ({why});"
            " kamera dipakai untuk snapshot, klip dan PTZ, tetapi tidak ada event gerakan"
            " atau event kamera lain darinya",
        },
        "onvif.no_events_service": {
            "en": "it has no events service",
            "id": "kamera tidak memiliki layanan event",
        },
        "onvif.event_unreadable": {
            "en": "{entity_id} ({host}): an event message that cannot be read was skipped: {error}",
            "id": "{entity_id} ({host}): pesan event yang tidak dapat dibaca dilewati: {error}",
        },
        "onvif.not_connected": {
            "en": "{entity_id} is not connected yet",
            "id": "{entity_id} belum terhubung",
        },
        "onvif.no_preset": {
            "en": "{entity_id} has no PTZ preset {preset}; it has: {known}",
            "id": "{entity_id} tidak memiliki preset PTZ {preset}; yang tersedia: {known}",
        },
        "onvif.none": {"en": "none", "id": "tidak ada"},
        "onvif.no_profiles": {
            "en": "{entity_id}: the camera has no media profiles",
            "id": "{entity_id}: kamera tidak memiliki profil media",
        },
        "onvif.profile_out_of_range": {
            "en": "{entity_id}: profile {wanted} asked, the camera has {count}",
            "id": "{entity_id}: profil {wanted} diminta, kamera hanya memiliki {count}",
        },
        "onvif.no_profile": {
            "en": "{entity_id}: no media profile {wanted}; the camera has {names}",
            "id": "{entity_id}: tidak ada profil media {wanted}; kamera memiliki {names}",
        },
        "onvif.retrying": {
            "en": "{entity_id} ({site}): {reason}; retrying in {seconds} s",
            "id": "{entity_id} ({site}): {reason}; dicoba lagi dalam {seconds} detik",
        },
    }
)

t = i18n.t
