//! The canonical ABI, in the order of CanonicalABI.md: layout
//! ([`layout`]), loading and flat lifting ([`lift`]), storing and flat
//! lowering ([`lower`]), strings ([`strings`]).
//!
//! Flat values are carried as `u64` bit patterns (`i32` and `f32`
//! zero-extended): joined variant payloads then need no coercion, since the
//! spec's coercions only reinterpret or truncate bits.

pub mod layout;
pub mod lift;
pub mod lower;
pub mod strings;

use crate::error::{Error, Result, Trap, TrapCode};
use crate::resources::HandleElem;
use crate::store::Data;
use crate::val::ResourceAny;
use compono_interp as core;

/// String encodings of `canon` options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringEncoding {
    #[default]
    Utf8,
    Utf16,
    CompactUtf16,
}

/// The canonical options of one `canon lift` or `canon lower`, resolved to
/// the instance's core items.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    pub memory: Option<core::Memory>,
    pub realloc: Option<core::Func>,
    pub post_return: Option<core::Func>,
    pub encoding: StringEncoding,
}

/// What a lift or lower is part of (CanonicalABI.md `ImportCall` and
/// `ExportCall`).
pub(crate) enum Scope {
    /// Lifting a caller's arguments for a call it makes: own handles it
    /// lends are recorded to be returned when the call ends, and the
    /// borrows handed on through the host table end then too.
    Import {
        lenders: Vec<(u32, u32)>,
        host_borrows: Vec<ResourceAny>,
    },
    /// Lowering arguments into a callee: borrows count against the call.
    Export { call: usize },
    /// Lifting results or lowering results: no handles may be borrowed.
    Results,
}

/// Everything a lift or lower needs: the store, the instance whose memory
/// and handle table are used, its options, and how its resource slots map
/// to the store's resource types.
pub(crate) struct Cx<'a, T> {
    pub store: &'a mut core::Store<Data<T>>,
    pub opts: &'a Options,
    pub instance: u32,
    pub resources: &'a [u32],
    pub scope: &'a mut Scope,
}

impl<T> Cx<'_, T> {
    fn memory(&self) -> Result<core::Memory> {
        self.opts
            .memory
            .ok_or_else(|| Error::usage("the canonical options name no memory"))
    }

    pub fn memory_len(&self) -> Result<u64> {
        Ok(self.memory()?.data(&*self.store).len() as u64)
    }

    /// `len` bytes at `ptr`, or `code` when they run past the end of memory.
    pub fn bytes(&self, ptr: u32, len: u64, code: TrapCode) -> Result<&[u8]> {
        let memory = self.memory()?;
        let data = memory.data(&*self.store);
        let start = ptr as u64;
        match start.checked_add(len) {
            Some(end) if end <= data.len() as u64 => Ok(&data[start as usize..end as usize]),
            _ => Err(Trap::new(code).into()),
        }
    }

    pub fn bytes_mut(&mut self, ptr: u32, len: u64, code: TrapCode) -> Result<&mut [u8]> {
        let memory = self.memory()?;
        let data = memory.data_mut(&mut *self.store);
        let start = ptr as u64;
        match start.checked_add(len) {
            Some(end) if end <= data.len() as u64 => Ok(&mut data[start as usize..end as usize]),
            _ => Err(Trap::new(code).into()),
        }
    }

    pub fn read<const N: usize>(&self, ptr: u32) -> Result<[u8; N]> {
        let bytes = self.bytes(ptr, N as u64, TrapCode::OutOfBounds)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<()> {
        self.bytes_mut(ptr, bytes.len() as u64, TrapCode::OutOfBounds)?
            .copy_from_slice(bytes);
        Ok(())
    }

    /// Calls the instance's `realloc` and checks what it returns.
    pub fn realloc(&mut self, old: u32, old_size: u32, align: u32, new_size: u32) -> Result<u32> {
        let realloc = self
            .opts
            .realloc
            .ok_or_else(|| Error::usage("the canonical options name no realloc"))?;
        let args = [
            core::Val::I32(old as i32),
            core::Val::I32(old_size as i32),
            core::Val::I32(align as i32),
            core::Val::I32(new_size as i32),
        ];
        let mut results = [core::Val::I32(0)];
        crate::call::call_core(self.store, realloc, &args, &mut results)?;
        let ptr = results[0].i32().unwrap_or(0) as u32;
        if !ptr.is_multiple_of(align.max(1)) {
            return Err(Trap::new(TrapCode::ReallocUnaligned).into());
        }
        if ptr as u64 + new_size as u64 > self.memory_len()? {
            return Err(Trap::new(TrapCode::ReallocOutOfBounds).into());
        }
        Ok(ptr)
    }

    /// The store's id of the resource type in slot `slot`.
    pub fn resource(&self, slot: u32) -> Result<u32> {
        self.resources
            .get(slot as usize)
            .copied()
            .filter(|id| *id != u32::MAX)
            .ok_or_else(|| Error::usage("a resource type of this component is not bound"))
    }

    pub fn handles_add(&mut self, elem: HandleElem) -> Result<u32> {
        let instance = self.instance as usize;
        match self.store.data_mut().rt.instances.get_mut(instance) {
            Some(state) => state.handles.add(elem),
            None => Err(Error::usage("no such component instance")),
        }
    }
}
