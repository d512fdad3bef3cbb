//! Modules bundled with the tool, written in `.infra` and embedded at build time, so that
//! `module n = "std/<path>" { ... }` needs no download and always matches the tool's version.

/// The files of one bundled module: (file name, file text).
pub type ModuleFiles = &'static [(&'static str, &'static str)];

static MODULES: &[(&str, ModuleFiles)] = &[
    (
        "std/azure/container-api",
        &[(
            "main.infra",
            include_str!("../modules/azure/container-api/main.infra"),
        )],
    ),
    (
        "std/naming",
        &[("main.infra", include_str!("../modules/naming/main.infra"))],
    ),
];

/// The files of the bundled module named by a module block's source (`"std/naming"`), or
/// `None` when no such module is bundled.
pub fn bundled_module(source: &str) -> Option<&'static [(&'static str, &'static str)]> {
    MODULES
        .iter()
        .find(|(name, _)| *name == source)
        .map(|(_, files)| *files)
}

/// Every bundled module's source name with its files, sorted by name.
pub fn bundled_modules() -> &'static [(&'static str, &'static [(&'static str, &'static str)])] {
    MODULES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_is_bundled() {
        let files = bundled_module("std/naming").unwrap_or_default();
        assert_eq!(files.len(), 1);
        let (name, text) = files.first().copied().unwrap_or_default();
        assert_eq!(name, "main.infra");
        for needle in [
            "param project: string",
            "param environment: string",
            "param suffix_seed: string = \"\"",
            "output prefix",
            "output storage_account",
            "output key_vault",
        ] {
            assert!(text.contains(needle), "std/naming lacks {needle:?}");
        }
    }

    /// The documented interface of std/azure/container-api (tests/std_container_api.rs applies
    /// it on the emulator): a user relies on these names and defaults.
    #[test]
    fn container_api_is_bundled_with_its_interface() {
        let files = bundled_module("std/azure/container-api").unwrap_or_default();
        let text = files
            .iter()
            .find(|(name, _)| *name == "main.infra")
            .map(|(_, text)| *text)
            .unwrap_or_default();
        for needle in [
            "param name: string\n",
            "param environment: azure.container_app_environment\n",
            "param image: string\n",
            "param key_vault: azure.key_vault\n",
            "param cpu: float = 0.5\n",
            "param memory: string = \"1Gi\"\n",
            "param replicas: { min_replicas: int, max_replicas: int } = { min_replicas = 1, max_replicas = 3 }\n",
            "param target_port: int = 8080\n",
            "param external: bool = true\n",
            "param env: map<string> = {}\n",
            "param secrets: map<azure.key_vault_secret> = {}\n",
            "output id = app.id\n",
            "output fqdn = app.fqdn\n",
            "output url = \"https://${app.fqdn}\"\n",
            "output principal_id = app.identity.principal_id\n",
            "role           = \"Key Vault Secrets User\"",
        ] {
            assert!(
                text.contains(needle),
                "std/azure/container-api lacks {needle:?}"
            );
        }
    }

    /// Mirrors the expressions of std/naming (the language crate evaluates the module itself)
    /// to check that the names keep Azure's rules for awkward inputs.
    #[test]
    fn naming_rules_hold_for_awkward_inputs() {
        use crate::testutil::ok;
        for (project, env) in [
            ("shop", "prod"),
            ("My_Very-Long.Project", "Staging-EU"),
            ("--", "_"),
            ("é", "1"),
        ] {
            let compact = format!("alphanumeric(lower(\"{project}{env}\"))");
            let unique = format!("unique_string(\"{project}\", \"{env}\", \"\")");
            let st = ok(&format!(
                "format(\"st%s%s\", substr({compact}, 0, 9), {unique})"
            ));
            let kv = ok(&format!(
                "format(\"kv-%s-%s\", substr(coalesce({compact}, \"x\"), 0, 8), substr({unique}, 0, 12))"
            ));
            let st = st.as_str().unwrap_or_default();
            let kv = kv.as_str().unwrap_or_default();
            assert!((3..=24).contains(&st.len()), "{st}");
            assert!(
                st.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{st}"
            );
            assert!((3..=24).contains(&kv.len()), "{kv}");
            assert!(
                kv.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "{kv}"
            );
            assert!(!kv.contains("--") && kv.starts_with("kv-"), "{kv}");
        }
    }

    #[test]
    fn unknown_sources_are_none() {
        assert!(bundled_module("std/nope").is_none());
        assert!(bundled_module("std/naming/").is_none());
        assert!(bundled_module("./std/naming").is_none());
        assert!(bundled_module("").is_none());
    }

    #[test]
    fn modules_are_sorted_and_in_std() {
        let names: Vec<&str> = bundled_modules().iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(names.iter().all(|n| n.starts_with("std/")));
    }
}
