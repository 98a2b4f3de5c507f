"""Shared helpers for the runtime tests: each script gets the path of a
component built by compono from the fixture of the same name, instantiates
it in wasmtime with imports that check what they receive, calls its exports
and checks the results. Any exception fails the test."""

import sys

from wasmtime import Engine, Store
from wasmtime.component import Component, Linker


def expect(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def fields(record):
    """A record as a dict, for comparisons."""
    return dict(vars(record))


class Guest:
    def __init__(self, define=None):
        self.engine = Engine()
        self.store = Store(self.engine)
        self.component = Component.from_file(self.engine, sys.argv[1])
        self.linker = Linker(self.engine)
        if define is not None:
            with self.linker.root() as root:
                define(root)
        self.instance = self.linker.instantiate(self.store, self.component)

    def func(self, name, interface=None):
        index = None
        if interface is not None:
            index = self.instance.get_export_index(self.store, interface)
            assert index is not None, f"no export `{interface}`"
        export = self.instance.get_export_index(self.store, name, index)
        assert export is not None, f"no export `{name}` in {interface}"
        func = self.instance.get_func(self.store, export)
        assert func is not None, f"`{name}` is not a function"
        return func

    def call(self, name, *args, interface=None):
        func = self.func(name, interface)
        result = func(self.store, *args)
        func.post_return(self.store)
        return result
