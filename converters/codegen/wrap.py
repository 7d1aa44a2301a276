"""Long lines of generated code, wrapped without changing what the code does.

ruff format wraps code but never a comment or a string literal. Generated modules carry both: comments that say
where a task came from and why, and literals copied from the DAG (a bash command, a SQL statement, a URL). A line
over the limit is wrapped here instead of being silenced with ``# noqa: E501``:

- a comment on a line of its own becomes several comment lines at the same indentation;
- a one-line string literal becomes adjacent literals in parentheses: Python joins them at compile time, so the
  value is the same string, byte for byte.

- a one-line f-string is cut only outside its replacement fields: a piece with a field stays an f-string, one
  without becomes a plain literal (its ``{{``/``}}`` unescaped), so each piece is a literal ruff accepts.

Byte strings and triple-quoted f-strings are left alone; a line still too long after this is reported by the lint
that follows, never silenced.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize

LINE_LENGTH = 120  # of every generated module (ruff's line-length)
_SIMPLE_PREFIX = re.compile(r"^(?P<prefix>[rRuU]?)(?P<quote>['\"])(?P<body>.*)(?P=quote)$", re.DOTALL)
_FSTRING = re.compile(r"^[fF](?P<quote>['\"])(?P<body>.*)(?P=quote)$", re.DOTALL)


def wrap_long_lines(text: str, limit: int) -> str:
    """``text`` with its over-long comments and string literals wrapped; the same program."""
    lines = text.splitlines(keepends=True)
    too_long = {row for row, line in enumerate(lines, 1) if len(line.rstrip("\r\n")) > limit}
    if not too_long:
        return text
    tokens = _tokens_near(text, lines, too_long)
    if tokens is None:
        return text  # not Python we can read: the lint that follows names the problem
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits: list[tuple[int, int, str]] = []  # (start offset, end offset, replacement)
    for token in tokens:
        (row, col), (end_row, end_col) = token.start, token.end
        if token.type not in (tokenize.COMMENT, tokenize.STRING) or not too_long & set(range(row, end_row + 1)):
            continue
        indent = len(lines[row - 1]) - len(lines[row - 1].lstrip())
        if token.type == tokenize.COMMENT:
            replacement = _wrap_comment(token.string, col, limit) if not lines[row - 1][:col].strip() else None
        elif row == end_row:
            replacement = _split_literal(token.string, col, limit) or _split_fstring(token.string, col, limit)
        else:
            replacement = _split_multiline_literal(token.string, indent, limit)
        if replacement is not None:
            edits.append((starts[row - 1] + col, starts[end_row - 1] + end_col, replacement))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _tokens_near(text: str, lines: list[str], rows: set[int]) -> list[tokenize.TokenInfo] | None:
    """The tokens of the top-level statements holding ``rows`` (each with its decorators), and of the rows no
    statement holds (comment lines between them), at their rows in ``text``; None when ``text`` is not Python.
    Tokenizing a whole generated module is what made wrapping slow; its long lines sit in a few statements."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    spans = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        if any(first <= row <= last for row in rows):
            spans.append((first, last))
    covered = {row for first, last in spans for row in range(first, last + 1)}
    spans += [(row, row) for row in sorted(rows - covered)]
    tokens: list[tokenize.TokenInfo] = []
    for first, last in spans:
        try:
            found = tokenize.generate_tokens(io.StringIO("".join(lines[first - 1 : last])).readline)
            for token in found:
                (row, col), (end_row, end_col) = token.start, token.end
                tokens.append(token._replace(start=(row + first - 1, col), end=(end_row + first - 1, end_col)))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return None
    return tokens


def prose(text: str, width: int) -> list[str]:
    """Generated prose (a docstring, a comment) in lines of at most ``width`` characters: cut between words, never
    at a hyphen; a word longer than a line (a DAG file's path deep in a repository) is cut too, so that no line is
    over the limit."""
    return textwrap.wrap(text, width=width, break_on_hyphens=False)


def literal_at(literal: str, column: int, limit: int = LINE_LENGTH) -> str:
    """A string literal the generator writes at ``column`` (with a comma after it): as it is when it fits, else
    cut as `wrap_long_lines` would cut it there. Writing the common long values so keeps most modules off
    `wrap_long_lines`' slow path (parsing the module to find the statements to tokenize)."""
    if column + len(literal) + 1 <= limit:
        return literal
    return _split_literal(literal, column, limit) or literal


def comment_at(comment: str, column: int = 0, limit: int = LINE_LENGTH) -> str:
    """A generated comment line at ``column``: as it is when it fits, else as `wrap_long_lines` would wrap it."""
    return comment if column + len(comment) <= limit else _wrap_comment(comment, column, limit)


def _wrap_comment(comment: str, indent: int, limit: int) -> str:
    body = comment.lstrip("#").strip()
    pieces = prose(body, max(limit - indent - 2, 40))
    return ("\n" + " " * indent).join(f"# {piece}" for piece in pieces) if pieces else comment


def _split_literal(literal: str, indent: int, limit: int) -> str | None:
    """``"a b c"`` as ``("a b " "c")`` on several lines, or None when it cannot be split safely."""
    match = _SIMPLE_PREFIX.match(literal)
    if match is None or match["body"].startswith(match["quote"] * 2):  # f-, b- or triple-quoted
        return None
    prefix, quote, body = match["prefix"], match["quote"], match["body"]
    width = max(limit - indent - 8 - len(prefix), 20)
    pieces = _pieces(body, width)
    if len(pieces) < 2:
        return None
    inner = " " * (indent + 4)
    return "(\n" + "\n".join(f"{inner}{prefix}{quote}{piece}{quote}" for piece in pieces) + "\n" + " " * indent + ")"


def _split_fstring(literal: str, indent: int, limit: int) -> str | None:
    """``f"a {x} b"`` as ``(f"a {x} " "b")``: cut after spaces outside its replacement fields; None when it cannot
    be cut so (a field longer than the line, a triple-quoted or raw f-string)."""
    match = _FSTRING.match(literal)
    if match is None or match["body"].startswith(match["quote"] * 2):
        return None
    quote, body = match["quote"], match["body"]
    width = max(limit - indent - 9, 20)
    cuts = _field_free_spaces(body)
    pieces: list[str] = []
    start = 0
    while len(body) - start > width:
        fitting = [cut for cut in cuts if start < cut <= start + width and "\\" not in body[max(cut - 10, start) : cut]]
        if not fitting:
            return None
        pieces.append(body[start : fitting[-1]])
        start = fitting[-1]
    pieces.append(body[start:])
    if len(pieces) < 2:
        return None
    inner = " " * (indent + 4)
    written = []
    for piece in pieces:
        if _has_field(piece):
            written.append(f"{inner}f{quote}{piece}{quote}")
        else:
            written.append(f"{inner}{quote}{piece.replace('{{', '{').replace('}}', '}')}{quote}")
    replacement = "(\n" + "\n".join(written) + "\n" + " " * indent + ")"
    return replacement if _same_expression(literal, replacement) else None


def _same_expression(before: str, after: str) -> bool:
    """Whether two expressions parse to the same tree (adjacent literals join at compile time): a cut that went
    wrong (inside a field the scan misread) is never written."""
    try:
        return ast.dump(ast.parse(before, mode="eval")) == ast.dump(ast.parse(after.strip(), mode="eval"))
    except SyntaxError:
        return False


def _field_free_spaces(body: str) -> list[int]:
    """The offsets just after each space of an f-string's body that lies outside its replacement fields."""
    cuts, depth, i = [], 0, 0
    while i < len(body):
        pair = body[i : i + 2]
        if depth == 0 and pair in ("{{", "}}"):
            i += 2
            continue
        if body[i] == "{":
            depth += 1
        elif body[i] == "}":
            depth = max(depth - 1, 0)
        elif body[i] == " " and depth == 0:
            cuts.append(i + 1)
        i += 1
    return cuts


def _has_field(piece: str) -> bool:
    """Whether a piece of an f-string's body holds a replacement field (a ``{`` that is not ``{{``)."""
    return "{" in piece.replace("{{", "")


def _pieces(body: str, width: int) -> list[str]:
    """``body`` cut into parts of at most ``width`` characters, each ending after a space where there is one (outside a
    ``{{ ... }}`` template expression if it can), and never inside an escape sequence (no part ends within 10
    characters after a backslash)."""
    pieces = []
    while len(body) > width:
        cut = _space_before(body, width)
        if cut <= width // 2:  # no space far enough: cut anywhere outside an escape
            cut = width
        while cut > 0 and "\\" in body[max(cut - 10, 0) : cut]:
            cut -= 1
        if cut == 0:
            return [body] if not pieces else [*pieces, body]
        pieces.append(body[:cut])
        body = body[cut:]
    return [*pieces, body] if body else pieces


def _space_before(body: str, width: int) -> int:
    """The cut after the last space within ``width``, preferring one outside ``{{ ... }}``; 0 if there is none."""
    spaces = [i + 1 for i in range(min(width, len(body))) if body[i] == " "]
    outside = [cut for cut in spaces if body.count("{{", 0, cut) == body.count("}}", 0, cut) and cut > width // 2]
    return (outside or spaces or [0])[-1]


def _split_multiline_literal(literal: str, indent: int, limit: int) -> str | None:
    """A triple-quoted literal with a line over the limit, as one literal per line (and per piece of a long line) in
    parentheses, written from its value: the same string. f-strings and byte strings are left alone."""
    match = re.match(r"^([rRuU]?)(\'\'\'|\"\"\")", literal)
    if match is None:
        return None
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return None
    width = max(limit - indent - 8, 20)
    pieces = [piece for line in value.splitlines(keepends=True) for piece in _written_pieces(line, width)]
    inner = " " * (indent + 4)
    return "(\n" + "\n".join(inner + repr(piece) for piece in pieces) + "\n" + " " * indent + ")"


def _written_pieces(text: str, width: int) -> list[str]:
    """``text`` cut like `_pieces`, narrower where needed so that each piece *written as a literal* (``repr``: its
    escaped quotes, backslashes and newlines) holds at most ``width`` characters between its quotes. (ruff's
    choice of quote never needs more escapes than ``repr``'s.)"""
    cut = width
    while True:
        pieces = _pieces(text, cut)
        over = max(len(repr(piece)) - 2 - width for piece in pieces) if pieces else 0
        if over <= 0 or cut <= 10:
            return pieces
        cut = max(cut - over, 10)
