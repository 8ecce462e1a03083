"""A workload with many distinct stacks, so that one window's batch is large.

Defines --functions functions with random names (generated code, file "<string>") and calls
them in turn, each spinning --ms milliseconds. Each is the root of its own chain of --depth
functions (also random names), so one distinct stack carries --depth frames no other stack has.
Used to check that the agent splits batches under NATS max_payload: the batch's size grows with
distinct stacks times depth, and how many distinct stacks one window holds depends on the CPU
the process gets (while it waits for a CPU, py-spy samples the same stack again), so depth is
what makes a window reliably large on a busy machine. --tag is ignored (it makes the command
line unique). Prints "READY <pid>" once running.
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--functions", type=int, default=600)
parser.add_argument("--ms", type=float, default=1.0)
parser.add_argument("--depth", type=int, default=1, help="frames of each distinct stack no other stack has")
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
    # Built leaf first: each function calls the next one down the chain, the last one work().
    inner = None
    for d in reversed(range(max(1, args.depth))):
        name = "f_%04d_%02d_%s" % (i, d, os.urandom(10).hex())
        namespace = {"inner": inner}
        body = "inner(work)" if inner is not None else "work()"
        exec(f"def {name}(work):\n    return {body}\n", namespace)
        inner = namespace[name]
    functions.append(inner)


def main():
    print(f"READY {os.getpid()}", flush=True)
    while running:
        for f in functions:
            f(spin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
