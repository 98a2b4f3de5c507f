//! Runtime pieces the generated bindings call through `runtime_path`
//! (`::compono_guest::rt` by default). Not a stable API for hand-written
//! code: its shape follows what the generators emit.

use alloc::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicU32, Ordering};

pub use alloc::boxed::Box;
pub use alloc::string::String;
pub use alloc::vec::Vec;

/// Keeps `cabi_realloc` in the final binary: the generated code calls this
/// from every export, so the object defining the export is always linked.
#[inline(never)]
pub fn maybe_link_cabi_realloc() {
    #[cfg(target_arch = "wasm32")]
    {
        let f: unsafe extern "C" fn(*mut u8, usize, usize, usize) -> *mut u8 = crate::cabi_realloc;
        core::hint::black_box(f);
    }
}

/// `cabi_realloc`'s behaviour: a zero-sized request gets a dangling,
/// aligned pointer; allocation failure aborts, since the canonical ABI has
/// no way to report it.
///
/// # Safety
/// `old_ptr`/`old_len`/`align` describe an allocation made by this function
/// (or `old_len == 0`), and `align` is a power of two.
pub unsafe fn realloc(old_ptr: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    let Ok(layout) = Layout::from_size_align(new_len, align) else {
        abort()
    };
    if new_len == 0 {
        return align as *mut u8;
    }
    let ptr = if old_len == 0 {
        unsafe { alloc::alloc::alloc(layout) }
    } else {
        let Ok(old) = Layout::from_size_align(old_len, align) else {
            abort()
        };
        unsafe { alloc::alloc::realloc(old_ptr, old, new_len) }
    };
    if ptr.is_null() {
        abort()
    }
    ptr
}

/// Allocates `size` bytes aligned to `align` (a dangling pointer for zero).
///
/// # Safety
/// `align` is a power of two.
pub unsafe fn alloc(size: usize, align: usize) -> *mut u8 {
    unsafe { realloc(core::ptr::null_mut(), 0, align, size) }
}

/// Frees what `alloc`/`cabi_realloc` returned for the same size and align.
///
/// # Safety
/// `ptr` came from `alloc` or `cabi_realloc` with exactly this size/align.
pub unsafe fn dealloc(ptr: *mut u8, size: usize, align: usize) {
    if size == 0 {
        return;
    }
    let Ok(layout) = Layout::from_size_align(size, align) else {
        abort()
    };
    unsafe { alloc::alloc::dealloc(ptr, layout) }
}

/// Copies `bytes` into a fresh allocation handed to the other side, which
/// gives it back through a post-return function.
pub fn copy_out(bytes: &[u8], align: usize) -> *mut u8 {
    unsafe {
        let ptr = alloc(bytes.len(), align);
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len());
        ptr
    }
}

/// Takes ownership of a list the other side allocated with
/// `cabi_realloc(_, _, align_of::<T>(), len * size_of::<T>())`.
///
/// # Safety
/// As above, and the bytes are valid `T`s.
pub unsafe fn list_lift<T>(ptr: *mut u8, len: usize) -> Vec<T> {
    if len == 0 {
        return Vec::new();
    }
    unsafe { Vec::from_raw_parts(ptr.cast::<T>(), len, len) }
}

/// Takes ownership of a string the other side allocated.
///
/// # Safety
/// As `list_lift`; the component model guarantees UTF-8.
pub unsafe fn string_lift(ptr: *mut u8, len: usize) -> String {
    let bytes = unsafe { list_lift::<u8>(ptr, len) };
    if cfg!(debug_assertions) {
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => abort(),
        }
    } else {
        unsafe { String::from_utf8_unchecked(bytes) }
    }
}

pub fn bool_lift_i32(value: i32) -> bool {
    value != 0
}

pub fn bool_lift(value: u8) -> bool {
    value != 0
}

/// # Safety
/// The component model guarantees a valid scalar value.
pub unsafe fn char_lift(value: u32) -> char {
    if cfg!(debug_assertions) {
        match char::from_u32(value) {
            Some(c) => c,
            None => abort(),
        }
    } else {
        unsafe { char::from_u32_unchecked(value) }
    }
}

/// A discriminant out of range: the host broke the canonical ABI.
#[cold]
pub fn invalid_discriminant() -> ! {
    abort()
}

/// What the bindings do when the other side broke the ABI's contract.
#[cold]
pub fn abort() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    unreachable!("canonical ABI contract violated")
}

/// Stand-in for an imported function on non-wasm targets, where the
/// bindings must compile (for `cargo check` and IDEs) but cannot run.
#[cold]
pub fn import_on_native(name: &str) -> ! {
    unreachable!("`{name}` is a component import; it can only be called on wasm32")
}

/// How a resource type drops a handle it owns: `[resource-drop]r`.
///
/// # Safety
/// `drop` must be the drop intrinsic of the handle's resource type.
pub unsafe trait WasmResource {
    /// # Safety
    /// `handle` is an owned handle of this resource type, dropped once.
    unsafe fn drop(handle: u32);
}

const TAKEN: u32 = u32::MAX;

/// An owned handle. Atomic so that lowering an `own<R>` can take the handle
/// through a shared reference (the value itself is dropped later, as a
/// no-op) without the bindings needing to move it out of its container.
#[repr(transparent)]
pub struct Resource<T: WasmResource> {
    handle: AtomicU32,
    _marker: PhantomData<T>,
}

impl<T: WasmResource> Resource<T> {
    /// # Safety
    /// `handle` is owned by the caller and passed on here.
    pub unsafe fn from_handle(handle: u32) -> Self {
        debug_assert!(handle != TAKEN);
        Resource {
            handle: AtomicU32::new(handle),
            _marker: PhantomData,
        }
    }

    /// Gives up ownership: dropping `resource` afterwards does nothing.
    pub fn take_handle(resource: &Resource<T>) -> u32 {
        resource.handle.swap(TAKEN, Ordering::Relaxed)
    }

    pub fn handle(resource: &Resource<T>) -> u32 {
        resource.handle.load(Ordering::Relaxed)
    }
}

impl<T: WasmResource> fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource")
            .field("handle", &self.handle)
            .finish()
    }
}

impl<T: WasmResource> Drop for Resource<T> {
    fn drop(&mut self) {
        let handle = *self.handle.get_mut();
        if handle != TAKEN {
            unsafe { T::drop(handle) }
        }
    }
}

/// Where an exported resource's value lives: `rep` is a pointer to this
/// box. `None` once `into_inner` took the value out.
pub type Rep<T> = Option<T>;

/// Boxes `value` and returns the rep handed to `[resource-new]`.
pub fn rep_new<T>(value: T) -> u32 {
    Box::into_raw(Box::new(Some(value))) as usize as u32
}

/// # Safety
/// `rep` came from `rep_new::<T>` and was not freed yet.
pub unsafe fn rep_get<'a, T>(rep: u32) -> &'a T {
    match unsafe { &*(rep as usize as *const Rep<T>) } {
        Some(value) => value,
        None => abort(),
    }
}

/// # Safety
/// As `rep_get`, with no other reference to the value alive.
pub unsafe fn rep_take<T>(rep: u32) -> T {
    match unsafe { (*(rep as usize as *mut Rep<T>)).take() } {
        Some(value) => value,
        None => abort(),
    }
}

/// The destructor: frees the box.
///
/// # Safety
/// `rep` came from `rep_new::<T>`; called once.
pub unsafe fn rep_drop<T>(rep: u32) {
    drop(unsafe { Box::from_raw(rep as usize as *mut Rep<T>) })
}
