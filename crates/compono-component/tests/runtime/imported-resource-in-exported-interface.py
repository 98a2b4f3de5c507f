from wasmtime.component import Record, ResourceType, ResourceHost
from harness import Guest, expect

FILE = 5
dropped = []

def define(root):
    with root.add_instance("test:x/fs") as fs:
        fs.add_resource("file", ResourceType.host(FILE), lambda store, rep: dropped.append(rep))
        fs.add_func("[method]file.size", lambda store, this: this.to_host(store).rep * 100)

g = Guest(define)
m = Record()
m.mode = 7
expect(g.call("describe", ResourceHost.own(3, FILE), m, interface="test:x/api"), 307, "describe with a borrow")
expect(g.call("consume", ResourceHost.own(4, FILE), interface="test:x/api"), 400, "consume an own")
expect(4 in dropped, True, "the guest dropped what it owned")
