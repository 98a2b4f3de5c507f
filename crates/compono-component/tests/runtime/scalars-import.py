from harness import Guest, expect

seen = []

def define(root):
    def double(store, x):
        seen.append(("double", x))
        return x * 2
    def halve(store, x):
        seen.append(("halve", x))
        return x / 2
    root.add_func("double", double)
    root.add_func("halve", halve)

g = Guest(define)
expect(g.call("quadruple", 5), 20, "quadruple")
expect(seen, [("double", 5), ("double", 10)], "double arguments")
expect(g.call("quarter", 10.0), 2.5, "quarter")
expect(seen[2:], [("halve", 10.0), ("halve", 5.0)], "halve arguments")
