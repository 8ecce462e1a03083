"""A CPU-bound workload that reports its own throughput, for the agent benchmark.

Repeats a fixed chunk of pure-Python work (a few frames deep, so py-spy has real stacks to
read) and prints "PROGRESS <chunks> <cpu_seconds> <wall_seconds>" every --every seconds, so a
benchmark can compare the throughput of a profiled and an unprofiled copy running side by side.
--tag is ignored: it only makes the command line unique. Prints "READY <pid>" once running.
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--every", type=float, default=1.0)
parser.add_argument("--tag", default="")
parser.add_argument("--duty", type=float, default=1.0, help="busy fraction of every 100 ms (1 = always busy)")
args = parser.parse_args()

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def leaf(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def middle(n):
    d = {}
    for i in range(n // 10):
        d[i] = leaf(10)
    return len(d)


def chunk():
    return middle(2000) + leaf(2000)


def main():
    print(f"READY {os.getpid()}", flush=True)
    chunks = 0
    start_cpu = time.process_time()
    start_wall = time.monotonic()
    next_report = start_wall + args.every
    cycle_start = start_wall
    while running:
        chunk()
        chunks += 1
        now = time.monotonic()
        if args.duty < 1.0 and now - cycle_start >= 0.1 * args.duty:
            time.sleep(max(0.0, cycle_start + 0.1 - now))
            cycle_start = time.monotonic()
            now = cycle_start
        if now >= next_report:
            print(f"PROGRESS {chunks} {time.process_time() - start_cpu:.4f} {now - start_wall:.4f}", flush=True)
            next_report += args.every
    return 0


if __name__ == "__main__":
    sys.exit(main())
