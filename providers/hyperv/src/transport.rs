//! Running one script on the Hyper-V host: a local `pwsh`/`powershell.exe`, or the same over
//! `ssh`. The script goes on stdin (`-Command -`), so neither the local shell nor the remote
//! one (`cmd.exe` on a Windows OpenSSH server) parses any of it. Each run is bounded by a
//! timeout, and the child is killed when the run is cancelled or times out.

use crate::error::{HvError, PsError};
use crate::scripts::Script;
use infra_provider_core::Cancel;
use serde_json::Value as Json;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// Where the scripts run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// This machine.
    Local,
    /// `ssh [-i identity_file] [-p port] [user@]host`.
    Ssh {
        host: String,
        user: Option<String>,
        port: Option<u16>,
        identity_file: Option<String>,
        /// A known_hosts file to check the host key against (else ssh's own).
        known_hosts: Option<String>,
    },
}

/// A way to run the provider's scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shell {
    pub location: Location,
    /// The PowerShell program: `pwsh` (PowerShell 7) or `powershell.exe` (Windows PowerShell
    /// 5.1); split at spaces, so a stand-in may take arguments
    /// (`infra emulator hyperv --state host.json`).
    pub program: String,
    /// The ssh client (for tests and unusual installs; `ssh` by default).
    pub ssh: String,
    pub timeout: Duration,
}

/// Cap on what a script may print: a Get-* answer is a few kilobytes.
const MAX_OUTPUT: u64 = 16 * 1024 * 1024;

/// The default bound on one script run, overridable with `INFRA_HYPERV_TIMEOUT` (seconds).
pub fn default_timeout() -> Duration {
    let secs = std::env::var("INFRA_HYPERV_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600);
    Duration::from_secs(secs)
}

impl Shell {
    pub fn local(program: &str) -> Shell {
        Shell {
            location: Location::Local,
            program: program.to_string(),
            ssh: "ssh".into(),
            timeout: default_timeout(),
        }
    }

    /// Refuses values ssh would read as options (`-oProxyCommand=...`).
    pub fn check(&self) -> Result<(), String> {
        if let Location::Ssh { host, user, .. } = &self.location {
            for (what, v) in [("host", Some(host)), ("user", user.as_ref())] {
                if let Some(v) = v
                    && (v.is_empty()
                        || v.starts_with('-')
                        || v.chars().any(|c| c.is_whitespace() || c == '@'))
                {
                    return Err(format!(
                        "the Hyper-V {what} `{v}` is not a valid ssh {what}"
                    ));
                }
            }
        }
        if self.program.trim().is_empty() || self.program.trim_start().starts_with('-') {
            return Err(format!("`{}` is not a PowerShell program", self.program));
        }
        Ok(())
    }

    /// The command line, for messages and tests.
    pub fn argv(&self) -> Vec<String> {
        let ps: Vec<&str> = self
            .program
            .split_whitespace()
            .chain(["-NoProfile", "-NonInteractive", "-Command", "-"])
            .collect();
        match &self.location {
            Location::Local => ps.iter().map(|s| s.to_string()).collect(),
            Location::Ssh {
                host,
                user,
                port,
                identity_file,
                known_hosts,
            } => {
                let mut v = vec![self.ssh.clone(), "-o".into(), "BatchMode=yes".into()];
                if let Some(i) = identity_file {
                    v.extend([
                        "-i".into(),
                        i.clone(),
                        "-o".into(),
                        "IdentitiesOnly=yes".into(),
                    ]);
                }
                if let Some(p) = port {
                    v.extend(["-p".into(), p.to_string()]);
                }
                if let Some(k) = known_hosts {
                    v.extend([
                        "-o".into(),
                        format!("UserKnownHostsFile={k}"),
                        "-o".into(),
                        "StrictHostKeyChecking=yes".into(),
                    ]);
                }
                let dest = match user {
                    Some(u) => format!("{u}@{host}"),
                    None => host.clone(),
                };
                v.extend(["--".into(), dest]);
                v.extend(ps.iter().map(|s| s.to_string()));
                v
            }
        }
    }

    /// Runs `script` with `args` and returns its `result`.
    pub async fn run(&self, script: Script, args: &Json, cancel: &Cancel) -> Result<Json, HvError> {
        self.check().map_err(HvError::Protocol)?;
        let argv = self.argv();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| HvError::Spawn {
            program: argv[0].clone(),
            message: e.to_string(),
        })?;
        let text = script.render(args);
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(HvError::Protocol("the child has no pipes".into()));
        };
        let io = async move {
            // A child that exits before reading everything closes the pipe; its answer says why.
            let write = async move {
                let _ = stdin.write_all(text.as_bytes()).await;
                let _ = stdin.shutdown().await;
            };
            let mut out = Vec::new();
            let mut err = Vec::new();
            let mut stdout = stdout.take(MAX_OUTPUT);
            let mut stderr = stderr.take(MAX_OUTPUT);
            let read_out = stdout.read_to_end(&mut out);
            let read_err = stderr.read_to_end(&mut err);
            let (_, o, e) = tokio::join!(write, read_out, read_err);
            o.and(e).map(|_| (out, err))
        };
        let outcome = tokio::select! {
            r = tokio::time::timeout(self.timeout, io) => match r {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(HvError::Protocol(format!("reading the host's answer: {e}"))),
                Err(_) => Err(HvError::Timeout(self.timeout.as_secs())),
            },
            _ = cancel.cancelled() => Err(HvError::Cancelled),
        };
        let (out, err) = match outcome {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill().await;
                return Err(e);
            }
        };
        let status = tokio::select! {
            r = tokio::time::timeout(Duration::from_secs(30), child.wait()) => match r {
                Ok(Ok(s)) => s.code(),
                _ => {
                    let _ = child.kill().await;
                    None
                }
            },
            _ = cancel.cancelled() => {
                let _ = child.kill().await;
                return Err(HvError::Cancelled);
            }
        };
        answer(script, status, &out, &err)
    }
}

/// The result of one run from its exit code and output.
pub fn answer(
    script: Script,
    status: Option<i32>,
    out: &[u8],
    err: &[u8],
) -> Result<Json, HvError> {
    let out = String::from_utf8_lossy(out);
    let err = String::from_utf8_lossy(err);
    // The answer is the last line that parses as `{"result": ...}` or `{"error": ...}`:
    // warnings and banners may come before it.
    for line in out.lines().rev() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let Ok(Json::Object(mut o)) = serde_json::from_str::<Json>(line) else {
            continue;
        };
        if let Some(e) = o.get("error") {
            return Err(HvError::Ps(PsError::from_json(e)));
        }
        if let Some(r) = o.remove("result") {
            if status != Some(0) {
                break;
            }
            return Ok(r);
        }
    }
    if let Some(e) = PsError::from_stderr(&err) {
        return Err(HvError::Ps(e));
    }
    let tail: String = {
        let t = err.trim();
        let start = t.len().saturating_sub(2000);
        let start = (start..=t.len())
            .find(|i| t.is_char_boundary(*i))
            .unwrap_or(t.len());
        t[start..].to_string()
    };
    let code = status.map_or("killed".to_string(), |c| c.to_string());
    Err(HvError::Protocol(format!(
        "`{}` gave no answer (exit {code}){}",
        script.name(),
        if tail.is_empty() {
            String::new()
        } else {
            format!(": {tail}")
        }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssh_command_line_keeps_the_script_off_it() {
        let shell = Shell {
            location: Location::Ssh {
                host: "hv01".into(),
                user: Some("ci".into()),
                port: Some(2222),
                identity_file: Some("/k/id".into()),
                known_hosts: None,
            },
            program: "pwsh".into(),
            ssh: "ssh".into(),
            timeout: Duration::from_secs(5),
        };
        assert_eq!(
            shell.argv().join(" "),
            "ssh -o BatchMode=yes -i /k/id -o IdentitiesOnly=yes -p 2222 -- ci@hv01 pwsh -NoProfile -NonInteractive -Command -"
        );
        let mut bad = shell.clone();
        bad.location = Location::Ssh {
            host: "-oProxyCommand=x".into(),
            user: None,
            port: None,
            identity_file: None,
            known_hosts: None,
        };
        assert!(bad.check().is_err());
    }

    #[test]
    fn answers_errors_and_noise() {
        let ok = answer(
            Script::VmGet,
            Some(0),
            b"WARNING: x\n{\"result\":{\"a\":1}}\n",
            b"",
        );
        assert_eq!(ok.expect("ok")["a"], 1);
        let e = answer(
            Script::VmGet,
            Some(1),
            br#"{"error":{"message":"m","fullyQualifiedErrorId":"InvalidState,X","category":"InvalidOperation"}}"#,
            b"",
        );
        assert!(matches!(e, Err(HvError::Ps(p)) if p.error_id() == "InvalidState"));
        let e = answer(
            Script::VmGet,
            Some(255),
            b"",
            b"ssh: connect to host h port 22: Connection refused\n",
        );
        assert!(e.unwrap_err().to_string().contains("Connection refused"));
    }
}
