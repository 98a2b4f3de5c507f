from harness import Guest, expect

logged = []

def define(root):
    root.add_func("log", lambda store, s: logged.append(s))

g = Guest(define)
g.call("run")
expect(logged, ["hi"], "log")
