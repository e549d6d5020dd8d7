// The metalint extension: a language client on `metalint server` for files named
// increment.meta (the language id "metalint"). The server does all the work and asks for the
// settings under "metalint" itself (workspace/configuration), so they are only announced here
// when they change.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration("metalint").get("path");
  const command = Array.isArray(configured) && configured.length ? configured : ["metalint"];
  return { command: command[0], args: [...command.slice(1), "server"] };
}

async function activate(context) {
  const { command, args } = serverCommand();
  client = new LanguageClient(
    "metalint",
    "metalint",
    { command, args, transport: TransportKind.stdio },
    {
      documentSelector: [
        { scheme: "file", language: "metalint" },
        { scheme: "untitled", language: "metalint" },
      ],
      synchronize: { configurationSection: "metalint" },
    },
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("metalint.path")) {
        vscode.window.showInformationMessage(
          "metalint.path changed: reload the window to start the new server.",
        );
      }
    }),
  );
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
