from harness import Guest, expect

I = "test:res/counters"
g = Guest()
a = g.call("[constructor]counter", 5, interface=I)
b = g.call("[constructor]counter", 7, interface=I)
expect(g.call("[method]counter.get", a, interface=I), 5, "get")
g.call("[method]counter.add", a, b, interface=I)
expect(g.call("[method]counter.get", a, interface=I), 12, "get after add (borrow)")
expect(g.call("[method]counter.get", b, interface=I), 7, "borrowed counter unchanged")
expect(g.call("dropped", interface=I), 0, "nothing dropped yet")
m = g.call("[static]counter.merge", a, b, interface=I)
expect(g.call("[method]counter.get", m, interface=I), 19, "merged")
expect(g.call("dropped", interface=I), 2, "merge dropped both (destructor ran)")
m.drop(g.store)
expect(g.call("dropped", interface=I), 3, "host drop ran the destructor")
