"""Loggers: Dagster's ``@logger``, ``LoggerDefinition`` and ``build_init_logger_context``.

A logger definition is a function of an init context returning a ``logging.Logger``,
with an optional config schema. nbassets runs log through ``context.log`` (each message
a run event and a Python log record); definitions given to ``Definitions(loggers=...)``
are carried on its jobs (``job.loggers``) and can be called directly, as in a test.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbassets.errors import ConfigError, InvalidInvocationError

__all__ = [
    "InitLoggerContext",
    "LoggerDefinition",
    "build_init_logger_context",
    "colored_console_logger",
    "default_loggers",
    "logger",
]

_UNSET: Any = object()


@dataclass(frozen=True)
class InitLoggerContext:
    """What a logger function receives: its config and the job it logs for."""

    logger_config: Any = None
    job_def: Any = None
    logger_def: Any = None


def build_init_logger_context(logger_config: Any = None, job_def: Any = None) -> InitLoggerContext:
    """A context for calling a logger definition directly, as in a unit test."""
    return InitLoggerContext(logger_config, job_def)


class LoggerDefinition:
    """A function building a ``logging.Logger`` from an init context, with a config schema."""

    def __init__(
        self,
        logger_fn: Callable[[InitLoggerContext], Any],
        config_schema: Any = None,
        description: str | None = None,
        *,
        configured_value: Any = _UNSET,
    ) -> None:
        if config_schema is not None:
            from nbassets.definitions.config_schema import check_config_schema

            check_config_schema(config_schema)
        self.logger_fn = logger_fn
        self.config_schema = config_schema
        self.description = description or inspect.getdoc(logger_fn)
        self._configured = configured_value

    def configured(self, config: Any) -> LoggerDefinition:
        """This logger with ``config`` fixed (checked when the logger is built)."""
        return LoggerDefinition(
            self.logger_fn, self.config_schema, self.description, configured_value=config
        )

    def _config(self, given: Any) -> Any:
        from nbassets.engine.run_config import check_schema_config

        if self._configured is not _UNSET:
            try:
                return check_schema_config("logger", self.config_schema, self._configured)
            except ConfigError as exc:
                raise ConfigError(f"Error when applying config mapping for logger: {exc}") from None
        if self.config_schema is None:
            return given
        try:
            return _checked(self.config_schema, given)
        except ConfigError as exc:
            raise ConfigError(f"Error in config for logger: {exc}") from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        params = list(inspect.signature(self.logger_fn).parameters)
        if len(args) + len(kwargs) > 1:
            raise InvalidInvocationError(
                "Initialization of logger received multiple arguments. Only a first positional "
                "context parameter should be provided when invoking."
            )
        if kwargs:
            name, context = next(iter(kwargs.items()))
            if params and name != params[0]:
                raise InvalidInvocationError(
                    f"Logger initialization expected argument '{params[0]}'; got '{name}'."
                )
        elif args:
            context = args[0]
        elif params:
            raise InvalidInvocationError(
                "Logger initialization function has context argument, but no context argument "
                "was provided when invoking."
            )
        else:
            context = None
        given = context.logger_config if isinstance(context, InitLoggerContext) else None
        job_def = context.job_def if isinstance(context, InitLoggerContext) else None
        built = InitLoggerContext(self._config(given), job_def, self)
        return self.logger_fn(built) if params else self.logger_fn()  # type: ignore[call-arg]

    def __repr__(self) -> str:
        return f"<LoggerDefinition {getattr(self.logger_fn, '__name__', '?')}>"


def _checked(schema: Any, given: Any) -> Any:
    """``given`` against ``schema``: a bare ``Field`` or type, or a dict of them."""
    from nbassets.definitions.config_schema import Field
    from nbassets.engine.run_config import check_schema_config

    if isinstance(schema, Field):
        if given is None and schema.has_default:
            return schema.default_value
        if given is None and schema.required:
            raise ConfigError("a value is required.")
        return check_schema_config("logger", schema.config, given) if given is not None else None
    if isinstance(schema, type) and given is None:
        raise ConfigError(f"a {schema.__name__} value is required (logger_config=...).")
    return check_schema_config("logger", schema, given)


def logger(
    config_schema: Any = None, description: str | None = None
) -> LoggerDefinition | Callable[[Callable[..., Any]], LoggerDefinition]:
    """Define a logger from a function of its init context, as Dagster's ``@logger``.

    ``@logger`` bare, or ``@logger(config_schema, description)``.
    """
    if inspect.isfunction(config_schema):
        return LoggerDefinition(config_schema)

    def build(fn: Callable[..., Any]) -> LoggerDefinition:
        return LoggerDefinition(fn, config_schema, description)

    return build


def _console(init_context: InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config or {}
    built = logging.getLogger(config.get("name", "dagster"))
    built.setLevel(config.get("log_level", "INFO"))
    return built


colored_console_logger = LoggerDefinition(
    _console, description="The console logger (Python's logging, as nbassets logs)."
)
default_loggers = {"console": colored_console_logger}
