"""The runtime benchmarks on wasmtime-py, for `cargo xtask bench run`.

Usage: wasmtime_bench.py COMPONENT.wasm native|pulley
Prints one JSON object: seconds per instantiation, per call of each export,
and per SHA-256 of 1 MiB, and the resident memory each instance adds.
The work matches xtask/src/bench_run.rs exactly.
"""

import json
import sys
import time

import wasmtime
from wasmtime.component import Component, Linker

INSTANCES = 1000
CALLS = 100_000
ECHO = "hello, component model! 0123456789"
BYTES = bytes(range(64))
MEGABYTE = bytes(i * 7 % 256 for i in range(1 << 20))


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def best(runs, f):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    path, target = sys.argv[1], sys.argv[2]
    config = wasmtime.Config()
    config.wasm_component_model = True
    if target == "pulley":
        config.target = "pulley64"
    engine = wasmtime.Engine(config)
    component = Component.from_file(engine, path)
    linker = Linker(engine)

    store = wasmtime.Store(engine)
    instances = []
    rss_before = rss_bytes()
    start = time.perf_counter()
    for _ in range(INSTANCES):
        instances.append(linker.instantiate(store, component))
    instantiate = (time.perf_counter() - start) / INSTANCES
    memory = (rss_bytes() - rss_before) / INSTANCES

    store = wasmtime.Store(engine)
    instance = linker.instantiate(store, component)

    def func(name):
        return instance.get_func(store, instance.get_export_index(store, name))

    echo, total, sha = func("echo"), func("sum"), func("sha256")
    sha_made = func("sha256-made")

    def call(f, arg):
        result = f(store, arg)
        f.post_return(store)
        return result

    assert call(echo, ECHO) == ECHO
    assert call(total, BYTES) == sum(BYTES)

    def echo_calls():
        for _ in range(CALLS):
            call(echo, ECHO)

    def sum_calls():
        for _ in range(CALLS):
            call(total, BYTES)

    digest = call(sha, MEGABYTE)
    assert call(sha_made, len(MEGABYTE)) == digest
    print(json.dumps({
        "instantiate": instantiate,
        "memory_per_instance": memory,
        "echo": best(3, echo_calls) / CALLS,
        "sum": best(3, sum_calls) / CALLS,
        # Python converts a list<u8> byte by byte: one run is enough.
        "sha256": best(1, lambda: call(sha, MEGABYTE)),
        "sha256_made": best(3, lambda: call(sha_made, len(MEGABYTE))),
        "digest": bytes(digest).hex(),
    }))


if __name__ == "__main__":
    main()
