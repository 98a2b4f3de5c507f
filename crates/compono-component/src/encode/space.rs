//! A real component under construction as a space that
//! `compono_wit::Scope` fills, so that imports and lifted functions get
//! their types from the same encoder as `component-type` sections.

use std::collections::HashMap;

use compono_wit::{Binding, ComponentSpace, TypeSpace};
use wasm_encoder::{
    Alias, ComponentBuilder, ComponentExportKind, ComponentExternName, ComponentTypeEncoder,
    ComponentTypeRef, TypeBounds,
};

/// A component under construction, as a space `Scope` can fill.
pub struct ComponentSpaceBuilder {
    pub component: ComponentBuilder,
    /// `--import-name` renames of instance imports.
    pub renames: HashMap<String, String>,
    /// The index of the last item imported through `bind`.
    pub last_import: u32,
}

impl TypeSpace for ComponentSpaceBuilder {
    fn ty(&mut self) -> ComponentTypeEncoder<'_> {
        self.component.ty(None).1
    }
    fn type_count(&self) -> u32 {
        self.component.type_count()
    }
    fn alias(&mut self, alias: Alias<'_>) {
        self.component.alias(None, alias);
    }
    fn bind(&mut self, binding: Binding, name: ComponentExternName<'_>, ty: ComponentTypeRef) {
        match binding {
            Binding::Import => {
                // A rename replaces the whole name (a version suffix too).
                let name = match (&ty, self.renames.get(name.name.as_ref())) {
                    (ComponentTypeRef::Instance(_), Some(new)) => {
                        ComponentExternName::from(new.as_str())
                    }
                    _ => name,
                };
                self.last_import = self.component.import(name, ty);
            }
            Binding::Export => {
                // Only named types are bound by export in a real component
                // (world-level types of exported functions).
                if let ComponentTypeRef::Type(TypeBounds::Eq(index)) = ty {
                    self.component
                        .export(name, ComponentExportKind::Type, index, None);
                }
            }
            Binding::Local => {}
        }
    }
}

impl ComponentSpace for ComponentSpaceBuilder {
    fn instance_count(&self) -> u32 {
        self.component.instance_count()
    }
}
