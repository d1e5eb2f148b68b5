"""How many updates per second the playground streams to a page.

Starts a playground on 127.0.0.1 (a free port), and for each network opens a
session, presses play and counts the frames its stream delivers for a few
seconds -- each frame one epoch of training, the 64x64 output image, every
unit's heatmap, the weights and the diagnostics. The server paces a stream at
``Limits.max_updates_per_second`` (60), so that is the ceiling.

    python benchmarks/playground_stream.py [seconds]
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request

from glassnet.playground import Limits, PlaygroundServer

NETWORKS = [
    ("2-8-8-1, 500 points", {"layers": "8,8", "n_samples": 500}),
    ("2-4-2-1, 500 points (default)", {}),
    ("2-16x6-1, 1000 points", {"layers": "16,16,16,16,16,16", "n_samples": 1000}),
    ("7 features, 8x8 layers, 2000 points", {
        "layers": "8,8,8,8,8,8,8,8", "n_samples": 2000,
        "features": "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
    }),
]  # fmt: skip


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def measure(base: str, config: dict, seconds: float) -> tuple[float, float]:
    sid = post(base + "api/sessions", config)["setup"]["id"]
    post(f"{base}api/sessions/{sid}/play", {})
    frames, size = 0, 0
    with urllib.request.urlopen(f"{base}api/sessions/{sid}/stream", timeout=30) as s:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            line = s.readline()
            if line.startswith(b"data: "):
                frames += 1
                size += len(line)
        elapsed = time.monotonic() - start
    post(f"{base}api/sessions/{sid}/close", {})
    return frames / elapsed, size / max(frames, 1)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    server = PlaygroundServer("127.0.0.1", 0, limits=Limits(max_points=2000))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        print(f"{'network':40s} {'updates/s':>10s} {'kB/frame':>9s}")
        for name, config in NETWORKS:
            rate, size = measure(server.url, config, seconds)
            print(f"{name:40s} {rate:10.1f} {size / 1000:9.1f}")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
