"""The reliability suite's sections and its two sizes.

A section is a function (builder set, profile) -> [Outcome].  run.py runs
them all and prints the table; the pytest files (tests/test_stress.py,
test_hostile.py, test_fuzz.py, test_interrupt.py, test_cc_server.py) run the same functions
with the QUICK profile, one assertion per outcome.
"""

import os
import shutil

import build
import fuzz
import hostile
import interrupt
import rewrite_corpus
import server
import stress

QUICK = dict(stress_rounds=300, stress_init_us=20000, stress_calls=300,
             tsan_rounds=30, fuzz_inputs=1000, fuzz_load=30, cli_inputs=8,
             interrupt_fractions=(0.1, 0.5, 0.9), server_calls=60)
FULL = dict(stress_rounds=5000, stress_init_us=50000, stress_calls=2000,
            tsan_rounds=500, fuzz_inputs=20000, fuzz_load=300, cli_inputs=150,
            interrupt_fractions=(0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95),
            server_calls=600)

TSAN_OPTIONS = {"TSAN_OPTIONS": "exitcode=66 halt_on_error=0 report_signal_unsafe=0"}


def tsan_cc():
    """The clang that has ThreadSanitizer's runtime, or raise build.Missing."""
    for name in ("clang", "clang-14", "clang-15", "clang-16"):
        if shutil.which(name):
            return name
    raise build.Missing("clang not found: install the Debian packages clang-14 and "
                        "libclang-rt-14-dev (ThreadSanitizer's runtime)")


def tsan_builder(work):
    cc = tsan_cc()
    # The host links TSan's runtime, as TSan requires; the library and the
    # initgate runtime only carry the instrumentation.
    return build.Builder(os.path.join(work, "tsan"),
                         cc="%s -fsanitize=thread" % cc,
                         host_cc="%s -fsanitize=thread" % cc)


def stress_section(builder, profile, seed):
    host = builder.host("stress_host", ["stress_host.c"])
    libs = {"patched": builder.stress(), "lazy": builder.stress("libstress_lazy",
                                                                patch=False)}
    return [stress.run_stress(builder, host, libs, "stress (libc; patched and unpatched)",
                              seed=seed, rounds=profile["stress_rounds"],
                              max_init_us=profile["stress_init_us"],
                              max_calls=profile["stress_calls"]),
            stress.control(builder, host, seed=seed)]


def _tsan_reports(stderr):
    if "WARNING: ThreadSanitizer" in stderr:
        first = [l for l in stderr.splitlines() if "WARNING: ThreadSanitizer" in l][0]
        return "ThreadSanitizer: " + first.strip()
    return None


def tsan_section(tsan, profile, seed):
    host = tsan.host("stress_host", ["stress_host.c"])
    libs = {"patched": tsan.stress(), "lazy": tsan.stress("libstress_lazy", patch=False)}
    return [stress.run_stress(tsan, host, libs, "stress under ThreadSanitizer (libc)",
                              seed=seed, rounds=profile["tsan_rounds"],
                              max_init_us=profile["stress_init_us"], max_calls=100,
                              timeout=120, env_extra=TSAN_OPTIONS,
                              stderr_check=_tsan_reports),
            stress.control(tsan, host, "ThreadSanitizer control (gate removed)", seed=seed,
                           rounds=3, env_extra=TSAN_OPTIONS)]


def hostile_section(builder, profile, seed):
    return [hostile.run_case(builder, name, flavour) for name, flavour in hostile.cases()]


def fuzz_section(builder, profile, seed):
    return [fuzz.fuzz(builder, seed=seed, count=profile["fuzz_inputs"],
                      load_sample=profile["fuzz_load"]),
            fuzz.cli_sample(builder, seed=seed, count=profile["cli_inputs"])]


def rewrite_section(builder, profile, seed):
    return [rewrite_corpus.run_case(builder, name) for name in rewrite_corpus.CASES]


def interrupt_section(builder, profile, seed):
    return [interrupt.run_command(builder, cmd, profile["interrupt_fractions"])
            for cmd in interrupt.commands(builder)]


def server_section(builder, profile, seed):
    return [server.run(builder, profile["server_calls"], seed)]


SECTIONS = {
    "stress": stress_section,
    "tsan": tsan_section,
    "hostile": hostile_section,
    "fuzz": fuzz_section,
    "rewrite": rewrite_section,
    "interrupt": interrupt_section,
    "server": server_section,
}
