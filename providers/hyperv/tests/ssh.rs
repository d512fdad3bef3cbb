//! The SSH transport against a real OpenSSH server: a throwaway `sshd` on a loopback port with
//! its own host key, config and authorized key (no system service), whose ForceCommand runs
//! the emulated host. The provider connects with an identity file and checks the host key
//! against a known_hosts file.

mod support;
use infra_provider_core::{Provider, Value};
use infra_provider_hyperv::{HypervProvider, Location, Shell};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const SSHD: &str = "/usr/sbin/sshd";

struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
    known_hosts: PathBuf,
    seen_command: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_sshd(dir: &Path, host: &EmulatedHost) -> Sshd {
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} is missing: the SSH transport test needs Debian's openssh-server (apt-get install openssh-server; .ci/run installs it)"
    );
    // sshd's privilege separation directory; created by the package's service, which is not run.
    let _ = std::fs::create_dir_all("/run/sshd");
    let host_key = dir.join("host_ed25519");
    let key = dir.join("id_ed25519");
    for k in [&host_key, &key] {
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(k));
    }
    let authorized = dir.join("authorized_keys");
    std::fs::copy(key.with_extension("pub"), &authorized).expect("authorized_keys");
    // The login shell would run `pwsh ...`; the ForceCommand records what was asked and runs
    // the emulated host instead.
    let seen_command = dir.join("seen-command");
    let force = dir.join("force-pwsh");
    std::fs::write(
        &force,
        format!(
            "#!/bin/sh\nprintf '%s' \"$SSH_ORIGINAL_COMMAND\" > '{}'\nexec '{}'\n",
            seen_command.display(),
            host.pwsh.display()
        ),
    )
    .expect("force command");
    std::fs::set_permissions(&force, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let port = free_port();
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nForceCommand {}\nLogLevel ERROR\n",
            host_key.display(),
            dir.join("sshd.pid").display(),
            authorized.display(),
            force.display()
        ),
    )
    .expect("sshd_config");
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start sshd");
    let known_hosts = dir.join("known_hosts");
    let pubkey = std::fs::read_to_string(host_key.with_extension("pub")).expect("host key");
    let mut fields = pubkey.split_whitespace();
    let (alg, body) = (
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    );
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {alg} {body}\n"))
        .expect("known_hosts");
    let mut sshd = Sshd {
        child,
        port,
        key,
        known_hosts,
        seen_command,
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = sshd.child.try_wait() {
            panic!("sshd exited at start: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "sshd did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sshd.port = port;
    sshd
}

fn user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn the_provider_drives_the_emulated_host_over_ssh() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = EmulatedHost::new("ints");
    let sshd = start_sshd(dir.path(), &host);
    let mut shell = Shell::local("pwsh");
    shell.location = Location::Ssh {
        host: "127.0.0.1".into(),
        user: Some(user()),
        port: Some(sshd.port),
        identity_file: Some(sshd.key.to_string_lossy().into_owned()),
        known_hosts: Some(sshd.known_hosts.to_string_lossy().into_owned()),
    };
    let p = HypervProvider::new(shell);
    let name = "it's $(whoami) `n \"x\"\nline 2";
    let sw = create(&p, "hyperv.switch", &props(json!({ "name": "lab" }))).await;
    let vm = create(
        &p,
        "hyperv.vm",
        &props(json!({
            "name": name, "memory_mb": 512, "network_adapters": [{ "switch": "lab" }],
            "secure_boot": false, "user_data": "#cloud-config\n",
        })),
    )
    .await;
    assert_eq!(
        std::fs::read_to_string(&sshd.seen_command).expect("the remote command"),
        "pwsh -NoProfile -NonInteractive -Command -",
        "only PowerShell's flags travel on the ssh command line; the script goes on stdin"
    );
    assert_eq!(host.vm(name)["State"], "Running");
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("read over ssh");
    assert_eq!(fresh.inputs["name"], Value::str(name));
    p.delete("hyperv.vm", &vm, &ctx()).await.expect("delete");
    p.delete("hyperv.switch", &sw, &ctx())
        .await
        .expect("delete");
    assert_eq!(host.read()["vms"], json!([]));

    // A host key that does not match is refused, with ssh's own words.
    std::fs::write(&sshd.known_hosts, format!("[127.0.0.1]:{} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBadBadBadBadBadBadBadBadBadBadBadBadBadBadBadBadB\n", sshd.port)).expect("write");
    let err = p
        .read("hyperv.switch", &sw, &ctx())
        .await
        .expect_err("refused");
    assert!(err.to_string().to_lowercase().contains("host key"), "{err}");
}
