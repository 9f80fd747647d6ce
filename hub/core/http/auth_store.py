"""Who may sign in, and the API tokens: `<config>/.storage/auth.json`.

The file holds, per person of the config, an argon2id hash of their
password, and per API token the SHA-256 of its secret (a token is 256 random
bits: a fast hash is enough, and a stolen file gives no token). The CLI
(`sigap user ...`) writes it whole (hub.core.storage, 0600); the running hub
only reads it, and reads it again whenever it changed on disk, so a token
revoked from the CLI stops working with the next request, without a restart.

A file the hub cannot read is no users and no tokens (fail secure), with one
log line saying where.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import Text
from ..storage import storage_dir, write_atomic

_LOGGER = logging.getLogger(__name__)

AUTH_FILE = "auth.json"
FORMAT_VERSION = 1
TOKEN_PREFIX = "sgp_"
MIN_PASSWORD = 10

# What people pick first; refused whatever its length.
_COMMON = frozenset(
    {
        "password",
        "password1",
        "passw0rd",
        "kata sandi",
        "katasandi",
        "rahasia",
        "sigap",
        "admin",
        "administrator",
        "qwerty",
        "qwertyuiop",
        "letmein",
        "welcome",
        "bontang",
        "indonesia",
    }
)


@dataclass(frozen=True, slots=True)
class Token:
    name: str
    user: str
    digest: str  # SHA-256 of the secret, hex
    sites: tuple[str, ...] = ()  # empty: the person's own scope, unnarrowed
    created_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "sha256": self.digest,
            "sites": list(self.sites),
            "created_at": self.created_at,
        }


@dataclass(slots=True)
class AuthData:
    """What auth.json holds: password hashes by person id, tokens by name."""

    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "users": {user: {"password": h} for user, h in sorted(self.passwords.items())},
                "tokens": {name: t.as_dict() for name, t in sorted(self.tokens.items())},
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AuthData:
        data = cls()
        for user, entry in (raw.get("users") or {}).items():
            password = entry.get("password") if isinstance(entry, Mapping) else None
            if isinstance(password, str) and password.startswith("$argon2"):
                data.passwords[str(user)] = password
        for name, entry in (raw.get("tokens") or {}).items():
            if not isinstance(entry, Mapping):
                continue
            digest, user = entry.get("sha256"), entry.get("user")
            if isinstance(digest, str) and len(digest) == 64 and isinstance(user, str):
                data.tokens[str(name)] = Token(
                    str(name),
                    user,
                    digest,
                    tuple(str(s) for s in entry.get("sites") or ()),
                    float(entry.get("created_at") or 0.0),
                )
        return data


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def password_problem(password: str, person_id: str, name: str = "") -> Text | None:
    """Why a new password is refused, or None when it will do."""
    if not password.strip():
        return Text("auth.password.empty")
    if len(password) < MIN_PASSWORD:
        return Text("auth.password.short", min=MIN_PASSWORD)
    lowered = password.lower()
    # a common word with digits or marks around it ("Password123!") is that word
    core = lowered.strip("0123456789!@#$%^&*()-_=+.,;:?/ ")
    if core in _COMMON or len(set(lowered)) < 5 or not core:
        return Text("auth.password.common")
    for own in (person_id, *name.lower().split()):
        if len(own) >= 3 and own.lower() in lowered and len(lowered) - len(own) < MIN_PASSWORD:
            return Text("auth.password.like_name")
    return None


def _hasher() -> Any:
    from argon2 import PasswordHasher  # only where a password is hashed or checked

    return PasswordHasher()  # argon2id, RFC 9106's low-memory profile (64 MiB, t=3)


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


# Checked against when the user is unknown, so the answer takes as long as for
# a known one (the time would tell a prober which names exist).
_DUMMY_HASH: str | None = None


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; blocking (~0.1 s of CPU): call it
    in a thread."""
    from argon2.exceptions import Argon2Error, InvalidHashError

    global _DUMMY_HASH
    hasher = _hasher()
    if stored is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
        stored, password = _DUMMY_HASH, password + "\x00never"
    try:
        return bool(hasher.verify(stored, password))
    except (Argon2Error, InvalidHashError):
        return False


class AuthStore:
    """auth.json of one config folder: `read()` for the hub (re-read when the
    file changed), `save()` for the CLI."""

    def __init__(self, config_dir: str | os.PathLike[str]) -> None:
        self.config_dir = Path(config_dir)
        self._seen: tuple[int, int, int] | None = None
        self._data = AuthData()
        self._said_unreadable = False

    @property
    def path(self) -> Path:
        return self.config_dir / ".storage" / AUTH_FILE

    def read(self) -> AuthData:
        """The file as it is now: one stat per call, a read only when it changed."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._seen, self._data = None, AuthData()
            return self._data
        except OSError as err:
            return self._unreadable(err)
        # write_atomic replaces the file: a new inode on every save
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen != self._seen:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(raw, dict):
                    raise ValueError("not a JSON object")
                self._data = AuthData.from_json(raw)
            except (OSError, ValueError) as err:
                return self._unreadable(err)
            self._seen = seen
            self._said_unreadable = False
        return self._data

    def _unreadable(self, err: BaseException) -> AuthData:
        self._seen, self._data = None, AuthData()
        if not self._said_unreadable:
            self._said_unreadable = True
            _LOGGER.error(Text("auth.store_unreadable", path=str(self.path), error=str(err)))
        return self._data

    def save(self, data: AuthData) -> None:
        storage_dir(self.config_dir)
        write_atomic(self.path, data.as_json())

    # -- lookups the hub makes -------------------------------------------------------

    def token(self, secret: str) -> Token | None:
        """The token whose secret this is: every stored digest is compared, in
        constant time, so the time taken tells nothing about which nearly matched."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        digest = token_digest(secret)
        found = None
        for token in self.read().tokens.values():
            if hmac.compare_digest(token.digest, digest):
                found = token
        return found

    def password_hash(self, user: str) -> str | None:
        return self.read().passwords.get(user)

    def users(self) -> Iterable[str]:
        return self.read().passwords.keys()
