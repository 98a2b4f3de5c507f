from harness import Guest, expect

def define(root):
    with root.add_instance("test:tiny/math") as math:
        math.add_func("inc", lambda store, x: x + 1)

g = Guest(define)
expect(g.call("inc", 40, interface="test:tiny/math"), 42, "inc twice through the host")
