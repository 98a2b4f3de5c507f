//! Linear memories.
//!
//! A memory reserves, when it is created, the most it may ever grow to (its
//! declared maximum, capped by the store's limit) as one zeroed allocation.
//! The operating system maps the pages of such an allocation only when
//! they are first touched, so a memory costs what its guest uses, however
//! large its minimum, and growing it within the reservation moves nothing.
//! Where the reservation cannot be made, the memory holds its current size
//! and a grow reallocates.

use crate::error::{Error, Result};
use crate::exec::unchecked::zeroed_bytes;
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::MemoryType;

pub const PAGE_SIZE: usize = 65536;
/// The most pages a 32-bit memory can address.
const MAX_PAGES: u64 = 65536;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

pub(crate) struct LinearMemory {
    pub ty: MemoryType,
    /// The reservation: the memory is its first `len` bytes, the rest are
    /// zero.
    pub data: Box<[u8]>,
    pub len: usize,
}

impl LinearMemory {
    /// A memory of `ty.limits.min` pages, or `None` if that exceeds the
    /// type's maximum or `limit_pages`, or cannot be allocated.
    pub fn new(ty: MemoryType, limit_pages: u64) -> Option<LinearMemory> {
        let cap = max_pages(&ty, limit_pages);
        if ty.limits.min > cap {
            return None;
        }
        let len = usize::try_from(ty.limits.min)
            .ok()?
            .checked_mul(PAGE_SIZE)?;
        let reserve = usize::try_from(cap).ok()?.checked_mul(PAGE_SIZE)?;
        let data = zeroed_bytes(reserve).or_else(|| zeroed_bytes(len))?;
        Some(LinearMemory { ty, data, len })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.data[..self.len]
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data[..self.len]
    }

    pub fn pages(&self) -> u64 {
        (self.len / PAGE_SIZE) as u64
    }

    /// `memory.grow`: the old size in pages, or `None` if growth is refused.
    pub fn grow(&mut self, delta: u64, limit_pages: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > max_pages(&self.ty, limit_pages) {
            return None;
        }
        let new_len = usize::try_from(new).ok()?.checked_mul(PAGE_SIZE)?;
        if new_len > self.data.len() {
            let mut data = zeroed_bytes(new_len)?;
            data[..self.len].copy_from_slice(&self.data[..self.len]);
            self.data = data;
        }
        // Bytes past `len` were never written: they are still zero.
        self.len = new_len;
        Some(old)
    }
}

fn max_pages(ty: &MemoryType, limit_pages: u64) -> u64 {
    ty.limits
        .max
        .unwrap_or(MAX_PAGES)
        .min(MAX_PAGES)
        .min(limit_pages)
}

impl Memory {
    /// Creates a memory of `ty.limits.min` zeroed pages.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.as_context_mut();
        let memory =
            LinearMemory::new(ty, store.inner.limits.max_memory_pages).ok_or_else(|| {
                Error::Usage(format!("cannot create memory of {} pages", ty.limits.min))
            })?;
        store.inner.memories.push(memory);
        Ok(Memory {
            store: store.inner.id,
            index: store.inner.memories.len() as u32 - 1,
        })
    }

    fn data_in<'a, T>(&self, store: &'a crate::Store<T>) -> &'a LinearMemory {
        store.inner.assert_owns(self.store, "memory");
        &store.inner.memories[self.index as usize]
    }

    /// The type with the current size as its minimum.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let m = self.data_in(store.as_context());
        let mut ty = m.ty;
        ty.limits.min = m.pages();
        ty
    }

    /// Size in pages.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.data_in(store.as_context()).pages()
    }

    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data<'a, T: 'a>(&self, store: &'a impl AsContext<Data = T>) -> &'a [u8] {
        self.data_in(store.as_context()).bytes()
    }

    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut impl AsContextMut<Data = T>) -> &'a mut [u8] {
        let store = store.as_context_mut();
        store.inner.assert_owns(self.store, "memory");
        store.inner.memories[self.index as usize].bytes_mut()
    }

    /// Grows by `delta` pages; returns the old size, or an error when the
    /// memory's maximum or the store's limit would be exceeded.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(self.store, "memory")?;
        let limit = inner.limits.max_memory_pages;
        inner.memories[self.index as usize]
            .grow(delta, limit)
            .ok_or_else(|| Error::Usage(format!("failed to grow memory by {delta} pages")))
    }

    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let store = store.as_context();
        store.inner.check(self.store, "memory")?;
        let bytes = store.inner.memories[self.index as usize].bytes();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| bytes.get(offset..end))
            .ok_or_else(|| Error::Usage("memory read out of bounds".into()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(self.store, "memory")?;
        let bytes = inner.memories[self.index as usize].bytes_mut();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| bytes.get_mut(offset..end))
            .ok_or_else(|| Error::Usage("memory write out of bounds".into()))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}
