//! How Zed starts the language server for `.infra` files: `infra lsp`, with `infra` found on
//! the PATH of the project's shell, or the `lsp.infra.binary` settings when given:
//! `{ "lsp": { "infra": { "binary": { "path": "/opt/infra/bin/infra", "arguments": ["lsp"] } } } }`.

use zed_extension_api::{self as zed, settings::LspSettings};

struct Infra;

impl zed::Extension for Infra {
    fn new() -> Self {
        Infra
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let configured = LspSettings::for_worktree("infra", worktree)
            .ok()
            .and_then(|s| s.binary);
        let path = configured.as_ref().and_then(|b| b.path.clone());
        let command = match path {
            Some(p) => p,
            None => worktree.which("infra").ok_or_else(|| {
                "`infra` is not on the PATH of this project's shell: install it, or set \
                 lsp.infra.binary.path in Zed's settings"
                    .to_string()
            })?,
        };
        let args = configured
            .and_then(|b| b.arguments)
            .unwrap_or_else(|| vec!["lsp".to_string()]);
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(Infra);
