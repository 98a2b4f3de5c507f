"""Runs one WASI 0.2 program in wasmtime (wasmtime-py's `add_wasip2`
host) the way `compono run` is run by the corpus test, for comparison.

usage: wasmtime_run.py REQUEST.json

The request names the component, its arguments (argv[0] included),
environment, stdin file, files for stdout and stderr, and the directory
preopened as `.` (read-only or not). Prints one line: `exit N`, `trap`
or `link-error`, followed by the error's text.
"""

import json
import sys

import wasmtime
from wasmtime import component


def main():
    request = json.load(open(sys.argv[1]))
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = request["args"]
    wasi.env = [tuple(pair) for pair in request["env"]]
    wasi.stdin_file = request["stdin"]
    wasi.stdout_file = request["stdout"]
    wasi.stderr_file = request["stderr"]
    wasi.preopen_dir(request["dir"], ".", not request["readonly"])
    store.set_wasi(wasi)
    linker = component.Linker(engine)
    linker.add_wasip2()
    try:
        program = component.Component.from_file(engine, request["component"])
        instance = linker.instantiate(store, program)
    except wasmtime.WasmtimeError as e:
        print("link-error")
        print(e)
        return
    interface = next(
        name for name in ["wasi:cli/run@0.2.6", "wasi:cli/run@0.2.0"]
        if instance.get_export_index(store, name) is not None
    )
    run = instance.get_func(
        store, instance.get_export_index(store, "run", instance.get_export_index(store, interface))
    )
    try:
        result = run(store)
        # `run` returns `result`: ok or err, without payloads.
        print("exit 0" if getattr(result, "tag", "ok") == "ok" else "exit 1")
    except wasmtime.ExitTrap as e:
        print(f"exit {e.code}")
    except wasmtime.WasmtimeError as e:
        print("trap")
        print(e)


main()
