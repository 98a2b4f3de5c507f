//! Linear memories.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, MemoryData};
use crate::types::MemoryType;

pub const PAGE_SIZE: usize = 65536;
/// The most pages a 32-bit memory can address.
const MAX_PAGES: u64 = 65536;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

impl Memory {
    /// Creates a memory of `ty.limits.min` zeroed pages.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.as_context_mut();
        let cap = ty.limits.max.unwrap_or(MAX_PAGES).min(MAX_PAGES);
        if ty.limits.min > cap || ty.limits.min > store.inner.limits.max_memory_pages {
            return Err(Error::Usage(format!(
                "cannot create memory of {} pages",
                ty.limits.min
            )));
        }
        let bytes = vec![0; ty.limits.min as usize * PAGE_SIZE];
        store.inner.memories.push(MemoryData { ty, bytes });
        Ok(Memory(store.inner.memories.len() as u32 - 1))
    }

    /// The type with the current size as its minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let m = &store.as_context().inner.memories[self.0 as usize];
        let mut ty = m.ty;
        ty.limits.min = (m.bytes.len() / PAGE_SIZE) as u64;
        ty
    }

    /// Size in pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        (store.as_context().inner.memories[self.0 as usize]
            .bytes
            .len()
            / PAGE_SIZE) as u64
    }

    pub fn data<'a, T: 'a>(&self, store: &'a impl AsContext<Data = T>) -> &'a [u8] {
        &store.as_context().inner.memories[self.0 as usize].bytes
    }

    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut impl AsContextMut<Data = T>) -> &'a mut [u8] {
        &mut store.as_context_mut().inner.memories[self.0 as usize].bytes
    }

    /// Grows by `delta` pages; returns the old size, or an error when the
    /// memory's maximum or the store's limit would be exceeded.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        {
            let inner = &mut store.as_context_mut().inner;
            let limit = inner.limits.max_memory_pages;
            grow_memory(&mut inner.memories[self.0 as usize], limit, delta)
        }
        .ok_or_else(|| Error::Usage(format!("failed to grow memory by {delta} pages")))
    }

    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let bytes = &store.as_context().inner.memories[self.0 as usize].bytes;
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| bytes.get(offset..end))
            .ok_or_else(|| Error::Usage("memory read out of bounds".into()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let bytes = &mut store.as_context_mut().inner.memories[self.0 as usize].bytes;
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| bytes.get_mut(offset..end))
            .ok_or_else(|| Error::Usage("memory write out of bounds".into()))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}

/// `memory.grow`: the old size in pages, or `None` if growth is refused.
pub(crate) fn grow_memory(m: &mut MemoryData, limit_pages: u64, delta: u64) -> Option<u64> {
    let old = (m.bytes.len() / PAGE_SIZE) as u64;
    let new = old.checked_add(delta)?;
    let cap =
        m.ty.limits
            .max
            .unwrap_or(MAX_PAGES)
            .min(MAX_PAGES)
            .min(limit_pages);
    if new > cap {
        return None;
    }
    let new_len = usize::try_from(new).ok()?.checked_mul(PAGE_SIZE)?;
    if m.bytes.try_reserve_exact(new_len - m.bytes.len()).is_err() {
        return None;
    }
    m.bytes.resize(new_len, 0);
    Some(old)
}
