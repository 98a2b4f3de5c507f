from wasmtime.component import Record
from harness import Guest, expect

def define(root):
    with root.add_instance("test:pipe/source") as source:
        source.add_func("next", lambda store: None)
    with root.add_instance("test:pipe/types") as types:
        pass

g = Guest(define)
m = Record()
m.id = 10
m.body = "12345"
expect(g.call("accept", m, interface="test:pipe/sink"), 15, "accept")
