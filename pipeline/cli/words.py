"""The `backfill` parser in its readers' language: Simplified Chinese first, English after.

One mechanism for every command and subcommand (pipeline.cli.main.build_parser makes a `Parser`, and
argparse makes each subcommand's parser of the same class):

- every help text and description is written Chinese first, "中文说明 (English)", where it is defined;
  a subcommand's `help` is also its description (`backfill COMMAND --help` starts with what it does);
- argparse's own words ("usage:", "options:", "show this help message and exit", its error messages)
  come from ARGPARSE_WORDS: argparse looks each of them up through gettext (`argparse._`), which a
  `Parser` points at this table while it builds, parses or prints, and nowhere else (other parsers in
  the same process, pytest's for one, keep theirs);
- help is wrapped by display width (a Chinese character fills two terminal columns) and may break
  between two Chinese characters, which have no spaces between them (`HelpFormatter`).

tests/test_cli_words.py walks every parser and asks each help text to start in Chinese."""

from __future__ import annotations

import argparse
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

from pipeline.kernel.safety import display_width

ARGPARSE_WORDS: dict[str, str] = {
    "usage: ": "用法 usage: ",
    "positional arguments": "参数 (arguments)",
    "options": "选项 (options)",
    "show this help message and exit": "显示本帮助并退出 (show this help and exit)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: 命令参数有误 / %(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数 %s (the following arguments are required)",
    "one of the arguments %s is required": "须给出 %s 之一 (one of them is required)",
    "unrecognized arguments: %s": "无法识别的参数 %s (unrecognized arguments)",
    "not allowed with argument %s": "不能与 %s 同时使用 (not allowed together)",
    "ignored explicit argument %r": "该选项不接受值 %r (ignored explicit argument)",
    "expected one argument": "需要一个值 (expected one argument)",
    "expected at most one argument": "最多一个值 (expected at most one argument)",
    "expected at least one argument": "至少一个值 (expected at least one argument)",
    "expected %s argument": "需要 %s 个值 (expected that many values)",
    "expected %s arguments": "需要 %s 个值 (expected that many values)",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s (ambiguous option)",
    "unexpected option string: %s": "意外的选项 %s (unexpected option)",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r (invalid %(type)s value)",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r，可选：%(choices)s (invalid choice)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r，可选：%(choices)s (unknown command)",
}
"""argparse's own words (Python 3.11's argparse, looked up through gettext), Chinese first. A message
argparse says that is not here stays English (its programming errors: conflicting options...)."""


def _zh(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


def _zh_n(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


@contextmanager
def _in_chinese() -> Iterator[None]:
    """argparse's gettext lookups answered from ARGPARSE_WORDS while the block runs (nested blocks fine)."""
    names = vars(argparse)  # argparse's module globals: its `_` and `ngettext` are gettext's
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = _zh, _zh_n
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


F = TypeVar("F", bound=Callable[..., Any])


def _chinese(method: F) -> F:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with _in_chinese():
            return method(*args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = method.__name__, method.__doc__
    return wrapped  # type: ignore[return-value]


_TOKENS = re.compile(
    r"\s+|[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef][）》」』，。、；：！？]*|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+"
)
"""A line breaks at a space, or between two Chinese characters; closing punctuation stays with the
character before it (no line starts with ，。）)."""


def wrap(text: str, columns: int) -> list[str]:
    """`text` (white space folded) in lines of at most `columns` terminal columns (a longer word alone)."""
    lines: list[str] = []
    line = ""
    for tok in _TOKENS.findall(" ".join(text.split())):
        if tok.isspace():
            if line:
                line += " "
            continue
        if line and display_width(line) + display_width(tok) > columns:
            lines.append(line.rstrip())
            line = ""
        line += tok
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, wrapping by display width (see the module's docstring)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width))

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse indents the usage's next lines by len(prefix): a stand-in as wide as the prefix shows
        real = _zh("usage: ") if prefix is None else prefix
        stand_in = "\0" * display_width(real)
        return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, real, 1)


class _Commands(argparse._SubParsersAction):
    """Subcommands whose `help` (one line in the parent's list) is also their description."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if kwargs.get("help") and not kwargs.get("description"):
            kwargs["description"] = kwargs["help"]
        return super().add_parser(name, **kwargs)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese first (the module's docstring); its subcommands' parsers too."""

    @_chinese
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)

    @_chinese
    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        return super().parse_args(args, namespace)

    @_chinese
    def parse_known_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        return super().parse_known_args(args, namespace)

    @_chinese
    def format_usage(self) -> str:
        return super().format_usage()

    @_chinese
    def format_help(self) -> str:
        return super().format_help()

    @_chinese
    def error(self, message: str) -> Any:
        return super().error(message)
