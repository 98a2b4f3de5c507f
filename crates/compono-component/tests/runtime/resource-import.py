from wasmtime.component import ResourceType, ResourceHost
from harness import Guest, expect

FILE = 1
files = {}
dropped = []

def define(root):
    with root.add_instance("test:files/fs") as fs:
        fs.add_resource("file", ResourceType.host(FILE), lambda store, rep: dropped.append(rep))
        def ctor(store, name):
            rep = len(files) + 1
            files[rep] = name
            return ResourceHost.own(rep, FILE)
        def size(store, this):
            return len(files[this.to_host(store).rep]) * 100
        fs.add_func("[constructor]file", ctor)
        fs.add_func("[method]file.size", size)
        fs.add_func("[method]file.read", lambda store, this, n: b"")
        fs.add_func("[static]file.open", lambda store, name: ResourceHost.own(99, FILE))
        fs.add_func("total", lambda store, fs_: 0)

g = Guest(define)
expect(g.call("size-of", "abc"), 300, "size-of")
expect(files, {1: "abc"}, "constructor argument")
expect(dropped, [1], "the guest dropped the file")
expect(g.call("size-of", "hello"), 500, "size-of")
expect(dropped, [1, 2], "dropped again")
