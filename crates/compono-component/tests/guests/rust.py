"""The Rust (wit-bindgen) guest: calls every export, checks the results and
what the host imports receive, and prints a transcript so the runner can
compare our component with the one `wasm-tools component new` makes."""

import json

from wasmtime.component import Record
from harness import Guest, expect, fields

logged = []


def item(name, count):
    r = Record()
    r.name = name
    r.count = count
    return r


def define(root):
    with root.add_instance("test:guest/types"):
        pass
    with root.add_instance("test:guest/host") as host:
        host.add_func("log", lambda store, msg: logged.append(msg))
        host.add_func("items", lambda store: [item("a", 1), item("b", 2)])


g = Guest(define)
transcript = {}

transcript["summarize"] = g.call("summarize", "> ")
expect(transcript["summarize"], "> ax1,bx2", "summarize")
expect(logged, ["2 items"], "log from summarize")

# The variant's payloads (list, string, none) are told apart by type in
# Python, so they come back untagged.
done = g.call("classify", [item("x", 3)], {"fast"}, "high")
transcript["classify-high"] = [fields(i) for i in done]
expect(transcript["classify-high"], [{"name": "X", "count": 6}], "classify high")
transcript["classify-failed"] = g.call("classify", [item("x", 0)], {"safe"}, "low")
expect(transcript["classify-failed"], "empty item", "classify failed")
transcript["classify-low"] = g.call("classify", [], set(), "low")
expect(transcript["classify-low"], None, "classify low")

transcript["checked-ok"] = g.call("checked", -7, 2)
expect(transcript["checked-ok"], -3, "checked ok")
err = g.call("checked", 1, 0)
transcript["checked-err"] = err
expect(err, "cannot divide 1 by 0", "checked err")

total, ch = g.call("floats", 1.5, 64.5)
transcript["floats"] = [total, ch]
expect(transcript["floats"], [66.0, "B"], "floats")

T = "test:guest/types"
a = g.call("[constructor]tally", 5, interface=T)
g.call("[method]tally.add", a, 3, interface=T)
expect(g.call("[method]tally.total", a, interface=T), 8, "tally total")
b = g.call("[constructor]tally", 10, interface=T)
c = g.call("[static]tally.combine", a, b, interface=T)
transcript["combined"] = g.call("[method]tally.total", c, interface=T)
expect(transcript["combined"], 18, "combined")
for t in (a, b, c):
    t.drop(g.store)
transcript["logged"] = logged
expect(logged[1:], ["dropped tally 8", "dropped tally 10", "dropped tally 18"], "destructors")

print(json.dumps(transcript, sort_keys=True))
