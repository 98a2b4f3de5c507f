from wasmtime.component import ResourceType, ResourceHost
from harness import Guest, expect

HANDLE = 7
dropped = []

def define(root):
    root.add_resource("handle", ResourceType.host(HANDLE), lambda store, rep: dropped.append(rep))
    root.add_func("get", lambda store: ResourceHost.own(55, HANDLE))
    root.add_func("[method]handle.id", lambda store, this: this.to_host(store).rep + 1)

g = Guest(define)
expect(g.call("run"), 56, "method on a world-level resource")
expect(dropped, [55], "dropped by the guest")
