//! The resources the world exports: defined by the component itself, with
//! their destructors (core exports of the main module) behind the shim,
//! since the resource types must exist before the main module that
//! implements them.

use std::collections::HashMap;

use wasm_encoder::{ComponentBuilder, ValType};
use wit_parser::{TypeId, WorldItem};

use super::ComponentInput;
use super::instances::Shim;
use super::lower::CoreFuncSource;
use super::shim::{CoreSig, ShimPlan, ShimTarget};
use crate::Error;
use crate::classify::ExportedResourceIntrinsic;
use crate::world::interface_resources;

/// An exported resource and the shim slot of its destructor, if it has
/// one.
pub struct ExportedResource {
    ty: TypeId,
    dtor_slot: Option<usize>,
}

/// Every resource of an exported interface, giving each destructor a shim
/// slot.
pub fn exported_resources(
    input: &ComponentInput<'_, '_>,
    shim: &mut ShimPlan<'_>,
) -> Vec<ExportedResource> {
    let resolve = input.resolve;
    let mut resources = Vec::new();
    for item in resolve.worlds[input.world].exports.values() {
        if let WorldItem::Interface { id, .. } = item {
            for ty in interface_resources(resolve, *id) {
                let dtor_slot = input.classified.dtors.get(&ty).map(|core_export| {
                    shim.push(
                        CoreSig {
                            params: vec![ValType::I32],
                            results: vec![],
                        },
                        format!("dtor-{}", resolve.types[ty].name.as_deref().unwrap_or("")),
                        ShimTarget::Dtor {
                            core_export: core_export.clone(),
                        },
                    )
                });
                resources.push(ExportedResource { ty, dtor_slot });
            }
        }
    }
    resources
}

/// Defines the exported resource types, then the intrinsics of theirs that
/// the main module imports; returns the component type index of each.
pub fn define_resources(
    c: &mut ComponentBuilder,
    input: &ComponentInput<'_, '_>,
    resources: &[ExportedResource],
    shim: &Shim,
    sources: &mut [Vec<CoreFuncSource>],
) -> Result<HashMap<TypeId, u32>, Error> {
    let mut local_resources: HashMap<TypeId, u32> = HashMap::new();
    for resource in resources {
        let dtor = resource.dtor_slot.map(|s| shim.funcs[s]);
        let name = input.resolve.types[resource.ty].name.as_deref();
        let index = c.type_resource(
            name.and_then(|n| input.debug(n)).as_deref(),
            ValType::I32,
            dtor,
        );
        local_resources.insert(resource.ty, index);
    }
    for source in sources.iter_mut().flatten() {
        let CoreFuncSource::Exported(resource, which) = *source else {
            continue;
        };
        let ty = *local_resources.get(&resource).ok_or_else(|| {
            Error::Unsupported("a resource intrinsic of a resource that is not exported".into())
        })?;
        let f = match which {
            ExportedResourceIntrinsic::New => c.resource_new(ty),
            ExportedResourceIntrinsic::Rep => c.resource_rep(ty),
            ExportedResourceIntrinsic::Drop => c.resource_drop(ty),
        };
        *source = CoreFuncSource::Ready(f);
    }
    Ok(local_resources)
}
