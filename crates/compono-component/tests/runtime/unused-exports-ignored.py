from harness import Guest, expect

g = Guest()
expect(g.call("f"), 7, "f")
