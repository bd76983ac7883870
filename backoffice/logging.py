"""Structured logging: structlog renders the standard library's records as JSON or for the console."""

import logging

import structlog

from backoffice.context import client_ip_var, request_id_var


def add_request_context(logger, method_name, event_dict):
    """The request id and client IP of the request being served (``backoffice.middleware.request_context``) on
    every line logged while it is: read from the context variables the audit rows use, not bound again."""
    rid = request_id_var.get()
    if rid:
        event_dict.setdefault("request_id", rid)
        event_dict.setdefault("ip", client_ip_var.get())
    return event_dict


_shared = [
    structlog.contextvars.merge_contextvars,
    add_request_context,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

structlog.configure(
    processors=[*_shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def formatter_factory(fmt: str = "console") -> logging.Formatter:
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer],
    )
