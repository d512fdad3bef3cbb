//! The Hyper-V provider: virtual switches, disks and machines on a Windows host, driven through
//! PowerShell, locally or over SSH ([`transport`]), by a fixed set of scripts ([`scripts`])
//! that take their arguments as JSON data. Live state comes from the Get-* cmdlets, so changes
//! made behind infra's back show as drift. [`emulator`] is a stand-in host for Linux.

pub mod emulator;
pub mod enums;
pub mod error;
pub mod iso;
mod props;
pub mod scripts;
pub mod seed;
pub mod transport;
pub mod types;

use infra_provider_core::{
    BoxFuture, ConcurrencyHints, CreateRequest, ObjectState, OpContext, PlanRequest, PlannedObject,
    Props, Provider, ProviderError, ProviderResult, ResourceSchema, SchemaSet, UpdateRequest,
    Value, provider::plan_from_schema,
};
use scripts::Script;
use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};
pub use transport::{Location, Shell};
use types::{call, some, switch, vhd, vm};

/// Adds the `hyperv.*` types to a schema set.
pub fn register(set: &mut SchemaSet) {
    for s in schemas() {
        set.add(s);
    }
}

pub fn schemas() -> Vec<ResourceSchema> {
    vec![switch::schema(), vhd::schema(), vm::schema()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Switch,
    Vhd,
    Vm,
}

impl Kind {
    fn of(type_name: &str) -> ProviderResult<Kind> {
        match type_name {
            switch::TYPE => Ok(Kind::Switch),
            vhd::TYPE => Ok(Kind::Vhd),
            vm::TYPE => Ok(Kind::Vm),
            other => Err(ProviderError::UnknownType(other.to_string())),
        }
    }
    /// The input that names the object on the host (and is its id).
    fn key(self) -> &'static str {
        match self {
            Kind::Vhd => "path",
            Kind::Switch | Kind::Vm => "name",
        }
    }
    fn get(self) -> Script {
        match self {
            Kind::Switch => Script::SwitchGet,
            Kind::Vhd => Script::VhdGet,
            Kind::Vm => Script::VmGet,
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Kind::Switch => "virtual switch",
            Kind::Vhd => "virtual hard disk",
            Kind::Vm => "virtual machine",
        }
    }
}

fn normalize(kind: Kind, inputs: &mut Props) -> ProviderResult<()> {
    match kind {
        Kind::Switch => switch::normalize(inputs),
        Kind::Vhd => vhd::normalize(inputs),
        Kind::Vm => vm::normalize(inputs),
    }
}

fn from_live(kind: Kind, live: &Json, prior: &Props) -> ProviderResult<(Props, Props)> {
    match kind {
        Kind::Switch => switch::from_live(live, prior),
        Kind::Vhd => vhd::from_live(live, prior),
        Kind::Vm => vm::from_live(live, prior),
    }
}

/// Outputs that keep their value through an in-place update.
const STABLE_OUTPUTS: [&str; 5] = ["switch_id", "disk_id", "format", "vm_id", "path"];

pub struct HypervProvider {
    shell: Shell,
}

impl HypervProvider {
    pub fn new(shell: Shell) -> Self {
        HypervProvider { shell }
    }

    /// The live object. A VM passing through a transitional state (starting, stopping,
    /// saving...) is read again until it settles, within `INFRA_HYPERV_SETTLE` seconds (120):
    /// a guest rebooting is not drift (FINDINGS §8.6).
    async fn get(&self, kind: Kind, id: &str, ctx: &OpContext) -> ProviderResult<Option<Json>> {
        let args = json!({ kind.key(): id });
        let start = Instant::now();
        loop {
            let view = some(call(&self.shell, kind.get(), &args, &ctx.cancel).await?);
            let settling = match (&view, kind) {
                (Some(v), Kind::Vm) => vm::TRANSITIONAL.contains(&vm::power(v)?.as_str()),
                _ => false,
            };
            if !settling || start.elapsed() >= settle_time() {
                return Ok(view);
            }
            if !ctx.cancel.sleep(Duration::from_secs(1)).await {
                return Err(ProviderError::Cancelled);
            }
        }
    }

    fn state(kind: Kind, id: &str, live: &Json, inputs: &Props) -> ProviderResult<ObjectState> {
        let (inputs, mut outputs) = from_live(kind, live, inputs)?;
        outputs.insert("id".into(), Value::str(id));
        Ok(ObjectState {
            id: id.to_string(),
            inputs,
            outputs,
        })
    }

    /// Waits (if asked) until a running VM reports an IPv4 address; the last view either way.
    async fn wait_ip(
        &self,
        inputs: &Props,
        mut view: Json,
        ctx: &OpContext,
    ) -> ProviderResult<Json> {
        let wait = props::opt_int(inputs, "ip_wait_seconds")?
            .unwrap_or(0)
            .max(0) as u64;
        let running = props::opt_str(inputs, "state")?.as_deref() == Some("running");
        let name = props::req_str(inputs, "name")?;
        let start = Instant::now();
        while running && vm::ipv4(&view).is_none() && start.elapsed() < Duration::from_secs(wait) {
            if !ctx.cancel.sleep(Duration::from_secs(5)).await {
                return Err(ProviderError::Cancelled);
            }
            view = self
                .get(Kind::Vm, &name, ctx)
                .await?
                .ok_or_else(|| gone(Kind::Vm, &name))?;
        }
        Ok(view)
    }

    async fn create_object(
        &self,
        kind: Kind,
        inputs: &Props,
        key: &str,
        ctx: &OpContext,
    ) -> ProviderResult<ObjectState> {
        let mut inputs = inputs.clone();
        normalize(kind, &mut inputs)?;
        inputs.remove("restart");
        let id = props::req_str(&inputs, kind.key())?;
        if let Some(live) = self.get(kind, &id, ctx).await? {
            return self.adopt(kind, &id, &inputs, key, live, ctx).await;
        }
        let marked = |mut args: Json| {
            let notes = props::opt_str(&inputs, "notes")
                .ok()
                .flatten()
                .unwrap_or_default();
            args["notes"] = Json::String(props::with_mark(&notes, key));
            args
        };
        let live = match kind {
            Kind::Switch => {
                call(
                    &self.shell,
                    Script::SwitchCreate,
                    &marked(switch::args(&inputs)?),
                    &ctx.cancel,
                )
                .await?
            }
            Kind::Vhd => {
                call(
                    &self.shell,
                    Script::VhdCreate,
                    &vhd::args(&inputs)?,
                    &ctx.cancel,
                )
                .await?
            }
            Kind::Vm => {
                let seed = vm::seed(&inputs)?;
                let args = marked(vm::args(&inputs, seed.as_deref())?);
                let view = call(&self.shell, Script::VmCreate, &args, &ctx.cancel).await?;
                self.wait_ip(&inputs, view, ctx).await?
            }
        };
        Self::state(kind, &id, &live, &inputs)
    }

    /// An object found where a create would make one: taken over only when this very create
    /// made it before a crash (its notes carry the create's mark), or, for a disk (which has
    /// no notes), when it is exactly what the create would make. Anything else is refused.
    async fn adopt(
        &self,
        kind: Kind,
        id: &str,
        inputs: &Props,
        key: &str,
        live: Json,
        ctx: &OpContext,
    ) -> ProviderResult<ObjectState> {
        let notes = match kind {
            Kind::Vm => props::j_str(live.get("VM").unwrap_or(&Json::Null), "Notes"),
            _ => props::j_str(&live, "Notes"),
        }
        .unwrap_or_default();
        let ours = match kind {
            Kind::Switch | Kind::Vm => props::has_mark(&notes, key),
            Kind::Vhd => &from_live(kind, &live, inputs)?.0 == inputs,
        };
        if !ours {
            return Err(ProviderError::Cloud {
                code: "AlreadyExists".into(),
                message: format!(
                    "a {} `{id}` already exists on the Hyper-V host and infra does not take over objects it did not make; adopt it with `infra import ADDRESS '{id}'` or choose another {}",
                    kind.noun(),
                    kind.key()
                ),
                retryable: false,
            });
        }
        let live = match kind {
            Kind::Switch => {
                let args = switch::args(inputs)?;
                call(&self.shell, Script::SwitchSet, &args, &ctx.cancel).await?
            }
            Kind::Vhd => live,
            Kind::Vm => {
                let prior = ObjectState {
                    id: id.to_string(),
                    inputs: inputs.clone(),
                    outputs: Props::new(),
                };
                self.update_vm(id, inputs, &prior, ctx).await?
            }
        };
        Self::state(kind, id, &live, inputs)
    }

    async fn update_object(
        &self,
        kind: Kind,
        req: &UpdateRequest<'_>,
        ctx: &OpContext,
    ) -> ProviderResult<ObjectState> {
        let mut inputs = req.inputs.clone();
        normalize(kind, &mut inputs)?;
        let id = req.prior.id.clone();
        let live = match kind {
            Kind::Switch => {
                call(
                    &self.shell,
                    Script::SwitchSet,
                    &switch::args(&inputs)?,
                    &ctx.cancel,
                )
                .await?
            }
            Kind::Vhd => {
                let size = |p: &Props| props::opt_int(p, "size_gb").ok().flatten();
                if size(&inputs) != size(&req.prior.inputs) && size(&inputs).is_some() {
                    call(
                        &self.shell,
                        Script::VhdResize,
                        &vhd::args(&inputs)?,
                        &ctx.cancel,
                    )
                    .await?
                } else {
                    self.get(kind, &id, ctx)
                        .await?
                        .ok_or_else(|| gone(kind, &id))?
                }
            }
            Kind::Vm => self.update_vm(&id, &inputs, req.prior, ctx).await?,
        };
        Self::state(kind, &id, &live, &inputs)
    }

    /// Stop (when an off-only setting changes on a running VM), change, then bring the VM to
    /// its desired power state.
    async fn update_vm(
        &self,
        name: &str,
        inputs: &Props,
        prior: &ObjectState,
        ctx: &OpContext,
    ) -> ProviderResult<Json> {
        let view = self
            .get(Kind::Vm, name, ctx)
            .await?
            .ok_or_else(|| gone(Kind::Vm, name))?;
        if vm::power(&view)? == "critical" {
            return Err(ProviderError::Cloud {
                code: "CriticalState".into(),
                message: format!(
                    "the VM `{name}` is in a critical state (its storage is unreachable or full); repair it on the host, then apply again"
                ),
                retryable: false,
            });
        }
        let (live, _) = vm::from_live(&view, &prior.inputs)?;
        // A generation 1 VM takes its seed DVD on IDE, which cannot be added while it runs.
        let new_ide_dvd = live.get("generation") == Some(&Value::Int(1))
            && props::j_list(&view, "DvdDrives").is_empty()
            && props::opt_str(inputs, "user_data")?.is_some();
        let needs_off = new_ide_dvd || vm::OFF_ONLY.iter().any(|k| inputs.get(k) != live.get(k));
        let seed = vm::seed(inputs)?;
        let mut args = vm::args(inputs, seed.as_deref())?;
        if needs_off && vm::power(&view)? != "off" {
            let off = json!({ "name": name, "state": "off" });
            call(&self.shell, Script::VmPower, &off, &ctx.cancel).await?;
        }
        call(&self.shell, Script::VmSet, &args, &ctx.cancel).await?;
        if let Some(o) = args.as_object_mut() {
            o.retain(|k, _| k == "name" || k == "state");
        }
        let view = call(&self.shell, Script::VmPower, &args, &ctx.cancel).await?;
        self.wait_ip(inputs, view, ctx).await
    }
}

fn settle_time() -> Duration {
    let secs = std::env::var("INFRA_HYPERV_SETTLE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}

fn gone(kind: Kind, id: &str) -> ProviderError {
    ProviderError::Cloud {
        code: "NotFound".into(),
        message: format!(
            "the {} `{id}` is no longer on the Hyper-V host; plan again to create it",
            kind.noun()
        ),
        retryable: false,
    }
}

impl Provider for HypervProvider {
    fn name(&self) -> &str {
        "hyperv"
    }

    fn schemas(&self) -> Vec<ResourceSchema> {
        schemas()
    }

    fn concurrency(&self) -> ConcurrencyHints {
        // One host, and every call starts a PowerShell process on it.
        ConcurrencyHints { max_in_flight: 4 }
    }

    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        let kind = Kind::of(req.type_name)?;
        let schema = schemas()
            .into_iter()
            .find(|s| s.type_name == req.type_name)
            .ok_or_else(|| ProviderError::UnknownType(req.type_name.into()))?;
        let mut planned = plan_from_schema(&schema, req);
        normalize(kind, &mut planned.inputs)?;
        // The id is the name (or path) the configuration gives: known before apply, so what
        // refers to the object (a VM's disks and switches) is known too.
        let id = planned
            .inputs
            .get(kind.key())
            .cloned()
            .unwrap_or(Value::Unknown);
        planned.predicted_outputs.insert("id".into(), id);
        if let Some(prior) = req.prior {
            // Secret inputs are not in the recorded object (only their fingerprints are).
            let same = planned
                .inputs
                .keys()
                .chain(prior.inputs.keys())
                .filter(|k| !planned.inputs.get(k).is_some_and(Value::contains_secret))
                .all(|k| planned.inputs.get(k) == prior.inputs.get(k));
            for (k, v) in planned.predicted_outputs.iter_mut() {
                if k != "id" && (same || STABLE_OUTPUTS.contains(&k.as_str())) {
                    *v = prior.outputs.get(k).cloned().unwrap_or(Value::Unknown);
                }
            }
            // A replacement makes a new VM: nothing to stop for.
            let replacing = planned
                .replace_on_change
                .iter()
                .any(|k| planned.inputs.get(k) != prior.inputs.get(k));
            if kind == Kind::Vm
                && !replacing
                && let Some(reason) = vm::restart_reason(&planned.inputs, &prior.inputs)
            {
                planned.inputs.insert("restart".into(), Value::str(reason));
            }
        }
        Ok(planned)
    }

    fn read<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            match self.get(kind, &prior.id, ctx).await? {
                Some(live) => Self::state(kind, &prior.id, &live, &prior.inputs).map(Some),
                None => Ok(None),
            }
        })
    }

    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            self.create_object(
                Kind::of(req.type_name)?,
                req.inputs,
                req.idempotency_key,
                ctx,
            )
            .await
        })
    }

    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            self.update_object(Kind::of(req.type_name)?, &req, ctx)
                .await
        })
    }

    fn delete<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            let script = match kind {
                Kind::Switch => Script::SwitchRemove,
                Kind::Vhd => Script::VhdRemove,
                Kind::Vm => Script::VmRemove,
            };
            let args = json!({ kind.key(): prior.id });
            call(&self.shell, script, &args, &ctx.cancel)
                .await
                .map(|_| ())
        })
    }

    fn import<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            let mut prior = Props::new();
            prior.insert(kind.key().into(), Value::str(id));
            match self.get(kind, id, ctx).await? {
                Some(live) => Self::state(kind, id, &live, &prior).map(Some),
                None => Ok(None),
            }
        })
    }
}
