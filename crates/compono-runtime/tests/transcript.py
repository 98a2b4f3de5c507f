"""Replays a transcript against a component in wasmtime-py: the oracle's
half of the two drivers (the other is `compono_runtime::transcript`, whose
module docs define the format).

Usage: transcript.py COMPONENT.wasm TRANSCRIPT
Exits 0 and prints `N checks` when the component behaves as written;
prints the first difference and exits 1 otherwise.
"""

import math
import sys
from collections import deque

import wasmtime
from wasmtime import Engine, Store
from wasmtime.component import (
    Component,
    Linker,
    Record,
    ResourceAny,
    ResourceHost,
    ResourceType,
    Variant,
)
from wasmtime.component import _types as types


class Mismatch(Exception):
    pass


# ---------------------------------------------------------------- WAVE


class Wave:
    """A small WAVE reader: tokens to an untyped tree, then typed values in
    wasmtime-py's representation. Resource handles are labels, resolved by
    `resource(label, type)`."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, what):
        raise Mismatch(f"WAVE `{self.text}` at {self.pos}: {what}")

    def skip(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self):
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def eat(self, c):
        if self.peek() != c:
            self.error(f"expected `{c}`")
        self.pos += 1

    def quoted(self, q):
        self.eat(q)
        out = []
        while True:
            if self.pos >= len(self.text):
                self.error("unterminated quote")
            c = self.text[self.pos]
            self.pos += 1
            if c == q:
                return "".join(out)
            if c == "\\":
                e = self.text[self.pos]
                self.pos += 1
                if e == "u":
                    end = self.text.index("}", self.pos)
                    out.append(chr(int(self.text[self.pos + 1 : end], 16)))
                    self.pos = end + 1
                else:
                    out.append({"n": "\n", "t": "\t", "r": "\r"}.get(e, e))
            else:
                out.append(c)

    def node(self):
        """An untyped node: ('str', s) ('char', c) ('atom', text)
        ('list', [..]) ('tuple', [..]) ('braces', [(key or None, node)])
        ('call', label, node)."""
        c = self.peek()
        if c == '"':
            return ("str", self.quoted('"'))
        if c == "'":
            return ("char", self.quoted("'"))
        if c in "[(":
            close = {"[": "]", "(": ")"}[c]
            self.pos += 1
            items = []
            while self.peek() != close:
                items.append(self.node())
                if self.peek() == ",":
                    self.pos += 1
            self.pos += 1
            return ("list" if c == "[" else "tuple", items)
        if c == "{":
            self.pos += 1
            items = []
            while self.peek() != "}":
                start = self.pos
                first = self.node()
                if self.peek() == ":":
                    self.pos += 1
                    if first[0] != "atom":
                        self.error("expected a field label")
                    items.append((first[1], self.node()))
                else:
                    items.append((None, first))
                if self.peek() == ",":
                    self.pos += 1
                if self.pos == start:
                    self.error("stuck")
            self.pos += 1
            return ("braces", items)
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "-+._%"):
            self.pos += 1
        atom = self.text[start : self.pos]
        if not atom:
            self.error("expected a value")
        if self.peek() == "(":
            self.pos += 1
            payload = self.node()
            self.eat(")")
            return ("call", atom.lstrip("%"), payload)
        return ("atom", atom.lstrip("%"))


def parse_value(text, ty, resource):
    w = Wave(text)
    node = w.node()
    if w.peek():
        w.error("trailing text")
    return typed(node, ty, resource)


def label(node):
    if node[0] == "atom":
        return node[1], None
    if node[0] == "call":
        return node[1], node[2]
    raise Mismatch(f"expected a label, got {node}")


def typed(node, ty, resource):
    kind, *rest = node
    if isinstance(ty, (types.OwnType, types.BorrowType)):
        return resource(label(node)[0], ty)
    if isinstance(ty, types.Bool):
        return rest[0] == "true"
    if isinstance(ty, (types.S8, types.S16, types.S32, types.S64, types.U8, types.U16, types.U32, types.U64)):
        return int(rest[0], 0)
    if isinstance(ty, (types.F32, types.F64)):
        text = rest[0]
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(text) or float(text)
    if isinstance(ty, types.Char):
        return rest[0]
    if isinstance(ty, types.String):
        return rest[0]
    if isinstance(ty, types.ListType):
        items = [typed(n, ty.element, resource) for n in rest[0]]
        return bytes(items) if ty._is_bytes() else items
    if isinstance(ty, types.TupleType):
        return tuple(typed(n, t, resource) for n, t in zip(rest[0], ty.elements))
    if isinstance(ty, types.RecordType):
        given = dict(rest[0])
        r = Record()
        for name, field_ty in ty.fields:
            if name in given:
                setattr(r, name, typed(given[name], field_ty, resource))
            else:
                setattr(r, name, None)
        return r
    if isinstance(ty, types.FlagsType):
        return {n[1] for _, n in rest[0]}
    if isinstance(ty, types.EnumType):
        return rest[0]
    if isinstance(ty, types.OptionType):
        name, payload = label(node)
        if name == "none":
            value, case = None, "none"
        else:
            value, case = typed(payload, ty.payload, resource), "some"
        return Variant(case, value) if ty._tagged() else value
    if isinstance(ty, types.ResultType):
        name, payload = label(node)
        case_ty = ty.ok if name == "ok" else ty.err
        value = None if payload is None else typed(payload, case_ty, resource)
        return Variant(name, value) if ty._tagged() else value
    if isinstance(ty, types.VariantType):
        name, payload = label(node)
        cases = dict(ty.cases)
        value = None if payload is None else typed(payload, cases[name], resource)
        return Variant(name, value) if ty._tagged() else value
    raise Mismatch(f"unsupported type {ty}")


def same(a, b, labels):
    """Structural equality; `labels` binds expected resource labels
    (`('label', name)`) to actual handles."""
    if isinstance(a, tuple) and len(a) == 2 and a[0] == "label" and isinstance(a[1], str):
        name = a[1]
        if name in labels:
            return labels[name] is b or labels[name] == b
        labels[name] = b
        return True
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (bytes, bytearray)) or isinstance(b, (bytes, bytearray)):
        return list(a) == list(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, labels) for x, y in zip(a, b))
    if isinstance(a, Variant) and isinstance(b, Variant):
        return a.tag == b.tag and same(a.payload, b.payload, labels)
    if isinstance(a, Record) and isinstance(b, Record):
        return vars(a).keys() == vars(b).keys() and all(same(vars(a)[k], vars(b)[k], labels) for k in vars(a))
    return a == b


def show(v):
    if isinstance(v, Record):
        return "{" + ", ".join(f"{k}: {show(x)}" for k, x in vars(v).items()) + "}"
    if isinstance(v, Variant):
        return v.tag if v.payload is None else f"{v.tag}({show(v.payload)})"
    return repr(v)


# ---------------------------------------------------------- transcript


def split_call(text):
    depth, quote, escaped = 0, None, False
    for i, c in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[: i + 1], text[i + 1 :].strip()
    raise Mismatch(f"expected `name(args)`: {text}")


def parse_transcript(text):
    calls = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, rest = line.split(" ", 1)
        rest = rest.strip()
        if keyword in ("call", "import"):
            call, tail = split_call(rest)
            result = tail[2:].strip() if tail.startswith("->") else None
            name, args = call[: call.index("(")].strip(), call[call.index("(") :]
            if keyword == "call":
                calls.append({"line": number, "name": name, "args": args, "result": result, "events": []})
            else:
                calls[-1]["events"].append(("import", number, name, args, result))
        elif keyword == "drop":
            resource, lab = rest.rsplit(" ", 1)
            calls[-1]["events"].append(("drop", number, resource.strip(), lab.strip()))
        else:
            raise Mismatch(f"line {number}: unknown step `{keyword}`")
    return calls


def parse_args(args, param_types, resource):
    # `(a, b)` is a WAVE tuple of the arguments.
    w = Wave(args)
    node = w.node()
    items = node[1] if node[0] == "tuple" else [node]
    values = []
    for i, (_, ty) in enumerate(param_types):
        if i < len(items):
            values.append(typed(items[i], ty, resource))
        elif isinstance(ty, types.OptionType):
            values.append(None)
        else:
            raise Mismatch(f"argument {i + 1} missing in {args}")
    return values


class Replay:
    def __init__(self, component_path, text):
        self.calls = parse_transcript(text)
        self.engine = Engine()
        self.store = Store(self.engine)
        self.component = Component.from_file(self.engine, component_path)
        self.linker = Linker(self.engine)
        self.pending = deque()
        self.failure = None
        self.host_labels = {}  # label -> rep
        self.guest_labels = {}  # label -> ResourceAny
        self.resource_ids = {}  # import path -> host resource type id
        self.define(self.component.type.imports(self.engine))
        self.instance = self.linker.instantiate(self.store, self.component)

    def fail(self, message):
        if self.failure is None:
            self.failure = message
        raise Mismatch(message)

    def define(self, imports):
        with self.linker.root() as root:
            for name, extern in imports.items():
                self.define_item(root, name, name, extern.ty)

    def define_item(self, where, name, path, ty):
        if isinstance(ty, types.ComponentInstanceType):
            with where.add_instance(name) as inst:
                for export, extern in ty.exports(self.engine).items():
                    self.define_item(inst, export, f"{path}#{export}", extern.ty)
        elif isinstance(ty, types.FuncType):
            where.add_func(name, lambda store, *args, path=path, ty=ty: self.serve(path, ty, args))
        elif isinstance(ty, wasmtime.component.ResourceType):
            rid = len(self.resource_ids) + 1
            self.resource_ids[path] = rid
            where.add_resource(name, ResourceType.host(rid), lambda store, rep, path=path: self.dropped(path, rep))

    def dropped(self, path, rep):
        event = self.pending.popleft() if self.pending else None
        if event is None or event[0] != "drop" or event[2] != path or self.host_labels.get(event[3]) != rep:
            self.fail(f"the component dropped {path} (rep {rep}) where the transcript has {event}")

    def host_resource_rep(self, value):
        if isinstance(value, ResourceAny):
            return value.to_host(self.store).rep
        return None

    def serve(self, path, ty, args):
        event = self.pending.popleft() if self.pending else None
        shown = ", ".join(show(a) for a in args)
        if event is None or event[0] != "import" or event[2] != path:
            self.fail(f"the component did `import {path}({shown})` where the transcript has {event}")
        _, line, _, expected_args, result = event
        expected = parse_args(expected_args, ty.params, lambda lab, _ty: ("label", lab))
        for (_, pty), e, a in zip(ty.params, expected, args):
            if isinstance(pty, (types.OwnType, types.BorrowType)):
                ok = self.host_labels.get(e[1]) == self.host_resource_rep(a)
            else:
                ok = same(e, a, self.guest_labels)
            if not ok:
                self.fail(f"line {line}: the component did `import {path}({shown})`, expected {expected_args}")
        if result is None:
            return None
        return parse_value(result, ty.result, lambda lab, rty: self.new_host_resource(path, lab, rty))

    def new_host_resource(self, path, lab, ty):
        rep = self.host_labels.setdefault(lab, len(self.host_labels) + 1)
        # The resource type an import's signature names is its instance's.
        owner = path.rsplit("#", 1)[0]
        ids = [rid for p, rid in self.resource_ids.items() if p.startswith(owner + "#") or p == owner]
        if len(ids) != 1:
            raise Mismatch(f"cannot tell which resource type `{lab}` is in {path}")
        return ResourceHost.own(rep, ids[0])

    def func(self, name):
        if "#" in name:
            interface, item = name.rsplit("#", 1)
            index = self.instance.get_export_index(self.store, interface)
            if index is None:
                raise Mismatch(f"no export `{interface}`")
            export = self.instance.get_export_index(self.store, item, index)
        else:
            export = self.instance.get_export_index(self.store, name)
        if export is None:
            raise Mismatch(f"no exported function `{name}`")
        return self.instance.get_func(self.store, export)

    def run(self):
        checks = 0
        for step in self.calls:
            at = f"line {step['line']}: {step['name']}{step['args']}"
            func = self.func(step["name"])
            fty = func.type(self.store)

            def guest(lab, _ty):
                if lab not in self.guest_labels:
                    raise Mismatch(f"{at}: no resource labelled `{lab}` was returned earlier")
                return self.guest_labels[lab]

            args = parse_args(step["args"], fty.params, guest)
            self.pending = deque(step["events"])
            self.failure = None
            try:
                result = func(self.store, *args)
                func.post_return(self.store)
                trapped = None
            except (wasmtime.Trap, wasmtime.WasmtimeError, Mismatch) as e:
                result, trapped = None, e
            if self.failure is not None:
                raise Mismatch(f"{at}: {self.failure}")
            expected = step["result"]
            if expected == "trap":
                if trapped is None:
                    raise Mismatch(f"{at}: expected a trap, the call returned {show(result)}")
            elif trapped is not None:
                raise Mismatch(f"{at}: the call failed: {trapped}")
            elif expected is None:
                if fty.result is not None:
                    raise Mismatch(f"{at}: the call returned {show(result)}, the transcript gives no result")
            else:
                want = parse_value(expected, fty.result, lambda lab, _ty: ("label", lab))
                if not same(want, result, self.guest_labels):
                    raise Mismatch(f"{at}: expected {expected}, got {show(result)}")
            if self.pending:
                raise Mismatch(f"{at}: the call returned before {self.pending[0]}")
            checks += 1 + len(step["events"])
        return checks


def main():
    component, transcript = sys.argv[1], sys.argv[2]
    with open(transcript) as f:
        text = f.read()
    try:
        checks = Replay(component, text).run()
    except Mismatch as e:
        print(f"{transcript}: {e}")
        sys.exit(1)
    print(f"{checks} checks")


if __name__ == "__main__":
    main()
