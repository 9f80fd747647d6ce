"""A real Mosquitto broker on a free port, for tests, benchmarks and demos.

Persistence is on, so a broker stopped and started again on the same port
keeps its retained messages and every persistent session with its queued
QoS 1 messages, as a production broker does across a restart.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from .required import missing_service

MOSQUITTO_PATHS = ("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")


class MosquittoNotFound(RuntimeError):
    pass


def find_mosquitto() -> str | None:
    found = shutil.which("mosquitto")
    if found:
        return found
    return next((p for p in MOSQUITTO_PATHS if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mosquitto_passwd(broker: str) -> str:
    found = shutil.which("mosquitto_passwd") or str(
        Path(broker).parent.parent / "bin/mosquitto_passwd"
    )
    if not os.access(found, os.X_OK):
        raise MosquittoNotFound("mosquitto_passwd is not installed (Debian package mosquitto)")
    return found


def make_certificates(folder: Path, ip: str) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for `ip`, with openssl."""
    folder.mkdir(parents=True, exist_ok=True)
    openssl = shutil.which("openssl")
    if openssl is None:
        raise MosquittoNotFound("openssl is not installed (scripts/debian-packages.txt lists it)")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca, ca_key = folder / "ca.crt", folder / "ca.key"
    cert, key, csr = folder / "server.crt", folder / "server.key", folder / "server.csr"
    extensions = folder / "san.cnf"
    extensions.write_text(f"subjectAltName=IP:{ip}\n")
    for command in (
        ["req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=Uji CA"],
        ["req", *ec, "-keyout", key, "-out", csr, "-subj", f"/CN={ip}"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "2", "-extfile", extensions],
    ):  # fmt: skip
        subprocess.run([openssl, *map(str, command)], check=True, capture_output=True)
    return ca, cert, key


class Mosquitto:
    """`Mosquitto(workdir).start()`; `.stop()` (SIGTERM: the broker saves its
    state) or `.kill()` (SIGKILL); `.start()` again on the same port."""

    def __init__(
        self,
        workdir: str | Path,
        port: int | None = None,
        *,
        users: dict[str, str] | None = None,
        tls: bool = False,
        extra_config: str = "",
    ):
        """`users`: name -> password; then only they may connect. `tls`: the
        listener speaks TLS with a certificate for 127.0.0.1 signed by a CA
        made for this broker (`self.ca_file`)."""
        binary = find_mosquitto()
        if binary is None:
            raise MosquittoNotFound(
                "mosquitto is not installed (apt-get install mosquitto; "
                "scripts/debian-packages.txt lists it)"
            )
        self.binary = binary
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.config_file = self.workdir / "mosquitto.conf"
        self.log_file = self.workdir / "mosquitto.log"
        lines = [f"listener {self.port} {self.host}"]
        self.ca_file: Path | None = None
        if tls:
            self.ca_file, cert, key = make_certificates(self.workdir / "tls", self.host)
            lines += [f"cafile {self.ca_file}", f"certfile {cert}", f"keyfile {key}"]
        if users:
            password_file = self.workdir / "passwords"
            password_file.write_text("")
            for name, password in users.items():
                subprocess.run(
                    [_mosquitto_passwd(binary), "-b", str(password_file), name, password],
                    check=True,
                    capture_output=True,
                )
            lines += [f"password_file {password_file}", "allow_anonymous false"]
        else:
            lines.append("allow_anonymous true")
        lines += [
            "persistence true",
            f"persistence_location {self.workdir}/",
            # a hub away for a while may have more than the default 1,000 queued
            "max_queued_messages 100000",
            "max_inflight_messages 100",
            "set_tcp_nodelay true",
            f"log_dest file {self.log_file}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # else it drops to a user that cannot write workdir
        self.config_file.write_text("\n".join(lines) + "\n" + extra_config)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 10.0) -> Mosquitto:
        if self.running:
            return self
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self.process.returncode}; see {self.log_file}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(
                        f"mosquitto did not listen on port {self.port} within {timeout} s"
                    ) from None
                time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: Mosquitto writes its persistence file and exits."""
        self._end(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL: a crash; only what the last autosave wrote survives."""
        self._end(signal.SIGKILL, 10.0)

    def _end(self, sig: int, timeout: float) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def running_broker(directory: Path, **options: object) -> Iterator[Mosquitto]:
    """A started broker for a pytest fixture (`yield from running_broker(...)`),
    stopped afterwards. A missing mosquitto is a `missing_service`."""

    try:
        broker = Mosquitto(directory, **options)  # type: ignore[arg-type]
    except MosquittoNotFound as err:
        missing_service(str(err))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
