from harness import Guest, expect

logged = []

def define(root):
    root.add_func("log", lambda store, s: logged.append(s))

g = Guest(define)
expect(g.call("shout", "through a memory the component provides"), "through a memory the component provides", "shout")
expect(logged, ["through a memory the component provides"], "log read the imported memory")
