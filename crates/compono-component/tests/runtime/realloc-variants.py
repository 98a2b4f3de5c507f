from harness import Guest, expect

def define(root):
    root.add_func("fetch", lambda store: "fetched!")

g = Guest(define)
expect(g.call("store", "abc") >= 32768, True, "export arguments use cabi_export_realloc")
expect(g.call("fetch-len"), 8, "import results use cabi_import_realloc")
