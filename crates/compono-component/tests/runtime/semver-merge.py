from harness import Guest, expect

calls = []

def define(root):
    with root.add_instance("test:dep/api@0.2.3") as api:
        api.add_func("get", lambda store: calls.append(1) or 20)

g = Guest(define)
expect(g.call("run"), 40, "both versions' imports reach the one merged import")
expect(len(calls), 2, "calls")
