"""Runs a linked component in wasmtime and prints a transcript of the
calls in a case's `calls.txt`: `> call` for each call, the host calls it
makes (`log "..."`, including those made while instantiating), what it
wrote to stdout (`stdout "..."`), then `= result` or `! trap`. After a
trap the component is instantiated afresh.

A call is `name(args)` or `interface#name(args)`, arguments as Python
literals. The host provides `test:link/host`: `log(msg)` records the
message, `name()` returns "host".

usage: driver.py COMPONENT CALLS"""

import ast
import json
import os
import sys
import tempfile

import wasmtime
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker


def show(value):
    if value is None:
        return "()"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def parse(call):
    name, _, rest = call.partition("(")
    args = ast.literal_eval("(" + rest[:-1] + ",)") if rest[:-1].strip() else ()
    return name.strip(), list(args)


class Session:
    def __init__(self, engine, component, out):
        self.out = out
        self.stdout_path = os.path.join(tempfile.mkdtemp(), "stdout")
        self.stdout_seen = 0
        self.store = Store(engine)
        wasi = WasiConfig()
        wasi.stdout_file = self.stdout_path
        self.store.set_wasi(wasi)
        linker = Linker(engine)
        linker.add_wasip2()
        with linker.root() as root:
            with root.add_instance("test:link/host") as host:
                host.add_func("log", lambda store, msg: out.append(f"log {show(msg)}"))
                host.add_func("name", lambda store: "host")
        self.instance = linker.instantiate(self.store, component)
        self.flush_stdout()

    def flush_stdout(self):
        if not os.path.exists(self.stdout_path):
            return
        with open(self.stdout_path, "rb") as f:
            data = f.read()
        new = data[self.stdout_seen :]
        self.stdout_seen = len(data)
        if new:
            self.out.append(f"stdout {json.dumps(new.decode())}")

    def call(self, name, args):
        interface = None
        if "#" in name:
            interface_name, name = name.split("#", 1)
            interface = self.instance.get_export_index(self.store, interface_name)
            if interface is None:
                raise SystemExit(f"the component exports no `{interface_name}`")
        index = self.instance.get_export_index(self.store, name, interface)
        if index is None:
            raise SystemExit(f"the component exports no `{name}`")
        func = self.instance.get_func(self.store, index)
        result = func(self.store, *args)
        func.post_return(self.store)
        self.flush_stdout()
        return result


def main():
    component_path, calls_path = sys.argv[1], sys.argv[2]
    engine = Engine()
    component = Component.from_file(engine, component_path)
    out = []
    session = Session(engine, component, out)
    with open(calls_path) as f:
        calls = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for call in calls:
        out.append(f"> {call}")
        name, args = parse(call)
        try:
            out.append(f"= {show(session.call(name, args))}")
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            if "unreachable" not in str(e) and "trap" not in str(e).lower():
                raise
            out.append("! trap")
            session = Session(engine, component, out)
    print("\n".join(out))


main()
