"""Log records that stay on one line and carry the request's correlation id."""

import logging

from inhouse.core.correlation import current_correlation_id


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = current_correlation_id() or "-"
        return True


class SingleLineFormatter(logging.Formatter):
    """Escapes control characters so user input can never forge a log line."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return "".join(
            ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
            for ch in text
        )
