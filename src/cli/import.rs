//! `infra import [DIR] --env E ADDR ID`: adopt an existing object into the state under an
//! address the configuration declares. The next plan shows what differs between the object and
//! the configuration. Exit 0 / 1.

use super::output::Output;
use super::run::{self as shared, StateResolver, fail};
use infra::state::ResourceRecord;
use infra_provider_core::{Cancel, OpContext};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The project folder, the address in the configuration, then the object's id.
    #[arg(value_name = "[DIR] ADDR ID", required = true)]
    args: Vec<String>,
    /// The environment whose state receives the object.
    #[arg(long)]
    env: String,
}

pub fn run(args: Args, out: &Output) -> u8 {
    match import(args, out) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn import(args: Args, out: &Output) -> Result<(), u8> {
    let (dir, address, id) = match args.args.as_slice() {
        [address, id] => (PathBuf::from("."), address.clone(), id.clone()),
        [dir, address, id] => (PathBuf::from(dir), address.clone(), id.clone()),
        _ => return Err(fail("usage: infra import [DIR] --env ENV ADDR ID")),
    };
    let rt = shared::runtime()?;
    let mut session = shared::open_session(&dir, &args.env, "import", &rt, out)?;
    if session.state.resources.contains_key(&address) {
        return Err(fail(format!(
            "`{address}` is already in the state; `infra state rm {address}` first to adopt \
             another object in its place"
        )));
    }
    let resolver = StateResolver {
        state: &session.state,
        providers: &session.providers,
    };
    let evaluation = shared::evaluate_with(&session.checked, &args.env, &resolver, out)?;
    session.providers.prepare(&evaluation.resources);
    let Some(desired) = evaluation.resources.iter().find(|r| r.address == address) else {
        let hint = infra_lang::diag::did_you_mean(&address, evaluation.addresses())
            .map(|a| format!(" (did you mean `{a}`?)"))
            .unwrap_or_default();
        return Err(fail(format!(
            "the configuration declares no resource `{address}`{hint}; declare it first, then \
             import"
        )));
    };
    let type_name = desired.type_name.clone();
    let provider = session
        .providers
        .provider(&type_name)
        .cloned()
        .ok_or_else(|| {
            let pair = std::iter::once((address.as_str(), type_name.as_str()));
            fail(
                super::providers::check_wired(pair, &session.providers)
                    .err()
                    .unwrap_or_default(),
            )
        })?;
    let ctx = OpContext {
        cancel: Cancel::never(),
        address: address.clone(),
    };
    let found = rt
        .block_on(provider.import(&type_name, &id, &ctx))
        .map_err(|e| fail(format!("{address}: import of `{id}` failed: {e}")))?;
    let Some(obj) = found else {
        return Err(fail(format!(
            "no {type_name} object with id `{id}` exists{}",
            if type_name.starts_with("core.") {
                " (core.data objects live only in state, so there is nothing outside it to adopt)"
            } else {
                ""
            }
        )));
    };
    let record = ResourceRecord::from_object(
        &type_name,
        &obj,
        &obj.inputs,
        desired.depends_on.clone(),
        &session.key,
    );
    session.state.resources.insert(address.clone(), record);
    session.state.serial += 1;
    session.store.save(&session.state).map_err(fail)?;
    out.info(&format!(
        "Imported {id} as {address}. Run `infra plan --env {}` to see how it differs from the \
         configuration.",
        args.env
    ));
    session.finish(&rt);
    Ok(())
}
