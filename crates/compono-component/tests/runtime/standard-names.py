from harness import Guest, expect

greeted = []

def define(root):
    with root.add_instance("test:std/api") as api:
        def greet(store, name):
            greeted.append(name)
            return "hi " + name
        api.add_func("greet", greet)
    root.add_func("ping", lambda store: 41)

g = Guest(define)
expect(g.call("pong"), 42, "pong")
expect(g.call("greet", "bob", interface="test:std/api"), "hi bob", "greet through the import")
expect(greeted, ["bob"], "host saw the name")
