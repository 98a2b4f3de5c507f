from harness import Guest, expect

g = Guest()
for s in ["", "hello", "héllo wörld ✓", "x" * 10000]:
    expect(g.call("echo", s), s, "echo")
    expect(g.call("len", s), len(s.encode("utf-8")), "len")
