from harness import Guest, expect

def define(root):
    root.add_func("seed", lambda store: 10)

g = Guest(define)
expect(g.call("one"), 10, "one")
expect(g.call("two"), 11, "two")
