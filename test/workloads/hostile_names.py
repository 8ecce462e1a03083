"""A Python process that tries to make its profiler lie, for the agent's hostile-input tests.

A local user controls the names py-spy reads from a process: function names, file names and
thread names. Each --case keeps the main thread busy on the CPU inside a stack built to break
a profiler that trusts those names:

  forge      a function renamed to text with newlines that, in py-spy's raw output, reads as
             another line: stack `charge_card (/app/pay.py:10)` with 9 999 999 samples
  thread     the same forgery in the name of a busy worker thread
  deep       recursion --depth frames deep (py-spy reads up to 4 096; the collector takes 2 048)
  longname   a function, its file and a thread with names of several KiB of UTF-8
  hugename   a function with a 100 000-character name (py-spy refuses to copy it)
  crafted    80 nested frames whose names are ` (x);` repeated: many partial frames per line
  wide       --depth nested frames, each with its own 4 000-character random name: one stack
             larger than a small NATS max_payload, even compressed

Prints "READY <pid>" once busy. --tag is ignored (it makes the command line unique).
"""
import argparse
import os
import random
import signal
import string
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--case", required=True, choices=["forge", "thread", "deep", "longname", "hugename", "crafted", "wide"])
parser.add_argument("--depth", type=int, default=2500, help="frames deep (deep, wide)")
parser.add_argument("--spin", type=int, default=5000, help="loop iterations between 1 ms sleeps (CPU duty)")
parser.add_argument("--tag", default="")
args = parser.parse_args()

# What a forged raw line says: thread 1 named "y" spent 9 999 999 samples in another service's code.
FORGED_LINE = "thread (1): y;charge_card (/app/pay.py:10) 9999999"


def spin_forever():
    x = 0
    while True:
        for i in range(args.spin):
            x += i
        # Idle time in between, so several of these leave room for other processes on a small machine.
        time.sleep(0.001)


def renamed(fn, name, filename=None):
    """`fn` with its code object renamed (and optionally its file)."""
    code = fn.__code__.replace(co_name=name, co_qualname=name) if hasattr(fn.__code__, "co_qualname") else fn.__code__.replace(co_name=name)
    if filename is not None:
        code = code.replace(co_filename=filename)
    fn.__code__ = code
    return fn


def busy_leaf():
    spin_forever()


def case_forge():
    # Raw output: `...;main (…);x 1` / the forged line / `thread (1): z;w (file:line);busy_leaf (…) N`.
    def hostile():
        busy_leaf()

    renamed(hostile, "x 1\n" + FORGED_LINE + "\nthread (1): z;w")
    hostile()


def case_thread():
    name = "t\n" + FORGED_LINE + "\nthread (1): z"
    threading.Thread(target=busy_leaf, name=name, daemon=True).start()
    while True:
        time.sleep(3600)


def case_deep():
    sys.setrecursionlimit(args.depth + 1000)

    def recurse(n):
        if n <= 0:
            busy_leaf()
        return recurse(n - 1)

    recurse(args.depth)


def case_longname():
    # 3 000 characters of 4 UTF-8 bytes each: 12 000 bytes, over the collector's 8 KiB limit,
    # under py-spy's own limit of 4 096 characters.
    def hostile():
        busy_leaf()

    renamed(hostile, "\U0001d4bb" * 3000, "/tmp/" + "\u00e9" * 2500 + ".py")
    threading.Thread(target=hostile, name="\u00fc" * 3000, daemon=True).start()
    while True:
        time.sleep(3600)


def case_hugename():
    def hostile():
        busy_leaf()

    renamed(hostile, "h" * 100_000)
    hostile()


def case_crafted():
    name = " (x);" * 819  # 4 095 characters

    def nested(n):
        if n <= 0:
            busy_leaf()
        return nested(n - 1)

    renamed(nested, name)
    nested(80)


def case_wide():
    alphabet = string.ascii_letters + string.digits
    rng = random.Random(os.getpid())
    chain = busy_leaf
    for i in range(args.depth):
        ns = {"inner": chain}
        exec("def step():\n    return inner()\n", ns)
        chain = renamed(ns["step"], "".join(rng.choice(alphabet) for _ in range(4000)))
    chain()


CASES = {
    "forge": case_forge,
    "thread": case_thread,
    "deep": case_deep,
    "longname": case_longname,
    "hugename": case_hugename,
    "crafted": case_crafted,
    "wide": case_wide,
}


def main():
    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))
    signal.signal(signal.SIGINT, lambda s, f: os._exit(0))
    print(f"READY {os.getpid()}", flush=True)
    CASES[args.case]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
