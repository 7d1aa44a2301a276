"""The reversible edit `proxy` makes to a DAG file: airlift's ``proxying_to_dagster`` block, appended once.

The block's code is ``airflow_side/proxy_block_code.py`` (read as text; what it does is described there). It
is appended after the last byte of the file, between two marker lines, in the file's own line endings.
Nothing else changes, so removing the block gives back the original bytes; the begin marker records whether
a final newline had to be added.

`ProxyBlockCommand` is a libcst codemod: it finds the DAGs the file creates when Airflow loads it (through
the file's imports: ``from airflow import DAG as D``, ``import airflow.models as m; m.DAG(...)``, ``@dag``
functions, subclasses of DAG defined in the file), warns about constructs it cannot count and skips them,
and refuses the file (`ProxyBlockError`) only when the block would be unsafe: the file does not parse, no
DAG is found (airlift raises then, and Airflow drops every DAG of the file), the file already proxies to
Dagster by hand, or the edit would not come off again byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import libcst as cst
import libcst.matchers as m
from libcst.codemod import (
    CodemodContext,
    SkipFile,
    TransformFailure,
    TransformSkip,
    TransformSuccess,
    VisitorBasedCodemodCommand,
    transform_module,
)
from libcst.metadata import PositionProvider, QualifiedName, QualifiedNameProvider, QualifiedNameSource

from converters.inventory.operators import is_dag_class

BEGIN = "# >>> airflow-to-dagster proxy block: managed by `airflow-to-dagster proxy/rollback`; do not edit"
BEGIN_NEWLINE_ADDED = BEGIN + " (final newline added)"
END = "# <<< airflow-to-dagster proxy block"

AIRFLOW_SIDE_SOURCE = "proxy_block_code.py"
# The block as earlier versions appended it (the same layout, other lines below the marker): `rollback` removes
# those too, so files proxied then still go back byte for byte. Newest first.
EARLIER_SOURCES = ("proxy_block_code_3.py", "proxy_block_code_2.py", "proxy_block_code_1.py")
SOURCE_MARKER = "# ---- the proxy block: every line below is appended to DAG files verbatim ----\n"
DEPTH_TEMPLATE = ".resolve().parent /"  # the state folder's path, at depth 0 (a file at the DAGs folder's root)

# The ``@dag`` decorator under its Airflow 2 and 3 import paths.
DAG_DECORATORS = {
    "airflow.decorators.dag",
    "airflow.models.dag.dag",
    "airflow.sdk.dag",
    "airflow.sdk.definitions.dag.dag",
}
AIRLIFT_PROXYING = {
    "dagster_airlift.in_airflow.proxying_to_dagster",
    "dagster_airlift.in_airflow.proxying_fn.proxying_to_dagster",
}
LOOKS_LIKE_A_DAG = {"DAG", "dag"}  # callee names that are worth a warning when they resolve to no Airflow DAG


class ProxyBlockError(ValueError):
    """The file cannot take (or give back) the proxy block; the message says why. The file is untouched."""


@dataclass(frozen=True)
class Proxied:
    """A DAG file with the proxy block, and the constructs the codemod skipped (``file:line: why``)."""

    text: str
    warnings: tuple[str, ...] = ()


@cache
def airflow_side_source(name: str = AIRFLOW_SIDE_SOURCE) -> str:
    """The Airflow-side source file, as text (it is never imported: it imports Airflow)."""
    return resources.files(__package__).joinpath("airflow_side", name).read_text(encoding="utf-8")


@cache
def _block_template(name: str = AIRFLOW_SIDE_SOURCE) -> str:
    header, marker, block = airflow_side_source(name).partition(SOURCE_MARKER)
    if not marker or block.count(DEPTH_TEMPLATE) != 1:
        raise RuntimeError(f"airflow_side/{name} lost its marker line or its state path")
    return block


def block_text(depth: int, newline: str = "\n", source: str = AIRFLOW_SIDE_SOURCE) -> str:
    """The block for a DAG file ``depth`` folders below the DAGs folder's root (as ``source`` has it: the
    current version by default, or one of `EARLIER_SOURCES`)."""
    parents = "".join(".parent" for _ in range(depth + 1))
    return _block_template(source).replace(DEPTH_TEMPLATE, f".resolve(){parents} /").replace("\n", newline)


def has_block(text: str) -> bool:
    return BEGIN in text


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def add_block(text: str, *, depth: int = 0, file: str = "the DAG file") -> str:
    """``text`` with the proxy block appended; refuses files airlift could not proxy."""
    return proxy_edit(text, depth=depth, file=file).text


def proxy_edit(text: str, *, depth: int = 0, file: str = "the DAG file") -> Proxied:
    """``text`` with the proxy block appended, and the warnings about what was skipped; refuses (raises
    `ProxyBlockError`) files the block would break or could not leave byte for byte."""
    if has_block(text):
        raise ProxyBlockError(f"{file} already has the proxy block")
    newline = _newline(text)
    added = bool(text) and not text.endswith(("\n", "\r"))
    command = ProxyBlockCommand(CodemodContext(filename=file), depth=depth, newline=newline, newline_added=added)
    bom = "\ufeff" if text.startswith("\ufeff") else ""  # libcst drops a byte order mark; Python allows one
    result = transform_module(command, text[len(bom) :])
    warnings = tuple(f"{file}:{w}" for w in result.warning_messages)
    if isinstance(result, TransformSkip):
        skipped = "".join(f"\n  skipped: {w}" for w in warnings)
        raise ProxyBlockError(f"{file}: {result.skip_description}{skipped}")
    if isinstance(result, TransformFailure):
        if isinstance(result.error, cst.ParserSyntaxError):
            raise ProxyBlockError(
                f"{file} does not parse (line {result.error.raw_line}): {result.error.message}"
            ) from result.error
        raise ProxyBlockError(f"{file}: the proxy block could not be added ({result.error!r})") from result.error
    if not isinstance(result, TransformSuccess):
        raise ProxyBlockError(f"{file}: the proxy block could not be added")
    edited = bom + result.code
    expected = text + (newline if added else "") + newline
    expected += (BEGIN_NEWLINE_ADDED if added else BEGIN) + newline + block_text(depth, newline) + END + newline
    if edited != expected or remove_block(edited, file=file) != text:
        raise ProxyBlockError(f"{file}: the proxy block could not be removed again byte for byte; refusing to add it")
    _check_stands_alone(text, edited, file)
    return Proxied(edited, warnings)


def _check_stands_alone(text: str, edited: str, file: str) -> None:
    before, after = cst.parse_module(text), _parse(edited, f"{file} with the proxy block")
    if len(after.body) <= len(before.body) or [s.__class__ for s in after.body[: len(before.body)]] != [
        s.__class__ for s in before.body
    ]:
        raise ProxyBlockError(f"{file}: the proxy block would not stand on its own at the end of the file")


def _parse(text: str, what: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ProxyBlockError(f"{what} does not parse (line {exc.raw_line}): {exc.message}") from exc


def remove_block(text: str, *, file: str = "the DAG file") -> str:
    """``text`` without the proxy block: exactly the bytes it had before `add_block`."""
    start = text.find(BEGIN)
    if start < 0:
        raise ProxyBlockError(f"{file} has no proxy block")
    newline = _newline(text)
    line_end = text.find(newline, start)
    marker = text[start:line_end]
    if marker not in (BEGIN, BEGIN_NEWLINE_ADDED):
        raise ProxyBlockError(f"{file}: the proxy block's first line was edited; remove the block by hand")
    end = text.find(END, line_end)
    if end < 0 or text[end + len(END) :] not in (newline, ""):
        raise ProxyBlockError(f"{file}: the proxy block is not the end of the file any more; remove it by hand")
    depth = text[line_end:end].count(".parent") - 1
    block = text[line_end + len(newline) : end]
    if all(block != block_text(depth, newline, source) for source in (AIRFLOW_SIDE_SOURCE, *EARLIER_SOURCES)):
        raise ProxyBlockError(f"{file}: the proxy block was edited by hand; remove it by hand")
    before = text[:start]
    if not before.endswith(newline) and before:
        raise ProxyBlockError(f"{file}: the proxy block does not start on its own line; remove it by hand")
    before = before[: -len(newline)] if before else before  # the blank line the block added
    if marker == BEGIN_NEWLINE_ADDED:
        before = before[: -len(newline)]
    return before


# -- the codemod -----------------------------------------------------------------------------------------


def _resolves_to(names: set[str], *, only: bool = True) -> m.MatchMetadataIfTrue:
    """A name or attribute the file's imports resolve to one of ``names`` (``only``: and to nothing else)."""

    def test(qualified: set[QualifiedName]) -> bool:
        found = {q.name for q in qualified}
        return bool(found) and (found <= names if only else bool(found & names))

    return m.MatchMetadataIfTrue(QualifiedNameProvider, test)


DAG_DECORATOR = m.Decorator(decorator=_resolves_to(DAG_DECORATORS) | m.Call(func=_resolves_to(DAG_DECORATORS)))
MAYBE_DAG_DECORATOR = m.Decorator(
    decorator=_resolves_to(DAG_DECORATORS, only=False) | m.Call(func=_resolves_to(DAG_DECORATORS, only=False))
)
AIRLIFT_PROXYING_CALL = m.Call(func=_resolves_to(AIRLIFT_PROXYING, only=False))
CALL_BY_NAME = m.Call(func=m.Name() | m.Attribute(attr=m.Name()))  # f(...) or module.f(...), not f()(...)


class ProxyBlockCommand(VisitorBasedCodemodCommand):
    """Append the proxy block to a DAG file that creates at least one DAG airlift can find."""

    DESCRIPTION = (
        "Appends dagster-airlift's proxying_to_dagster block (airflow_side/proxy_block_code.py) to an Airflow "
        "DAG file, between marker lines, so that the tasks named in proxied_state/ run in Dagster; warns "
        "about DAG constructs it cannot count and refuses files the block would break."
    )
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, context: CodemodContext, *, depth: int = 0, newline: str = "\n", newline_added: bool = False):
        super().__init__(context)
        self.depth = depth
        self.newline = newline
        self.newline_added = newline_added
        self.functions: list[str] = []  # the enclosing functions' names, the top-level one first
        self.dag_classes: set[str] = set()  # classes of this file that subclass Airflow's DAG
        self.uses: dict[str, set[str]] = {"": set()}  # names each top-level function ("": the module) uses
        self.dags: list[tuple[str, str, int]] = []  # DAG constructions: (top-level function or "", what, line)
        self.dag_functions: dict[str, int] = {}  # top-level @dag functions -> line

    def _where(self) -> str:
        """The top-level function a node is in ("" when the module's own code runs it)."""
        return self.functions[0] if self.functions else ""

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _qualified(self, node: cst.CSTNode) -> set[QualifiedName]:
        return set(self.get_metadata(QualifiedNameProvider, node, set()))

    def _is_dag(self, names: set[QualifiedName]) -> bool:
        """Airflow's DAG class (under any of its import paths), or a subclass of it that the file defines."""
        return bool(names) and all(
            is_dag_class(n.name) or (n.source is QualifiedNameSource.LOCAL and n.name in self.dag_classes)
            for n in names
        )

    def visit_Name(self, node: cst.Name) -> None:
        self.uses.setdefault(self._where(), set()).add(node.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.functions and any(self._is_dag(self._qualified(arg.value)) for arg in node.bases):
            self.dag_classes.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if any(self.matches(decorator, DAG_DECORATOR) for decorator in node.decorators):
            if self.functions:
                self.warn(
                    f"{self._line(node)}: @dag function {node.name.value!r} is defined inside "
                    f"{self.functions[-1]!r}; not counted as a DAG of the file"
                )
            else:
                self.dag_functions[node.name.value] = self._line(node)
        elif any(self.matches(decorator, MAYBE_DAG_DECORATOR) for decorator in node.decorators):
            self.warn(
                f"{self._line(node)}: the decorator of {node.name.value!r} may or may not be Airflow's @dag "
                "(it depends on an import); not counted as a DAG"
            )
        self.functions.append(node.name.value)
        self.uses.setdefault(self._where(), set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.functions.pop()
        return updated_node

    @m.visit(AIRLIFT_PROXYING_CALL)
    def _proxied_by_hand(self, node: cst.Call) -> None:
        raise SkipFile(
            f"line {self._line(node)} already calls dagster-airlift's proxying_to_dagster (proxied by hand?); "
            "a second block would proxy its tasks twice"
        )

    @m.visit(CALL_BY_NAME)
    def _call(self, node: cst.Call) -> None:
        names = self._qualified(node.func)
        plain = {q.name for q in names}
        func = node.func
        callee = func.attr.value if isinstance(func, cst.Attribute) else cst.ensure_type(func, cst.Name).value
        if plain & (DAG_DECORATORS | AIRLIFT_PROXYING):
            return  # ``@dag(...)`` (the decorated function is what counts), or refused already
        if self._is_dag(names):
            self.dags.append((self._where(), f"{callee}(...)", self._line(node)))
        elif callee in LOOKS_LIKE_A_DAG and not names:
            self.warn(
                f"{self._line(node)}: cannot tell where {callee!r} comes from (a star import?); not counted as a DAG"
            )
        elif callee in LOOKS_LIKE_A_DAG and any(q.source is QualifiedNameSource.IMPORT for q in names):
            self.warn(
                f"{self._line(node)}: {callee!r} resolves to {' or '.join(sorted(plain))}, not surely Airflow's "
                "DAG; not counted as a DAG"
            )

    # The edit.

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        reached = self._reached()
        counted = 0
        for where, what, line in self.dags:
            if where in reached:
                counted += 1
            elif where not in self.dag_functions:
                self.warn(
                    f"{line}: {what} is inside {where!r}, which the file never runs when Airflow loads it; "
                    "not counted as a DAG of the file"
                )
        for function, line in self.dag_functions.items():
            if function in reached:
                counted += 1
            else:
                self.warn(
                    f"{line}: @dag function {function!r} is never called when Airflow loads the file, so "
                    "Airflow has no DAG from it; not counted"
                )
        if not counted:
            raise SkipFile(
                "no DAG is created at module level (`with DAG(...)`, `x = DAG(...)` or a call of a `@dag` "
                "function); airlift only proxies DAGs it finds there, and would fail the whole file without one"
            )
        return self._with_block(updated_node)

    def _reached(self) -> set[str]:
        """The top-level definitions the module's code uses, directly or through each other."""
        reached, todo = {""}, [""]
        while todo:
            for name in self.uses.get(todo.pop(), ()):
                if name in self.uses and name not in reached:
                    reached.add(name)
                    todo.append(name)
        return reached

    def _with_block(self, module: cst.Module) -> cst.Module:
        begin = BEGIN_NEWLINE_ADDED if self.newline_added else BEGIN
        block = _parsed_block(begin, self.depth, self.newline)
        if self.newline != module.default_newline:  # the block's line endings are the file's (see _newline)
            block = cst.ensure_type(block.visit(_ExplicitNewlines(self.newline)), cst.Module)
        blank = cst.EmptyLine(newline=cst.Newline(None if self.newline == module.default_newline else self.newline))
        first, *rest = block.body
        first = first.with_changes(leading_lines=[*module.footer, blank, *block.header, *first.leading_lines])
        return module.with_changes(body=[*module.body, first, *rest], footer=block.footer, has_trailing_newline=True)


@cache
def _parsed_block(begin: str, depth: int, newline: str) -> cst.Module:
    """The block between its markers, parsed in the file's line endings (its strings keep them too)."""
    return cst.parse_module(begin + newline + block_text(depth, newline) + END + newline)


class _ExplicitNewlines(cst.CSTTransformer):
    def __init__(self, newline: str) -> None:
        super().__init__()
        self.newline = newline

    def leave_Newline(self, original_node: cst.Newline, updated_node: cst.Newline) -> cst.Newline:
        return updated_node if updated_node.value is not None else updated_node.with_changes(value=self.newline)
