//! The template document as CloudFormation reads it, before any resource is interpreted: the
//! positioned value tree and its YAML / JSON parser ([`value`]), each parameter's value for this
//! run ([`parameters`]), and the local resolution of intrinsic functions and conditions
//! ([`intrinsics`]).

pub mod intrinsics;
pub mod parameters;
pub mod value;
