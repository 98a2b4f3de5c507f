from harness import Guest, expect

def define(root):
    root.add_func("a", lambda store: 1)
    root.add_func("b", lambda store: 2)

g = Guest(define)
expect(g.call("run-a"), 1, "from the first world")
expect(g.call("run-b"), 2, "from the second world")
