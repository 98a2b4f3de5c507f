//! Resource handles: each component instance's handle table, the host's
//! own table, and the resource types of a store (CanonicalABI.md "Runtime
//! State": `Table`, `HandleElem`, `ResourceType`).

use crate::error::{Result, TrapCode, trap_detail};
use crate::store::HostDtor;
use crate::val::{ResourceAny, ResourceType};

/// The canonical ABI's limit on handle indices.
const MAX_HANDLES: usize = 1 << 28;

/// One handle in an instance's table.
#[derive(Clone, Debug)]
pub(crate) struct HandleElem {
    /// The store's id of the handle's resource type.
    pub rt: u32,
    pub rep: u32,
    pub own: bool,
    /// For borrows: the export call they were lent to, whose borrow count
    /// they hold up.
    pub scope: Option<usize>,
    /// For owns: calls in progress that borrowed it.
    pub lend_count: u32,
}

/// A component instance's handles, indexed from 1, with freed indices
/// reused last-in first-out as the spec requires.
#[derive(Default)]
pub(crate) struct HandleTable {
    slots: Vec<Option<HandleElem>>,
    free: Vec<u32>,
}

impl HandleTable {
    pub fn add(&mut self, elem: HandleElem) -> Result<u32> {
        if self.slots.is_empty() {
            // Index 0 is never a valid handle.
            self.slots.push(None);
        }
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(elem);
            return Ok(i);
        }
        if self.slots.len() >= MAX_HANDLES {
            return trap_detail(TrapCode::TableFull, "too many resource handles");
        }
        self.slots.push(Some(elem));
        Ok(self.slots.len() as u32 - 1)
    }

    pub fn get(&mut self, rt: u32, index: u32) -> Result<&mut HandleElem, HandleError> {
        match self.slots.get_mut(index as usize) {
            Some(Some(elem)) if elem.rt != rt => Err(HandleError::WrongType {
                index,
                expected: rt,
                found: elem.rt,
            }),
            Some(Some(elem)) => Ok(elem),
            _ => Err(HandleError::Unknown(index)),
        }
    }

    pub fn remove(&mut self, rt: u32, index: u32) -> Result<HandleElem, HandleError> {
        self.get(rt, index)?;
        match self.slots.get_mut(index as usize).and_then(Option::take) {
            Some(elem) => {
                self.free.push(index);
                Ok(elem)
            }
            None => Err(HandleError::Unknown(index)),
        }
    }

    /// The handle at `index` whatever its type, for undoing a lend.
    pub fn get_any(&mut self, index: u32) -> Option<&mut HandleElem> {
        self.slots.get_mut(index as usize).and_then(Option::as_mut)
    }
}

/// A handle index that is not in the table, or not of the expected type;
/// turned into a trap by [`crate::store::Runtime::handle_trap`], which can
/// name the resource types.
#[derive(Clone, Copy, Debug)]
pub(crate) enum HandleError {
    Unknown(u32),
    WrongType {
        index: u32,
        expected: u32,
        found: u32,
    },
}

/// Who implements a resource type and what runs when an own handle to it
/// is dropped.
pub(crate) enum ResourceImpl<T> {
    /// Defined by a component instance (`(type (resource ...))`).
    Guest {
        instance: u32,
        dtor: Option<compono_interp::Func>,
    },
    /// Defined by the host.
    Host {
        ty: ResourceType,
        dtor: Option<HostDtor<T>>,
    },
}

/// A handle the host holds.
#[derive(Clone, Debug)]
pub(crate) struct HostHandle {
    pub rt: u32,
    pub rep: u32,
    pub own: bool,
}

/// The host's handles; entries carry a generation so a stale
/// [`ResourceAny`] is caught rather than aliasing a newer handle.
#[derive(Default)]
pub(crate) struct HostTable {
    slots: Vec<(u32, Option<HostHandle>)>,
    free: Vec<u32>,
}

impl HostTable {
    pub fn insert(&mut self, handle: HostHandle, ty: ResourceType) -> ResourceAny {
        let own = handle.own;
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push((0, None));
                self.slots.len() as u32 - 1
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.0 = slot.0.wrapping_add(1);
        slot.1 = Some(handle);
        ResourceAny {
            index,
            generation: slot.0,
            ty,
            own,
        }
    }

    pub fn get(&self, r: &ResourceAny) -> Option<&HostHandle> {
        match self.slots.get(r.index as usize) {
            Some((generation, Some(handle))) if *generation == r.generation => Some(handle),
            _ => None,
        }
    }

    pub fn remove(&mut self, r: &ResourceAny) -> Option<HostHandle> {
        let slot = self.slots.get_mut(r.index as usize)?;
        if slot.0 != r.generation || slot.1.is_none() {
            return None;
        }
        self.free.push(r.index);
        slot.1.take()
    }

    /// Ends borrows lent to a host call that has returned.
    pub fn end_borrows(&mut self, borrows: &[ResourceAny]) {
        for r in borrows {
            self.remove(r);
        }
    }
}
