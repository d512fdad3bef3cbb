//! Azure Resource Manager resource types as data, from Microsoft's generated type data
//! (names, types, flags and constraints only), compressed into `data/azure-types.bin` by
//! `gen-azure-types` and embedded. Lookups inflate only the chunk they need, once.

mod catalog;
mod codec;
pub mod generate;
mod model;
mod suggest;
mod validate;

pub use catalog::{Catalog, Resolved, catalog};
pub use model::{Prop, ResourceType, TypeDef, TypeIdx, flags};
pub use suggest::{closest_name, distance};
pub use validate::{Severity, Violation, ViolationKind, describe, validate};

/// The embedded data file, for size reports and the "data is current" check.
pub fn data_bytes() -> &'static [u8] {
    catalog::data()
}
