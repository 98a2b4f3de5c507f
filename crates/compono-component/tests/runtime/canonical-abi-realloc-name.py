from harness import Guest, expect

g = Guest()
expect(g.call("size", [1, 2, 65535]), 3, "size through canonical_abi_realloc")
