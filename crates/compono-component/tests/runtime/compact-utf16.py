from harness import Guest, expect

def define(root):
    root.add_func("name", lambda store: "latin")

g = Guest(define)
expect(g.call("greet", "abc"), 3, "latin-1 length")
