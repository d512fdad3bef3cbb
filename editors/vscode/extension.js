// A thin client: VS Code starts `infra lsp` over stdio and everything else (diagnostics,
// completion, rename, ...) comes from the server. Plain JavaScript, so that packaging needs
// no compiler.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;
let output;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('infra');
  const command = config.get('server.path') || 'infra';
  const args = ['lsp', ...(config.get('server.extraArgs') || [])];
  return { command, args, transport: TransportKind.stdio };
}

async function start() {
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'infra' }],
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.infra'),
    },
  };
  client = new LanguageClient('infra', 'infra language server', serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (err) {
    output.appendLine(`could not start \`${serverOptions().command} lsp\`: ${err}`);
    vscode.window.showErrorMessage(
      'infra: the language server did not start. Set `infra.server.path` to the infra executable.'
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop().catch(() => undefined);
  }
}

async function activate(context) {
  output = vscode.window.createOutputChannel('infra');
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('infra.restartServer', async () => {
      output.appendLine('restarting the language server');
      await stop();
      await start();
    }),
    vscode.commands.registerCommand('infra.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('infra.server')) {
        await stop();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
