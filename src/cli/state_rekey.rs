//! `infra state rekey --env E [--keep-data-key]`: re-encrypts the state at rest with a new data
//! key wrapped by the current version of the configured key (after `az keyvault key rotate`, or
//! a new key file or key setting); `--keep-data-key` only re-wraps the data key in use. Any
//! journal left by a crashed apply is folded in first, so what is written is the whole state;
//! the previous file is kept as `.bak`. Exit 0 / 1.

use super::output::Output;
use super::run::{self as shared, fail};
use infra::state::StateStore;
use std::path::PathBuf;

pub fn rekey(store: &StateStore, env: &str, keep_data_key: bool, out: &Output) -> Result<(), u8> {
    let path = PathBuf::from(store.location());
    // Refuse before taking the lock when nothing is configured.
    if !store.crypt().enabled() {
        return Err(fail(
            store
                .crypt()
                .rekey(keep_data_key, &path)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ));
    }
    let _lock = shared::lock(store, "state rekey", out)?;
    let loaded = store.load().map_err(fail)?;
    if loaded.recovered > 0 {
        out.info(&format!(
            "folded {} record(s) from the journal of an apply that did not complete",
            loaded.recovered
        ));
    }
    let (old, new) = store.crypt().rekey(keep_data_key, &path).map_err(fail)?;
    store.save(&loaded.state).map_err(fail)?;
    let what = if keep_data_key {
        "the same data key, re-wrapped"
    } else {
        "a new data key"
    };
    let was = match old {
        Some(o) => format!(" (it was wrapped by {o})"),
        None => String::new(),
    };
    out.info(&format!(
        "Re-encrypted the state of `{env}` ({}) with {what} by {new}{was}; the previous file is \
         kept as its .bak, readable while the old key exists.",
        store.location()
    ));
    Ok(())
}
