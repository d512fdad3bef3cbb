//! The seed ISO read back by an independent reader, `isoinfo` (Debian genisoimage; `.ci/run`
//! installs it): the volume label, the Joliet names with their dashes and case, and the bytes.

use infra_provider_hyperv::seed;
use std::process::Command;

fn isoinfo(args: &[&str], image: &std::path::Path) -> String {
    let out = Command::new("isoinfo")
        .args(args)
        .arg("-i")
        .arg(image)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run isoinfo ({e}): install genisoimage (apt-get install genisoimage; .ci/run does)")
        });
    assert!(
        out.status.success(),
        "isoinfo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn isoinfo_reads_the_nocloud_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("seed.iso");
    // Larger than one sector, with non-ASCII text, to check extents and lengths.
    let user_data = format!(
        "#cloud-config\n# déjà vu\nruncmd:\n{}",
        "  - echo hello\n".repeat(300)
    );
    let net = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";
    let bytes = seed::build("vm-01", &user_data, Some(net)).expect("seed");
    std::fs::write(&image, &bytes).expect("write");

    let d = isoinfo(&["-d"], &image);
    assert!(d.contains("Volume id: CIDATA"), "{d}");
    assert!(d.contains("Joliet with UCS level 3 found"), "{d}");

    let listing = isoinfo(&["-J", "-f"], &image);
    let mut names: Vec<&str> = listing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["/meta-data", "/network-config", "/user-data"],
        "{listing}"
    );

    assert_eq!(isoinfo(&["-J", "-x", "/user-data"], &image), user_data);
    assert_eq!(isoinfo(&["-J", "-x", "/network-config"], &image), net);
    let meta = isoinfo(&["-J", "-x", "/meta-data"], &image);
    assert!(meta.starts_with("instance-id: iid-"), "{meta}");
    assert!(meta.contains("local-hostname: \"vm-01\"\n"), "{meta}");
    // The plain ISO 9660 names are there too, for readers without Joliet.
    let plain = isoinfo(&["-f"], &image);
    assert!(plain.contains("/USER_DAT.;1"), "{plain}");
}
