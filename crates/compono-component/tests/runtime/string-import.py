from wasmtime.component import Linker
from harness import Guest, expect

logged = []

def define(root):
    with root.add_instance("test:log/logger") as logger:
        logger.add_func("log", lambda store, msg: logged.append(msg))
        logger.add_func("prefix", lambda store: "[prefix] ")

g = Guest(define)
expect(g.call("run", "first message"), "[prefix] ", "run")
expect(g.call("run", "ünïcödé"), "[prefix] ", "run")
expect(logged, ["first message", "ünïcödé"], "logged")
