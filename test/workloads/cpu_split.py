"""A CPU-bound workload whose time split between functions is known.

Each 100 ms cycle spends --alpha ms in alpha(), --beta ms in beta(), --gamma ms in gamma()
(busy loops on the CPU), so a profiler should see those shares of the samples under each
function. Prints "READY <pid>" once running. Stops on SIGTERM/SIGINT or after --seconds.
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float, default=60.0, help="ms per 100 ms cycle in alpha()")
parser.add_argument("--beta", type=float, default=30.0, help="ms per 100 ms cycle in beta()")
parser.add_argument("--gamma", type=float, default=10.0, help="ms per 100 ms cycle in gamma()")
parser.add_argument("--seconds", type=float, default=0, help="exit after this long (0 = run until signalled)")
args = parser.parse_args()

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def spin(ms):
    end = time.perf_counter() + ms / 1000.0
    x = 0
    while time.perf_counter() < end:
        x += 1
    return x


def alpha(ms):
    return spin(ms)


def beta(ms):
    return spin(ms)


def gamma(ms):
    return spin(ms)


def cycle():
    if args.alpha > 0:
        alpha(args.alpha)
    if args.beta > 0:
        beta(args.beta)
    if args.gamma > 0:
        gamma(args.gamma)


def main():
    started = time.monotonic()
    print(f"READY {os.getpid()}", flush=True)
    while running:
        cycle()
        if args.seconds and time.monotonic() - started >= args.seconds:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
