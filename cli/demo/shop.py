"""fleetprof demo: a tiny "shop" that handles fake orders forever.

`fleetprof up --demo` starts it twice, as version 1.0 and 2.0 of service `shop-demo`
(labels come from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES=service.version=...).
Version 2.0 brought "new tax rules": compute_prices does about twice the work, so a diff
of the two versions shows compute_prices in red within a minute.

Each process keeps one core roughly a third busy, then sleeps, so the demo stays light.
"""

import json
import os
import signal
import sys
import time


def resource_attribute(name, default):
    for pair in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, _, value = pair.partition("=")
        if key.strip() == name and value.strip():
            return value.strip()
    return default


VERSION = resource_attribute("service.version", "1.0")
TAX_PASSES = 2 if VERSION.startswith("2") else 1
BUSY_FRACTION = float(os.environ.get("FLEETPROF_DEMO_BUSY", "0.35"))


def parse_order(number):
    raw = json.dumps({"id": number, "items": [{"sku": f"sku-{i}", "qty": i % 3 + 1, "price": 100 + i} for i in range(40)]})
    order = json.loads(raw)
    checksum = 0
    for item in order["items"]:
        for ch in item["sku"]:
            checksum = (checksum * 31 + ord(ch)) % 1_000_003
    order["checksum"] = checksum
    return order


def compute_prices(order):
    total = 0.0
    for _ in range(TAX_PASSES):
        for item in order["items"]:
            price = item["price"] * item["qty"]
            for step in range(25):
                price = price * 1.0001 + (step % 7) * 0.001
            total += price
    return total / TAX_PASSES


def render_receipt(order, total):
    lines = []
    for item in order["items"]:
        lines.append(f"{item['sku']:>10} x{item['qty']} {item['price']:>8.2f}")
    lines.append(f"{'total':>10}    {total:>8.2f}")
    text = "\n".join(lines)
    return sum(ord(c) for c in text)


def handle_request(number):
    order = parse_order(number)
    total = compute_prices(order)
    return render_receipt(order, total)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {os.getpid()} shop-demo {VERSION}", flush=True)
    number = 0
    while True:
        started = time.perf_counter()
        deadline = started + 0.05
        while time.perf_counter() < deadline:
            handle_request(number)
            number += 1
        busy = time.perf_counter() - started
        time.sleep(busy * (1 - BUSY_FRACTION) / BUSY_FRACTION)


if __name__ == "__main__":
    main()
