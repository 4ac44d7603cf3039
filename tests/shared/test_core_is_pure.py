"""shared/ is the domain core: it must not import any I/O package."""

import ast
from pathlib import Path

FORBIDDEN = {"flet", "httpx", "sqlite_utils", "fastapi", "starlette", "PIL", "uvicorn", "sqlite3", "requests"}
SHARED = Path(__file__).resolve().parents[2] / "shared"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_shared_imports_no_io_package():
    offenders = {
        str(path.relative_to(SHARED)): sorted(imported_roots(path) & FORBIDDEN) for path in SHARED.rglob("*.py")
    }
    assert list(SHARED.rglob("*.py")), "shared/ has no modules?"
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PIL import Image\nimport httpx.auth\n")
    assert imported_roots(bad) & FORBIDDEN == {"PIL", "httpx"}
