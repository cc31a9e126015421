"""`rewrite_units(..., jobs=N)` runs the units in forked processes: the records,
the bytes and the errors must be the ones a sequential run gives."""

import pytest

from initgate.errors import SourceError
from initgate.passes.rewrite import make_options, rewrite_units

INIT = "int lib_init(void) { return 0; }\n"


def tree(tmp_path, broken=()):
    units = []
    for i in range(5):
        path = tmp_path / ("f%d.c" % i)
        body = "return %d }" % i if i in broken else "return %d; }" % i
        path.write_text((INIT if i == 0 else "") + "int f%d(void) { %s\n" % (i, body))
        units.append((str(path), ["-O2"]))
    return units


@pytest.mark.parametrize("skip_bodies", [False, True])
def test_processes_give_what_one_process_gives(tmp_path, skip_bodies):
    units = tree(tmp_path)
    options = make_options("lib_init", root=str(tmp_path), skip_bodies=skip_bodies)
    one, two = rewrite_units(units, options), rewrite_units(units, options, jobs=2)
    assert {p: f.text for p, f in one.files.items()} == {p: f.text for p, f in two.files.items()}
    assert (one.gated, one.ungated, one.init_file) == (two.gated, two.ungated, two.init_file)
    assert [d.name for d in two.gated] == ["f0", "f1", "f2", "f3", "f4"]


def test_errors_from_processes_are_the_sequential_ones(tmp_path):
    units = tree(tmp_path, broken=(2, 4))
    options = make_options("lib_init", root=str(tmp_path))
    errors = []
    for jobs in (1, 2):
        with pytest.raises(SourceError) as caught:
            rewrite_units(units, options, jobs=jobs)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "f2.c:1:24: error: expected ';'" in errors[0]
