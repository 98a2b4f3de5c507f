from harness import Guest, expect

def define(root):
    def where(store):
        raise AssertionError("not called")
    root.add_func("where", where)

g = Guest(define)
expect(g.call("step", "up"), 1, "step up")
expect(g.call("step", "down"), 2, "step down")
