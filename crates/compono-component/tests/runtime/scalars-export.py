from harness import Guest, expect

g = Guest()
expect(g.call("add-s32", 2, -5), -3, "add-s32")
expect(g.call("add-s32", 2**31 - 1, 1), -(2**31), "add-s32 wraps")
expect(g.call("add-u64", 2**63, 2**62), 2**63 + 2**62, "add-u64")
expect(g.call("mul-f32", 1.5, 4.0), 6.0, "mul-f32")
expect(g.call("mul-f64", 0.1, 10.0), 1.0, "mul-f64")
expect(g.call("not", True), False, "not")
expect(g.call("not", False), True, "not")
expect(g.call("next-char", "a"), "b", "next-char")
expect(g.call("widen", 255, -128, 65535, -32768), 255 - 128 + 65535 - 32768, "widen")
