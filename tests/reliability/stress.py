"""The runtime under load: many rounds, each a fresh process (stress_host.c)
calling a seeded mix of a gated library's functions from 1 to 64 threads
while init (stress_lib.c) fills its table for a seeded random time.

Each round's parameters come from random.Random(seed, round), and a
failure names its round, seed, thread count, calls and init time, so it
replays by hand (`STRESS_INIT_US=... stress_host LIB THREADS CALLS SEED`)
or with `run.py --only stress --seed S`.  Rounds are bounded by a timeout:
a hang is a failure, named with its parameters.
"""

import os
import random
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from outcome import Outcome

LINE = re.compile(r"calls (\d+) violations (\d+) early (\d+) init_runs (\d+)")


def plan(seed, rounds, max_init_us, max_calls):
    """[(round, threads, calls each, init us, lazy)] for these settings."""
    out = []
    for n in range(rounds):
        rng = random.Random(seed * 1000003 + n)
        threads = rng.choice([1, 2, 64, rng.randint(1, 64), rng.randint(1, 64)])
        calls = rng.randint(1, max_calls)
        init_us = rng.choice([0, rng.randint(0, max_init_us), rng.randint(0, max_init_us)])
        lazy = rng.random() < 0.25
        out.append((n, threads, calls, init_us, lazy))
    return out


def one_round(host, libs, params, seed, timeout, env_extra=None):
    """(calls, early, problem or None) for one round."""
    n, threads, calls, init_us, lazy = params
    lib = libs["lazy" if lazy else "patched"]
    env = dict(os.environ, STRESS_INIT_US=str(init_us), STRESS_SEED=str(seed + n))
    env.pop("INITGATE_DEBUG", None)
    env.update(env_extra or {})
    what = "round %d (seed %d: %d threads x %d calls, init %d us, %s)" % (
        n, seed, threads, calls, init_us, "unpatched" if lazy else "patched")
    try:
        proc = subprocess.run([host, lib, str(threads), str(calls), str(seed + n)],
                              capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 0, 0, "%s: hung (no exit within %d s)" % (what, timeout), ""
    match = LINE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        return 0, 0, "%s: exit %d: %s%s" % (what, proc.returncode, proc.stdout.strip(),
                                            proc.stderr.strip()[:300]), proc.stderr
    return int(match.group(1)), int(match.group(3)), None, proc.stderr


def run_stress(builder, host, libs, label, seed=1, rounds=40, max_init_us=20000,
               max_calls=300, timeout=30, jobs=2, env_extra=None, stderr_check=None):
    """Run the rounds; return an Outcome.  `stderr_check(text)` may name a problem."""
    outcome = Outcome(label)
    start = time.monotonic()
    total_calls = early = 0
    with ThreadPoolExecutor(jobs) as pool:
        results = pool.map(lambda p: one_round(host, libs, p, seed, timeout, env_extra),
                           plan(seed, rounds, max_init_us, max_calls))
        for calls, waited, problem, stderr in results:
            total_calls += calls
            early += waited
            if problem:
                outcome.fail(problem)
            elif stderr_check and stderr_check(stderr):
                outcome.fail(stderr_check(stderr))
    outcome.tried = "%d rounds (seed %d), %d calls, 1-64 threads" % (rounds, seed, total_calls)
    outcome.notes = "%d calls began before init was done; 0 violations needed" % early
    outcome.seconds = time.monotonic() - start
    return outcome


def control(builder, host, label="stress control (gate removed)", seed=1, rounds=6,
            env_extra=None):
    """The check itself must be able to fail: with every function left ungated,
    callers race init and some must see a partial table (or, under
    ThreadSanitizer, be reported as a race)."""
    lib = builder.stress("libstress_ungated", rewrite_args=[
        a for name in ("stress_all", "stress_one", "stress_nested", "stress_pair",
                       "stress_state_is_done") for a in ("--ungated", name)])
    outcome = Outcome(label)
    start = time.monotonic()
    caught = 0
    for n in range(rounds):
        _, _, problem, stderr = one_round(host, {"patched": lib},
                                          (n, 8, 200, 20000, False), seed, 60, env_extra)
        caught += (problem is not None and "exit 1" in problem) or "ThreadSanitizer" in stderr
    outcome.tried = "%d rounds without the gate" % rounds
    outcome.notes = "%d of %d rounds caught callers running before init" % (caught, rounds)
    if caught == 0:
        outcome.fail("no round without the gate saw a violation: the check cannot fail")
    outcome.seconds = time.monotonic() - start
    return outcome
