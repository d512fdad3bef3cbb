//! Saved plans (`infra plan --out FILE`): the JSON plan plus what binds it to the state and the
//! configuration it was made from. Apply refuses a plan whose state or configuration has moved
//! since, and re-derives the operations (with real values, which the file never holds) from the
//! same inputs, refusing if they differ from what was reviewed.

use super::model::Plan;
use super::plan::PlanOptions;
use crate::render::{PlanJson, plan_json};
use crate::state::State;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: String,
    pub lineage: String,
    pub serial: u64,
    /// [`config_hash`] of the configuration (and environment parameters) planned.
    pub config_hash: String,
    pub destroy: bool,
    pub allow_destroy: bool,
    pub targets: Vec<String>,
    /// `--replace` addresses (absent in older plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace: Vec<String>,
    /// The environment planned: `infra apply PLANFILE` needs no `--env`. Absent in plans saved
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// The JSON plan (docs/plan-json.md): redacted values only.
    pub plan: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a saved plan: {message}")]
    Invalid { path: PathBuf, message: String },
    /// An encrypted plan whose key cannot be reached; the message names the key and the fix.
    #[error("{0}")]
    Encrypted(String),
    #[error(
        "the saved plan is stale: it was made against state {plan_lineage} serial {plan_serial}, \
         but the state is now {state_lineage} serial {state_serial}; run `infra plan` again"
    )]
    StaleState {
        plan_lineage: String,
        plan_serial: u64,
        state_lineage: String,
        state_serial: u64,
    },
    #[error(
        "the saved plan is stale: the configuration (its files, the environment, or the value of a \
         secret it uses) changed since it was made; run `infra plan` again"
    )]
    StaleConfig,
    #[error(
        "the saved plan no longer matches what would be done (a live object changed since); run `infra plan` again"
    )]
    Diverged,
}

/// Hash of the configuration: sorted (name, contents) pairs, so that file order does not
/// matter. The CLI passes the source files and the environment's parameters.
pub fn config_hash(parts: &[(String, Vec<u8>)]) -> String {
    let mut sorted: Vec<&(String, Vec<u8>)> = parts.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (name, body) in sorted {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((body.len() as u64).to_le_bytes());
        h.update(body);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A plan being saved: the document [`SavedPlan`] reads back, its JSON plan written straight
/// from the plan (a tree of the JSON plan first took twice the plan's memory at 20,000
/// resources). Field for field the same order and the same bytes as `SavedPlan::to_json`.
#[derive(Serialize)]
pub struct PlanToSave<'a> {
    format_version: &'static str,
    lineage: &'a str,
    serial: u64,
    config_hash: &'a str,
    destroy: bool,
    allow_destroy: bool,
    targets: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    replace: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<&'a str>,
    plan: PlanJson<'a>,
}

impl<'a> PlanToSave<'a> {
    pub fn new(
        plan: &'a Plan,
        config_hash: &'a str,
        options: &'a PlanOptions,
        env: Option<&'a str>,
    ) -> PlanToSave<'a> {
        PlanToSave {
            format_version: "1",
            lineage: &plan.lineage,
            serial: plan.serial,
            config_hash,
            destroy: options.destroy,
            allow_destroy: options.allow_destroy,
            targets: &options.targets,
            replace: &options.replace,
            env,
            plan: PlanJson(plan),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Serialising borrowed plain data into memory cannot fail.
        let _ = serde_json::to_writer_pretty(&mut out, self);
        out.push(b'\n');
        out
    }

    /// Writes the plan, encrypted when the environment's state is (`encryption = { ... }`):
    /// a plan holds the same inputs as the state.
    pub fn write_sealed(
        &self,
        path: &Path,
        crypt: &crate::state::envelope::Crypt,
        env: &str,
    ) -> Result<(), SavedPlanError> {
        let io = |source| SavedPlanError::Io {
            path: path.into(),
            source,
        };
        if !crypt.enabled() {
            // Plain: written as it is produced, never whole in memory.
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
            serde_json::to_writer_pretty(&mut w, self).map_err(|e| io(e.into()))?;
            w.write_all(b"\n").map_err(io)?;
            return w.flush().map_err(io);
        }
        let bytes = crypt
            .seal_file(
                self.to_bytes(),
                crate::state::envelope::Kind::Plan,
                Some(env),
                path,
            )
            .map_err(|e| SavedPlanError::Encrypted(e.to_string()))?;
        std::fs::write(path, bytes).map_err(io)
    }
}

impl SavedPlan {
    pub fn new(plan: &Plan, config_hash: &str, options: &PlanOptions) -> SavedPlan {
        SavedPlan {
            format_version: "1".into(),
            lineage: plan.lineage.clone(),
            serial: plan.serial,
            config_hash: config_hash.into(),
            destroy: options.destroy,
            allow_destroy: options.allow_destroy,
            targets: options.targets.clone(),
            replace: options.replace.clone(),
            env: None,
            plan: plan_json(plan),
        }
    }

    /// The options to re-plan with when applying this plan.
    pub fn options(&self) -> PlanOptions {
        PlanOptions {
            destroy: self.destroy,
            allow_destroy: self.allow_destroy,
            refresh_only: false,
            targets: self.targets.clone(),
            imports: Default::default(),
            replace: self.replace.clone(),
        }
    }

    /// The plan as it was reviewed, for `infra show`: the displayed (redacted) part only, as
    /// the renderers take it; nothing in it can be applied.
    pub fn displayed(&self) -> Result<Plan, serde_json::Error> {
        let mut doc = self.plan.clone();
        if let Some(o) = doc.as_object_mut() {
            o.insert("lineage".into(), self.lineage.clone().into());
            o.insert("serial".into(), self.serial.into());
        }
        serde_json::from_value(doc)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn write(&self, path: &Path) -> Result<(), SavedPlanError> {
        std::fs::write(path, self.to_json()).map_err(|source| SavedPlanError::Io {
            path: path.into(),
            source,
        })
    }

    /// Reads a saved plan, decrypting an encrypted one with the key its header names.
    pub fn read(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let raw = std::fs::read(path).map_err(|source| SavedPlanError::Io {
            path: path.into(),
            source,
        })?;
        let bytes = crate::state::envelope::open_plan(&raw, path)
            .map_err(|e| SavedPlanError::Encrypted(e.to_string()))?;
        let plan: SavedPlan =
            serde_json::from_slice(&bytes).map_err(|e| SavedPlanError::Invalid {
                path: path.into(),
                message: e.to_string(),
            })?;
        if plan.format_version != "1" {
            return Err(SavedPlanError::Invalid {
                path: path.into(),
                message: format!("format_version {} is not supported", plan.format_version),
            });
        }
        Ok(plan)
    }

    /// Refuses a plan made against another state or configuration.
    pub fn check_fresh(&self, state: &State, config_hash: &str) -> Result<(), SavedPlanError> {
        if state.lineage != self.lineage || state.serial != self.serial {
            return Err(SavedPlanError::StaleState {
                plan_lineage: self.lineage.clone(),
                plan_serial: self.serial,
                state_lineage: state.lineage.clone(),
                state_serial: state.serial,
            });
        }
        if config_hash != self.config_hash {
            return Err(SavedPlanError::StaleConfig);
        }
        Ok(())
    }

    /// The plan re-derived at apply time must be the one that was reviewed.
    pub fn check_matches(&self, fresh: &Plan) -> Result<(), SavedPlanError> {
        let now = plan_json(fresh);
        if now.get("changes") == self.plan.get("changes") {
            Ok(())
        } else {
            Err(SavedPlanError::Diverged)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;
    use crate::engine::{PlanInput, plan};
    use infra_provider_core::Value;

    fn make(state: &State, pw: &str, size: i64) -> Plan {
        let d = [desired(
            "a",
            "test.thing",
            props(&[
                ("size", Value::Int(size)),
                ("password", Value::secret(Value::str(pw))),
            ]),
            &[],
        )];
        let (p, k) = (providers(), key());
        plan(&PlanInput {
            desired: &d,
            state,
            live: None,
            providers: &p,
            key: &k,
            reevaluate: None,
            options: PlanOptions::default(),
        })
        .unwrap()
    }

    #[test]
    fn stale_state_and_config_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        let mut state = State::new("lin".into());
        let hash = config_hash(&[("main.infra".into(), b"x".to_vec())]);
        let saved = SavedPlan::new(
            &make(&state, "canary-pw-9", 1),
            &hash,
            &PlanOptions::default(),
        );
        saved.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("canary-pw-9"), "{text}");
        let back = SavedPlan::read(&path).unwrap();
        assert_eq!(back, saved);
        back.check_fresh(&state, &hash).unwrap();
        back.check_matches(&make(&state, "canary-pw-9", 1)).unwrap();
        assert!(matches!(
            back.check_matches(&make(&state, "x", 2)),
            Err(SavedPlanError::Diverged)
        ));
        let other = config_hash(&[("main.infra".into(), b"y".to_vec())]);
        assert!(matches!(
            back.check_fresh(&state, &other),
            Err(SavedPlanError::StaleConfig)
        ));
        state.serial += 1;
        let err = back.check_fresh(&state, &hash).unwrap_err().to_string();
        assert!(
            err.contains("serial 0") && err.contains("serial 1") && err.contains("infra plan"),
            "{err}"
        );
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(
            SavedPlan::read(&path),
            Err(SavedPlanError::Invalid { .. })
        ));
    }

    #[test]
    fn a_plan_saved_as_it_is_written_is_the_document_read_back() {
        let state = State::new("lin".into());
        let p = make(&state, "canary-pw-9", 1);
        let options = PlanOptions {
            replace: vec!["a".into()],
            targets: vec!["a".into()],
            ..PlanOptions::default()
        };
        for env in [None, Some("dev")] {
            let streamed = PlanToSave::new(&p, "h", &options, env).to_bytes();
            let mut tree = SavedPlan::new(&p, "h", &options);
            tree.env = env.map(str::to_string);
            assert_eq!(String::from_utf8(streamed.clone()).unwrap(), tree.to_json());
            let back: SavedPlan = serde_json::from_slice(&streamed).unwrap();
            assert_eq!(back, tree);
            assert!(!String::from_utf8(streamed).unwrap().contains("canary-pw-9"));
        }
    }

    #[test]
    fn displayed_plan_renders_as_the_original() {
        let state = State::new("lin".into());
        let p = make(&state, "canary-pw-9", 1);
        let saved = SavedPlan::new(&p, "h", &PlanOptions::default());
        let back = saved.displayed().unwrap();
        let human = |p: &Plan| crate::render::render_human(p, &Default::default());
        assert_eq!(human(&back), human(&p));
        assert_eq!(plan_json(&back), plan_json(&p));
        assert!(!human(&back).contains("canary-pw-9"));
    }

    #[test]
    fn config_hash_ignores_file_order() {
        let a = ("a".to_string(), b"1".to_vec());
        let b = ("b".to_string(), b"2".to_vec());
        assert_eq!(config_hash(&[a.clone(), b.clone()]), config_hash(&[b, a]));
    }
}
