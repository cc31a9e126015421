"""The benchmark suite runs and prints a well-formed table.

Each benchmark runs at --smoke size (every step, tiny inputs) and its table
is checked for shape: the columns, one row per figure, no section that
could not be measured.  No figure is judged: speed is the benchmarks' to
report, never a test's to assert.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, require_tool

BENCH = Path(REPO) / "benchmarks"
sys.path.insert(0, str(BENCH))

import report  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)
import rewrite_speed  # noqa: E402
import tool_speed  # noqa: E402


def run_bench(script, *args):
    return subprocess.run([sys.executable, str(BENCH / script), *args],
                          capture_output=True, text=True, cwd=REPO)


def table_rows(text):
    """The cells of every row after the header, checking the table's shape."""
    lines = text.strip().splitlines()
    assert lines[0] == "| " + " | ".join(report.COLUMNS) + " |"
    assert lines[1].startswith("|---")
    rows = []
    for line in lines[2:]:
        assert line.startswith("| ") and line.endswith(" |"), line
        cells = [cell.strip() for cell in line[2:-2].split(" | ")]
        assert len(cells) == len(report.COLUMNS), line
        rows.append(cells)
    return rows


@pytest.fixture
def toolchain():
    require_tool("gcc", "gcc")
    require_tool("valgrind", "valgrind")


def test_run_prints_one_table_for_the_runtime_sections(toolchain):
    proc = run_bench("run.py", "--smoke", "--only", "1,2,3,4")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    rows = table_rows(proc.stdout)
    sections = {row[0] for row in rows}
    assert {"machine", "1 gate cost", "2 scaling", "3 dlopen", "4 wake-up"} <= sections
    assert not [row for row in rows if row[1].startswith("NOT MEASURED")]
    for row in rows:
        if row[0] != "machine":
            float(row[2].split(" / ")[0])       # every figure is a number
        if row[6]:
            assert row[5], "a met column without a target: %s" % row


def test_tool_speed_runs_the_other_scripts(toolchain):
    proc = run_bench("tool_speed.py", "--smoke")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    rows = [row for row in table_rows(proc.stdout) if row[0] == "5 tool speed"]
    figures = [row[1] for row in rows]
    assert any("rewrite_file" in f for f in figures)
    assert any("bodies checked by gcc" in f and f.startswith("s wall") for f in figures)
    # Issue 3's ratio to clang's syntax check, for each clang on PATH.
    clangs = rewrite_speed.find_clangs()
    assert {row[3].split()[0] for row in rows if row[5] == "<= 1.05 (issue 3)"} == \
        {name for name, _version in clangs}
    assert not any(f.startswith("NOT MEASURED") for f in figures), proc.stdout
    assert any("patch-elf" in f for f in figures)
    assert any("-j 1" in f for f in figures)


def test_an_unknown_section_is_one_clear_line():
    proc = run_bench("run.py", "--only", "9")
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        "run.py: no section 9; choose from 1 (gate), 2 (scaling), 3 (dlopen), "
        "4 (wakeup), 5 (tools)"]


def test_reading_another_script_table():
    text = ("library: 1.1 MB\n\n| command | median of 3 runs (s) |\n|---|---|\n"
            "| objcopy LIB OUT | 0.018 |\n| ratio patch-elf / objcopy | 9.54 |\n")
    seconds = tool_speed.table_seconds(text)
    assert seconds == {"objcopy LIB OUT": 0.018, "ratio patch-elf / objcopy": 9.54}
    assert tool_speed.lookup(seconds, "objcopy", "x.py") == 0.018
    two = "| what | CPU | wall |\n|---|---:|---:|\n| gcc | 0.30 | 0.25 |\n| one | 0.1 | x |\n"
    assert tool_speed.table_seconds(two, column=1) == {"gcc": 0.25}
    assert tool_speed.table_seconds(two) == {"gcc": 0.30, "one": 0.1}
    with pytest.raises(report.BenchError, match="x.py printed no row starting 'gcc'"):
        tool_speed.lookup(seconds, "gcc", "x.py")


def test_a_section_that_cannot_run_says_why():
    def broken(workdir, level):
        raise report.BenchError("no compiler")

    rows = report.guarded("9 test", "section 9", broken, None, "smoke")
    assert [(r.figure, r.value, r.failed) for r in rows] == [
        ("NOT MEASURED: section 9", "no compiler", True)]
    assert "| 9 test | NOT MEASURED: section 9 | no compiler |" in report.table(rows)
