from harness import Guest, expect

keys = []

def define(root):
    with root.add_instance("test:shared/kv") as kv:
        def get(store, key):
            keys.append(key)
            return "value"
        kv.add_func("get", get)

g = Guest(define)
expect(g.call("one"), 1, "some")
expect(g.call("two"), 2, "two")
expect(keys, ["k"], "key")
