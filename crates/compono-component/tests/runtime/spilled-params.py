from harness import Guest, expect

received = []

def define(root):
    def sum17(store, *args):
        received.append(args)
        return sum(args) % 2**64
    root.add_func("sum17", sum17)

g = Guest(define)
args = list(range(1, 18))
args[16] = 2**63
expect(g.call("sum17-export", *args), (sum(args) % 2**64, sum(args) % 2**64), "sum17-export")
expect(received, [tuple(args)], "the host saw all 17 arguments")
