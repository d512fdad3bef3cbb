//! The Hyper-V provider through the CLI: `environments/vm-test.infra` planned, applied, changed,
//! drifted and destroyed against the emulated host (`infra emulator hyperv` standing in for
//! `pwsh`), beside the Azure side on the built-in emulator; targets refused with E1200/E1201.

mod common;
use common::*;
use serde_json::json;
use std::path::Path;

const BASE: &str = "C:\\Hyper-V\\Images\\ubuntu-24.04-server-cloudimg-amd64.vhdx";

struct Lab {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    host: std::path::PathBuf,
    pwsh: String,
}

impl Lab {
    fn new() -> Lab {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("environments");
        copy_dir(&repo().join("environments"), &dir);
        let host = tmp.path().join("host.json");
        // The base image comes from the emulator's `--image`, as docs/hyperv.md tells users.
        let pwsh = format!(
            "{} emulator hyperv --state {} --image {BASE}",
            env!("CARGO_BIN_EXE_infra"),
            host.display()
        );
        Lab {
            _tmp: tmp,
            dir,
            host,
            pwsh,
        }
    }

    fn run(&self, args: &[&str], enums: &str) -> std::process::Output {
        infra_env(
            args,
            &self.dir,
            &[
                ("HYPERV_HOST", ""),
                ("HYPERV_PWSH", &self.pwsh),
                ("INFRA_HYPERV_EMULATOR_ENUMS", enums),
                // The VM is what this test is about: the emulated flexible server stays ARM
                // data only (no PostgreSQL cluster), so the plan's count does not depend on
                // whether PostgreSQL is installed.
                ("INFRA_EMULATOR_POSTGRES", "off"),
            ],
        )
    }

    fn host(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&self.host).expect("host")).expect("json")
    }

    fn edit_host(&self, f: impl FnOnce(&mut serde_json::Value)) {
        let mut doc = self.host();
        f(&mut doc);
        std::fs::write(&self.host, doc.to_string()).expect("write");
    }
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

#[test]
fn vm_test_plans_applies_changes_and_destroys_on_the_emulated_host() {
    let lab = Lab::new();
    let plan = ok(&lab.run(&["plan", ".", "--env", "vm-test"], "strings"));
    for want in [
        "+ lab[\"platform\"] (hyperv.switch) will be created",
        "+ os_disk[\"platform\"] (hyperv.vhd) will be created",
        "+ vm[\"platform\"] (hyperv.vm) will be created",
        "+ user_data = (secret)",
        "+ disks = [\"C:\\\\Hyper-V\\\\infra\\\\lw-vm-test-platform.vhdx\"]",
        "+ rg (azure.resource_group) will be created",
        "Plan: 21 to add",
    ] {
        assert!(plan.contains(want), "missing `{want}` in:\n{plan}");
    }
    // Nothing was asked of the host for a plan from an empty state: the emulated host never
    // ran, so it has not even written its state file.
    assert!(
        !lab.host.exists(),
        "the host was asked something during plan"
    );

    ok(&lab.run(
        &["apply", ".", "--env", "vm-test", "--auto-approve"],
        "ints",
    ));
    let vm = lab.host()["vms"][0].clone();
    assert_eq!(vm["Name"], "lw-vm-test-platform");
    assert_eq!(vm["State"], "Running");
    assert_eq!(vm["MemoryStartup"], 4096i64 << 20);
    assert_eq!(
        vm["SecureBootTemplate"],
        "MicrosoftUEFICertificateAuthority"
    );
    assert_eq!(lab.host()["vhds"][1]["ParentPath"], BASE);
    let ip = stdout(&lab.run(&["output", "--env", "vm-test", "vm_ip"], "ints"));
    assert!(ip.trim().trim_matches('"').starts_with("192.168."), "{ip}");

    // The seed carries the compose file generated from the same values as the Azure apps.
    let iso_path = vm["DvdDrives"][0]["Path"]
        .as_str()
        .expect("seed dvd")
        .to_string();
    let iso_b64 = lab.host()["files"][&iso_path]
        .as_str()
        .expect("seed iso")
        .to_string();
    let iso = base64_decode(&iso_b64);
    let text = String::from_utf8_lossy(&iso);
    assert!(text.contains("#cloud-config"), "user-data in the image");
    assert!(
        text.contains("ghcr.io/augeo/api:latest") && text.contains("8080:8080"),
        "compose in the image"
    );

    for enums in ["ints", "strings"] {
        let again = lab.run(
            &["plan", ".", "--env", "vm-test", "--detailed-exitcode"],
            enums,
        );
        assert_eq!(
            again.status.code(),
            Some(0),
            "false changes ({enums}):\n{}",
            stdout(&again)
        );
    }

    // Memory on the running VM: stop, change, start, said in the plan.
    replace_in(
        &lab.dir.join("vm-test.infra"),
        "vm_memory_mb: int = 4096",
        "vm_memory_mb: int = 6144",
    );
    let plan = ok(&lab.run(&["plan", ".", "--env", "vm-test"], "ints"));
    assert!(
        plan.contains("~ vm[\"platform\"] (hyperv.vm) will be updated in place"),
        "{plan}"
    );
    assert!(plan.contains("~ memory_mb = 4096 -> 6144"), "{plan}");
    assert!(
        plan.contains("+ restart = \"stop, change memory_mb, start: Hyper-V changes these only while the VM is off\""),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to replace"),
        "{plan}"
    );
    ok(&lab.run(
        &["apply", ".", "--env", "vm-test", "--auto-approve"],
        "ints",
    ));
    assert_eq!(lab.host()["vms"][0]["MemoryStartup"], 6144i64 << 20);
    assert_eq!(lab.host()["vms"][0]["State"], "Running");

    // Generation: a replacement.
    replace_in(
        &lab.dir.join("vm-test.infra"),
        "generation           = 2",
        "generation           = 1\n  secure_boot          = false",
    );
    let plan = ok(&lab.run(&["plan", ".", "--env", "vm-test"], "ints"));
    assert!(
        plan.contains(
            "vm[\"platform\"] (hyperv.vm) will be replaced: `generation` forces replacement"
        ),
        "{plan}"
    );
    assert!(
        !plan.contains("restart"),
        "a new VM needs no restart:\n{plan}"
    );
    replace_in(
        &lab.dir.join("vm-test.infra"),
        "generation           = 1\n  secure_boot          = false",
        "generation           = 2",
    );

    // Stopped behind infra's back: drift, and a plan that starts it again.
    lab.edit_host(|d| d["vms"][0]["State"] = json!("Off"));
    let plan = ok(&lab.run(&["plan", ".", "--env", "vm-test"], "strings"));
    assert!(plan.contains("changed outside infra"), "{plan}");
    assert!(plan.contains("~ state = \"off\" -> \"running\""), "{plan}");
    ok(&lab.run(
        &["apply", ".", "--env", "vm-test", "--auto-approve"],
        "strings",
    ));
    assert_eq!(lab.host()["vms"][0]["State"], "Running");

    ok(&lab.run(
        &["destroy", ".", "--env", "vm-test", "--auto-approve"],
        "ints",
    ));
    let host = lab.host();
    assert_eq!(host["vms"], json!([]));
    assert_eq!(host["switches"], json!([]));
    assert_eq!(
        host["vhds"].as_array().map(Vec::len),
        Some(1),
        "the base image stays"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bits: Vec<u8> = s.bytes().filter_map(val).collect();
    let mut out = Vec::new();
    for chunk in bits.chunks(4) {
        let n =
            chunk.iter().fold(0u32, |acc, v| (acc << 6) | u32::from(*v)) << (6 * (4 - chunk.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn hyperv_targets_are_checked() {
    let dup = project(&[(
        "main.infra",
        "environment e {\n  target = [emulator {}, hyperv {}, hyperv { host = \"b\" }]\n}\n",
    )]);
    let out = infra(&["validate", ".", "--env", "e"], dup.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("E1200"), "{}", stderr(&out));

    let bad = project(&[(
        "main.infra",
        "resource s: hyperv.switch { name = \"x\" }\nenvironment e {\n  target = hyperv { user = \"ci\" }\n}\n",
    )]);
    let out = infra(&["plan", ".", "--env", "e"], bad.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("E1201") && stderr(&out).contains("`user` is for ssh"),
        "{}",
        stderr(&out)
    );

    let none = project(&[(
        "main.infra",
        "resource s: hyperv.switch { name = \"x\" }\nenvironment e {}\n",
    )]);
    let out = infra(&["plan", ".", "--env", "e"], none.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("needs a Hyper-V host"),
        "{}",
        stderr(&out)
    );
}
