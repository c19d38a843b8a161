"""Throughput and memory of the WCF byte-array codec (backoffice/wire/wcf.py), by hand, never in CI.

    .venv/bin/python bench/wcf_bytes.py [--mb 50] [--encode-mb 60]

Each measurement runs in a fresh process so its peak resident memory is its own. Figures are seconds
and megabytes; "peak over start" is what the operation added to the process at its highest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

MB = 1 << 20


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(kind: str, size_mb: int) -> dict[str, float]:
    from backoffice.wire import wcf

    data = os.urandom(size_mb * MB)
    if kind == "encode":
        start_rss = _rss_mb()
        started = time.perf_counter()
        written = 0
        for piece in wcf.encode_byte_array(data[i:i + 4 * MB] for i in range(0, len(data), 4 * MB)):
            written += len(piece)  # a socket would take each piece; nothing is kept
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "text_mb": written / MB, "peak_over_start_mb": _peak_mb() - start_rss}
    # Built through a file so that building it leaves no peak above the body itself.
    with tempfile.TemporaryFile() as file:
        file.write(b'{"DataForImport":')
        file.writelines(wcf.encode_byte_array([data]))
        file.write(b',"UserName":"api spec"}')
        file.seek(0)
        body = file.read()
    text_mb = len(body) / MB
    start_rss = _rss_mb()
    started = time.perf_counter()
    rest, decoded = wcf.extract_byte_array(body, "DataForImport")
    seconds = time.perf_counter() - started
    assert decoded == data and rest == b'{"DataForImport":null,"UserName":"api spec"}'
    return {"seconds": seconds, "text_mb": text_mb, "peak_over_start_mb": _peak_mb() - start_rss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50, help="decoded size for extract_byte_array")
    parser.add_argument("--encode-mb", type=int, default=60, help="file size for encode_byte_array")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child[0], int(args.child[1]))))
        return
    for kind, size in (("encode", args.encode_mb), ("extract", args.mb)):
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(size)], check=True,
                             capture_output=True, text=True).stdout
        figures = json.loads(out)
        print(f"{kind:8} {size} MB of bytes <-> {figures['text_mb']:.0f} MB of JSON text: "
              f"{figures['seconds']:.2f} s ({size / figures['seconds']:.0f} MB/s of bytes), "
              f"peak over start {figures['peak_over_start_mb']:.0f} MB")


if __name__ == "__main__":
    main()
