"""What aiohttp's server says about a caller's broken request.

aiohttp logs every request it cannot parse (a bad header, a body that is
not the gzip it claims, a request line too long) at ERROR with a traceback:
anyone who can reach the port could fill the log with tracebacks, in words
they chose. Given to the server as its logger, `ServerLog` turns those into
one rate-limited warning with the caller's words escaped; a fault of the hub
itself still gets its traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import RequestPayloadError

from ..i18n import Text
from ..lograte import LogRate, shown


class ServerLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    def __init__(self, logger: logging.Logger, rate: LogRate) -> None:
        super().__init__(logger, {})
        self.rate = rate

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        err = exc_info if isinstance(exc_info, BaseException) else None
        if err is None and exc_info is True:
            err = sys.exc_info()[1]
        if isinstance(err, HttpProcessingError | RequestPayloadError):
            if level < logging.WARNING:
                return  # aiohttp's own debug notes about a caller's mistake
            caller = args[0] if args else "?"
            reason = err.message if isinstance(err, HttpProcessingError) else str(err)
            said = Text("http.bad_request", caller=shown(caller), error=shown(reason or err))
            self.rate.log(("http", "bad_request"), logging.WARNING, said)
            return
        super().log(level, msg, *args, **kwargs)
