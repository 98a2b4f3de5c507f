from harness import Guest, expect

g = Guest()
expect(g.call("version", interface="test:ver/api@1.2.0"), "1.2.0", "version")
