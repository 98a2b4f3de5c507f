from harness import Guest, expect

g = Guest()
expect(g.call("value"), 42, "_initialize ran at instantiation")
