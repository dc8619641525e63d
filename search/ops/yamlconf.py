"""YAML config files whose validation errors name the file, the line and the key.

``load(path, Model)`` reads a file, validates it with a strict pydantic model and
raises :class:`~search.config.ConfigError` with one line per problem, for example
``configs/rules.yaml:7: rules.1.match.contans: unknown key``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from search.config import ConfigError

M = TypeVar("M", bound=BaseModel)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at ``loc`` (or of the deepest part of it that exists)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == str(part):
                    line, node = key.start_mark.line + 1, value  # reported at the key's line
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def check_unique(ids: list[str], what: str) -> None:
    """``ValueError`` naming the ids that occur more than once (``what``: "rule ids" ...)."""
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} must be unique: {', '.join(dupes)}")


def describe(source: str, exc: ValidationError, root: yaml.Node | None = None) -> str:
    """One line per problem: ``file:line: key.path: message``."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        line = _line_of(root, loc)
        where = f"{source}:{line}" if line is not None else source
        lines.append(f"{where}: {key}: {msg}")
    return "\n".join(lines)


def parse(text: str, model: type[M], source: str) -> M:
    """Validate YAML text against ``model``; ``ConfigError`` names ``source``, line and key."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe(source, exc, root)) from None


def load(path: Path, model: type[M]) -> M:
    """Read and validate a YAML file (see :func:`parse`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse(text, model, str(path))


_PLAIN = re.compile(r"^(?P<file>.+?\.ya?ml): (?P<loc>[^\s:]+): (?P<msg>.*)$")


def add_lines(message: str) -> str:
    """Add line numbers to ``file: key.path: message`` lines (errors of loaders that give none)."""
    out = []
    for line in message.splitlines():
        m = _PLAIN.match(line)
        if m is None:
            out.append(line)
            continue
        try:
            root = yaml.compose(Path(m["file"]).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            out.append(line)
            continue
        loc = tuple(int(p) if p.isdigit() else p for p in m["loc"].split("."))
        number = _line_of(root, loc)
        out.append(f"{m['file']}:{number}: {m['loc']}: {m['msg']}" if number is not None else line)
    return "\n".join(out)
