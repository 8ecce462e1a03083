"""A workload with many distinct stacks, so that one window's batch is large.

Defines --functions functions with random names (generated code, file "<string>") and calls
them in turn, each spinning --ms milliseconds. Used to check that the agent splits batches
under NATS max_payload. --tag is ignored (it makes the command line unique).
Prints "READY <pid>" once running.
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--functions", type=int, default=600)
parser.add_argument("--ms", type=float, default=1.0)
parser.add_argument("--tag", default="")
args = parser.parse_args()

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def spin():
    end = time.perf_counter() + args.ms / 1000.0
    while time.perf_counter() < end:
        pass


functions = []
for i in range(args.functions):
    name = "f_%04d_%s" % (i, os.urandom(10).hex())
    namespace = {}
    exec(f"def {name}(work):\n    return work()\n", namespace)
    functions.append(namespace[name])


def main():
    print(f"READY {os.getpid()}", flush=True)
    while running:
        for f in functions:
            f(spin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
