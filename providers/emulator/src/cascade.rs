//! Deleting a resource deletes what is inside it, and each object inside goes the way its own
//! delete would: a Key Vault deleted with its resource group is soft-deleted (its name stays
//! reserved until purged), as in Azure.

use crate::store::{Entry, State};
use crate::types::kind_for_id;

/// Removes `id` and everything under it, running each child's own after-delete rule. Returns
/// the removed resource itself.
pub(crate) fn remove_tree(st: &mut State, id: &str) -> Option<Entry> {
    let children: Vec<Entry> = st.under(id).cloned().collect();
    let removed = st.remove_tree(id);
    for child in &children {
        kind_for_id(child.id()).after_delete(child, st);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::remove_tree;
    use crate::store::{Entry, State};
    use serde_json::json;

    #[test]
    fn a_vault_deleted_with_its_group_is_soft_deleted_and_its_sibling_gone() {
        let rg = "/subscriptions/s/resourceGroups/g";
        let mut st = State::default();
        st.insert(Entry::new(json!({"id": rg, "name": "g"})));
        st.insert(Entry::new(json!({
            "id": format!("{rg}/providers/Microsoft.KeyVault/vaults/kv1"),
            "name": "kv1", "location": "westeurope", "properties": {}
        })));
        st.insert(Entry::new(json!({
            "id": format!("{rg}/providers/Microsoft.Network/dnsZones/z.example"),
            "name": "z.example"
        })));
        assert!(remove_tree(&mut st, rg).is_some());
        assert!(st.resources.is_empty());
        assert!(st.deleted_vaults.contains_key("kv1"));
    }
}
