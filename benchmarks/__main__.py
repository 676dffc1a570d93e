"""Run every benchmark with its defaults, one after another: `python -m benchmarks`."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("bench_qa", "bench_webhook", "bench_planner", "bench_sender")


def main() -> int:
    """Run each benchmark module in its own process; return non-zero if any failed."""
    failed = 0
    for name in BENCHMARKS:
        print(f"== benchmarks.{name}", flush=True)
        failed |= subprocess.call([sys.executable, "-m", f"benchmarks.{name}"]) != 0
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
