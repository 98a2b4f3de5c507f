from wasmtime.component import Record
from harness import Guest, expect, fields

I = "test:compound/shapes"
g = Guest()
p = Record()
p.x = 3
p.y = -4
expect(fields(g.call("swap", p, interface=I)), {"x": -4, "y": 3}, "swap")
p.x, p.y = 3, 5
expect(g.call("area", p, interface=I), 15, "area of rect")
expect(g.call("area", 4, interface=I), 16, "area of circle")
expect(g.call("area", None, interface=I), 0, "area of empty")
expect(g.call("next-color", "red", interface=I), "green", "next-color")
expect(g.call("next-color", "blue", interface=I), "red", "next-color wraps")
expect(g.call("toggle", {"read"}, interface=I), {"write", "exec"}, "toggle")
expect(g.call("maybe", 41, interface=I), 42, "maybe some")
expect(g.call("maybe", None, interface=I), None, "maybe none")
expect(g.call("checked-div", 7, 2, interface=I), 3, "checked-div ok")
# ok and err payloads (u32, string) are told apart by type in Python.
expect(g.call("checked-div", 7, 0, interface=I), "dero", "checked-div error")
expect(g.call("pair", (200, 60000), interface=I), (60000, 200), "pair")
