from harness import Guest, expect

def define(root):
    # Only what the module calls is needed: no `conn` resource, no `never`.
    with root.add_instance("test:unused/big") as big:
        big.add_func("ping", lambda store: 99)

g = Guest(define)
expect(g.call("run"), 99, "run")
