"""A CPU-bound workload whose CPU split between functions is known by construction.

Like cpu_split.py, but each cycle does a fixed amount of *work* in alpha(), beta() and gamma()
(--alpha/--beta/--gamma units of the same loop) rather than spinning until a wall-clock
deadline, so the split of CPU time stays the same however busy the machine is: time the
process spends waiting for a CPU is not charged to whichever function happened to be running.
--tag is ignored (it makes the command line unique). Prints "READY <pid>" once running.
"""
import argparse
import os
import signal
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=int, default=60)
parser.add_argument("--beta", type=int, default=30)
parser.add_argument("--gamma", type=int, default=10)
parser.add_argument("--unit", type=int, default=2000, help="loop iterations per unit of work")
parser.add_argument("--tag", default="")
args = parser.parse_args()

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def work(units):
    x = 0
    for _ in range(units * args.unit):
        x += 1
    return x


def alpha():
    return work(args.alpha)


def beta():
    return work(args.beta)


def gamma():
    return work(args.gamma)


def cycle():
    alpha()
    beta()
    gamma()


def main():
    print(f"READY {os.getpid()}", flush=True)
    while running:
        cycle()
    return 0


if __name__ == "__main__":
    sys.exit(main())
