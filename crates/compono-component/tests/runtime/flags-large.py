from harness import Guest, expect

ALL = {f"{c}{i}" for c in "abc" for i in range(10)} | {"d0", "d1"}
g = Guest()
expect(g.call("invert", {"a0", "d1"}), ALL - {"a0", "d1"}, "invert")
expect(g.call("invert", set()), ALL, "invert nothing")
