//! Generates docs/stdlib.md from the registry, so that the reference users read cannot drift
//! from the code: a test compares the file with this output. To rewrite the file after a
//! change, run `INFRA_UPDATE_DOCS=1 cargo test -p infra-stdlib docs_`.

use std::fmt::Write as _;

use crate::{FAMILIES, REGISTRY, bundled_modules};

const INTRO: &str = r#"# Standard library reference

The functions every `.infra` file can call, and the modules bundled with the tool. This file is
generated from the signatures in `stdlib/` (`INFRA_UPDATE_DOCS=1 cargo test -p infra-stdlib docs_`)
and checked by a test, so it always matches the tool.

## How functions behave

- **Types.** Each signature gives parameter and result types in the language's type syntax. An
  `int` is accepted wherever a `float` (number) is expected. `p?: T` marks an optional parameter;
  `...T` any number of further arguments of type `T`. `any` means the function accepts (or
  returns) several kinds; the description says which.
- **Values known after apply.** If any argument is known only after apply (an id the cloud
  assigns, say), the call is evaluated after apply and its result is known after apply too.
  Functions that read inside lists and objects (`join`, `format`, `json_encode`, `contains`,
  `distinct`, `sort`) also wait when an element is known only after apply.
- **Secrets.** If any argument is a secret, the result is a secret. Functions that move values
  around (`merge`, `concat`, `lookup`, `values`, `flatten`, `zipmap`, ...) keep secret elements
  secret where they are; functions that read elements into a new value (`join`, `format`,
  `json_encode`, `contains`, `distinct`, `sort`) make the whole result a secret when any element
  is one. When a call with a secret argument fails, its message keeps no detail, so that the
  secret is never shown.
- **Errors.** A call with the wrong number of arguments fails with
  ``"`f` takes 2 or 3 argument(s), 1 given"``; an argument of the wrong kind with
  ``"argument 2 of `f` must be string, found int"``. The errors listed under each function are
  the others it can raise. No function panics or wraps around on any input: integer overflow is
  an error.
"#;

fn family_intro(family: &str) -> (&'static str, &'static str) {
    match family {
        "strings" => (
            "Strings",
            "Lengths and offsets count characters (Unicode scalar values), not bytes.",
        ),
        "collections" => (
            "Collections",
            "Lists and objects (maps). Object keys are always sorted, so results are \
             deterministic.",
        ),
        "numeric" => (
            "Numbers",
            "Ints stay ints where the result is exact; any float makes a float.",
        ),
        "encoding" => ("Encoding and conversion", "Between values and text."),
        "hashing" => (
            "Hashing",
            "Stable digests, for checksums and globally unique names.",
        ),
        "network" => (
            "Networking",
            "CIDR arithmetic with the semantics of Terraform's `cidrsubnet`, `cidrhost` and \
             `cidrnetmask`, for IPv4 and IPv6.",
        ),
        "environment" => (
            "Environment and files",
            "The only functions with effects. They read the environment of the `infra` process \
             and files of the project folder; they are typically used in `environment` blocks.",
        ),
        _ => ("Other", ""),
    }
}

pub(crate) fn render() -> String {
    let mut out = String::from(INTRO);
    out.push_str("\n## Contents\n\n");
    for family in FAMILIES {
        let (title, _) = family_intro(family);
        let names: Vec<String> = REGISTRY
            .defs
            .iter()
            .filter(|d| d.sig.family == *family)
            .map(|d| format!("`{}`", d.sig.name))
            .collect();
        let _ = writeln!(out, "- {title}: {}", names.join(", "));
    }
    out.push_str("- Bundled modules: ");
    let modules: Vec<String> = bundled_modules()
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    out.push_str(&modules.join(", "));
    out.push('\n');
    for family in FAMILIES {
        let (title, intro) = family_intro(family);
        let _ = write!(out, "\n## {title}\n\n{intro}\n");
        for def in REGISTRY.defs.iter().filter(|d| d.sig.family == *family) {
            let sig = &def.sig;
            let _ = write!(
                out,
                "\n### {}\n\n`{}`\n\n{}\n\n```infra\n{}   // {}\n```\n",
                sig.name,
                sig.synopsis(),
                sig.doc,
                sig.example.0,
                sig.example.1
            );
            if !def.errors.is_empty() {
                out.push_str("\nErrors:\n");
                for (when, call, message) in &def.errors {
                    let _ = writeln!(out, "- {when}: `{call}` fails with `` {message} ``");
                }
            }
        }
    }
    out.push_str(MODULES);
    out
}

const MODULES: &str = r#"
## Bundled modules

Modules written in `.infra` that ship inside the tool; a `module` block names them with a
`std/` source and needs no download.

**`std/azure/container-api`**: one HTTP service on Azure Container Apps that reads its secrets
from Key Vault through its own identity. It creates `app` (an `azure.container_app` with a
system-assigned identity and ingress) and `reads_secrets` (an `azure.role_assignment` giving that
identity "Key Vault Secrets User" on the vault). Only the app reads `image`: changing it plans
one update, of the app.

```infra
resource rg: azure.resource_group { name = "shop-rg", location = "westeurope" }
resource logs: azure.log_analytics_workspace { name = "shop-logs", resource_group = rg, retention_days = 30 }
resource cae: azure.container_app_environment { name = "shop-cae", resource_group = rg, logs = logs }
resource kv: azure.key_vault { name = "shop-kv", resource_group = rg, rbac = true }

module api = "std/azure/container-api" {
  name        = "shop-api"
  environment = cae
  image       = "shop/api:1.0"
  key_vault   = kv
  env         = { LOG_LEVEL = "info" }
}

output api_url = api.url
```

Addresses: `module.api.app`, `module.api.reads_secrets`.

| Param | Type | Default | Meaning |
|---|---|---|---|
| `name` | `string` | | App name. |
| `environment` | `azure.container_app_environment` | | The environment the app runs in. |
| `image` | `string` | | Container image. |
| `key_vault` | `azure.key_vault` | | The vault (with `rbac = true`) whose secrets the app may read. |
| `cpu` | `float` | `0.5` | vCPU per replica. |
| `memory` | `string` | `"1Gi"` | Memory per replica. |
| `replicas` | `{ min_replicas: int, max_replicas: int }` | `{ min_replicas = 1, max_replicas = 3 }` | Scale bounds. |
| `target_port` | `int` | `8080` | The port the container listens on. |
| `external` | `bool` | `true` | Ingress reachable from outside the environment. |
| `env` | `map<string>` | `{}` | Plain environment variables; a secret here is E0501. |
| `secrets` | `map<azure.key_vault_secret>` | `{}` | Environment variables read from Key Vault secrets. |

| Output | Meaning |
|---|---|
| `id` | The app's ARM id. |
| `fqdn` | The ingress host name. |
| `url` | `https://<fqdn>`. |
| `principal_id` | The app's managed identity, for further role assignments. |

**`std/naming`**: consistent, valid Azure resource names from a project and an environment.

```infra
module names = "std/naming" { project = "shop", environment = "prod" }

resource rg: azure.resource_group { name = names.resource_group, location = "westeurope" }
```

| Param | Type | Default | Meaning |
|---|---|---|---|
| `project` | `string` | | Short project name. |
| `environment` | `string` | | Environment name (`dev`, `prod`, ...). |
| `suffix_seed` | `string` | `""` | Change it to get a fresh set of globally unique names. |

| Output | Example | Rule |
|---|---|---|
| `prefix` | `"shop-prod"` | `<project>-<environment>`, lower case. |
| `resource_group` | `"shop-prod-rg"` | `<prefix>-rg`. |
| `unique` | 13 characters | `unique_string(project, environment, suffix_seed)`. |
| `storage_account` | `"stshopprod" + unique` | `st`, up to 9 letters/digits of project and environment, `unique`: lowercase alphanumerics, at most 24 characters. |
| `key_vault` | `"kv-shopprod-" + 12 characters` | `kv-`, up to 8 letters/digits, `-`, 12 characters of `unique`: 3-24 characters, starts with a letter, no `--`. |
"#;
