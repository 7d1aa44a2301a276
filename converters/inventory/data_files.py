"""Data files a DAG file reads at parse time (YAML, JSON), read as data by the scan: nothing in them is executed.

``read_data_file`` is the one way the scan opens such a file: a path relative to the scanned folder (never above
it), at most ``MAX_DATA_FILE_BYTES``, YAML through ``yaml.SafeLoader`` (plus dag-factory's pure ``!join``) with
at most ``MAX_YAML_EVENTS`` parse events and ``MAX_YAML_ALIASES`` aliases (a "billion laughs" file is refused,
not expanded), JSON through ``json.loads``. It returns the data, the line of each mapping in it (for source
references: ``lines[id(mapping)]``; a mapping that is the value of a key gets the key's line) and the content's
sha256 (the scan's cache entry is valid only while the file is unchanged). Every problem is a ``DataFileError``
with the line it is on, which the caller turns into a diagnostic.

``OpenFile`` is ``open(<path>)`` of a path the scan computed; ``load_literal_data`` is what
``yaml.safe_load(open(...))`` / ``json.load(open(...))`` give the interpreter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_DATA_FILE_BYTES = 2 * 1024 * 1024
MAX_YAML_EVENTS = 200_000
MAX_YAML_ALIASES = 1_000
YAML_SUFFIXES = (".yaml", ".yml")


class DataFileError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


@dataclass(frozen=True)
class OpenFile:
    """``open(path)`` of a path under the scanned folder (``PathValue.path``), not read until it is loaded."""

    path: str


@dataclass
class DataFile:
    path: str  # relative to the scanned folder
    data: Any
    sha256: str
    lines: dict[int, int] = field(default_factory=dict)  # id(mapping) -> its line (1-based)

    def line_of(self, value: Any, default: int = 1) -> int:
        return self.lines.get(id(value), default)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping it builds."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.mapping_lines: dict[int, int] = {}

    def construct_yaml_map(self, node: yaml.MappingNode):  # type: ignore[override]
        data: dict = {}
        self.mapping_lines[id(data)] = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))
        for key_node, value_node in node.value:
            value = self.constructed_objects.get(value_node)
            if isinstance(value, dict):  # `task_1: {operator: ...}`: the task is where its name is
                self.mapping_lines[id(value)] = key_node.start_mark.line + 1


def _join(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """dag-factory's ``!join [a, b]``: the items' strings concatenated."""
    return "".join(str(item) for item in loader.construct_sequence(node))  # type: ignore[arg-type]


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("!join", _join)


def resolve_under(root: Path, relative: str) -> Path:
    """``relative`` inside ``root``; a path that leaves the scanned folder is refused (the scan reads only it)."""
    parts = Path(relative).parts
    if relative.startswith("/") or ".." in parts:
        raise DataFileError(0, f"{relative}: outside the scanned folder, not read")
    path = root / relative
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError) as exc:
        raise DataFileError(0, f"{relative}: outside the scanned folder, not read") from exc
    return path


def read_data_file(root: Path, relative: str, kind: str | None = None) -> DataFile:
    """Read ``relative`` (under ``root``) as YAML or JSON (``kind``, else by its suffix). Raises ``DataFileError``."""
    path = resolve_under(root, relative)
    try:
        if not path.is_file():
            raise DataFileError(0, f"{relative}: no such file")
        if path.stat().st_size > MAX_DATA_FILE_BYTES:
            raise DataFileError(0, f"{relative}: larger than {MAX_DATA_FILE_BYTES // 1024 // 1024} MB, not read")
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(0, f"{relative}: cannot be read ({exc.strerror})") from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(raw[: exc.start].count(b"\n") + 1, f"{relative}: not valid UTF-8") from exc
    kind = kind or ("json" if relative.endswith(".json") else "yaml")
    if kind == "json":
        try:
            return DataFile(relative, json.loads(text), digest)
        except (ValueError, RecursionError) as exc:
            raise DataFileError(getattr(exc, "lineno", 0), f"{relative}: not valid JSON: {exc}") from exc
    return _read_yaml(relative, text, digest)


def read_yaml_text(relative: str, text: str) -> Any:
    """YAML text found inside another file (front matter), with the same limits. Raises ``DataFileError``."""
    return _read_yaml(relative, text, "").data


def _read_yaml(relative: str, text: str, digest: str) -> DataFile:
    try:
        events = aliases = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            aliases += isinstance(event, yaml.AliasEvent)
            if events > MAX_YAML_EVENTS or aliases > MAX_YAML_ALIASES:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise DataFileError(line, f"{relative}: too large or too many aliases to read safely")
        loader = _LineLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DataFileError(line, f"{relative}: not valid YAML: {exc.problem or exc.context}") from exc
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise DataFileError(0, f"{relative}: not valid YAML: {type(exc).__name__}") from exc
    return DataFile(relative, data, digest, loader.mapping_lines)


LITERAL_DATA_LOADERS = {"yaml.safe_load": "yaml", "yaml.load": "yaml", "yaml.full_load": "yaml", "json.load": "json"}


def load_literal_data(scanner, node, name: str, args: list) -> Any:
    """``yaml.safe_load(open(<path>))`` / ``json.load(open(...))`` of a path computed from ``__file__``: the file's
    data, for the interpreter to compute with (a task list, a DAG config). Anything else stays unknown."""
    from converters.inventory.values import Unknown  # values.py is the interpreter's; this module stays plain

    opened = args[0] if args else None
    if not isinstance(opened, OpenFile) or getattr(scanner, "root", None) is None:
        return Unknown(scanner.src(node))
    try:
        data_file = read_data_file(scanner.root, opened.path, LITERAL_DATA_LOADERS[name])
    except DataFileError as error:
        scanner.diag(node, "A2D235", error.message, "warning")
        return Unknown(scanner.src(node))
    scanner.data_files[opened.path] = data_file.sha256
    return data_file.data
