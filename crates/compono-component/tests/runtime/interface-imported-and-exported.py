from wasmtime.component import Record
from harness import Guest, expect

def define(root):
    with root.add_instance("test:both/math") as math:
        math.add_func("sum", lambda store, p: p.a + p.b)

g = Guest(define)
p = Record()
p.a = 20
p.b = 1
expect(g.call("sum", p, interface="test:both/math"), 42, "export wraps the import")
