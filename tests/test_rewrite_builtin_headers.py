"""The compiler's own headers parse out of the box.

<stddef.h>, <stdarg.h>, <stdatomic.h> and <immintrin.h> come with the compiler,
not the C library: libclang finds them only in its resource directory, which
initgate takes from the clang-tidy wheel.  A file that includes all four must
rewrite in an environment that says nothing about them: no CPATH,
C_INCLUDE_PATH, CC or compiler on a custom PATH.
"""

import json
import platform
import subprocess
import sys

SOURCE = """\
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static atomic_int calls;

int lib_init(void) { return 0; }

size_t lib_sum(int count, ...)
{
	va_list args;
	size_t sum = 0;

	va_start(args, count);
	while (count-- > 0)
		sum += va_arg(args, size_t);
	va_end(args);
	return sum + (size_t)atomic_fetch_add(&calls, 1) * 0;
}

#if defined(__x86_64__)
int lib_lanes(void)
{
	__m128i ones = _mm_set1_epi32(1);
	return _mm_cvtsi128_si32(_mm_add_epi32(ones, ones));
}
#endif
"""


def test_builtin_headers_need_no_environment(tmp_path):
    (tmp_path / "lib.c").write_text(SOURCE)
    proc = subprocess.run(
        [sys.executable, "-m", "initgate", "rewrite", "--init", "lib_init", "lib.c",
         "-o", "out", "--manifest", "m.json", "--", "-std=c11"],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert proc.returncode == 0, "rewrite failed under `env -i PATH=/usr/bin:/bin`:\n" \
        + proc.stderr
    assert proc.stderr == ""

    gated = {e["name"] for e in json.loads((tmp_path / "m.json").read_text())["gated"]}
    expected = {"lib_sum"} | ({"lib_lanes"} if platform.machine() == "x86_64" else set())
    assert gated == expected
