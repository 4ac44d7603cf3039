"""``python -m sync_server import`` and ``export``: a dry run prints every problem in the chosen language."""

from __future__ import annotations

import sqlite3

from sync_server import exporter
from sync_server.__main__ import main
from tests.sync_server.import_books import example, ten_mistakes


def _count(data_dir, table: str) -> int:
    with sqlite3.connect(data_dir / "server.sqlite3") as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_the_dry_run_prints_every_problem_in_chinese_and_writes_nothing(tmp_path, capsys):
    data, expected = ten_mistakes()
    book = tmp_path / "setup.xlsx"
    book.write_bytes(exporter.workbook(data))
    args = ["import", "--data-dir", str(tmp_path / "d"), "--property-id", "tower-a", str(book)]
    assert main([*args, "--dry-run", "--lang", "zh-Hans"]) == 1
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert len(lines) == 10
    for sheet, row, column, _ in expected:
        assert any(line.startswith(f"{sheet} 第 {row} 行 {column} 列：") for line in lines), (sheet, row)
    assert "Permits 第 3 行 D 列：Starts on：“2026-13-01”不是日期；请写成 YYYY-MM-DD 或使用日期单元格。" in lines
    assert "发现 10 个问题：没有导入任何内容。" in printed.err
    for table in ("properties", "places", "routes", "checkpoints", "permits", "users", "audit_log"):
        assert _count(tmp_path / "d", table) == 0, table
    # the same mistakes without --dry-run: refused whole
    assert main(args) == 1
    assert _count(tmp_path / "d", "places") == 0


def test_a_good_file_imports_and_exports_again_in_chinese(tmp_path, capsys):
    book = tmp_path / "setup.xlsx"
    book.write_bytes(exporter.workbook(example(), chinese=True))
    args = ["import", "--data-dir", str(tmp_path / "d"), "--property-id", "tower-a", str(book)]
    assert main([*args, "--dry-run", "--lang", "es"]) == 0
    assert "No hay problemas. La importación añadiría: lugares 8, rutas 1" in capsys.readouterr().out
    assert _count(tmp_path / "d", "places") == 0
    assert main(args) == 0
    assert _count(tmp_path / "d", "places") == 8
    out = tmp_path / "again.xlsx"
    assert main(["export", "--data-dir", str(tmp_path / "d"), "--property-id", "tower-a", "--out", str(out)]) == 0
    assert "exported" in capsys.readouterr().out
    # importing the same again refuses every row that exists already, and changes nothing
    assert main(["import", "--data-dir", str(tmp_path / "d"), "--property-id", "tower-a", str(out)]) == 1
    assert "exists already" in capsys.readouterr().out
    assert _count(tmp_path / "d", "places") == 8


def test_export_of_a_property_that_does_not_exist_says_so(tmp_path, capsys):
    args = ["import", "--data-dir", str(tmp_path / "d"), "--property-id", "x", str(tmp_path / "missing.xlsx")]
    assert main(args) == 1
    assert "There is no file" in capsys.readouterr().err
    out = str(tmp_path / "x.xlsx")
    assert main(["export", "--data-dir", str(tmp_path / "d"), "--property-id", "nowhere", "--out", out]) == 1
    assert "There is no property 'nowhere'" in capsys.readouterr().err
