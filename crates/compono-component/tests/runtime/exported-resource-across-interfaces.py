from harness import Guest, expect

T = "test:maker/things"
F = "test:maker/factory"
g = Guest()
a, b = g.call("make-two", interface=F)
expect(g.call("[method]thing.value", a, interface=T), 1, "first")
expect(g.call("[method]thing.value", b, interface=T), 2, "second")
c = g.call("[constructor]thing", 7, interface=T)
expect(g.call("sum", a, c, interface=F), 8, "sum of borrows across interfaces")
for t in (a, b, c):
    t.drop(g.store)
