"""Log lines with stable keys: `key=value` text for people, one JSON object per line for shippers."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "alembic", "celery", "kombu", "amqp")


def _text(value: Any) -> str:
    """Render one value for a key=value line, quoting only when it holds spaces or quotes."""
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.3g}"
    text = str(value)
    return repr(text) if (" " in text or '"' in text or "'" in text or not text) else text


def event(logger: logging.Logger, name: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log one event: `name key=value ...` in text, or those keys as JSON fields."""
    if not logger.isEnabledFor(level):
        return
    shown = {k: v for k, v in fields.items() if v is not None}
    message = " ".join([name, *(f"{k}={_text(v)}" for k, v in shown.items())])
    logger.log(level, message, extra={"event": name, "fields": shown})


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the event's keys at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        name = getattr(record, "event", None)
        if name is not None:
            data["event"] = name
            data.update(getattr(record, "fields", {}))
        else:
            data["message"] = record.getMessage()
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def setup_logging(*, verbose: bool = False, fmt: str = "text") -> None:
    """Send logs to stderr in `fmt` ("text" or "json"), quieting chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
