"""`cargo xtask bench run`'s wasmtime side: runs a WASI program in
wasmtime-py, natively (Cranelift) or on its Pulley interpreter, and prints
the best time of several runs as JSON.

usage: wasi_run.py native|pulley64 COMPONENT REPETITIONS [DIR [ARG...]]

Each run starts from the component's bytes: a fresh engine compiles it,
then it is instantiated and `wasi:cli/run` runs to its end; DIR, when
given, is preopened as `.` and ARGs are the program's arguments.
`compile` is the compile time of the best run.
"""

import json
import sys
import time

import wasmtime
from wasmtime import component


def run_once(target, data, directory, args):
    start = time.perf_counter()
    config = wasmtime.Config()
    if target != "native":
        config.target = target
    engine = wasmtime.Engine(config)
    program = component.Component(engine, data)
    compiled = time.perf_counter()
    linker = component.Linker(engine)
    linker.add_wasip2()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = ["program"] + args
    output = []
    wasi.stdout_custom = lambda b: output.append(b) or len(b)
    if directory:
        wasi.preopen_dir(directory, ".")
    store.set_wasi(wasi)
    instance = linker.instantiate(store, program)
    run = instance.get_func(
        store,
        instance.get_export_index(store, "run", instance.get_export_index(store, "wasi:cli/run@0.2.0")),
    )
    result = run(store)
    end = time.perf_counter()
    if getattr(result, "tag", "ok") != "ok":
        raise SystemExit("the program failed")
    return end - start, compiled - start, b"".join(output)


def main():
    target, path, repetitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
    directory = sys.argv[4] if len(sys.argv) > 4 else None
    args = sys.argv[5:]
    data = open(path, "rb").read()
    best = None
    for _ in range(repetitions):
        total, compile_time, output = run_once(target, data, directory, args)
        if best is None or total < best[0]:
            best = (total, compile_time, output)
    print(json.dumps({
        "seconds": best[0],
        "compile": best[1],
        "stdout": best[2].decode("utf-8", "replace"),
    }))


main()
