"""Replays transcripts against components in wasmtime-py: the oracle's
half of the two drivers (the other is `compono_runtime::transcript`, whose
module docs define the format).

Usage: transcript.py COMPONENT.wasm TRANSCRIPT [COMPONENT.wasm TRANSCRIPT]...
One process replays many pairs (Python and wasmtime start once). For the
pair numbered I (from 0) it prints one line: `ok I N` when the component
behaved as written (N checks), or `fail I MESSAGE` with the first
difference. Exits 0 when every pair passed, 1 otherwise.
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


def call_and_result(number, rest):
    call, tail = split_call(rest)
    if tail and not tail.startswith("->"):
        raise Mismatch(f"line {number}: expected `-> result` after the call")
    result = tail[2:].strip() if tail else None
    return call[: call.index("(")].strip(), call[call.index("(") :], result


def parse_transcript(text):
    """Steps: ('call', line, name, args, result, events) and
    ('drop', line, label, events); events: ('import', line, name, args,
    result) and ('drop', line, resource, label)."""
    steps = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if not raw[0].isspace():
            if keyword == "call":
                name, args, result = call_and_result(number, rest)
                steps.append({"kind": "call", "line": number, "name": name, "args": args, "result": result, "events": []})
            elif keyword == "drop" and rest and " " not in rest:
                steps.append({"kind": "drop", "line": number, "label": rest, "events": []})
            else:
                raise Mismatch(f"line {number}: expected `call f(args)` or `drop LABEL`: `{line}`")
            continue
        if not steps:
            raise Mismatch(f"line {number}: an indented line must follow a step")
        if keyword == "import":
            name, args, result = call_and_result(number, rest)
            steps[-1]["events"].append(("import", number, name, args, result))
        elif keyword == "drop" and " " in rest:
            resource, lab = rest.rsplit(" ", 1)
            steps[-1]["events"].append(("drop", number, resource.strip(), lab.strip()))
        else:
            raise Mismatch(f"line {number}: expected `import f(args)` or `drop RESOURCE LABEL`: `{line}`")
    return steps


def parse_args(args, param_types, resource):
    # `(a, b)` is a WAVE tuple of the arguments.
    w = Wave(args)
    node = w.node()
    items = node[1] if node[0] == "tuple" else [node]
    if len(items) > len(param_types):
        raise Mismatch(f"{len(items)} arguments given, {len(param_types)} expected: {args}")
    values = []
    for i, (_, ty) in enumerate(param_types):
        if i < len(items):
            values.append(typed(items[i], ty, resource))
        elif isinstance(ty, types.OptionType):
            values.append(Variant("none") if ty._tagged() else None)
        else:
            raise Mismatch(f"argument {i + 1} missing in {args}")
    return values


def describe(event):
    if event is None:
        return "nothing more"
    if event[0] == "import":
        return f"line {event[1]}'s `import {event[2]}{event[3]}`"
    return f"line {event[1]}'s `drop {event[2]} {event[3]}`"


class Replay:
    def __init__(self, component_path, text):
        self.steps = parse_transcript(text)
        self.engine = Engine()
        self.store = Store(self.engine)
        self.component = Component.from_file(self.engine, component_path)
        self.linker = Linker(self.engine)
        self.pending = deque()
        self.failure = None
        self.host_labels = {}  # label -> rep, one numbering for every type
        self.guest_labels = {}  # label -> ResourceAny the host holds
        self.resource_ids = {}  # import path -> host resource type id
        self.reps = {}  # id(ResourceAny) -> (it, its rep or None), per step
        self.define(self.component.type.imports(self.engine))
        self.instance = self.linker.instantiate(self.store, self.component)

    def fail(self, message):
        if self.failure is None:
            self.failure = message
        raise Mismatch(message)

    def unexpected(self, what, event):
        if event is None:
            self.fail(f"the component did `{what}`, which the transcript does not list")
        self.fail(f"the component did `{what}` where the transcript has {describe(event)}")

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

    # ------------------------------------------------------ resources

    def host_rep(self, lab):
        return self.host_labels.setdefault(lab, len(self.host_labels) + 1)

    def rep_of(self, value):
        """The representation of a host resource; None for a guest's.
        wasmtime-py's `to_host` may run once per handle (a second call on
        a borrow fails with "unknown handle index"), so it is remembered."""
        if not isinstance(value, ResourceAny):
            return None
        key = id(value)
        if key not in self.reps:
            rep = None
            if any(value.type == ResourceType.host(rid) for rid in self.resource_ids.values()):
                rep = value.to_host(self.store).rep
            self.reps[key] = (value, rep)
        return self.reps[key][1]

    def label_of(self, value):
        rep = self.rep_of(value)
        if rep is not None:
            labels = [lab for lab, r in self.host_labels.items() if r == rep]
        else:
            labels = [lab for lab, r in self.guest_labels.items() if r is value]
        return labels[0] if labels else "?"

    def host_type_id(self, ty, path):
        """The host resource type id of an own/borrow type, or None when
        it is a guest's."""
        for rid in self.resource_ids.values():
            if ty.ty == ResourceType.host(rid):
                return rid
        if path is None:
            return None
        # Import signatures name the uninstantiated type: the resource
        # type of the import's own instance (or of the root).
        if "#" in path:
            owner = path.rsplit("#", 1)[0]
            ids = [rid for p, rid in self.resource_ids.items() if p.rsplit("#", 1)[0] == owner and "#" in p]
        else:
            ids = [rid for p, rid in self.resource_ids.items() if "#" not in p]
        if len(ids) != 1:
            raise Mismatch(f"cannot tell which resource type {path} means")
        return ids[0]

    def same(self, a, b):
        """Structural equality of an expected value `a` (resources as
        `('label', name)`) and an actual one `b`: a host resource must be
        the one its label names; a guest resource the handle its label
        names, or it names it if the label is new."""
        if isinstance(a, tuple) and len(a) == 2 and a[0] == "label" and isinstance(a[1], str):
            name = a[1]
            rep = self.rep_of(b)
            if rep is not None:
                return self.host_labels.get(name) == rep
            if name in self.host_labels:
                return False
            if name in self.guest_labels:
                return self.guest_labels[name] is b
            self.guest_labels[name] = b
            return True
        if isinstance(a, float) and isinstance(b, float):
            return (math.isnan(a) and math.isnan(b)) or a == b
        if isinstance(a, (bytes, bytearray)) or isinstance(b, (bytes, bytearray)):
            return list(a) == list(b)
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return len(a) == len(b) and all(self.same(x, y) for x, y in zip(a, b))
        if isinstance(a, Variant) and isinstance(b, Variant):
            return a.tag == b.tag and self.same(a.payload, b.payload)
        if isinstance(a, Record) and isinstance(b, Record):
            return vars(a).keys() == vars(b).keys() and all(self.same(vars(a)[k], vars(b)[k]) for k in vars(a))
        return a == b

    def show(self, v):
        if isinstance(v, ResourceAny):
            return self.label_of(v)
        if isinstance(v, Record):
            return "{" + ", ".join(f"{k}: {self.show(x)}" for k, x in vars(v).items()) + "}"
        if isinstance(v, Variant):
            return v.tag if v.payload is None else f"{v.tag}({self.show(v.payload)})"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(self.show(x) for x in v) + "]"
        return repr(v)

    # ------------------------------------------------ what the guest does

    def dropped(self, path, rep):
        event = self.pending.popleft() if self.pending else None
        if event is None or event[0] != "drop" or event[2] != path or self.host_labels.get(event[3]) != rep:
            labels = [lab for lab, r in self.host_labels.items() if r == rep]
            self.unexpected(f"drop {path} {labels[0] if labels else '?'}", event)

    def serve(self, path, ty, args):
        event = self.pending.popleft() if self.pending else None
        shown = ", ".join(self.show(a) for a in args)
        what = f"import {path}({shown})"
        if event is None or event[0] != "import" or event[2] != path:
            self.unexpected(what, event)
        _, line, _, expected_args, result = event
        expected = parse_args(expected_args, ty.params, lambda lab, _ty: ("label", lab))
        if not all(self.same(e, a) for e, a in zip(expected, args)):
            self.fail(f"the component did `{what}`, line {line} expects `import {path}{expected_args}`")
        if result is None:
            return None

        def host(lab, rty):
            return ResourceHost.own(self.host_rep(lab), self.host_type_id(rty, path))

        return parse_value(result, ty.result, host)

    # ------------------------------------------------- what the host does

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

    def call_step(self, step):
        func = self.func(step["name"])
        fty = func.type(self.store)

        def arg(lab, ty):
            if lab in self.guest_labels:
                return self.guest_labels[lab]
            rid = self.host_type_id(ty, None)
            if rid is None:
                raise Mismatch(f"no resource labelled `{lab}` was returned earlier")
            return ResourceHost.own(self.host_rep(lab), rid)

        args = parse_args(step["args"], fty.params, arg)
        try:
            result = func(self.store, *args)
            func.post_return(self.store)
            trapped = None
        except (wasmtime.Trap, wasmtime.WasmtimeError, Mismatch) as e:
            result, trapped = None, e
        if self.failure is not None:
            return
        expected = step["result"]
        if expected == "trap":
            if trapped is None:
                raise Mismatch(f"expected a trap, the call returned {self.show(result)}")
        elif trapped is not None:
            raise Mismatch(f"the call failed: {trapped}")
        elif expected is None:
            if fty.result is not None:
                raise Mismatch(f"the call returned {self.show(result)}, the transcript gives no result")
        else:
            want = parse_value(expected, fty.result, lambda lab, _ty: ("label", lab))
            if not self.same(want, result):
                raise Mismatch(f"expected {expected}, got {self.show(result)}")

    def drop_step(self, step):
        handle = self.guest_labels.pop(step["label"], None)
        if handle is None:
            raise Mismatch(f"the host holds no handle labelled `{step['label']}`")
        try:
            handle.drop(self.store)
        except (wasmtime.Trap, wasmtime.WasmtimeError, Mismatch) as e:
            if self.failure is None:
                raise Mismatch(f"the drop failed: {e}")

    def run(self):
        checks = 0
        for step in self.steps:
            what = f"{step['name']}{step['args']}" if step["kind"] == "call" else f"drop {step['label']}"
            at = f"line {step['line']}: {what}"
            self.pending = deque(step["events"])
            self.failure = None
            self.reps = {}
            try:
                if step["kind"] == "call":
                    self.call_step(step)
                else:
                    self.drop_step(step)
            except Mismatch as e:
                if self.failure is None:
                    raise Mismatch(f"{at}: {e}")
            if self.failure is not None:
                raise Mismatch(f"{at}: {self.failure}")
            if self.pending:
                raise Mismatch(f"{at}: it returned before {describe(self.pending[0])}")
            checks += 1 + len(step["events"])
        return checks


def replay(component, transcript):
    with open(transcript, encoding="utf-8") as f:
        text = f.read()
    try:
        return Replay(component, text).run(), None
    except Mismatch as e:
        return None, str(e)
    except Exception as e:  # instantiation and wasmtime's own errors
        return None, f"{type(e).__name__}: {e}"


def main():
    pairs = sys.argv[1:]
    if not pairs or len(pairs) % 2:
        sys.exit("usage: transcript.py COMPONENT.wasm TRANSCRIPT [COMPONENT.wasm TRANSCRIPT]...")
    failed = 0
    for i in range(0, len(pairs), 2):
        checks, error = replay(pairs[i], pairs[i + 1])
        if error is None:
            print(f"ok {i // 2} {checks}", flush=True)
        else:
            failed += 1
            message = " | ".join(error.splitlines())
            print(f"fail {i // 2} {pairs[i + 1]}: {message}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
