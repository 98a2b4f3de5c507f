"""Runs one preview1 program several ways in wasmtime and reports, as JSON
on stdout, what each way printed, how it ended and which files it left.

Input (JSON on stdin):
  {"args": [...], "env": [[k, v], ...], "stdin": path or null,
   "sandbox": dir or null,           # copied afresh for every way
   "ways": {"name": {"kind": "module" | "component", "path": wasm}}}

A "module" runs natively in wasmtime's preview1 (`Linker.define_wasi`), a
"component" in its WASI 0.2 (`component.Linker.add_wasip2`), calling
`wasi:cli/run`. The sandbox is preopened as `/sandbox`.

Output per way: stdout, stderr (text, invalid UTF-8 replaced), "exit":
"success" | "failure" | "trap" (and "detail"), and "files": the sandbox
afterwards, one line per entry: path, type, and content or link target.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile

import wasmtime
import wasmtime.component as component


def shown_name(name):
    # A name that is not UTF-8 shows as Rust's `Path::display` shows it
    # (U+FFFD for each bad sequence), so that `compono run`'s listing,
    # made in Rust, compares equal.
    return os.fsencode(name).decode("utf-8", "replace")


def snapshot(root):
    lines = []
    if root is None:
        return lines
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = shown_name(os.path.normpath(os.path.join(rel_dir, name)))
            if os.path.islink(path):
                lines.append(f"{rel} symlink -> {os.readlink(path)}")
            elif os.path.isdir(path):
                lines.append(f"{rel} dir")
            else:
                with open(path, "rb") as f:
                    data = f.read()
                if len(data) <= 200 and all(32 <= b < 127 or b in (9, 10) for b in data):
                    shown = json.dumps(data.decode())
                else:
                    shown = f"{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}"
                lines.append(f"{rel} file {shown}")
    return lines


def configure(spec, work, sandbox):
    wasi = wasmtime.WasiConfig()
    wasi.argv = spec["args"]
    wasi.env = spec["env"]
    if spec.get("stdin"):
        wasi.stdin_file = spec["stdin"]
    wasi.stdout_file = os.path.join(work, "stdout")
    wasi.stderr_file = os.path.join(work, "stderr")
    if sandbox is not None:
        wasi.preopen_dir(sandbox, "/sandbox")
    return wasi


def ending(run):
    try:
        result = run()
    except wasmtime.ExitTrap as e:
        return ("success" if e.code == 0 else "failure"), f"exit {e.code}"
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return "trap", first
    if result is None or getattr(result, "tag", "ok") == "ok":
        return "success", "returned"
    return "failure", "run returned err"


def run_module(engine, path, wasi):
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, path)

    def go():
        instance = linker.instantiate(store, module)
        instance.exports(store)["_start"](store)

    return ending(go)


def run_component(engine, path, wasi):
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = component.Linker(engine)
    linker.add_wasip2()
    comp = component.Component.from_file(engine, path)

    def go():
        instance = linker.instantiate(store, comp)
        run = None
        for version in ("0.2.0", "0.2.12", "0.2.6", "0.2.3"):
            iface = instance.get_export_index(store, f"wasi:cli/run@{version}")
            if iface is not None:
                run = instance.get_func(store, instance.get_export_index(store, "run", iface))
                break
        if run is None:
            raise SystemExit("the component exports no wasi:cli/run")
        return run(store)

    return ending(go)


def main():
    spec = json.load(sys.stdin)
    engine = wasmtime.Engine()
    report = {}
    for name, way in spec["ways"].items():
        work = tempfile.mkdtemp(prefix="preview1-")
        try:
            sandbox = None
            if spec.get("sandbox") is not None:
                sandbox = os.path.join(work, "sandbox")
                if os.path.isdir(spec["sandbox"]):
                    shutil.copytree(spec["sandbox"], sandbox, symlinks=True)
                else:
                    os.mkdir(sandbox)
            wasi = configure(spec, work, sandbox)
            runner = run_module if way["kind"] == "module" else run_component
            exit_class, detail = runner(engine, way["path"], wasi)
            out = {}
            for stream in ("stdout", "stderr"):
                with open(os.path.join(work, stream), "rb") as f:
                    out[stream] = f.read().decode("utf-8", "replace")
            report[name] = {
                "stdout": out["stdout"],
                "stderr": out["stderr"],
                "exit": exit_class,
                "detail": detail,
                "files": snapshot(sandbox),
            }
        finally:
            shutil.rmtree(work, ignore_errors=True)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
