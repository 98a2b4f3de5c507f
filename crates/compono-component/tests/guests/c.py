"""The C guest (clang, hand-written canonical ABI): calls every export,
checks results and what the host imports receive, prints a transcript."""

import json

from wasmtime.component import Record
from harness import Guest, expect, fields

logged = []
scaled = []


def define(root):
    with root.add_instance("test:cguest/host") as host:
        host.add_func("log", lambda store, msg: logged.append(msg))

        def scale(store, p, k):
            scaled.append((fields(p), k))
            r = Record()
            r.x = p.x * k
            r.y = p.y * k
            return r

        host.add_func("scale", scale)


g = Guest(define)
t = {}
t["reverse"] = g.call("reverse", "hello, world")
expect(t["reverse"], "dlrow ,olleh", "reverse")
t["reverse-ascii"] = g.call("reverse", "abc")
expect(t["reverse-ascii"], "cba", "reverse")
expect(logged, ["reversed", "reversed"], "log")
t["stats"] = list(g.call("stats", [3, -7, 10, 2]))
expect(t["stats"], [-7, 10, 2.0], "stats")
t["stats-empty"] = list(g.call("stats", []))
expect(t["stats-empty"], [0, 0, 0.0], "stats of nothing")
p = Record()
p.x = 1.5
p.y = -2.0
t["transform"] = fields(g.call("transform", p))
expect(t["transform"], {"x": -4.0, "y": 3.0}, "transform")
expect(scaled, [({"x": 1.5, "y": -2.0}, 2.0)], "scale arguments")
t["parse-ok"] = g.call("parse", "12345")
expect(t["parse-ok"], 12345, "parse")
t["parse-err"] = g.call("parse", "12a")
expect(t["parse-err"], "not a number", "parse error")
print(json.dumps(t, sort_keys=True))
