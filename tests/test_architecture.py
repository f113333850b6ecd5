"""Import direction (README "Layout", house rule 5), checked over the import graph of every
module (ast-parsed, so a lazy import inside a function counts too):

- ``matching`` and ``graph`` are pure libraries: they import neither ``service`` nor each other
  nor ``litestar``/``asyncpg``.
- Inside ``service``, imports point down: the HTTP layer (``service.api``, ``service.web``) →
  the contexts (``service.<context>``: rounds, challenges, registration, contacts, …) → the
  core (``service.domain``, ``service.db``, ``service.errors``, ``service.auth``,
  ``service.reference``). The entry points (``service.app``, ``service.cli``,
  ``service.commands``, ``service.demo``) sit on top and may import anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("matching", "graph")
ENGINE_FORBIDDEN = ("service", "litestar", "asyncpg")
HTTP = ("api", "web")
CORE = ("domain", "db", "errors", "auth", "reference")
ENTRY = ("app", "cli", "commands", "demo", "__main__")
RANK = {"core": 0, "context": 1, "http": 2, "entry": 3}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every module ``source`` imports, absolute, with the line (``from a import b`` gives both
    ``a`` and ``a.b``: ``b`` may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    out: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            out += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return out


def layer(module: str) -> str | None:
    """The layer of a ``service`` module; ``None`` outside ``service``."""
    parts = module.split(".")
    if parts[0] != "service":
        return None
    if len(parts) == 1 or parts[1] in CORE:
        return "core"
    if parts[1] in HTTP:
        return "http"
    if parts[1] in ENTRY:
        return "entry"
    return "context"


def violations(module: str, imported: list[tuple[str, int]]) -> list[str]:
    """The imports of ``module`` that break the direction rules."""
    bad = []
    top = module.split(".")[0]
    for target, line in imported:
        head = target.split(".")[0]
        if top in ENGINES:
            other_engine = head in ENGINES and head != top
            if head in ENGINE_FORBIDDEN or other_engine:
                bad.append(f"{module}:{line} imports {target}")
            continue
        src, dst = layer(module), layer(target)
        if src is not None and dst is not None and RANK[dst] > RANK[src]:
            bad.append(f"{module}:{line} ({src}) imports {target} ({dst})")
    return bad


def all_modules() -> list[tuple[str, str, bool]]:
    found = []
    for top in ("service", *ENGINES):
        for path in sorted((ROOT / top).rglob("*.py")):
            found.append(
                (module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
            )
    return found


def test_every_module_imports_downwards():
    modules = all_modules()
    assert len(modules) > 100  # the walk sees the whole tree
    bad = [
        v
        for name, source, is_pkg in modules
        for v in violations(name, imports(source, name, is_pkg))
    ]
    assert bad == []


def test_the_checker_flags_upward_and_engine_imports():
    # Synthetic modules: each edge here breaks one rule and must be reported.
    cases = {
        ("service.domain.crud", "from service.api.crud import etag"): "core → http",
        ("service.auth.tokens", "import service.rounds.service"): "core → context",
        ("service.rounds.service", "from service.web import imports"): "context → http",
        ("service.errors", "def f():\n    from service.registration import service"): "lazy",
        ("matching.records", "from service.domain import types"): "engine → service",
        ("matching.engine", "import graph"): "engine → engine",
        ("graph.solvers", "from litestar import get"): "engine → litestar",
        ("graph.flow", "import asyncpg"): "engine → asyncpg",
        ("service.domain", "from .. import api"): "relative import upwards",
    }
    for (module, source), why in cases.items():
        is_pkg = module == "service.domain"
        assert violations(module, imports(source, module, is_pkg)), why
    # … and the allowed directions are not.
    allowed = {
        ("service.api.rounds", "from service.rounds import service"),
        ("service.rounds.service", "from service.domain import access"),
        ("service.app", "from service.api.body import StrictBody"),
        ("service.recommend", "from matching import engine"),
        ("matching.engine", "from .vocab import CITIES"),
    }
    for module, source in allowed:
        assert violations(module, imports(source, module, False)) == [], (module, source)


# House rule 1: SQL lives in repository modules (``repository.py`` or ``<thing>_repository.py``)
# and service/db/. Nothing else may hold a SQL string.
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b", re.S | re.I)


def sql_strings(source: str) -> list[int]:
    """Lines of the string literals in ``source`` that hold SQL (an f-string's placeholders
    read as a name)."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if SQL.search(text):
            lines.add(node.lineno)
    return sorted(lines)


def test_sql_lives_only_in_repositories():
    offenders = []
    for name, source, _ in all_modules():
        if not name.startswith("service."):
            continue
        if name.rsplit(".", 1)[-1].endswith("repository") or name.startswith("service.db"):
            continue
        offenders += [f"{name}:{line}" for line in sql_strings(source)]
    assert offenders == []
    assert sql_strings('q = "SELECT id FROM users WHERE x = $1"') == [1]
    assert sql_strings('q = f"UPDATE {t} SET a = 1"') == [1]
    assert sql_strings('msg = "请选择 (select) a city from the list"') == []
