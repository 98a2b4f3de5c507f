from harness import Guest, expect

def define(root):
    with root.add_instance("test:other/clock") as clock:
        clock.add_func("now", lambda store: 1000)

g = Guest(define)
expect(g.call("later"), 1001, "later through the renamed import")
