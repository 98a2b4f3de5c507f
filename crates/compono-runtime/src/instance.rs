//! An instantiated component, as the embedder sees it: its exports.

use crate::func::Func;
use crate::instantiate::{Item, Items};
use crate::store::AsContext;
use crate::val::{ResourceType, ResourceTypeKind};
use std::sync::Arc;

/// A component instance.
#[derive(Clone, Debug)]
pub struct Instance {
    pub(crate) exports: Arc<Items>,
}

impl Instance {
    /// The exported function `name`: a function the component exports
    /// itself (`add`), or one of an exported interface, as
    /// `interface#name` (`my:pkg/iface@1.0.0#add`). The interface's
    /// version may be left out when only one version is exported.
    pub fn get_func(&self, _store: impl AsContext, name: &str) -> Option<Func> {
        match self.lookup(name)? {
            Item::Func(f) => Some(Func(*f)),
            _ => None,
        }
    }

    /// The exported resource type `name` (or `interface#name`).
    pub fn get_resource(&self, _store: impl AsContext, name: &str) -> Option<ResourceType> {
        match self.lookup(name)? {
            Item::Resource(rt) => Some(ResourceType(ResourceTypeKind::Guest(*rt))),
            _ => None,
        }
    }

    /// Every exported function, as [`Instance::get_func`] names it.
    pub fn func_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (name, item) in self.exports.iter() {
            match item {
                Item::Func(_) => names.push(name.to_string()),
                Item::Instance(items) => {
                    for (inner, item) in items.iter() {
                        if matches!(item, Item::Func(_)) {
                            names.push(format!("{name}#{inner}"));
                        }
                    }
                }
                _ => {}
            }
        }
        names
    }

    fn lookup(&self, name: &str) -> Option<&Item> {
        let Some((interface, item)) = name.rsplit_once('#') else {
            return self.exports.get(name);
        };
        let instance = match self.exports.get(interface) {
            Some(found) => found,
            None => {
                // An interface named without its version.
                let mut candidates = self
                    .exports
                    .iter()
                    .filter(|(n, _)| n.split_once('@').is_some_and(|(base, _)| base == interface));
                let (_, found) = candidates.next()?;
                if candidates.next().is_some() {
                    return None;
                }
                found
            }
        };
        match instance {
            Item::Instance(items) => items.get(item),
            _ => None,
        }
    }
}
