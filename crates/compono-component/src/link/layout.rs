//! Where everything goes in the shared memory and table.
//!
//! Memory: the stack at the bottom (growing down from `stack_size`), then
//! each library's data at its aligned `__memory_base`, in load order, then
//! the linker's own data (the `dlopen` table), then the heap from
//! `__heap_base`. Table: slot 0 stays null; each library's slice at its
//! aligned `__table_base`, then one slot per function whose address is
//! taken (`GOT.func`, `dlsym`) or that a library calls before its own
//! library is instantiated.

use indexmap::IndexSet;

use super::dylink::MemInfo;
use super::error::LinkError;
use super::resolve::FuncProvider;

pub const PAGE_SIZE: u32 = 65536;
/// LLVM's default stack size.
pub const DEFAULT_STACK_SIZE: u32 = 16 * PAGE_SIZE;
const HEAP_ALIGN: u32 = 16;
const STACK_ALIGN: u32 = 16;

/// A function that needs a table slot: who provides it, under which name.
pub type SlotFunc = (FuncProvider, String);

pub struct Layout {
    pub stack_size: u32,
    /// Each library's `__memory_base` and `__table_base`, by library index
    /// (0 for libraries left out).
    pub memory_base: Vec<u32>,
    pub table_base: Vec<u32>,
    /// The end of the libraries' data: where the linker's data goes.
    pub data_end: u32,
    /// The first slot after the libraries' slices.
    pub slots_start: u32,
}

fn align(value: u32, align_log2: u32, what: &str) -> Result<u32, LinkError> {
    let align = 1u32
        .checked_shl(align_log2)
        .filter(|_| align_log2 < 32)
        .ok_or_else(|| {
            LinkError::Layout(format!("{what}: alignment 2^{align_log2} is too large"))
        })?;
    value
        .checked_add(align - 1)
        .map(|v| v & !(align - 1))
        .ok_or_else(|| overflow(what))
}

fn overflow(what: &str) -> LinkError {
    LinkError::Layout(format!(
        "{what}: the libraries need more than 4 GiB of memory (or 2^32 table slots)"
    ))
}

/// Lays out the libraries in `order` (indices into `mem_info`, named by
/// `names` for errors).
pub fn layout(
    order: &[usize],
    mem_info: &[MemInfo],
    names: &[&str],
    stack_size: u32,
) -> Result<Layout, LinkError> {
    let stack_size = align(stack_size, STACK_ALIGN.trailing_zeros(), "the stack")?;
    let mut memory = stack_size;
    // Slot 0 is the null function pointer, as with wasm-ld.
    let mut table = 1u32;
    let mut memory_base = vec![0; mem_info.len()];
    let mut table_base = vec![0; mem_info.len()];
    for &library in order {
        let (Some(info), Some(name)) = (mem_info.get(library), names.get(library)) else {
            continue;
        };
        memory = align(memory, info.memory_align_log2, name)?;
        table = align(table, info.table_align_log2, name)?;
        memory_base[library] = memory;
        table_base[library] = table;
        memory = memory
            .checked_add(info.memory_size)
            .ok_or_else(|| overflow(name))?;
        table = table
            .checked_add(info.table_size)
            .ok_or_else(|| overflow(name))?;
    }
    Ok(Layout {
        stack_size,
        memory_base,
        table_base,
        data_end: memory,
        slots_start: table,
    })
}

/// The heap and the memory's size, once `linker_data` bytes follow the
/// libraries: `(heap_base, heap_end, pages)`.
pub fn heap(layout: &Layout, linker_data: u32) -> Result<(u32, u32, u32), LinkError> {
    let end = layout
        .data_end
        .checked_add(linker_data)
        .ok_or_else(|| overflow("the linker's data"))?;
    let heap_base = align(end, HEAP_ALIGN.trailing_zeros(), "the heap")?;
    let heap_end = align(heap_base, PAGE_SIZE.trailing_zeros(), "the heap")?;
    Ok((heap_base, heap_end, heap_end / PAGE_SIZE))
}

/// The table slot of each function that needs one, from `slots_start` on.
pub struct Slots {
    start: u32,
    funcs: IndexSet<SlotFunc>,
}

impl Slots {
    pub fn new(start: u32) -> Self {
        Slots {
            start,
            funcs: IndexSet::new(),
        }
    }

    /// The slot of `func`, given one if it has none yet.
    pub fn slot(&mut self, func: SlotFunc) -> Result<u32, LinkError> {
        let (index, _) = self.funcs.insert_full(func);
        u32::try_from(index)
            .ok()
            .and_then(|i| self.start.checked_add(i))
            .ok_or_else(|| overflow("the function table"))
    }

    /// Every function with a slot, in slot order from [`Slots::start`].
    pub fn funcs(&self) -> impl Iterator<Item = &SlotFunc> {
        self.funcs.iter()
    }

    pub fn start(&self) -> u32 {
        self.start
    }

    /// The table's size.
    pub fn end(&self) -> u32 {
        self.start.saturating_add(self.funcs.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(memory_size: u32, memory_align_log2: u32, table_size: u32) -> MemInfo {
        MemInfo {
            memory_size,
            memory_align_log2,
            table_size,
            table_align_log2: 0,
        }
    }

    #[test]
    fn libraries_follow_the_stack_aligned() {
        let infos = [info(10, 2, 3), info(100, 4, 0)];
        let l = layout(&[1, 0], &infos, &["a", "b"], 1000).unwrap();
        assert_eq!(l.stack_size, 1008);
        assert_eq!(l.memory_base, vec![1108, 1008]);
        assert_eq!(l.table_base, vec![1, 1]);
        assert_eq!(l.data_end, 1118);
        assert_eq!(l.slots_start, 4);
        let (heap_base, heap_end, pages) = heap(&l, 6).unwrap();
        assert_eq!((heap_base, heap_end, pages), (1136, 65536, 1));
    }

    #[test]
    fn overflow_is_an_error() {
        let infos = [info(u32::MAX, 0, 0)];
        assert!(layout(&[0], &infos, &["a"], 16).is_err());
        let infos = [info(1, 40, 0)];
        assert!(layout(&[0], &infos, &["a"], 16).is_err());
    }
}
