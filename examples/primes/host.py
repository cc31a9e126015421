"""host.py: load a primes library from Python with ctypes and time it.

usage: python3 host.py LIBRARY.so

ctypes.CDLL is dlopen(): with initgate it returns at once, and the first
call into the library waits at the gate until init has finished.
"""

import ctypes
import sys
import time

LATER_CALLS = 200_000


def main():
    if len(sys.argv) != 2:
        print("usage: host.py LIBRARY.so", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    lib = ctypes.CDLL(sys.argv[1])
    t1 = time.perf_counter()
    lib.primes_count_below.restype = ctypes.c_int64
    lib.primes_count_below.argtypes = [ctypes.c_uint32]
    lib.primes_is_prime.restype = ctypes.c_int
    lib.primes_is_prime.argtypes = [ctypes.c_uint32]

    t2 = time.perf_counter()
    total = lib.primes_count_below(400_000_000)
    t3 = time.perf_counter()
    print("primes below 400,000,000: %d" % total)
    print("dlopen took            %9.3f ms" % ((t1 - t0) * 1e3))
    print("first call waited      %9.3f ms" % ((t3 - t2) * 1e3))

    is_prime = lib.primes_is_prime
    t0 = time.perf_counter()
    hits = sum(is_prime(i) for i in range(LATER_CALLS))
    t1 = time.perf_counter()
    print("later calls cost       %9.2f ns each through ctypes (%d primes below %d)"
          % ((t1 - t0) * 1e9 / LATER_CALLS, hits, LATER_CALLS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
