//! No silent takeover for types without tags. A create's PUT would overwrite an object of the
//! same name; types that carry tags refuse one without their create marker (`kind.rs`). Child
//! types (DNS record sets, PostgreSQL databases and firewall rules, role assignments) have no
//! tags, so the object found is compared with what the create would write instead: the same
//! (an interrupted run of this apply made it, or it is indistinguishable from it) is adopted,
//! anything else is refused with the `infra import` command. Server parameters, which always
//! exist, keep being overridden.

use infra_provider_core::{PlanRequest, Props, ProviderResult};

use crate::kind::{AzureType, Cx, already_exists, state_from};

/// Fails when `inputs`' object exists and differs from what they describe.
pub(crate) async fn refuse_takeover(
    kind: &dyn AzureType,
    cx: &Cx<'_>,
    inputs: &Props,
) -> ProviderResult<()> {
    if !kind.adopts_on_create() || !kind.adopts_only_identical() {
        return Ok(());
    }
    let sub = &cx.config.subscription_id;
    let Some(id) = kind.arm_id(sub, inputs) else {
        return Ok(());
    };
    let Some(live) = cx.client.get(&id, kind.api_version(), cx.cancel).await? else {
        return Ok(());
    };
    let found = state_from(kind, &live, inputs, &id)?;
    let planned = crate::provider::plan_with(
        kind,
        sub,
        PlanRequest {
            type_name: &kind.schema().type_name,
            address: cx.address,
            desired: inputs,
            prior: Some(&found),
        },
    )?;
    if crate::provider::comparable(&planned.inputs) == crate::provider::comparable(&found.inputs) {
        return Ok(());
    }
    Err(already_exists(cx.address, &found.id))
}
