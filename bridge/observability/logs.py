"""Log lines: text (the default) or one JSON object per line (`--log-format json`,
CALLFIRE_BRIDGE_LOG_FORMAT), each with the time, level, logger, message, and the request id and
v1.1 operation of the request it was written for.

No code of the bridge logs credentials; as a second line of defence every line has any
`Basic`/`Bearer` token in it replaced by `[redacted]` before it is written."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from bridge.observability.context import current

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
_TOKEN = re.compile(r"(?i)\b(basic|bearer)(\s+|%20|\+)[A-Za-z0-9+/=._~%-]{6,}")
# Libraries whose debug lines are noise to an operator (httpcore: every socket event).
QUIET = ("httpcore", "hpack")


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1 [redacted]", text)


def _context() -> tuple[str | None, str | None]:
    record = current.get()
    return (record.request_id, record.operation) if record is not None else (None, None)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id, operation = _context()
        record.context = f" [{request_id}{' ' + operation if operation else ''}]" if request_id else ""
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id, operation = _context()
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id:
            line["request_id"] = request_id
        if operation:
            line["operation"] = operation
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, ensure_ascii=False))


def formatter(log_format: str) -> logging.Formatter:
    if log_format not in FORMATS:
        raise ValueError(f"log format: one of {', '.join(FORMATS)} (got {log_format!r})")
    return JsonFormatter() if log_format == "json" else TextFormatter()


def setup(log_format: str = "text", level: str = "warning") -> None:
    """This process's log lines to standard error, in `log_format`, from `level` up."""
    if level.lower() not in LEVELS:
        raise ValueError(f"log level: one of {', '.join(LEVELS)} (got {level!r})")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
