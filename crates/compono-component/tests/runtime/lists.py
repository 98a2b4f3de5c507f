from harness import Guest, expect

def define(root):
    root.add_func("numbers", lambda store: [1, 2, 3, 4000000000])

g = Guest(define)
expect(g.call("sum", [1, 2, 3]), 6, "sum")
expect(g.call("sum", []), 0, "sum of nothing")
expect(g.call("sum", [2**32 - 1, 2**32 - 1]), 2 * (2**32 - 1), "sum wide")
expect(g.call("bytes", b"\x00\x01\xff"), b"\x00\x01\xff", "bytes")
expect(g.call("nested", [["a", "b"], [], ["c"]]), 3, "nested")
expect(g.call("host-sum"), (1 + 2 + 3 + 4000000000) % 2**32, "host-sum")
