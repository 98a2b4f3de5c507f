//! Instruction sequences the translator fuses or reorders compute what the
//! unfused operators do, including where a reordering would be wrong.

use compono_interp::{Engine, Linker, Module, Store, TypedFunc};

/// `wat` translated by `engine`, instantiated, with its export
/// `f: (i32, i32) -> i32`.
fn instantiate_f(engine: &Engine, wat: &str) -> (Module, Store<()>, TypedFunc<(i32, i32), i32>) {
    let module = Module::new(engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance
        .get_func(&store, "f")
        .unwrap()
        .typed::<(i32, i32), i32>(&store)
        .unwrap();
    (module, store, f)
}

/// Calls the export `f: (i32, i32) -> i32` of `wat` on each pair.
fn check(wat: &str, cases: &[((i32, i32), i32)]) {
    let (module, mut store, f) = instantiate_f(&Engine::default(), wat);
    for &(args, want) in cases {
        assert_eq!(
            f.call(&mut store, args).unwrap(),
            want,
            "f{args:?}\n{}",
            module.dump_ir()
        );
    }
}

/// The translated code of `wat`.
fn ir(wat: &str) -> String {
    let engine = Engine::default();
    Module::new(&engine, &wat::parse_str(wat).unwrap())
        .unwrap()
        .dump_ir()
}

#[test]
fn local_get_moves_past_a_write_of_another_local_only() {
    // `local.get 0` commutes with the add into local 2, so the comparison
    // becomes one branch on two locals.
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
             (block
               local.get 0
               local.get 1
               i32.const 1
               i32.add
               local.tee 2
               i32.gt_s
               br_if 0
               (return (i32.const 0)))
             local.get 2))"#,
        &[
            ((5, 1), 2),
            ((1, 5), 0),
            ((i32::MIN, i32::MAX), 0),
            ((0, i32::MAX), i32::MIN),
        ],
    );
    // Here the add writes the local read first: its old value must be compared.
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32)
             (block
               local.get 0
               local.get 1
               i32.const 1
               i32.add
               local.tee 0
               i32.gt_s
               br_if 0
               (return (i32.const -1)))
             local.get 0))"#,
        &[((5, 1), 2), ((1, 5), -1), ((3, 3), -1), ((4, 2), 3)],
    );
    // Loads into a local commute the same way; copies too.
    check(
        r#"(module (memory 1) (data (i32.const 8) "\07\00\00\00")
           (func (export "f") (param i32 i32) (result i32) (local i32)
             local.get 1
             local.get 0
             i32.load
             local.set 2
             local.get 2
             i32.sub
             local.get 0
             local.set 1
             local.get 1
             i32.add))"#,
        &[((8, 10), 11), ((0, 10), 10)],
    );
}

#[test]
fn shifted_index_plus_constant() {
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
             local.get 0
             i32.const 2
             i32.shl
             i32.const 1024
             i32.add
             local.set 2
             local.get 1
             i32.const 33
             i32.shl
             i32.const -1
             i32.add
             local.get 2
             i32.add))"#,
        &[
            ((1, 1), 1029),
            ((-1, 0), 1019),
            ((0x4000_0000, 0), 1023),
            ((0, i32::MIN), 1023),
        ],
    );
}

#[test]
fn pointer_walks_and_back_edge_copies() {
    // `p += 4; x = load(p)`, then the pointer kept in two locals; the loop
    // sums the words from address a0 + 4 up to a sentinel zero.
    let walk = r#"(module (memory 1)
           (data (i32.const 4) "\01\00\00\00\02\00\00\00\03\00\00\00\00\00\00\00")
           (func (export "f") (param i32 i32) (result i32) (local i32 i32 i32)
             (block $done
               (loop $l
                 local.get 0
                 i32.const 4
                 i32.add
                 local.tee 0
                 i32.load
                 local.tee 2
                 i32.eqz
                 br_if $done
                 local.get 0
                 i32.const -4
                 i32.add
                 local.tee 3
                 local.set 4
                 local.get 1
                 local.get 2
                 i32.add
                 local.get 3
                 i32.add
                 local.get 4
                 i32.sub
                 local.set 1
                 br $l))
             local.get 1))"#;
    check(walk, &[((0, 0), 6), ((0, 10), 16), ((8, 0), 3)]);
    // The loaded value replaces the pointer itself.
    check(
        r#"(module (memory 1) (data (i32.const 4) "\0c\00\00\00\00\00\00\00\2a\00\00\00")
           (func (export "f") (param i32 i32) (result i32)
             local.get 0
             i32.const 4
             i32.add
             local.tee 0
             i32.load
             local.set 0
             local.get 0))"#,
        &[((0, 0), 12), ((4, 0), 0), ((8, 0), 42)],
    );
    // Copies in sequence: the second reads what the first wrote (a swap
    // through a temporary, then a rotation).
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
             local.get 0
             local.set 2
             local.get 1
             local.set 0
             local.get 2
             local.set 1
             local.get 0
             i32.const 10
             i32.mul
             local.get 1
             i32.add))"#,
        &[((1, 2), 21), ((7, 0), 7)],
    );
}

#[test]
fn pointer_walk_traps_out_of_bounds() {
    let engine = Engine::default();
    let wat = r#"(module (memory 1)
           (func (export "f") (param i32) (result i32) (local i32)
             local.get 0
             i32.const 4
             i32.add
             local.tee 0
             i32.load
             local.set 1
             local.get 1))"#;
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance
        .get_func(&store, "f")
        .unwrap()
        .typed::<i32, i32>(&store)
        .unwrap();
    assert_eq!(f.call(&mut store, 65528).unwrap(), 0);
    assert!(f.call(&mut store, 65529).is_err());
    // The add wraps before the access, as `i32.add` does.
    assert_eq!(f.call(&mut store, -4).unwrap(), 0);
    assert_eq!(f.call(&mut store, -1).unwrap(), 0);
}

#[test]
fn loop_counters_fold_into_their_branch() {
    // Counts iterations of `i += step` until `i >= n` (i first operand),
    // until `n < i` (i second operand: the mirrored comparison), and until
    // `i == 0` with a negative step.
    let counting = |cond: &str| {
        format!(
            r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
                 (loop $l
                   local.get 2
                   i32.const 1
                   i32.add
                   local.set 2
                   local.get 0
                   i32.const 3
                   i32.add
                   local.set 0
                   {cond}
                   br_if $l)
                 local.get 2))"#
        )
    };
    check(
        &counting("local.get 0 local.get 1 i32.lt_s"),
        &[
            ((0, 9), 3),
            ((0, 10), 4),
            ((20, 0), 1),
            ((i32::MAX - 3, i32::MAX), 1),
        ],
    );
    check(
        &counting("local.get 1 local.get 0 i32.gt_s"),
        &[((0, 9), 3), ((0, 10), 4), ((20, 0), 1)],
    );
    check(
        &counting("local.get 0 i32.const 30 i32.le_u"),
        &[((0, 0), 11), ((-6, 0), 1), ((-3, 0), 12)],
    );
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
             (loop $l
               local.get 2
               i32.const 1
               i32.add
               local.set 2
               local.get 0
               i32.const -2
               i32.add
               local.tee 0
               br_if $l)
             local.get 2))"#,
        &[((6, 0), 3), ((2, 0), 1)],
    );
    // A 64-bit counter tested by `if` (the inverted branch).
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i64)
             local.get 0
             i64.extend_i32_s
             local.set 2
             local.get 2
             i64.const -1
             i64.add
             local.set 2
             local.get 2
             i64.const 0
             i64.lt_s
             if (result i32)
               i32.const -1
             else
               local.get 2
               i32.wrap_i64
             end))"#,
        &[((0, 0), -1), ((1, 0), 0), ((5, 0), 4), ((i32::MIN, 0), -1)],
    );
}

#[test]
fn stores_to_a_local_plus_constant_and_self_copies() {
    check(
        r#"(module (memory 1)
           (func (export "f") (param i32 i32) (result i32)
             local.get 0
             i32.const 8
             i32.add
             local.get 1
             i32.store
             local.get 1
             local.set 1
             local.get 0
             i32.const 8
             i32.add
             i32.load))"#,
        &[((0, 5), 5), ((-8, 7), 7), ((65520, 9), 9)],
    );
}

#[test]
fn loads_then_pointer_increments() {
    let memory = r#"(memory 1) (data (i32.const 4) "\0c\00\00\00\05\00\00\00\2a\00\00\00")"#;
    // `x = load(p); p += 4`, returning x * 1000 + p.
    check(
        &format!(
            r#"(module {memory} (func (export "f") (param i32 i32) (result i32) (local i32)
                 local.get 0
                 i32.load
                 local.set 2
                 local.get 0
                 i32.const 4
                 i32.add
                 local.set 0
                 local.get 2
                 i32.const 1000
                 i32.mul
                 local.get 0
                 i32.add))"#
        ),
        &[((4, 0), 12008), ((8, 0), 5012), ((0, 0), 4)],
    );
    // The loaded local is the pointer: the increment applies to the value.
    check(
        &format!(
            r#"(module {memory} (func (export "f") (param i32 i32) (result i32)
                 local.get 0
                 i32.load
                 local.set 0
                 local.get 0
                 i32.const -4
                 i32.add
                 local.set 0
                 local.get 0))"#
        ),
        &[((4, 0), 8), ((12, 0), 38)],
    );
    // The new pointer kept in two locals; returns x * 1000 + t + p.
    check(
        &format!(
            r#"(module {memory} (func (export "f") (param i32 i32) (result i32) (local i32 i32)
                 local.get 0
                 i32.load
                 local.set 2
                 local.get 0
                 i32.const -4
                 i32.add
                 local.tee 3
                 local.set 0
                 local.get 2
                 i32.const 1000
                 i32.mul
                 local.get 3
                 i32.add
                 local.get 0
                 i32.add))"#
        ),
        &[((4, 0), 12000), ((12, 0), 42016)],
    );
}

#[test]
fn strided_counters_fold_into_their_branch() {
    // Iterations of `i += step` (step in a local, on either side of the
    // add) while `i < n`, `n > i` or `i <u 100`.
    let strided = |add: &str, cond: &str| {
        format!(
            r#"(module (func (export "f") (param i32 i32) (result i32) (local i32 i32)
                 i32.const 7
                 local.set 3
                 (loop $l
                   local.get 2
                   i32.const 1
                   i32.add
                   local.set 2
                   {add}
                   local.set 0
                   {cond}
                   br_if $l)
                 local.get 2))"#
        )
    };
    for add in [
        "local.get 0 local.get 3 i32.add",
        "local.get 3 local.get 0 i32.add",
    ] {
        check(
            &strided(add, "local.get 0 local.get 1 i32.lt_s"),
            &[((0, 20), 3), ((0, 21), 3), ((0, 22), 4), ((50, 0), 1)],
        );
        check(
            &strided(add, "local.get 1 local.get 0 i32.gt_s"),
            &[((0, 20), 3), ((0, 22), 4)],
        );
        check(
            &strided(add, "local.get 0 i32.const 100 i32.lt_u"),
            &[((0, 0), 15), ((-7, 0), 16), ((-8, 0), 1)],
        );
    }
    // A 64-bit stride.
    check(
        r#"(module (func (export "f") (param i32 i32) (result i32) (local i64 i64 i32)
             local.get 0
             i64.extend_i32_s
             local.set 2
             local.get 1
             i64.extend_i32_s
             local.set 3
             (loop $l
               local.get 4
               i32.const 1
               i32.add
               local.set 4
               local.get 2
               local.get 3
               i64.add
               local.set 2
               local.get 2
               i64.const 1000
               i64.lt_s
               br_if $l)
             local.get 4))"#,
        &[((0, 100), 10), ((0, 999), 2), ((-1000, 500), 4)],
    );
}

#[test]
fn a_copy_becomes_part_of_the_jump_after_it_unless_something_branches_between() {
    // The copy into local 2 and the `br $l` after it fuse into one `CopyBr`;
    // `br_if $b` targets the `br` alone (skipping the copy), so when it is
    // taken the loop must still go round.
    let wat = r#"(module (func (export "f") (param i32 i32) (result i32) (local i32 i32)
         (loop $l
           (local.set 3 (i32.add (local.get 3) (i32.const 1)))
           (if (i32.lt_u (local.get 3) (i32.const 3))
             (then
               (block $b
                 (br_if $b (i32.eqz (local.get 1)))
                 (local.set 2 (local.get 0)))
               (br $l)
               (local.set 2 (local.get 1))
               (br $l))))
         (i32.add (i32.mul (local.get 3) (i32.const 100)) (local.get 2))))"#;
    check(wat, &[((5, 1), 305), ((5, 0), 300), ((-100, 0), 300)]);
    let engine = Engine::default();
    let ir = Module::new(&engine, &wat::parse_str(wat).unwrap())
        .unwrap()
        .dump_ir();
    assert!(
        !ir.contains("CopyBr"),
        "the jump is a branch target here:\n{ir}"
    );
    // Without the inner block the copy and the jump fuse.
    let fused = wat.replace("(br_if $b (i32.eqz (local.get 1)))", "");
    check(&fused, &[((5, 1), 305), ((7, 0), 307)]);
    let ir = Module::new(&engine, &wat::parse_str(&fused).unwrap())
        .unwrap()
        .dump_ir();
    assert!(ir.contains("CopyBr"), "{ir}");
}

#[test]
fn a_value_goes_through_the_accumulator_only_when_nothing_branches_between() {
    // The add reading local 2 follows the write of local 2 in the block,
    // but `br_if $b` reaches it too, having last written `b & 1`, not
    // local 2: the add must read the slot.
    let wat = r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
         (local.set 2 (i32.mul (local.get 0) (i32.const 3)))
         (block $b
           (br_if $b (i32.eqz (i32.and (local.get 1) (i32.const 1))))
           (local.set 2 (i32.add (local.get 0) (i32.const 1))))
         (i32.add (local.get 2) (i32.const 10))))"#;
    check(
        wat,
        &[((5, 0), 25), ((5, 1), 16), ((-4, 2), -2), ((-4, 7), 7)],
    );
    let last_add = |ir: &str| {
        ir.lines()
            .rfind(|l| l.contains("I32AddImm"))
            .unwrap()
            .to_string()
    };
    let branched = ir(wat);
    assert!(
        !last_add(&branched).ends_with("<- acc"),
        "the add is a branch target here:\n{branched}"
    );
    // Without the branch the add reads the value the one before left.
    let straight = wat.replace(
        "(br_if $b (i32.eqz (i32.and (local.get 1) (i32.const 1))))",
        "",
    );
    check(&straight, &[((5, 0), 16), ((-4, 7), 7)]);
    let fused = ir(&straight);
    assert!(last_add(&fused).ends_with("<- acc"), "{fused}");
    // An operand that is the right one of a commutative operator or a
    // comparison is swapped to the left, where the accumulator is read.
    for (body, swapped, cases) in [
        (
            "(i32.lt_s (local.get 1) (i32.mul (local.get 0) (local.get 0)))",
            "I32GtS",
            [((3, 5), 1), ((3, 9), 0), ((-2, 3), 1)],
        ),
        (
            "(i32.xor (local.get 1) (i32.shl (local.get 0) (i32.const 2)))",
            "I32Xor",
            [((3, 5), 5 ^ 12), ((1, 5), 5 ^ 4), ((-2, 3), 3 ^ -8)],
        ),
    ] {
        let wat = format!(r#"(module (func (export "f") (param i32 i32) (result i32) {body}))"#);
        check(&wat, &cases);
        let ir = ir(&wat);
        let line = ir.lines().find(|l| l.contains(swapped)).unwrap();
        assert!(line.ends_with("<- acc"), "{ir}");
    }
}

#[test]
fn a_value_read_once_through_the_accumulator_is_not_stored() {
    let line = |ir: &str, name: &str| {
        ir.lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name} in\n{ir}"))
            .to_string()
    };
    // Every temporary of `(a * 3 + 1) ^ b` is read once, by the next
    // instruction: only the last result is stored.
    let chain = r#"(module (func (export "f") (param i32 i32) (result i32)
         (i32.xor (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)) (local.get 1))))"#;
    check(
        chain,
        &[
            ((2, 0), 7),
            ((2, 7), 0),
            ((-1, 5), -2 ^ 5),
            ((i32::MAX, 1), i32::MAX),
        ],
    );
    let code = ir(chain);
    for name in ["I32MulImm", "I32AddImm"] {
        assert!(line(&code, name).contains("[acc only]"), "{code}");
    }
    // A local the next instruction reads through the accumulator is read
    // again after it: it is stored.
    let tee = r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
         (i32.add (i32.add (local.tee 2 (i32.mul (local.get 0) (i32.const 3))) (local.get 1))
                  (local.get 2))))"#;
    check(tee, &[((2, 1), 13), ((-3, 0), -18), ((0, 5), 5)]);
    let code = ir(tee);
    assert!(!line(&code, "I32MulImm").contains("[acc only]"), "{code}");
    assert!(line(&code, "I32Add").ends_with("<- acc"), "{code}");
    // A comparison evaluated straight into the local it reads through the
    // accumulator, but reads from its slot too: the local is stored.
    // (Found by the differential fuzz run, seed 9393.)
    let twice = r#"(module (global $g (mut i32) (i32.const 7))
         (func (export "f") (param i32 i32) (result i32)
           (local.set 0 (i32.add (global.get $g) (local.get 1)))
           (local.set 0 (i32.ne (local.get 0) (local.get 0)))
           (local.get 0)))"#;
    check(twice, &[((5, 0), 0), ((0, 1), 0), ((0, -7), 0)]);
    let code = ir(twice);
    assert!(line(&code, "I32Ne").contains("dst: 0"), "{code}");
    assert!(!line(&code, "I32Add").contains("[acc only]"), "{code}");
}

/// A wasm operator, the instruction it becomes, and what it computes.
type FlipCase<T> = (&'static str, &'static str, fn(T, T) -> T);

#[test]
fn a_non_commutative_operator_reads_its_right_operand_from_the_accumulator() {
    // `a OP f(b)`: the right operand is the value the instruction before
    // left, so the operator's `flip` form reads it from the accumulator
    // and `a` from its slot, in that order.
    let sq = "(i32.mul (local.get 1) (local.get 1))";
    let sq64 = "(i64.mul (i64.extend_i32_s (local.get 1)) (i64.extend_i32_s (local.get 1)))";
    let a64 = "(i64.extend_i32_s (local.get 0))";
    let f32s = |op: &str| {
        format!(
            "(i32.trunc_sat_f32_s (f32.{op} (f32.convert_i32_s (local.get 0)) \
             (f32.mul (f32.convert_i32_s (local.get 1)) (f32.const 0.5))))"
        )
    };
    let f64s = |op: &str| {
        format!(
            "(i32.trunc_sat_f64_s (f64.{op} (f64.convert_i32_s (local.get 0)) \
             (f64.mul (f64.convert_i32_s (local.get 1)) (f64.const 0.25))))"
        )
    };
    let check_flip = |body: &str, flip: &str, cases: &[((i32, i32), i32)]| {
        let wat = format!(r#"(module (func (export "f") (param i32 i32) (result i32) {body}))"#);
        check(&wat, cases);
        let ir = ir(&wat);
        let line = ir
            .lines()
            .find(|l| l.contains(flip))
            .unwrap_or_else(|| panic!("{ir}"));
        assert!(line.ends_with("<- acc"), "{ir}");
    };
    let i32_cases: [FlipCase<i32>; 8] = [
        ("sub", "I32SubFlip", |a, b| a.wrapping_sub(b)),
        ("div_s", "I32DivSFlip", |a, b| a / b),
        ("div_u", "I32DivUFlip", |a, b| (a as u32 / b as u32) as i32),
        ("rem_s", "I32RemSFlip", |a, b| a % b),
        ("rem_u", "I32RemUFlip", |a, b| (a as u32 % b as u32) as i32),
        ("shl", "I32ShlFlip", |a, b| a.wrapping_shl(b as u32)),
        ("shr_s", "I32ShrSFlip", |a, b| a.wrapping_shr(b as u32)),
        ("shr_u", "I32ShrUFlip", |a, b| {
            (a as u32).wrapping_shr(b as u32) as i32
        }),
    ];
    let args: [(i32, i32); 4] = [(1000, 3), (-1000, 7), (i32::MIN, 5), (77, -3)];
    for (op, flip, f) in i32_cases {
        let cases = args.map(|(a, b)| ((a, b), f(a, b.wrapping_mul(b))));
        check_flip(&format!("(i32.{op} (local.get 0) {sq})"), flip, &cases);
    }
    let i64_cases: [FlipCase<i64>; 4] = [
        ("sub", "I64SubFlip", |a, b| a.wrapping_sub(b)),
        ("div_s", "I64DivSFlip", |a, b| a / b),
        ("rem_u", "I64RemUFlip", |a, b| (a as u64 % b as u64) as i64),
        ("shr_s", "I64ShrSFlip", |a, b| a.wrapping_shr(b as u32)),
    ];
    for (op, flip, f) in i64_cases {
        let cases =
            args.map(|(a, b)| ((a, b), f(i64::from(a), i64::from(b) * i64::from(b)) as i32));
        check_flip(
            &format!("(i32.wrap_i64 (i64.{op} {a64} {sq64}))"),
            flip,
            &cases,
        );
    }
    for (body, flip, cases) in [
        (
            f32s("sub"),
            "F32SubFlip",
            [((10, 4), 8), ((-3, 5), -5), ((0, -9), 4)],
        ),
        (
            f32s("div"),
            "F32DivFlip",
            [((10, 4), 5), ((-30, 5), -12), ((7, 0), i32::MAX)],
        ),
        (
            f64s("sub"),
            "F64SubFlip",
            [((10, 4), 9), ((-3, 5), -4), ((0, -8), 2)],
        ),
        (
            f64s("div"),
            "F64DivFlip",
            [((10, 4), 10), ((-30, 5), -24), ((-7, 0), i32::MIN)],
        ),
    ] {
        check_flip(&body, flip, &cases);
    }
    // Division by a zero or overflowing right operand still traps.
    let wat = format!(
        r#"(module (func (export "f") (param i32 i32) (result i32) (i32.div_s (local.get 0) {sq})))"#
    );
    let (_, mut store, f) = instantiate_f(&Engine::default(), &wat);
    assert!(f.call(&mut store, (5, 0)).is_err());
    let wat = wat.replace(sq, "(i32.sub (i32.const 0) (local.get 1))");
    let (_, mut store, f) = instantiate_f(&Engine::default(), &wat);
    assert!(f.call(&mut store, (i32::MIN, 1)).is_err());
    // A right operand that a branch delivers too is read from its slot.
    let wat = r#"(module (func (export "f") (param i32 i32) (result i32)
         (i32.sub (local.get 0)
           (block (result i32)
             (i32.const 7) (br_if 0 (local.get 1)) (drop)
             (i32.mul (local.get 0) (i32.const 3))))))"#;
    check(wat, &[((10, 1), 3), ((10, 0), -20), ((-4, 0), 8)]);
    let ir = ir(wat);
    assert!(!ir.contains("I32SubFlip"), "{ir}");
}

#[test]
fn an_add_of_a_constant_folds_into_the_load_of_its_result_and_still_wraps() {
    // Both paths into the load end in an add: the one the `br_if` carries
    // and the one the load follows. Only the second could fold, and it
    // cannot here, since the `br_if` lands on the load.
    let mem = r#"(memory 1)
         (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")"#;
    let wat = format!(
        r#"(module {mem} (func (export "f") (param i32 i32) (result i32)
             (i32.load
               (block (result i32)
                 (br_if 0 (i32.add (local.get 0) (i32.const 4)) (local.get 1))
                 drop
                 (i32.add (local.get 0) (i32.const 8))))))"#
    );
    check(&wat, &[((0, 1), 2), ((0, 0), 3), ((4, 1), 3), ((-8, 0), 1)]);
    let branched = ir(&wat);
    assert!(!branched.contains("I32LoadAt"), "{branched}");
    // Alone, the add folds; the address wraps at 2^32 as the add does (an
    // offset would not: `(i32.load offset=8 (i32.const -8))` traps).
    let wat = format!(
        r#"(module {mem} (func (export "f") (param i32 i32) (result i32)
             (i32.load (i32.add (local.get 0) (i32.const 8)))))"#
    );
    check(
        &wat,
        &[((0, 0), 3), ((-8, 0), 1), ((-4, 0), 2), ((4, 0), 4)],
    );
    let folded = ir(&wat);
    assert!(folded.contains("I32LoadAt"), "{folded}");
}

#[test]
fn an_add_of_a_constant_folds_into_the_store_to_its_result_and_still_wraps() {
    // `f(a, v)` stores `v` at `a + 8` (wrapping) and returns the word at 4
    // (memory keeps what earlier cases stored).
    let store = |address: &str| {
        format!(
            r#"(module (memory 1) (func (export "f") (param i32 i32) (result i32)
                 (i32.store {address} (local.get 1))
                 (i32.load (i32.const 4))))"#
        )
    };
    let folded = store("(i32.add (local.get 0) (i32.const 8))");
    check(
        &folded,
        &[((-4, 77), 77), ((0, 5), 77), ((-8, 6), 77), ((-4, 1), 1)],
    );
    assert!(ir(&folded).contains("I32StoreAt"), "{}", ir(&folded));
    let (_, mut store_, f) = instantiate_f(&Engine::default(), &folded);
    assert!(f.call(&mut store_, (65532, 1)).is_err(), "out of bounds");
    assert_eq!(f.call(&mut store_, (65520, 1)).unwrap(), 0);
    // The base comes from the accumulator of the instruction before the
    // add; once the add is gone, the store reads it from its slot.
    let computed = store("(i32.add (i32.xor (local.get 0) (i32.const 1)) (i32.const 8))");
    check(&computed, &[((5, 7), 0), ((-3, 9), 9), ((-5, 3), 0)]);
    // A branch lands on the store's address: the add stays.
    let branched = store(
        "(block (result i32)
           (br_if 0 (i32.add (local.get 0) (i32.const 4)) (local.get 1))
           drop
           (i32.add (local.get 0) (i32.const 8)))",
    );
    check(
        &branched,
        &[((0, 1), 1), ((0, 0), 1), ((-4, 0), 0), ((-4, 9), 0)],
    );
    assert!(!ir(&branched).contains("StoreAt"), "{}", ir(&branched));
    // A constant that fits the instruction, stored as an immediate, and a
    // 64-bit store of a byte fold too. (A value computed after the
    // address comes between them: no fold.)
    let imm = r#"(module (memory 1) (func (export "f") (param i32 i32) (result i32) (local i64)
             (local.set 2 (i64.extend_i32_u (local.get 1)))
             (i32.store (i32.add (local.get 0) (i32.const 8)) (i32.const 3))
             (i64.store8 (i32.add (local.get 0) (i32.const 9)) (local.get 2))
             (i32.load (i32.const 4))))"#;
    check(
        imm,
        &[((-4, 0x102), 0x0203), ((0, 1), 0x0203), ((-5, 0), 0)],
    );
    // (An optimised build may name the byte store `I32Store8At`: the two
    // handlers are the same machine code, folded into one by the linker,
    // and the dump names a handler by its address.)
    let folded = ir(imm);
    assert!(
        folded.contains("StoreImmAt") && folded.contains("Store8At"),
        "{folded}"
    );
}

#[test]
fn an_address_in_an_array_at_a_constant_address_kept_in_a_local_is_one_instruction() {
    // `local 2 = (a << 2) + 1020`, then read back with `b` added.
    let f = |body: &str| {
        format!(
            r#"(module (func (export "f") (param i32 i32) (result i32) (local i32 i32)
                 {body}
                 (i32.add (local.get 2) (local.get 1))))"#
        )
    };
    let cases = |scale: i32, add: i32| {
        [(0, 0), (5, 3), (-1, 0), (0x4000_0000, 1), (i32::MAX, -7)]
            .map(|(a, b): (i32, i32)| ((a, b), a.wrapping_mul(scale).wrapping_add(add) + b))
    };
    let fused = f("(local.set 2 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 1020)))");
    check(&fused, &cases(4, 1020));
    assert!(ir(&fused).contains("I32AddScaled"), "{}", ir(&fused));
    let tee = f(
        "(local.tee 2 (i32.add (i32.mul (local.get 0) (i32.const 12)) (i32.const -4)))
                 drop",
    );
    check(&tee, &cases(12, -4));
    assert!(ir(&tee).contains("I32AddScaled"), "{}", ir(&tee));
    // The shift's result is also kept in a local: it stays.
    let kept = f(
        "(local.set 2 (i32.add (local.tee 3 (i32.shl (local.get 0) (i32.const 2)))
                                      (i32.const 1020)))
                  (local.set 2 (i32.add (local.get 2) (local.get 3)))",
    );
    check(&kept, &[((0, 0), 1020), ((1, 2), 1030), ((-1, 0), 1012)]);
    // A branch lands on the add.
    let branched = f("(local.set 2 (i32.add
                        (block (result i32)
                          (br_if 0 (i32.shl (local.get 0) (i32.const 3)) (local.get 1))
                          drop
                          (i32.shl (local.get 0) (i32.const 2)))
                        (i32.const 1020)))");
    check(
        &branched,
        &[((1, 0), 1024), ((1, 1), 1029), ((-1, 0), 1016)],
    );
    assert!(!ir(&branched).contains("I32AddScaled"), "{}", ir(&branched));
    // A shift too far for the scale's 16 bits.
    let far = f("(local.set 2 (i32.add (i32.shl (local.get 0) (i32.const 20)) (i32.const 1020)))");
    check(&far, &cases(1 << 20, 1020));
    assert!(!ir(&far).contains("I32AddScaled"), "{}", ir(&far));
}

#[test]
fn an_array_element_at_a_constant_address_is_one_load_that_scales_its_index() {
    let mem = r#"(memory 1)
         (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00")"#;
    let load = |load: &str, shift: u32, add: i32| {
        format!(
            r#"(module {mem} (func (export "f") (param i32 i32) (result i32)
                 ({load} (i32.add (i32.shl (local.get 0) (i32.const {shift})) (i32.const {add})))))"#
        )
    };
    // The shift and the add wrap at 2^32 as the operators do.
    let i32_load = load("i32.load", 2, 4);
    check(
        &i32_load,
        &[
            ((0, 0), 2),
            ((3, 0), 5),
            ((-1, 0), 1),
            ((0x4000_0000, 0), 2),
        ],
    );
    let (module, mut store, f) = instantiate_f(&Engine::default(), &i32_load);
    assert!(
        f.call(&mut store, (0x1000_0000, 0)).is_err(),
        "out of bounds"
    );
    assert!(
        module.dump_ir().contains("I32LoadIdx"),
        "{}",
        module.dump_ir()
    );
    let i16_load = load("i32.load16_u", 1, 2);
    check(&i16_load, &[((0, 0), 0), ((1, 0), 2), ((-1, 0), 1)]);
    assert!(ir(&i16_load).contains("I32Load16UIdx"), "{}", ir(&i16_load));
    let i64_load = format!(
        r#"(module {mem} (func (export "f") (param i32 i32) (result i32)
             (i32.wrap_i64 (i64.shr_u (i64.load (i32.add (i32.shl (local.get 0) (i32.const 3))
                                                         (i32.const 8)))
                                      (i64.const 32)))))"#
    );
    check(&i64_load, &[((0, 0), 4), ((-1, 0), 2)]);
    assert!(ir(&i64_load).contains("I64LoadIdx"), "{}", ir(&i64_load));
    // A shift other than the access size's stays a shift.
    let other = load("i32.load", 3, 4);
    check(&other, &[((0, 0), 2), ((1, 0), 4), ((0x2000_0000, 0), 2)]);
    assert!(!ir(&other).contains("Idx"), "{}", ir(&other));
    // A branch to the add: the shift is not the only way to it.
    let branched = format!(
        r#"(module {mem} (func (export "f") (param i32 i32) (result i32)
             (i32.load (i32.add
               (block (result i32)
                 (br_if 0 (i32.shl (local.get 0) (i32.const 3)) (local.get 1))
                 drop
                 (i32.shl (local.get 0) (i32.const 2)))
               (i32.const 4)))))"#
    );
    check(&branched, &[((1, 0), 3), ((1, 1), 4), ((0, 1), 2)]);
    assert!(!ir(&branched).contains("Idx"), "{}", ir(&branched));
}

#[test]
fn an_add_of_a_scaled_index_is_one_instruction_unless_something_branches_between() {
    let f =
        |body: &str| format!(r#"(module (func (export "f") (param i32 i32) (result i32) {body}))"#);
    let cases = |scale: i32| {
        [(0, 0), (5, 3), (-7, 1_000_000), (i32::MAX, 9), (3, -11)]
            .map(|(a, b): (i32, i32)| ((a, b), a.wrapping_add(b.wrapping_mul(scale))))
    };
    for (body, scale, fused) in [
        (
            "(i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))",
            8,
            true,
        ),
        (
            "(i32.add (i32.mul (local.get 1) (i32.const 56)) (local.get 0))",
            56,
            true,
        ),
        (
            "(i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 35)))",
            8,
            true,
        ),
        (
            "(i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 70000)))",
            70000,
            false,
        ),
        (
            "(i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 20)))",
            1 << 20,
            false,
        ),
    ] {
        let wat = f(body);
        check(&wat, &cases(scale));
        let ir = ir(&wat);
        assert_eq!(ir.contains("I32AddScaled"), fused, "{body}\n{ir}");
    }
    // The `br_if` lands on the add, with the other shift's result: the add
    // must stay an instruction of its own.
    let wat = f("(i32.add (local.get 0)
           (block (result i32)
             (br_if 0 (i32.shl (local.get 1) (i32.const 1))
                      (i32.and (local.get 0) (i32.const 1)))
             drop
             (i32.shl (local.get 1) (i32.const 3))))");
    check(
        &wat,
        &[((1, 5), 11), ((2, 5), 42), ((-3, 4), 5), ((-4, 4), 28)],
    );
    let ir = ir(&wat);
    assert!(!ir.contains("I32AddScaled"), "{ir}");
}

#[test]
fn a_loop_counter_increment_joins_its_back_edge_unless_something_branches_between() {
    // `i` counts from the first argument while `i CMP bound`; the result is
    // the number of iterations.
    let counted = |ty: &str, step: &str, cond: &str| {
        let init = match ty {
            "i32" => "(local.get 0)",
            _ => "(i64.extend_i32_s (local.get 0))",
        };
        format!(
            r#"(module (func (export "f") (param i32 i32) (result i32) (local $i {ty}) (local $n i32)
                 (local.set $i {init})
                 (loop $l
                   (local.set $n (i32.add (local.get $n) (i32.const 1)))
                   (local.set $i ({ty}.add (local.get $i) {step}))
                   (br_if $l {cond}))
                 local.get $n))"#
        )
    };
    for (ty, step, cond, cases) in [
        // A 16-bit immediate bound, a local bound, a bound that needs its
        // own constant slot, a step on either side of the add, wrapping.
        (
            "i32",
            "(i32.const 1)",
            "(i32.lt_s (local.get $i) (i32.const 10))",
            vec![((0, 0), 10), ((9, 0), 1), ((20, 0), 1), ((-5, 0), 15)],
        ),
        (
            "i32",
            "(i32.const 3)",
            "(i32.ne (local.get $i) (local.get 1))",
            vec![((0, 30), 10), ((i32::MAX - 2, i32::MIN), 1)],
        ),
        (
            "i32",
            "(local.get 1)",
            "(i32.lt_u (local.get $i) (i32.const 100000))",
            vec![((0, 25000), 4), ((99_999, 7), 1), ((-1, 1), 100_001)],
        ),
        (
            "i32",
            "(i32.const -1)",
            "(i32.gt_s (local.get $i) (local.get 1))",
            vec![
                ((10, 0), 10),
                ((i32::MIN + 1, 5), 1),
                ((i32::MIN, i32::MAX), 1),
            ],
        ),
        (
            "i64",
            "(i64.const -3)",
            "(i64.ge_s (local.get $i) (i64.const -100000))",
            vec![((0, 0), 33_334), ((-100_000, 0), 1)],
        ),
        (
            "i64",
            "(i64.extend_i32_u (local.get 1))",
            "(i64.lt_u (local.get $i) (i64.const 5000000000))",
            vec![((0, 1_000_000_000), 5), ((-2, 1), 1)],
        ),
    ] {
        let wat = counted(ty, step, cond);
        check(&wat, &cases);
        let ir = ir(&wat);
        assert!(ir.contains("Inc {"), "{cond}\n{ir}");
    }
    // A step of a local on the left of the add.
    let wat = counted(
        "i32",
        "(i32.const 2)",
        "(i32.ne (local.get $i) (i32.const 0))",
    )
    .replace(
        "(i32.add (local.get $i) (i32.const 2))",
        "(i32.add (i32.const 2) (local.get $i))",
    );
    check(&wat, &[((-10, 0), 5), ((-2, 0), 1)]);
    // The block's end lands between the add and the branch: on odd
    // iterations `$i` is not incremented, so the two must stay apart.
    let wat = r#"(module (func (export "f") (param i32 i32) (result i32) (local $i i32) (local $n i32)
         (loop $l
           (local.set $n (i32.add (local.get $n) (i32.const 1)))
           (block $b
             (br_if $b (i32.and (local.get $n) (i32.const 1)))
             (local.set $i (i32.add (local.get $i) (i32.const 1))))
           (br_if $l (i32.lt_s (local.get $i) (local.get 0))))
         local.get $n))"#;
    check(wat, &[((1, 0), 2), ((5, 0), 10), ((0, 0), 1)]);
    let ir = ir(wat);
    assert!(!ir.contains("Inc {"), "{ir}");
}

#[test]
fn a_fused_back_edge_still_costs_fuel() {
    let mut config = compono_interp::Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    // Counts up while `i != 0`: 2^32 iterations unless fuel stops it.
    let wat = r#"(module (func (export "f") (param i32 i32) (result i32)
         (loop $l
           (local.set 0 (i32.add (local.get 0) (i32.const 1)))
           (br_if $l (i32.ne (local.get 0) (i32.const 0))))
         local.get 0))"#;
    let (module, mut store, f) = instantiate_f(&engine, wat);
    assert!(
        module.dump_ir().contains("BrI32NeInc"),
        "{}",
        module.dump_ir()
    );
    store.set_fuel(10_000);
    assert!(f.call(&mut store, (1, 0)).is_err());
    assert_eq!(store.get_fuel(), 0);
    store.set_fuel(10_000);
    assert_eq!(f.call(&mut store, (-5, 0)).unwrap(), 0);
}

/// A bytecode interpreter's loop: the head loads the next opcode and
/// dispatches on it with a `br_table`. Each case's branch back gets a copy
/// of the head; the copies' entries go to cases before and after them and
/// to cases whose labels are not yet bound when the copy is made.
const DISPATCH_LOOP: &str = r#"(module
    (memory 1)
    ;; add 5; mul 3; dec n and restart while n != 0; halt
    (data (i32.const 0) "\01\05\03\02\00")
    ;; mul 3; an opcode out of the table's range (its default: halt)
    (data (i32.const 16) "\03\09")
    (func (export "f") (param $n i32) (param $acc i32) (result i32)
        (local $pc i32) (local $op i32)
        (local.set $pc (i32.and (local.get $n) (i32.const 16)))
        (local.set $n (i32.and (local.get $n) (i32.const 15)))
        (loop $dispatch
            (local.set $op (i32.load8_u (local.get $pc)))
            (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
            (block $halt
                (block $dec
                    (block $mul
                        (block $add
                            (br_table $halt $add $dec $mul $halt (local.get $op)))
                        (local.set $acc
                            (i32.add (local.get $acc) (i32.load8_u (local.get $pc))))
                        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
                        (br $dispatch))
                    (local.set $acc (i32.mul (local.get $acc) (i32.const 3)))
                    (br $dispatch))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (if (local.get $n) (then (local.set $pc (i32.const 0))))
                (br $dispatch)))
        (local.get $acc)))"#;

#[test]
fn a_dispatch_loop_branches_back_through_copies_of_its_head() {
    let ir = ir(DISPATCH_LOOP);
    assert_eq!(ir.matches("BrTable").count(), 4, "{ir}");
    let run = |n: i32, mut acc: i32| {
        if n & 16 != 0 {
            return acc.wrapping_mul(3);
        }
        for _ in 0..n & 15 {
            acc = acc.wrapping_add(5).wrapping_mul(3);
        }
        acc
    };
    let cases: Vec<_> = [(1, 0), (3, 7), (15, -1), (16, 5), (17, i32::MAX)]
        .into_iter()
        .map(|(n, acc)| ((n, acc), run(n, acc)))
        .collect();
    check(DISPATCH_LOOP, &cases);
}

/// A `br_table` whose entries back to its own loop need trampolines (a
/// value sits on the stack above the loop's height): each trampoline's
/// branch back may copy the loop's head while the trampolines after it
/// are not bound yet. The digits of `x` in base 4 choose the entries, so
/// every copy's entries are taken.
#[test]
fn a_dispatch_loop_whose_back_edges_are_trampolines() {
    let wat = r#"(module
        (func (export "f") (param i32 i32) (result i32) (local i32)
            (loop $l
                (i32.const 7)
                (block $out
                    (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                    (local.set 2 (i32.and (local.get 0) (i32.const 3)))
                    (local.set 0 (i32.shr_u (local.get 0) (i32.const 2)))
                    (br_table $l $l $out (local.get 2)))
                (drop))
            (local.get 1)))"#;
    let run = |mut x: i32, mut n: i32| loop {
        n = n.wrapping_add(1);
        let digit = x & 3;
        x = ((x as u32) >> 2) as i32;
        if digit >= 2 {
            return n;
        }
    };
    let cases: Vec<_> = [
        0b10_01_00,
        0b10_00_01,
        0b11_01_01_00_00,
        0b10,
        -1,
        0b10_00_01_01_00,
    ]
    .into_iter()
    .map(|x| ((x, 0), run(x, 0)))
    .collect();
    check(wat, &cases);
}

#[test]
fn constants_written_to_slots_are_held_in_the_instruction_when_they_fit() {
    // Each constant goes through a local (or a call's argument), so it is
    // written to a slot: one that fits 32 bits, zero- or sign-extended, is
    // the instruction's immediate and needs no slot in the constant pool,
    // which every call fills; one that fits neither stays in the pool.
    let wat = r#"(module
      (func $id (param i64) (result i64) local.get 0)
      (func (export "a") (result i64) (local i64) i64.const -5 local.set 0 local.get 0)
      (func (export "b") (result i64) (local i64) i64.const 0xffffffff local.set 0 local.get 0)
      (func (export "c") (result i64) (local i64) i64.const 0x100000000 local.set 0 local.get 0)
      (func (export "d") (result i64) (local i64) i64.const -0x80000001 local.set 0 local.get 0)
      (func (export "e") (result i64) (local i32) i32.const -1 local.set 0 local.get 0 i64.extend_i32_u)
      (func (export "f") (result i64) (local f32)
        f32.const -2.5 local.set 0 local.get 0 i32.reinterpret_f32 i64.extend_i32_u)
      (func (export "g") (result i64) (local f64) f64.const 1.5 local.set 0 local.get 0 i64.reinterpret_f64)
      (func (export "h") (result i64) i64.const -7 call $id))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let ir = module.dump_ir();
    for (name, want) in [
        ("a", -5),
        ("b", 0xffff_ffff),
        ("c", 0x1_0000_0000),
        ("d", -0x8000_0001),
        ("e", 0xffff_ffff),
        ("f", i64::from((-2.5f32).to_bits())),
        ("g", 1.5f64.to_bits() as i64),
        ("h", -7),
    ] {
        let f = instance
            .get_func(&store, name)
            .unwrap()
            .typed::<(), i64>(&store)
            .unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), want, "{name}\n{ir}");
    }
    // The IR, function by function ($id is function 0).
    let funcs: Vec<&str> = ir.split("func ").skip(1).collect();
    let pooled = |f: usize| !funcs[f].contains("consts: 0");
    for (f, instr) in [
        (1, "Const32S { dst: 0, value: -5 }"),
        (2, "Const32 { dst: 0, value: 4294967295 }"),
        (5, "Const32 { dst: 0, value: 4294967295 }"),
        (6, "Const32 { dst: 0, value: 3223322624 }"),
        (8, "Const32S {"),
    ] {
        assert!(funcs[f].contains(instr), "{instr}\n{}", funcs[f]);
        assert!(!pooled(f), "{}", funcs[f]);
    }
    for f in [3, 4, 7] {
        assert!(pooled(f) && funcs[f].contains("Copy"), "{}", funcs[f]);
    }
}

#[test]
fn a_wrapped_i64_is_read_as_its_low_32_bits_by_every_consumer() {
    // `i32.wrap_i64` is no instruction: its operand's slot, upper bits and
    // all, is read as the i32. Each export wraps its i64 argument, whose
    // upper half is set, and hands it to a different kind of i32 reader.
    let wat = r#"(module
      (memory 1)
      (data (i32.const 5) "\2a")
      (global $g (export "g") (mut i32) (i32.const 0))
      (table 2 funcref)
      (elem (i32.const 0) $seven $id)
      (type $to_i32 (func (param i32) (result i32)))
      (func $seven (param i32) (result i32) i32.const 7)
      (func $id (param i32) (result i32) local.get 0)
      (func (export "load") (param i64) (result i64)
        local.get 0 i32.wrap_i64 i64.load8_u)
      (func (export "extend_u") (param i64) (result i64)
        local.get 0 i32.wrap_i64 i64.extend_i32_u)
      (func (export "extend_s") (param i64) (result i64)
        local.get 0 i32.wrap_i64 i64.extend_i32_s)
      (func (export "eqz") (param i64) (result i64)
        local.get 0 i32.wrap_i64 i32.eqz i64.extend_i32_u)
      (func (export "select") (param i64) (result i64)
        i64.const 10 i64.const 20 local.get 0 i32.wrap_i64 select)
      (func (export "br_if") (param i64) (result i64)
        block local.get 0 i32.wrap_i64 br_if 0 i64.const 2 return end i64.const 1)
      (func (export "br_table") (param i64) (result i64)
        block block local.get 0 i32.wrap_i64 br_table 0 1 end i64.const 0 return end
        i64.const 1)
      (func (export "call_indirect") (param i64) (result i64)
        i32.const 3 local.get 0 i32.wrap_i64 call_indirect (type $to_i32) i64.extend_i32_u)
      (func (export "call") (param i64) (result i64)
        local.get 0 i32.wrap_i64 call $id i64.extend_i32_u)
      (func (export "local") (param i64) (result i64) (local i32)
        local.get 0 i32.wrap_i64 local.set 1 local.get 1 i64.extend_i32_u)
      (func (export "global") (param i64) (result i64)
        local.get 0 i32.wrap_i64 global.set $g global.get $g i64.extend_i32_u)
      (func (export "store") (param i64) (result i64)
        i32.const 16 local.get 0 i32.wrap_i64 i32.store i32.const 16 i64.load)
      (func (export "grow") (param i64) (result i64)
        local.get 0 i32.wrap_i64 memory.grow i64.extend_i32_s)
      (func (export "div") (param i64) (result i64)
        i32.const 10 local.get 0 i32.wrap_i64 i32.div_u i64.extend_i32_u)
      (func (export "lt") (param i64) (result i64)
        local.get 0 i32.wrap_i64 i32.const 1 i32.lt_u i64.extend_i32_u)
      (func (export "to_host") (param i64) (result i32) local.get 0 i32.wrap_i64))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let ir = module.dump_ir();
    // The load reads the parameter's slot, and `to_host` returns it. (Not
    // by name: in an optimised build, handlers with the same machine code,
    // as `I32WrapI64` and `I64ExtendI32U`, may be one function.)
    let funcs: Vec<&str> = ir.split("func ").skip(1).collect();
    assert!(funcs[2].contains("ptr: 0, offset: 0 }"), "{}", funcs[2]);
    assert_eq!(funcs[2].lines().count(), 4, "{}", funcs[2]);
    assert!(funcs[17].contains("1 Return1 { src: 0 }"), "{}", funcs[17]);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let high = 0x7654_3210_0000_0000_i64;
    for (name, arg, want) in [
        ("load", high | 5, 0x2a),
        ("extend_u", high | 0xffff_fffe, 0xffff_fffe),
        ("extend_s", high | 0xffff_fffe, -2),
        ("eqz", high, 1),
        ("select", high, 20),
        ("br_if", high, 2),
        ("br_table", high, 0),
        ("br_table", high | 1, 1),
        ("call_indirect", high, 7),
        ("call_indirect", high | 1, 3),
        ("call", high | 9, 9),
        ("local", high | 9, 9),
        ("global", high | 9, 9),
        ("store", high | 0x8000_0000, 0x8000_0000),
        ("grow", high, 1),
        ("div", high | 2, 5),
        ("lt", high, 1),
    ] {
        let f = instance
            .get_func(&store, name)
            .unwrap()
            .typed::<i64, i64>(&store)
            .unwrap();
        assert_eq!(f.call(&mut store, arg).unwrap(), want, "{name}\n{ir}");
    }
    let global = instance.get_global(&store, "g").unwrap();
    assert_eq!(global.get(&store), compono_interp::Val::I32(9));
    let to_host = instance
        .get_func(&store, "to_host")
        .unwrap()
        .typed::<i64, i32>(&store)
        .unwrap();
    assert_eq!(to_host.call(&mut store, high | 0xffff_fffd).unwrap(), -3);
}

#[test]
fn only_locals_that_may_be_read_before_a_write_are_zeroed_at_entry() {
    // Each case runs right after `$dirty` filled the same stack slots with
    // -1, and reads local 1 on a path that may skip the write to it (then
    // it must read 0) or after a write on every path (then the function's
    // `Enter` zeroes nothing).
    let wat = r#"(module
      (tag $e)
      (func $dirty (param i64) (local i64 i64 i64 i64 i64 i64 i64 i64)
        local.get 0 local.set 1 local.get 0 local.set 2 local.get 0 local.set 3
        local.get 0 local.set 4 local.get 0 local.set 5 local.get 0 local.set 6)
      (func $if_one_arm (param i32) (result i64) (local i64)
        local.get 0 if i64.const 5 local.set 1 end local.get 1)
      (func $if_both_arms (param i32) (result i64) (local i64)
        local.get 0 if i64.const 5 local.set 1 else i64.const 6 local.set 1 end local.get 1)
      (func $loop_carried (param i32) (result i64) (local i64)
        loop
          local.get 1 i64.const 1 i64.add local.set 1
          local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0
        end
        local.get 1)
      (func $branch_past (param i32) (result i64) (local i64)
        block local.get 0 br_if 0 i64.const 7 local.set 1 end local.get 1)
      (func $table_past (param i32) (result i64) (local i64)
        block block local.get 0 br_table 0 1 end i64.const 8 local.set 1 end local.get 1)
      (func $caught_before (param i32) (result i64) (local i64)
        block try_table (catch_all 0)
          local.get 0 if throw $e end i64.const 9 local.set 1
        end end local.get 1)
      (func $tee_then_read (param i32) (result i64) (local i64 i64)
        i64.const 3 local.tee 1 local.get 1 i64.add)
      (func (export "f") (param i32 i32) (result i64)
        i64.const -1 call $dirty
        block
          block block block block block block
            local.get 0 br_table 0 1 2 3 4 5 6
          end local.get 1 call $if_one_arm return
          end local.get 1 call $if_both_arms return
          end local.get 1 call $loop_carried return
          end local.get 1 call $branch_past return
          end local.get 1 call $table_past return
          end local.get 1 call $caught_before return
        end
        local.get 1 call $tee_then_read))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
    let ir = module.dump_ir();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let f = instance
        .get_func(&store, "f")
        .unwrap()
        .typed::<(i32, i32), i64>(&store)
        .unwrap();
    for (case, arg, want) in [
        (0, 0, 0),
        (0, 1, 5),
        (1, 0, 6),
        (1, 1, 5),
        (2, 3, 3),
        (3, 1, 0),
        (3, 0, 7),
        (4, 0, 8),
        (4, 1, 0),
        (5, 1, 0),
        (5, 0, 9),
        (6, 0, 6),
    ] {
        assert_eq!(
            f.call(&mut store, (case, arg)).unwrap(),
            want,
            "case {case}({arg})\n{ir}"
        );
    }
    // Function by function: which zero their local and which do not.
    let funcs: Vec<&str> = ir.split("func ").skip(1).collect();
    for (func, zeroes) in [
        (1, true),
        (2, false),
        (3, true),
        (4, true),
        (5, true),
        (6, true),
        (7, false),
    ] {
        let enter = funcs[func].lines().nth(1).unwrap();
        let zero_from = if func == 7 {
            "zero_from: 3, locals: 3"
        } else {
            "zero_from: 2, locals: 2"
        };
        assert_eq!(!enter.contains(zero_from), zeroes, "func {func}: {enter}");
    }
}

#[test]
fn a_stored_constant_that_fits_16_bits_is_held_in_the_instruction() {
    // Each store writes 8 bytes of 0xaa first, then its constant; the
    // function returns the 8 bytes. Constants that fit a sign-extended
    // 16-bit immediate for their type are the store's immediate.
    let store = |ty: &str, op: &str, value: &str| {
        format!(
            "(func (export \"{ty}.{op} {value}\") (result i64)
               i32.const 8 i64.const 0xaaaaaaaaaaaaaaaa i64.store
               i32.const 8 {ty}.const {value} {ty}.{op}
               i32.const 8 i64.load)"
        )
    };
    let cases: [(&str, &str, &str, u64, bool); 14] = [
        ("i32", "store", "-1", 0xaaaa_aaaa_ffff_ffff, true),
        ("i32", "store", "32767", 0xaaaa_aaaa_0000_7fff, true),
        ("i32", "store", "32768", 0xaaaa_aaaa_0000_8000, false),
        ("i64", "store", "-32768", 0xffff_ffff_ffff_8000, true),
        ("i64", "store", "0x100000000", 0x0000_0001_0000_0000, false),
        ("f32", "store", "0", 0xaaaa_aaaa_0000_0000, true),
        ("f32", "store", "-0", 0xaaaa_aaaa_8000_0000, false),
        ("f64", "store", "0", 0, true),
        ("f64", "store", "1", 0x3ff0_0000_0000_0000, false),
        ("i32", "store8", "-2", 0xaaaa_aaaa_aaaa_aafe, true),
        ("i32", "store16", "-3", 0xaaaa_aaaa_aaaa_fffd, true),
        ("i64", "store8", "1", 0xaaaa_aaaa_aaaa_aa01, true),
        ("i64", "store16", "0x1234", 0xaaaa_aaaa_aaaa_1234, true),
        ("i64", "store32", "-1", 0xaaaa_aaaa_ffff_ffff, true),
    ];
    let funcs: String = cases
        .iter()
        .map(|(ty, op, v, ..)| store(ty, op, v))
        .collect();
    let wat = format!("(module (memory 1) {funcs})");
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(&wat).unwrap()).unwrap();
    let ir = module.dump_ir();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let bodies: Vec<&str> = ir.split("func ").skip(1).collect();
    for (i, &(ty, op, value, want, imm)) in cases.iter().enumerate() {
        let name = format!("{ty}.{op} {value}");
        let f = instance
            .get_func(&store, &name)
            .unwrap()
            .typed::<(), i64>(&store)
            .unwrap();
        assert_eq!(
            f.call(&mut store, ()).unwrap() as u64,
            want,
            "{name}\n{}",
            bodies[i]
        );
        // The second store is the constant's (the first stores a pooled
        // 64-bit pattern).
        let second = bodies[i]
            .lines()
            .filter(|l| l.contains("Store"))
            .nth(1)
            .unwrap();
        assert_eq!(second.contains("Imm {"), imm, "{name}: {second}");
    }
}

#[test]
fn an_integer_operator_with_its_identity_is_no_instruction() {
    // `x OP c` where `c` leaves every `x` as it is returns `x` itself;
    // a float `x + 0.0` is not the identity (`-0.0 + 0.0` is `+0.0`).
    let ops: [(&str, &str, &str); 14] = [
        ("i32", "add", "0"),
        ("i32", "sub", "0"),
        ("i32", "mul", "1"),
        ("i32", "and", "-1"),
        ("i32", "or", "0"),
        ("i32", "xor", "0"),
        ("i32", "shl", "0"),
        ("i32", "rotr", "0"),
        ("i64", "add", "0"),
        ("i64", "mul", "1"),
        ("i64", "and", "-1"),
        ("i64", "shr_s", "0"),
        ("i64", "rotl", "0"),
        ("i64", "shr_u", "0"),
    ];
    let funcs: String = ops
        .iter()
        .map(|(ty, op, c)| {
            format!(
                "(func (export \"{ty}.{op}\") (param {ty}) (result {ty}) local.get 0 {ty}.const {c} {ty}.{op})"
            )
        })
        .collect();
    let wat = format!(
        "(module {funcs}
           (func (export \"0+x\") (param i32) (result i32) i32.const 0 local.get 0 i32.add)
           (func (export \"0-x\") (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
           (func (export \"-0+0\") (result f32) f32.const -0 f32.const 0 f32.add)
           (func (export \"x+0.0\") (param f32) (result f32) local.get 0 f32.const 0 f32.add))"
    );
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(&wat).unwrap()).unwrap();
    let ir = module.dump_ir();
    let bodies: Vec<&str> = ir.split("func ").skip(1).collect();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &module).unwrap();
    let func = |store: &Store<()>, name: &str| instance.get_func(store, name).unwrap();
    for (i, (ty, op, _)) in ops.iter().enumerate() {
        let name = format!("{ty}.{op}");
        assert!(
            bodies[i].contains("1 Return1 { src: 0 }"),
            "{name}\n{}",
            bodies[i]
        );
        if *ty == "i32" {
            let f = func(&store, &name).typed::<i32, i32>(&store).unwrap();
            assert_eq!(
                f.call(&mut store, -0x6543_2110).unwrap(),
                -0x6543_2110,
                "{name}"
            );
        } else {
            let f = func(&store, &name).typed::<i64, i64>(&store).unwrap();
            let x = -0x1234_5678_9abc_def0;
            assert_eq!(f.call(&mut store, x).unwrap(), x, "{name}");
        }
    }
    assert!(
        bodies[14].contains("1 Return1 { src: 0 }"),
        "{}",
        bodies[14]
    );
    let zero_minus = func(&store, "0-x").typed::<i32, i32>(&store).unwrap();
    assert_eq!(zero_minus.call(&mut store, 5).unwrap(), -5);
    let f = func(&store, "-0+0").typed::<(), f32>(&store).unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap().to_bits(), 0);
    let f = func(&store, "x+0.0").typed::<f32, f32>(&store).unwrap();
    assert_eq!(f.call(&mut store, -0.0).unwrap().to_bits(), 0);
}
