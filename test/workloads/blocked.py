"""A process whose main thread is stuck waiting on a lock that a worker thread holds forever.

Used to show that a dump tells a blocked process apart from busy ones. Prints "READY <pid>".
"""
import os
import signal
import sys
import threading
import time

lock = threading.Lock()
holding = threading.Event()


def hold_lock_forever():
    with lock:
        holding.set()
        while True:
            time.sleep(3600)


def wait_for_lock():
    # Blocks here: the lock is never released.
    with lock:
        pass


def main():
    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))
    threading.Thread(target=hold_lock_forever, name="holder", daemon=True).start()
    holding.wait()
    print(f"READY {os.getpid()}", flush=True)
    wait_for_lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
