//! A declaration's item, shared with the parsed file it is in rather than copied out of it:
//! a copy of every item was a quarter of `validate`'s peak memory at 20,000 resources and a
//! quarter of each language-server check of a 20,000-line file.

use crate::syntax::ast;
use std::sync::Arc;

/// The `index`th item of `file`.
#[derive(Clone)]
pub(crate) struct ItemRef {
    file: Arc<ast::File>,
    /// Always an index into `file.items` (checked by `new`).
    index: usize,
}

impl ItemRef {
    /// `None` if `index` is not an item of `file`.
    pub fn new(file: &Arc<ast::File>, index: usize) -> Option<ItemRef> {
        file.items.get(index)?;
        Some(ItemRef {
            file: Arc::clone(file),
            index,
        })
    }
}

impl std::ops::Deref for ItemRef {
    type Target = ast::Item;
    fn deref(&self) -> &ast::Item {
        &self.file.items[self.index]
    }
}

impl std::fmt::Debug for ItemRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
