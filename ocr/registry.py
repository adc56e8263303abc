"""Find OCR engines by name. Engines register themselves with ``@register``.

    engine = get_engine("ppocr", max_side_len=2400)

One instance is cached per (name, settings): engines load models and are expensive to create.
"""

from __future__ import annotations

import importlib
import inspect
import threading
from typing import Any, TypeVar

from ocr.base import OcrEngine
from pipeline.kernel.errors import ERROR_LABELS, BackfillError, ConfigError, ExitCode

E = TypeVar("E", bound=type[OcrEngine])

_BUILTIN_MODULES = ("ocr.ppocr", "ocr.tesseract", "ocr.paddle")
_engines: dict[str, type[OcrEngine]] = {}
_instances: dict[tuple[str, str], OcrEngine] = {}
_lock = threading.RLock()
_builtins_loaded = False


def register(engine_cls: E) -> E:
    """Class decorator: make an ``OcrEngine`` subclass available under its ``name``."""
    if not (isinstance(engine_cls, type) and issubclass(engine_cls, OcrEngine)):
        raise TypeError(f"{engine_cls!r} is not an OcrEngine subclass")
    if not engine_cls.name:
        raise TypeError(f"{engine_cls.__name__} has no engine name")
    with _lock:
        _engines[engine_cls.name] = engine_cls
    return engine_cls


def _load_builtins() -> None:
    # The engine modules are light: each imports its heavy library only when an engine is created.
    global _builtins_loaded
    if _builtins_loaded:
        return
    with _lock:
        if not _builtins_loaded:
            for module in _BUILTIN_MODULES:
                importlib.import_module(module)
            _builtins_loaded = True


def engine_names() -> list[str]:
    _load_builtins()
    return sorted(_engines)


def engine_class(name: str) -> type[OcrEngine]:
    _load_builtins()
    try:
        return _engines[name]
    except KeyError:
        raise ConfigError(
            f"未知的识别引擎 {name!r}，可用：{', '.join(sorted(_engines))} / "
            f"unknown OCR engine {name!r}; known engines: {', '.join(sorted(_engines))}",
            hint="请在设置 engine 中选用已知的引擎（backfill engines 列出本机能运行的）/ choose one of the known engines "
            "in the 'engine' setting (`backfill engines` lists those that run here)",
        ) from None


def _settings_key(settings: dict[str, Any]) -> str:
    return repr(sorted(settings.items()))


def _check_settings(engine_cls: type[OcrEngine], settings: dict[str, Any]) -> None:
    params = inspect.signature(engine_cls.__init__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if n != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise ConfigError(
            f"识别引擎 {engine_cls.name!r} 没有设置项 {', '.join(unknown)}（可用：{', '.join(accepted)}） / "
            f"unknown setting(s) for OCR engine {engine_cls.name!r}: {', '.join(unknown)}; accepted: {', '.join(accepted)}"
        )


def get_engine(name: str, **settings: Any) -> OcrEngine:
    """The engine ``name`` created with ``settings`` (cached per settings).

    Raises ``ConfigError`` for an unknown name or setting, ``MissingDependencyError`` /
    ``ModelMissingError`` when the engine cannot run here. Never downloads anything.
    """
    engine_cls = engine_class(name)
    _check_settings(engine_cls, settings)
    return _cached(engine_cls, (name, _settings_key(settings)), settings)


def _cached(engine_cls: type[OcrEngine], key: tuple[str, str], settings: dict[str, Any]) -> OcrEngine:
    with _lock:
        engine = _instances.get(key)
        if engine is None:
            engine = engine_cls(**settings)
            _instances[key] = engine
        return engine


def worker_engine(name: str, slot: int, **settings: Any) -> OcrEngine:
    """The engine `name` for page worker `slot` of several reading pages at once: its own instance
    (calls on one instance are serialised), its networks on one thread where the engine takes a
    `threads` setting and none is given. One per (name, settings, slot), cached."""
    engine_cls = engine_class(name)
    _check_settings(engine_cls, settings)
    params = inspect.signature(engine_cls.__init__).parameters
    if "threads" in params and settings.get("threads") is None:
        settings = {**settings, "threads": 1}
    return _cached(engine_cls, (name, _settings_key(settings) + f"#worker{slot}"), settings)


def available_engines() -> dict[str, tuple[bool, str]]:
    """Engine name → (whether it runs here, what `backfill engines` says of it): Chinese first, "中文 /
    English" (pipeline.kernel.reasons.zh_en): the engine's own `check_available` where it runs, else the
    kind of failure in Chinese (errors.ERROR_LABELS, as the CLI's error line says it), the error and its
    hint."""
    out: dict[str, tuple[bool, str]] = {}
    for name in engine_names():
        try:
            out[name] = (True, _engines[name].check_available())
        except BackfillError as exc:
            hint = f"（{exc.hint}）" if exc.hint else ""
            out[name] = (False, f"{ERROR_LABELS.get(exc.exit_code, ERROR_LABELS[ExitCode.other])} / {exc}{hint}")
    return out


def clear_cache(name: str | None = None) -> None:
    """Forget the created engines (tests; frees model memory): all of them, or those of engine `name` only
    (a test's own engine, leaving the models others loaded in the process in place)."""
    with _lock:
        if name is None:
            _instances.clear()
        else:
            for key in [k for k in _instances if k[0] == name]:
                del _instances[key]
