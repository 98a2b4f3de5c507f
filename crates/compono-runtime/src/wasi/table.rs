//! The WASI host's resources: one table whose indices are the
//! representations of the host resource types the guest holds handles
//! to. An entry may have a parent (a pollable watching a stream); a parent
//! cannot be deleted while it has children, as wasmtime's resource table
//! enforces.

use super::filesystem::{Descriptor, DirEntries};
use super::io::{InputStream, IoError, OutputStream, Pollable};
use crate::error::{Error, Result, Trap};
use crate::val::ResourceType;

/// Marker types naming the WASI resource types (their `TypeId`s are the
/// resource types' identities).
pub(crate) mod ty {
    pub struct Descriptor;
    pub struct DirectoryEntryStream;
    pub struct InputStream;
    pub struct OutputStream;
    pub struct Pollable;
    pub struct Error;
    pub struct TerminalInput;
    pub struct TerminalOutput;
    pub struct Network;
    pub struct TcpSocket;
    pub struct UdpSocket;
    pub struct IncomingDatagramStream;
    pub struct OutgoingDatagramStream;
    pub struct ResolveAddressStream;
}

/// Anything the guest holds a handle to.
pub(crate) enum Resource {
    Descriptor(Descriptor),
    DirEntries(DirEntries),
    Input(InputStream),
    Output(OutputStream),
    Pollable(Pollable),
    Error(IoError),
    TerminalInput,
    TerminalOutput,
    Network,
}

impl Resource {
    /// The resource type a handle to this entry has.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Resource::Descriptor(_) => ResourceType::host::<ty::Descriptor>(),
            Resource::DirEntries(_) => ResourceType::host::<ty::DirectoryEntryStream>(),
            Resource::Input(_) => ResourceType::host::<ty::InputStream>(),
            Resource::Output(_) => ResourceType::host::<ty::OutputStream>(),
            Resource::Pollable(_) => ResourceType::host::<ty::Pollable>(),
            Resource::Error(_) => ResourceType::host::<ty::Error>(),
            Resource::TerminalInput => ResourceType::host::<ty::TerminalInput>(),
            Resource::TerminalOutput => ResourceType::host::<ty::TerminalOutput>(),
            Resource::Network => ResourceType::host::<ty::Network>(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Resource::Descriptor(_) => "descriptor",
            Resource::DirEntries(_) => "directory-entry-stream",
            Resource::Input(_) => "input-stream",
            Resource::Output(_) => "output-stream",
            Resource::Pollable(_) => "pollable",
            Resource::Error(_) => "error",
            Resource::TerminalInput => "terminal-input",
            Resource::TerminalOutput => "terminal-output",
            Resource::Network => "network",
        }
    }
}

struct Entry {
    value: Resource,
    parent: Option<u32>,
    children: u32,
}

pub(crate) struct Table {
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    live: usize,
    max: usize,
}

/// wasmtime's default bound on live resources per store.
pub(crate) const DEFAULT_MAX_RESOURCES: usize = 1 << 20;

fn trap(message: impl Into<String>) -> Error {
    Error::Trap(Trap::host(message))
}

impl Table {
    pub fn new(max: usize) -> Table {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            max,
        }
    }

    /// Adds an entry (a child of `parent`, if given); its index is the
    /// representation of the guest's handle.
    pub fn push(&mut self, value: Resource, parent: Option<u32>) -> Result<u32> {
        if self.live >= self.max {
            return Err(trap(format!(
                "the guest holds more than {} WASI resources",
                self.max
            )));
        }
        if let Some(p) = parent {
            self.entry_mut(p)?.children += 1;
        }
        let entry = Entry {
            value,
            parent,
            children: 0,
        };
        self.live += 1;
        Ok(match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(entry);
                i
            }
            None => {
                self.slots.push(Some(entry));
                self.slots.len() as u32 - 1
            }
        })
    }

    fn entry_mut(&mut self, rep: u32) -> Result<&mut Entry> {
        self.slots
            .get_mut(rep as usize)
            .and_then(Option::as_mut)
            .ok_or_else(|| trap(format!("unknown WASI resource {rep}")))
    }

    pub fn get_mut(&mut self, rep: u32) -> Result<&mut Resource> {
        Ok(&mut self.entry_mut(rep)?.value)
    }

    /// Removes an entry when the guest drops its handle. Trapping when it
    /// still has children is what keeps a pollable from outliving the
    /// stream it watches.
    pub fn delete(&mut self, rep: u32) -> Result<Resource> {
        let entry = self.entry_mut(rep)?;
        if entry.children > 0 {
            let kind = entry.value.kind();
            return Err(trap(format!(
                "cannot drop this {kind}: resources made from it (a pollable from `subscribe`) are still alive"
            )));
        }
        let entry = self.slots[rep as usize].take().expect("checked above");
        self.free.push(rep);
        self.live -= 1;
        if let Some(parent) = entry.parent
            && let Ok(parent) = self.entry_mut(parent)
        {
            parent.children -= 1;
        }
        Ok(entry.value)
    }
}

/// Typed accessors: the entry at `rep` as one kind of resource, or a trap
/// (which a guest can only cause through a host bug, since the canonical
/// ABI checks handle types).
macro_rules! accessor {
    ($name:ident, $variant:ident, $ty:ty) => {
        impl Table {
            pub fn $name(&mut self, rep: u32) -> Result<&mut $ty> {
                match self.get_mut(rep)? {
                    Resource::$variant(value) => Ok(value),
                    other => Err(trap(format!(
                        "WASI resource {rep} is a {}, not a {}",
                        other.kind(),
                        stringify!($variant)
                    ))),
                }
            }
        }
    };
}

accessor!(descriptor, Descriptor, Descriptor);
accessor!(dir_entries, DirEntries, DirEntries);
accessor!(input, Input, InputStream);
accessor!(output, Output, OutputStream);
accessor!(pollable, Pollable, Pollable);
accessor!(error, Error, IoError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_outlive_children_and_indices_are_reused() {
        let mut table = Table::new(10);
        let stream = table.push(Resource::Network, None).unwrap();
        let child = table.push(Resource::TerminalInput, Some(stream)).unwrap();
        assert!(table.delete(stream).is_err());
        table.delete(child).unwrap();
        assert!(table.delete(child).is_err());
        table.delete(stream).unwrap();
        assert_eq!(table.push(Resource::Network, None).unwrap(), stream);
    }

    #[test]
    fn the_number_of_live_resources_is_bounded() {
        let mut table = Table::new(2);
        table.push(Resource::Network, None).unwrap();
        let second = table.push(Resource::Network, None).unwrap();
        assert!(table.push(Resource::Network, None).is_err());
        table.delete(second).unwrap();
        table.push(Resource::Network, None).unwrap();
    }
}
