//! Exception tags and the exceptions thrown with them.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner};
use crate::types::{ExnRef, TagType, Val, ValType};
use std::sync::atomic::{AtomicBool, Ordering};

/// An exception tag. Every tag a module defines is a new one for each
/// instance, so a `catch` matches only throws of the very tag it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

pub(crate) struct TagData {
    pub ty: TagType,
}

/// An exception: its tag (a store index) and the values it carries.
pub(crate) struct ExnData {
    pub tag: u32,
    pub values: Box<[u64]>,
    /// Whether guest code may hold a reference to it (it was caught with
    /// `catch_ref`/`catch_all_ref`); until then a plain `catch` may
    /// recycle it at once.
    pub exposed: bool,
    /// Whether the host was handed a reference to it (a trap, a result, a
    /// global's or table's value): then it is never recycled, since the
    /// store cannot see where the host keeps it.
    pub host: AtomicBool,
}

impl ExnData {
    pub(crate) fn new(tag: u32, values: Box<[u64]>) -> ExnData {
        ExnData {
            tag,
            values,
            exposed: false,
            host: AtomicBool::new(false),
        }
    }
}

/// Below this many exceptions the store does not look for unreachable ones.
const COLLECT_MIN: usize = 1024;

impl StoreInner {
    /// Records a new exception; returns its index. When every recorded
    /// one is in use and there are many, first frees those nothing can
    /// refer to any more (`collect_exns`).
    pub(crate) fn new_exn(&mut self, tag: u32, values: Box<[u64]>) -> u32 {
        if self.free_exns.is_empty() && self.exns.len() >= self.collect_exns_at {
            self.collect_exns();
        }
        let exn = ExnData::new(tag, values);
        match self.free_exns.pop() {
            Some(index) => {
                self.exns[index as usize] = exn;
                index
            }
            None => {
                self.exns.push(exn);
                self.exns.len() as u32 - 1
            }
        }
    }

    /// Frees the exceptions no reference can reach. Frame slots are
    /// untyped, so any value-stack slot that could be a reference to one
    /// keeps it (conservatively); globals and tables of `exnref` type, the
    /// exceptions the host was handed and the `exnref`s an exception
    /// carries are exact. Runs only when no entry is free, so each freed
    /// one is listed once; the next run waits until the count doubles.
    fn collect_exns(&mut self) {
        let count = self.exns.len();
        let mut reached = vec![false; count];
        let mut work = Vec::new();
        let mut reach = |slot: u64, work: &mut Vec<usize>| {
            if let Some(index) = slot.checked_sub(1).map(|i| i as usize)
                && index < count
                && !reached[index]
            {
                reached[index] = true;
                work.push(index);
            }
        };
        for slot in self.stack.iter() {
            reach(*slot, &mut work);
        }
        for global in self
            .globals
            .iter()
            .filter(|g| g.ty.content == ValType::ExnRef)
        {
            reach(global.value, &mut work);
        }
        for table in self
            .tables
            .iter()
            .filter(|t| t.ty.element == ValType::ExnRef)
        {
            for slot in &table.elems {
                reach(*slot, &mut work);
            }
        }
        for (index, exn) in self.exns.iter().enumerate() {
            if exn.host.load(Ordering::Relaxed) {
                reach(index as u64 + 1, &mut work);
            }
        }
        while let Some(index) = work.pop() {
            let exn = &self.exns[index];
            let params = self.tags[exn.tag as usize].ty.params();
            for (ty, slot) in params.iter().zip(exn.values.iter()) {
                if *ty == ValType::ExnRef {
                    reach(*slot, &mut work);
                }
            }
        }
        for (index, reached) in reached.iter().enumerate() {
            if !reached {
                self.exns[index].values = Box::default();
                self.free_exns.push(index as u32);
            }
        }
        let live = count - self.free_exns.len();
        self.collect_exns_at = (2 * live).max(COLLECT_MIN);
    }

    /// Marks exception `exn` (an `exnref` slot) as handed to the host.
    pub(crate) fn hand_to_host(&self, slot: u64) {
        if let Some(exn) = slot.checked_sub(1).and_then(|i| self.exns.get(i as usize)) {
            exn.host.store(true, Ordering::Relaxed);
        }
    }
}

impl Tag {
    /// A new tag defined by the host.
    pub fn new(mut store: impl AsContextMut, ty: TagType) -> Tag {
        let inner = &mut store.as_context_mut().inner;
        inner.tags.push(TagData { ty });
        Tag {
            store: inner.id,
            index: inner.tags.len() as u32 - 1,
        }
    }

    /// # Panics
    ///
    /// If the tag belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let store = store.as_context();
        store.inner.assert_owns(self.store, "tag");
        store.inner.tags[self.index as usize].ty.clone()
    }
}

impl ExnRef {
    /// The exception's tag and the values it carries.
    pub fn fields(&self, store: impl AsContext) -> Result<(Tag, Vec<Val>)> {
        let inner = &store.as_context().inner;
        inner.check(self.store, "exception")?;
        let exn = inner
            .exns
            .get(self.index as usize)
            .ok_or_else(|| Error::Usage("no such exception".into()))?;
        let ty = &inner.tags[exn.tag as usize].ty;
        let values = ty
            .params()
            .iter()
            .zip(exn.values.iter())
            .map(|(t, v)| inner.val_for_host(*t, *v))
            .collect();
        Ok((
            Tag {
                store: inner.id,
                index: exn.tag,
            },
            values,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Linker, Module, Store, Val};

    /// A loop that throws, catches with a reference and drops it must not
    /// keep every exception: the store's count stays bounded, and those
    /// still reachable (from a global, the host) survive collections.
    #[test]
    fn unreachable_exceptions_are_recycled() {
        let wasm = wat::parse_str(
            r#"(module
                 (tag $t (param i32))
                 (global $kept (export "kept") (mut exnref) (ref.null exn))
                 (func (export "run") (param $n i32) (result i32)
                   (local $e exnref)
                   (block $h (result i32 exnref)
                     (try_table (catch_ref $t $h) (throw $t (i32.const -1)))
                     (unreachable))
                   (local.set $e)
                   (drop)
                   (global.set $kept (local.get $e))
                   (loop $again
                     (block $h (result i32 exnref)
                       (try_table (catch_ref $t $h) (throw $t (local.get $n)))
                       (unreachable))
                     (drop)
                     (drop)
                     (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                   (block $h (result i32)
                     (try_table (catch $t $h) (throw_ref (global.get $kept)))
                     (unreachable))))"#,
        )
        .unwrap();
        let engine = Engine::default();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new().instantiate(&mut store, &module).unwrap();
        let run = instance.get_func(&store, "run").unwrap();
        let mut out = [Val::I32(0)];
        run.call(&mut store, &[Val::I32(100_000)], &mut out)
            .unwrap();
        assert_eq!(
            out[0],
            Val::I32(-1),
            "the exception kept in a global survives"
        );
        let recorded = store.inner.exns.len() - store.inner.free_exns.len();
        assert!(recorded <= 2048, "{recorded} exceptions kept");
    }
}
