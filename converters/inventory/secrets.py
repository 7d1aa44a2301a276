"""Secrets written into DAG source: find them, report them redacted, keep them out of everything we write.

Three kinds of evidence, each with its own rule:

- **formats** that are secrets wherever they appear (a connection URI with a password, an AWS access key,
  GitHub/Slack/Google/Stripe tokens, a JWT, a ``Bearer`` token, a PEM private key block), found in the raw text,
  so comments count too;
- **``name=value`` text** inside a string (``"host=db user=etl password=hunter2"``, ``"token: abc…"``);
- **names** in the code: a string literal given to a keyword, assigned to a variable or attribute, or stored
  under a dict key whose name says *password*, *secret*, *token*, *api key*… (``PostgresHook(password="…")``).

Jinja (``{{ conn.x.password }}``), format placeholders, environment lookups and the arguments of a Kubernetes
``Secret(...)`` (the name of a secret the cluster holds) are references, not secrets.

``find_secrets`` returns the findings with the secret itself (for scrubbing, never for output);
``scrub_file`` rewrites a scanned file's IR so that nothing it carries holds a secret: copied code reads each
one from an environment variable (``os.environ["A2D_SECRET_<FILE>_L<line>"]`` holds the secret alone, the
text around it stays in the code), task arguments holding one become ``ir.SecretValue`` (rendered as the
same concatenation), every other string is masked. ``redact`` is the
pattern-based redaction for any text a report prints; ``redact_json`` applies it to every string of a JSON value.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from converters.inventory import ir

SECRET_CODE = "A2D300"
UNEXTERNALISED_CODE = "A2D301"
MASK = "***"
MIN_SECRET_LENGTH = 4
# Structure, not text: a task id that happens to contain a short password's letters stays as it is.
IDENTIFIER_FIELDS = frozenset(
    {"task_id", "dag_id", "upstream", "downstream", "path", "file", "sha256", "name", "operator"}
    | {"operator_as_written", "family", "task_group", "trigger_rule", "pool", "callbacks", "conn_ids", "templated"}
    | {"params", "airflow_names", "logic_airflow_imports", "styles", "constructs", "code", "severity", "kind"}
)

# (kind, pattern). The group "secret" is the part to hide; without it the whole match is the secret.
# Quantifiers are bounded so a hostile 10 MB line cannot make matching quadratic.
FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "connection URI with a password",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]{0,30}://[^\s:/@'\"]{1,256}:(?P<secret>[^\s@/'\"]{1,256})@"),
    ),
    (
        "PEM private key",
        re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,20000}?-----END [A-Z ]{0,40}PRIVATE KEY-----"),
    ),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,255}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("Stripe key", re.compile(r"\b(?:sk|rk)_live_[0-9a-zA-Z]{16,255}")),
    ("JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}")),
    ("bearer token", re.compile(r"\b[Bb]earer\s{1,8}(?P<secret>[A-Za-z0-9._~+/=-]{16,4096})")),
)
# Text each format cannot match without: files lacking it skip the pattern.
FORMAT_HINTS = {
    "connection URI with a password": ("://",),
    "PEM private key": ("PRIVATE KEY",),
    "AWS access key id": ("AKIA", "ASIA"),
    "GitHub token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "Slack token": ("xox",),
    "Google API key": ("AIza",),
    "Stripe key": ("_live_",),
    "JSON web token": ("eyJ",),
    "bearer token": ("earer",),
}
# ``name=value`` inside text: looked for in string literals and comments only (in code, ``password=x`` is
# a keyword argument, which the name rule judges by its value).
SETTING = (
    "password-like setting",
    re.compile(
        r"(?i)\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|auth[_-]?token"
        r"|client[_-]?secret)\s{0,4}[=:]\s{0,4}(?P<secret>[^\s\"'&;,()\[\]{}<>]{4,256})"
    ),
)

# Names that say their string value is a secret, and suffixes that say it is only about one.
SECRET_NAME = re.compile(  # the secret word ends the name: `db_password`, `PGPASSWORD`, not `password_policy`
    r"(?i)(?:password|passwd|pwd|passphrase|secret|token|api_?key|access_?key|secret_?key|private_?key"
    r"|client_?secret|credentials?|auth_?token)$"
)
SECRET_WORD = re.compile(r"(?i)passw|pwd|passphrase|secret|token|api_?key|access_?key|private_?key|credential")
NOT_A_SECRET_SUFFIX = re.compile(
    r"(?i)_(?:id|ids|url|uri|path|file|name|var|variable|env|type|field|header|endpoint|key_id|length|len|expiry"
    r"|expires|ttl|conn|conn_id|backend|method|kind|mode|location)$"
)
# Values that point at a secret rather than being one.
REFERENCE = re.compile(r"\{\{|\{%|\$\{|^\$[A-Z_]|^\{[A-Za-z_0-9]*\}$|%\([a-z_]+\)s|^<[^>]*>$|^\*+$|^(?:x+|\.+)$", re.I)
# A value given to a secret-named variable that reads like prose or an import path is not a secret.
NOT_A_SECRET_VALUE = re.compile(r"\s|^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Secret:
    """One finding. ``value`` is the secret itself: use it to scrub, never print it."""

    line: int
    kind: str
    value: str
    redacted: str  # the surrounding text with the secret masked, safe to show
    env: str = ""  # the environment variable generated code reads instead
    # Where the secret sits: ``context`` is the matched text (``postgresql://etl:pw@``, ``password=pw``) and the
    # secret starts ``offset`` characters into it. Only that text is replaced, so a short password that is also
    # an ordinary word ("airflow") does not disturb the rest. ``whole``: a literal given to a secret-named
    # variable; only a string that is exactly the secret (or that literal quoted in code) is replaced.
    context: str = ""
    offset: int = 0
    whole: bool = False


def redact(text: str) -> str:
    """``text`` with every secret the format rules recognise masked (for anything a report prints)."""
    for _kind, pattern in (*FORMATS, SETTING):
        text = pattern.sub(_mask_match, text)
    return text


def redact_json(value: Any) -> Any:
    """``redact`` applied to every string (keys included) of a JSON-like value."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_json(k): redact_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(v) for v in value]
    return value


def find_secrets(text: str, tree: ast.Module | None, relative_path: str) -> list[Secret]:
    """Every secret in one file's ``text`` (and, when it parsed, its syntax ``tree``), in line order."""
    found: dict[tuple[int, str], Secret] = {}

    def add(kind: str, match: re.Match[str], first_line: int, within: str) -> None:
        grouped = "secret" in match.re.groupindex
        value = match.group("secret") if grouped else match.group(0)
        if _is_reference(value) or (kind == SETTING[0] and _prose_setting(match)):
            return
        line = first_line + within.count("\n", 0, match.start())
        offset = match.start("secret") - match.start() if grouped else 0
        secret = Secret(line, kind, value, _mask_match(match)[:200], context=match.group(0), offset=offset)
        found.setdefault((line, value), secret)

    for kind, pattern in FORMATS:
        if any(hint in text for hint in FORMAT_HINTS[kind]):  # a substring test is far cheaper than the pattern
            for match in pattern.finditer(text):
                add(kind, match, 1, text)
    if tree is None:  # not Python we can read: any text may be a literal
        for match in SETTING[1].finditer(text):
            add(SETTING[0], match, 1, text)
        return _named(found, relative_path)
    # Walking the tree and tokenizing are the costly part: only for files whose text could hold a match.
    if SETTING[1].search(text):
        for line, piece in _text_pieces(tree, text):
            for match in SETTING[1].finditer(piece):
                add(SETTING[0], match, line, piece)
    if not SECRET_WORD.search(text):
        return _named(found, relative_path)
    for line, name, value in _named_literals(tree):
        if not any(s.value in value for (at, _), s in found.items() if at == line):
            kind = f"string given to {name!r}"
            found[(line, value)] = Secret(line, kind, value, f"{name}={MASK!r}", context=value, whole=True)
    return _named(found, relative_path)


def _named(found: dict[tuple[int, str], Secret], relative_path: str) -> list[Secret]:
    """The findings in line order, each with the environment variable generated code reads instead."""
    ordered = sorted(found.values(), key=lambda s: (s.line, s.kind))
    stem = re.sub(r"[^A-Za-z0-9]+", "_", relative_path.removesuffix(".py")).strip("_").upper() or "FILE"
    named: list[Secret] = []
    per_line: dict[int, int] = {}
    env_of_value: dict[str, str] = {}
    for secret in ordered:
        env = env_of_value.get(secret.value)
        if env is None:
            per_line[secret.line] = per_line.get(secret.line, 0) + 1
            suffix = "" if per_line[secret.line] == 1 else f"_{per_line[secret.line]}"
            env = env_of_value[secret.value] = f"A2D_SECRET_{stem}_L{secret.line}{suffix}"
        named.append(dataclasses.replace(secret, env=env))
    return named


def diagnostics_for(secrets: list[Secret], relative_path: str) -> list[ir.Diagnostic]:
    return [
        ir.Diagnostic(
            relative_path,
            secret.line,
            SECRET_CODE,
            "warning",
            f"{secret.kind} in the source: {secret.redacted} — keep it in an Airflow connection or the environment; "
            f"generated code reads it from ${secret.env} and no output contains it",
        )
        for secret in secrets
    ]


def scrub_file(file: ir.DagFile, secrets: list[Secret]) -> ir.DagFile:
    """``file`` with no secret left in any field: code and arguments read the environment, the rest is masked."""
    if not secrets:
        return file
    logic_imports, logic, unexternalised = _externalise_code(file.logic_imports, file.logic, secrets)
    dags = tuple(
        dataclasses.replace(
            dag,
            tasks=tuple(
                dataclasses.replace(task, arguments=_externalise_value(task.arguments, secrets)) for task in dag.tasks
            ),
        )
        for dag in file.dags
    )
    diagnostics = file.diagnostics + tuple(
        ir.Diagnostic(
            file.path,
            secret.line,
            UNEXTERNALISED_CODE,
            "warning",
            f"{secret.kind} inside an f-string of copied code: masked as {MASK!r} in the generated code; "
            "replace it with an environment lookup by hand",
        )
        for secret in unexternalised
    )
    scrubbed = dataclasses.replace(file, dags=dags, logic_imports=logic_imports, logic=logic, diagnostics=diagnostics)
    return _mask_everywhere(scrubbed, secrets)


# -- detection helpers -------------------------------------------------------------------------------------


def _mask_match(match: re.Match[str]) -> str:
    if "secret" not in match.re.groupindex or _is_reference(match.group("secret")):
        return MASK if "secret" not in match.re.groupindex else match.group(0)
    start, end = match.span("secret")
    base = match.start()
    whole = match.group(0)
    return whole[: start - base] + MASK + whole[end - base :]


def _prose_setting(match: re.Match[str]) -> bool:
    """``secret: Name of the object`` in a docstring: after a colon, a plain word is prose, not a secret."""
    separator = match.group(0)[: match.start("secret") - match.start()].rstrip()
    return separator.endswith(":") and match.group("secret").isalpha()


def _is_reference(value: str) -> bool:
    return len(value) < MIN_SECRET_LENGTH or bool(REFERENCE.search(value)) or value.startswith(("{", "%", "$"))


def _text_pieces(tree: ast.Module, text: str) -> list[tuple[int, str]]:
    """(first line, text) of every string literal and comment of a file that parsed."""
    pieces = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        tokens = []
    return pieces + [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def _named_literals(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, name, value) for string literals bound to a name that says it is a secret."""
    found: list[tuple[int, str, str]] = []

    def consider(name: str | None, value: ast.AST | None, line: int) -> None:
        if name is None or not isinstance(value, ast.Constant) or not isinstance(value.value, str):
            return
        # A name like `token_url` or `password_conn_id` is about a secret, not one.
        if not SECRET_NAME.search(name) or NOT_A_SECRET_SUFFIX.search(name):
            return
        if _is_reference(value.value) or NOT_A_SECRET_VALUE.search(value.value) or len(value.value) > 4096:
            return
        found.append((line, name, value.value))

    references = _reference_keywords(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword):
            if id(node) not in references:
                consider(node.arg, node.value, node.value.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                consider(_target_name(target), node.value, node.lineno)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    consider(key.value, value, value.lineno)
    return found


# Calls whose arguments name a secret kept elsewhere: ``Secret("env", "DB_PASSWORD", secret="db-creds", key="pw")``
# mounts the Kubernetes secret ``db-creds``; its name is a reference, and replacing it would break the pod.
SECRET_REFERENCE_CALLS = frozenset(
    {
        "airflow.providers.cncf.kubernetes.secret.Secret",
        "airflow.kubernetes.secret.Secret",
        "airflow.contrib.kubernetes.secret.Secret",
    }
)


def _reference_keywords(tree: ast.Module) -> set[int]:
    """The ids of the keyword nodes of calls to ``SECRET_REFERENCE_CALLS``, named as the file imports them."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.keywords:
            name = _dotted(node.func)
            if name is None:
                continue
            head, _, rest = name.partition(".")
            qualified = aliases.get(head, head) + (f".{rest}" if rest else "")
            if qualified in SECRET_REFERENCE_CALLS:
                found.update(id(keyword) for keyword in node.keywords)
    return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


# -- scrubbing helpers -------------------------------------------------------------------------------------


def _parts(text: str, secrets: list[Secret]) -> list[str | Secret]:
    """``text`` split into plain pieces and the secrets inside it (longest context first where they overlap)."""
    for secret in sorted(secrets, key=lambda s: len(s.context), reverse=True):
        if secret.whole:
            if text == secret.value:
                return [secret]
            continue
        at = text.find(secret.context)
        if at >= 0:
            start = at + secret.offset
            before, after = text[:start], text[start + len(secret.value) :]
            return [*_parts(before, secrets), secret, *_parts(after, secrets)]
    return [text] if text else []


def _externalise_value(value: Any, secrets: list[Secret]) -> Any:
    """A task argument's JSON value in which each string holding a secret becomes an ``ir.SecretValue``.

    A part is plain text or ``ir.SecretEnv(NAME)``; the generator writes their concatenation with ``os.environ``.
    Typed values are looked into through their JSON form, every string of it (``{"$source": text}`` too).
    """
    if isinstance(value, str):
        parts = _parts(value, secrets)
        if all(isinstance(p, str) for p in parts):
            return value
        return ir.SecretValue(tuple(p if isinstance(p, str) else ir.SecretEnv(p.env) for p in parts))
    if isinstance(value, ir.Value):
        return ir.value_from_json(_externalise_value(value.to_json(), secrets))
    if isinstance(value, dict):
        return {k: _externalise_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_externalise_value(v, secrets) for v in value]
    return value


def secret_expression(parts: Sequence[str | ir.SecretEnv]) -> str:
    """Python code for a secret (``ir.SecretValue.parts``): plain pieces and ``os.environ`` lookups, concatenated."""
    code = [repr(p) if isinstance(p, str) else f"os.environ[{p.env!r}]" for p in parts]
    return code[0] if len(code) == 1 else "(" + " + ".join(code) + ")"


def _externalise_code(imports: str, code: str, secrets: list[Secret]) -> tuple[str, str, list[Secret]]:
    """Copied code in which each secret inside a string literal becomes an ``os.environ[...]`` lookup.

    Docstrings are masked instead (they are text, not values); f-strings cannot take a lookup in place of one
    of their parts, so they are masked and reported.
    """
    if not code or not any(s.value in code for s in secrets):
        return imports, code, []
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return imports, code, []  # the caller masks every occurrence
    docstrings = {id(n.body[0].value) for n in ast.walk(tree) if _has_docstring(n)}
    inside_fstring = {id(part) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for part in ast.walk(n)}
    offsets = _line_offsets(code)
    edits: list[tuple[int, int, str]] = []
    unexternalised: list[Secret] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            segment = ast.get_source_segment(code, node) or ""
            unexternalised.extend(s for s in secrets if _parts(segment, [s]) != [segment] and s not in unexternalised)
            continue
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings or id(node) in inside_fstring:
            continue
        parts = _parts(node.value, secrets)
        if all(isinstance(p, str) for p in parts):
            continue
        start = offsets[node.lineno - 1] + _char_col(code, offsets, node.lineno, node.col_offset)
        end = offsets[node.end_lineno - 1] + _char_col(code, offsets, node.end_lineno, node.end_col_offset)
        expression = secret_expression([p if isinstance(p, str) else ir.SecretEnv(p.env) for p in parts])
        edits.append((start, end, expression))
    for start, end, replacement in sorted(edits, reverse=True):
        code = code[:start] + replacement + code[end:]
    if edits and not re.search(r"(?m)^import os$", imports):
        imports = "import os\n" + imports
    return imports, code, unexternalised


def _has_docstring(node: ast.AST) -> bool:
    if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.body:
        return False
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _char_col(text: str, offsets: list[int], lineno: int, byte_col: int) -> int:
    """ast columns count UTF-8 bytes; string indexes count characters."""
    line = text[offsets[lineno - 1] : offsets[lineno] if lineno < len(offsets) else len(text)]
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def _mask_everywhere(value: Any, secrets: list[Secret]) -> Any:
    """Every text of an IR value with each secret's context masked (identifiers and argument names excepted)."""
    replacements: dict[str, str] = {}
    exact: set[str] = set()
    for secret in secrets:
        if secret.whole:
            exact.add(secret.value)
            for quote in ("'", '"'):
                replacements[quote + secret.value + quote] = quote + MASK + quote
        else:
            end = secret.offset + len(secret.value)
            replacements[secret.context] = secret.context[: secret.offset] + MASK + secret.context[end:]
    ordered = sorted(replacements.items(), key=lambda item: len(item[0]), reverse=True)

    def mask(item: Any) -> Any:
        if isinstance(item, ir.Diagnostic) and item.code == SECRET_CODE:
            return item  # built from redacted text only
        if isinstance(item, ir.Value):  # every string of its JSON form, whatever its field is called
            return ir.value_from_json(mask(item.to_json()))
        if isinstance(item, str):
            if item in exact:
                return MASK
            for text, masked in ordered:
                if text in item:
                    item = item.replace(text, masked)
            return item
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            fields = [f.name for f in dataclasses.fields(item) if f.name not in IDENTIFIER_FIELDS]
            return dataclasses.replace(item, **{name: mask(getattr(item, name)) for name in fields})
        if isinstance(item, dict):
            return {k: mask(v) for k, v in item.items()}
        if isinstance(item, list):
            return [mask(v) for v in item]
        if isinstance(item, tuple):
            return tuple(mask(v) for v in item)
        return item

    return mask(value)
