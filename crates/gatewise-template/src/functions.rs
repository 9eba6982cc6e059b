//! The template's functions, found by logical id or deployed name in constant time.
//!
//! Every route of every API names its function (SAM's `x-gatewise-function`, an integration
//! `uri`); finding it by scanning the list made a template with tens of thousands of routes
//! quadratic to load.

use std::collections::HashMap;
use std::ops::Deref;

use gatewise_model::Function;

/// The functions of a stack, in template order, with lookups by logical id and by name. It
/// dereferences to the slice, so `functions[i]` and `functions.iter()` read as before.
pub struct Functions<'a> {
    list: &'a [Function],
    by_logical_id: HashMap<&'a str, usize>,
    by_name: HashMap<&'a str, usize>,
}

impl<'a> Functions<'a> {
    pub fn new(list: &'a [Function]) -> Self {
        let mut by_logical_id = HashMap::with_capacity(list.len());
        let mut by_name = HashMap::with_capacity(list.len());
        for (i, f) in list.iter().enumerate() {
            // The first of two equal names wins, as a scan from the start would find it.
            by_logical_id.entry(f.logical_id.as_str()).or_insert(i);
            by_name.entry(f.name.as_str()).or_insert(i);
        }
        Self {
            list,
            by_logical_id,
            by_name,
        }
    }

    /// The index of the function with this logical id.
    pub fn by_logical_id(&self, id: &str) -> Option<usize> {
        self.by_logical_id.get(id).copied()
    }

    /// The index of the function with this deployed name (`FunctionName`, or the generated one).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

impl Deref for Functions<'_> {
    type Target = [Function];

    fn deref(&self) -> &[Function] {
        self.list
    }
}
