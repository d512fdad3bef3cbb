//! Fault injection: probabilities rolled on a seeded RNG (so a run is repeatable)
//! and targeted rules ("fail the next 2 PUTs on .../flexibleServers/x").

use serde::{Deserialize, Serialize};

use crate::util::Rng;

/// One injected failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Fault {
    /// 429 `TooManyRequests` with `Retry-After`.
    TooManyRequests {
        #[serde(default = "one")]
        retry_after_secs: u64,
    },
    /// 500 `InternalServerError`.
    InternalServerError,
    /// 503 `ServiceUnavailable` with `Retry-After`.
    ServiceUnavailable,
    /// The connection is closed without any response.
    DropConnection,
    /// The request is accepted but its long-running operation ends `Failed`.
    LroFailed {
        #[serde(default = "default_lro_code")]
        code: String,
        #[serde(default = "default_lro_message")]
        message: String,
    },
    /// 409 `ServerIsBusy`, the PostgreSQL RP's answer while another operation runs.
    ServerIsBusy,
    /// 412 `PreconditionFailed`: as if someone wrote the object between a client's read and
    /// its conditional (`If-Match`) write.
    PreconditionFailed,
}

fn one() -> u64 {
    1
}
fn default_lro_code() -> String {
    "InternalServerError".to_string()
}
fn default_lro_message() -> String {
    "An unexpected error occured while processing the request.".to_string()
}

/// A fault applied to the next `count` requests whose path contains `path_contains`
/// (case-insensitive) and, if given, whose method matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: String,
    #[serde(default = "one_u32")]
    pub count: u32,
    pub fault: Fault,
}

fn one_u32() -> u32 {
    1
}

/// Fault settings; all probabilities are in [0, 1] and default to 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    pub seed: u64,
    pub throttle_probability: f64,
    pub throttle_retry_after_secs: u64,
    pub internal_error_probability: f64,
    pub unavailable_probability: f64,
    pub drop_probability: f64,
    pub lro_failure_probability: f64,
    pub lro_failure_code: String,
    pub lro_failure_message: String,
    /// Applies to writes on Microsoft.DBforPostgreSQL only.
    pub server_busy_probability: f64,
    pub rules: Vec<FaultRule>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            seed: 0x5eed,
            throttle_probability: 0.0,
            throttle_retry_after_secs: 1,
            internal_error_probability: 0.0,
            unavailable_probability: 0.0,
            drop_probability: 0.0,
            lro_failure_probability: 0.0,
            lro_failure_code: default_lro_code(),
            lro_failure_message: default_lro_message(),
            server_busy_probability: 0.0,
            rules: Vec::new(),
        }
    }
}

pub(crate) struct Faults {
    pub config: FaultConfig,
    rng: Rng,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        let rng = Rng::new(config.seed);
        Faults { config, rng }
    }

    fn take_rule(&mut self, method: &str, path: &str, want_lro: bool) -> Option<Fault> {
        let path = path.to_ascii_lowercase();
        let idx = self.config.rules.iter().position(|r| {
            matches!(r.fault, Fault::LroFailed { .. }) == want_lro
                && r.count > 0
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.contains(&r.path_contains.to_ascii_lowercase())
        })?;
        let rule = &mut self.config.rules[idx];
        rule.count -= 1;
        let fault = rule.fault.clone();
        if rule.count == 0 {
            self.config.rules.remove(idx);
        }
        Some(fault)
    }

    /// The fault (if any) to answer this request with, before it is processed.
    pub(crate) fn on_request(&mut self, method: &str, path: &str) -> Option<Fault> {
        if let Some(f) = self.take_rule(method, path, false) {
            return Some(f);
        }
        let c = &self.config;
        let is_pg_write = method != "GET"
            && method != "HEAD"
            && path
                .to_ascii_lowercase()
                .contains("/microsoft.dbforpostgresql/");
        let dice = [
            (
                c.throttle_probability,
                Fault::TooManyRequests {
                    retry_after_secs: c.throttle_retry_after_secs,
                },
            ),
            (c.internal_error_probability, Fault::InternalServerError),
            (c.unavailable_probability, Fault::ServiceUnavailable),
            (c.drop_probability, Fault::DropConnection),
            (
                if is_pg_write {
                    c.server_busy_probability
                } else {
                    0.0
                },
                Fault::ServerIsBusy,
            ),
        ];
        for (p, fault) in dice {
            // Always roll, so the sequence of outcomes depends only on the seed and
            // the request sequence, not on which probabilities are set.
            let roll = self.rng.next_f64();
            if p > 0.0 && roll < p {
                return Some(fault);
            }
        }
        None
    }

    /// Whether a long-running operation started by this request should end Failed.
    pub(crate) fn on_lro(&mut self, method: &str, path: &str) -> Option<(String, String)> {
        if let Some(Fault::LroFailed { code, message }) = self.take_rule(method, path, true) {
            return Some((code, message));
        }
        let roll = self.rng.next_f64();
        let c = &self.config;
        (c.lro_failure_probability > 0.0 && roll < c.lro_failure_probability)
            .then(|| (c.lro_failure_code.clone(), c.lro_failure_message.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_fire_count_times_then_vanish() {
        let mut f = Faults::new(FaultConfig {
            rules: vec![FaultRule {
                method: Some("PUT".into()),
                path_contains: "/flexibleServers/x".into(),
                count: 2,
                fault: Fault::InternalServerError,
            }],
            ..FaultConfig::default()
        });
        let p = "/subscriptions/s/resourceGroups/r/providers/Microsoft.DBforPostgreSQL/flexibleservers/x";
        assert_eq!(f.on_request("GET", p), None);
        assert_eq!(f.on_request("PUT", p), Some(Fault::InternalServerError));
        assert_eq!(f.on_request("PUT", p), Some(Fault::InternalServerError));
        assert_eq!(f.on_request("PUT", p), None);
    }

    #[test]
    fn same_seed_same_outcomes() {
        let cfg = FaultConfig {
            throttle_probability: 0.5,
            ..FaultConfig::default()
        };
        let run = |cfg: &FaultConfig| {
            let mut f = Faults::new(cfg.clone());
            (0..50)
                .map(|_| f.on_request("GET", "/x").is_some())
                .collect::<Vec<_>>()
        };
        let a = run(&cfg);
        assert_eq!(a, run(&cfg));
        let hits = a.iter().filter(|h| **h).count();
        assert!(hits > 10 && hits < 40, "{hits}");
    }

    #[test]
    fn parses_admin_json() {
        let cfg: FaultConfig = serde_json::from_str(
            r#"{"rules":[{"method":"PUT","path_contains":"redis/c","count":1,"fault":{"kind":"LroFailed","code":"Boom","message":"no"}}]}"#,
        )
        .expect("valid");
        assert_eq!(
            cfg.rules[0].fault,
            Fault::LroFailed {
                code: "Boom".into(),
                message: "no".into()
            }
        );
    }
}
