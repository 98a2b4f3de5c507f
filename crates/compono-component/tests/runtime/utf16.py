from harness import Guest, expect

g = Guest()
for s in ["", "wide", "日本語", "emoji 😀"]:
    expect(g.call("echo", s), s, "echo utf16")
