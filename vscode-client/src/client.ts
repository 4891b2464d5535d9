// Starting, restarting and stopping the ACRouter language server
// (`<python> -m acrouter serve` over stdio), and sending it commands.
// API keys reach the server only through its process environment.

import * as os from "node:os";
import * as vscode from "vscode";
import {
  type CancellationToken,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  type ExecuteCommandParams,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { buildServerEnv } from "./env";
import { type Handshake, handshake } from "./handshake";
import { installServer, privatePython } from "./installer";
import {
  onActiveEnvironmentChange,
  PYTHON_EXTENSION_ID,
  type PythonExtensionLike,
  pythonExtensionInterpreter,
} from "./interpreter";
import { type Log, showError } from "./log";
import { checkImport, reportMissingServer } from "./missingServer";
import type { ApiKeyStore } from "./secrets";
import { chooseInterpreter } from "./serverInstall";
import {
  configurationChange,
  initializationOptions,
  readSettings,
  resolvePythonPath,
  toServerSettings,
} from "./settings";

export function currentSettings() {
  return readSettings(vscode.workspace.getConfiguration("acrouter"));
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** The Python extension's active interpreter for the workspace, if that extension is installed and has one. */
function pythonExtensionPython(log: Log): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) as PythonExtensionLike | undefined;
  return pythonExtensionInterpreter(extension, vscode.workspace.workspaceFolders?.[0]?.uri, (m) => log.warn(m));
}

/**
 * The Python the editor has selected for `resource`'s workspace folder (the Python
 * extension's active interpreter), sent with each request: a Python project with no
 * virtualenv of its own has its tests run with it. Only asked of a Python extension
 * that is already active (a request does not start it), within 3 s.
 */
export function editorPython(resource: vscode.Uri, log: Log): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) as PythonExtensionLike | undefined;
  const folder = vscode.workspace.getWorkspaceFolder(resource)?.uri ?? resource;
  return pythonExtensionInterpreter(extension, folder, (m) => log.warn(m), 3_000, false);
}

/**
 * The interpreter that runs the server: pythonPath, else the private install,
 * else the Python extension's active environment, else python3.
 */
export async function pythonCommand(context: vscode.ExtensionContext, log: Log): Promise<string> {
  const setting = currentSettings().settings.pythonPath;
  if (setting) {
    return resolvePythonPath(setting, {
      platform: process.platform,
      home: os.homedir(),
      workspaceFolder: workspaceRoot(),
    });
  }
  const installed = privatePython(context);
  if (installed) return installed;
  return chooseInterpreter(undefined, undefined, await pythonExtensionPython(log), process.platform);
}

const REINSTALL = "Reinstall Server";
const CONTINUE = "Continue Anyway";

/** Context key for the views' welcome content: "missing" while the server cannot start. */
const SERVER_STATE = "acrouter.serverState";

/** Send one `acrouter.server.*` command with its single JSON object argument. */
export function executeServerCommand(
  client: LanguageClient,
  command: string,
  argument: object,
  token?: CancellationToken,
  workDoneToken?: string,
): Promise<unknown> {
  const params: ExecuteCommandParams = { command, arguments: [argument] };
  if (workDoneToken !== undefined) params.workDoneToken = workDoneToken;
  return token
    ? client.sendRequest(ExecuteCommandRequest.type, params, token)
    : client.sendRequest(ExecuteCommandRequest.type, params);
}

/**
 * How the language client talks to the server: it syncs the file buffers, logs to `log`, and
 * hands the server the validated acrouter.* settings (at start, on each change, and when asked).
 * `client`: the client these options belong to, once it exists.
 */
function clientOptions(log: Log, client: () => LanguageClient | undefined): LanguageClientOptions {
  return {
    // The server reads request buffers (unsaved edits included) through document sync.
    documentSelector: [{ scheme: "file" }],
    outputChannel: log, // server stderr and the protocol trace land here
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: initializationOptions(currentSettings().settings),
    synchronize: { configurationSection: "acrouter" },
    middleware: {
      workspace: {
        // Validated, whitelisted settings instead of the raw section; sent once after start and on
        // each acrouter.* change. Never {settings: null}, which the server would read as "all defaults".
        didChangeConfiguration: async () => {
          await client()?.sendNotification(
            DidChangeConfigurationNotification.type,
            configurationChange(currentSettings().settings),
          );
        },
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i) =>
            item.section === "acrouter" ? toServerSettings(currentSettings().settings) : answers[i],
          );
        },
      },
    },
  };
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private pending: Promise<LanguageClient | undefined> | undefined;
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  /** Fires each time a server (re)started and answered `initialize`. */
  readonly onDidStart = this.started.event;
  /** The last start failed because the server is not installed (or Python is missing). */
  missing = false;
  /** The running server's version differs from the extension's (undefined: it matches, or none runs). */
  private mismatch: Extract<Handshake, { ok: false }> | undefined;
  /** The user chose to route with the mismatched server anyway (until it restarts). */
  private mismatchAccepted = false;
  /** Restarts the server when the Python extension's active environment changes (when that chose it). */
  private pythonEnvWatch: { dispose(): void } | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly keys: ApiKeyStore,
  ) {}

  /** The running client, starting the server first if needed; undefined if it cannot start (the user was told why). */
  async get(): Promise<LanguageClient | undefined> {
    if (this.pending) return this.pending;
    if (this.client?.isRunning()) return this.client;
    this.pending = (async () => {
      await this.disposeClient();
      return this.start();
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Stop (if running) and start again: "ACRouter: Restart Server". */
  async restart(): Promise<LanguageClient | undefined> {
    if (this.pending) await this.pending.catch(() => undefined);
    this.log.info("Restarting the ACRouter server");
    await this.disposeClient();
    return this.get();
  }

  /** Restart with fresh settings and keys, if the server is running or starting; otherwise the next get() starts it fresh. */
  async restartIfRunning(): Promise<void> {
    if (this.pending) await this.pending;
    if (!this.client) return;
    this.log.info("Restarting the ACRouter server");
    await this.disposeClient();
    await this.get();
  }

  async stop(): Promise<void> {
    if (this.pending) await this.pending.catch(() => undefined);
    await this.disposeClient();
  }

  dispose(): void {
    this.pythonEnvWatch?.dispose();
    this.started.dispose();
    void this.stop();
  }

  private async disposeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.dispose(5000);
    } catch (error) {
      this.log.warn(`Stopping the ACRouter server: ${String(error)}`);
    }
  }

  private setMissing(missing: boolean): void {
    this.missing = missing;
    void vscode.commands.executeCommand("setContext", SERVER_STATE, missing ? "missing" : "ok");
  }

  /** Once the Python extension is active: follow its active environment while neither pythonPath nor a private install decides. */
  private watchPythonExtension(): void {
    if (this.pythonEnvWatch) return;
    const extension = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) as PythonExtensionLike | undefined;
    this.pythonEnvWatch = onActiveEnvironmentChange(extension, () => {
      if (currentSettings().settings.pythonPath || privatePython(this.context)) return;
      this.log.info("The Python extension's active environment changed: restarting the server with it");
      void this.restartIfRunning();
    });
  }

  private get extensionVersion(): string {
    return String(this.context.extension.packageJSON.version);
  }

  /**
   * The running client for a request that routes (Route and Complete): as get(),
   * but a server of another version than the extension routes only after the
   * user chose Reinstall Server (and it matches) or Continue Anyway.
   */
  async forRouting(): Promise<LanguageClient | undefined> {
    const client = await this.get();
    if (!client || !this.mismatch || this.mismatchAccepted) return client;
    const choice = await vscode.window.showWarningMessage(
      this.mismatch.message,
      {
        modal: true,
        detail: "Routing with a server of another version can fail or behave unlike this extension describes.",
      },
      REINSTALL,
      CONTINUE,
    );
    if (choice === CONTINUE) {
      this.acceptMismatch();
      return client;
    }
    if (choice !== REINSTALL) return undefined;
    const reinstalled = await this.install();
    return reinstalled && !this.mismatch ? reinstalled : undefined;
  }

  private acceptMismatch(): void {
    this.mismatchAccepted = true;
    this.log.warn(
      `Routing with the ${this.mismatch?.serverVersion ?? "unversioned"} server, as chosen (Continue Anyway)`,
    );
  }

  /** Say that the server's version differs, and offer to reinstall (not awaited). */
  private reportMismatch(mismatch: Extract<Handshake, { ok: false }>): void {
    this.log.warn(mismatch.message);
    void vscode.window
      .showWarningMessage(mismatch.message, REINSTALL, CONTINUE, "Open Settings")
      .then(async (choice) => {
        if (choice === REINSTALL) await this.install();
        else if (choice === CONTINUE && this.mismatch === mismatch) this.acceptMismatch();
        else if (choice === "Open Settings")
          await vscode.commands.executeCommand("workbench.action.openSettings", "acrouter.pythonPath");
      });
  }

  private async start(): Promise<LanguageClient | undefined> {
    this.mismatch = undefined;
    this.mismatchAccepted = false;
    const python = await pythonCommand(this.context, this.log);
    this.watchPythonExtension();
    const cwd = workspaceRoot();
    // Keys are read from SecretStorage into this environment and go nowhere else.
    const env = buildServerEnv(process.env, await this.keys.load());

    const check = await checkImport(python, env, cwd);
    if (!check.ok) {
      this.setMissing(true);
      await reportMissingServer(this.context, this.log, check, python, () => this.install());
      return undefined;
    }
    this.setMissing(false);

    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", "acrouter", "serve"],
      transport: TransportKind.stdio,
      options: { env, cwd },
    };
    let client: LanguageClient | undefined; // set below; the middleware only runs once it is
    client = new LanguageClient(
      "acrouter",
      "ACRouter",
      serverOptions,
      clientOptions(this.log, () => client),
    );
    this.client = client;
    this.log.info(`Starting the ACRouter server: ${python} -m acrouter serve`);
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      showError(this.log, `ACRouter: the language server did not start (${python} -m acrouter serve).`, error);
      return undefined;
    }
    const result = handshake(this.extensionVersion, python, client.initializeResult?.serverInfo);
    if (result.ok) this.log.info(`ACRouter server ${result.version} started`);
    else {
      this.mismatch = result;
      this.reportMismatch(result);
    }
    this.started.fire(client);
    return client;
  }

  /** "Install Server": the private environment, then (re)start with it. */
  async install(): Promise<LanguageClient | undefined> {
    const { settings } = currentSettings();
    const python = await installServer(this.context, this.log, settings, await pythonExtensionPython(this.log));
    if (!python) return undefined;
    if (settings.pythonPath) {
      // An explicit pythonPath would still win over the private install: point it there, where it was set.
      const config = vscode.workspace.getConfiguration("acrouter");
      const where = config.inspect<string>("pythonPath");
      const targets: vscode.ConfigurationTarget[] = [];
      if (where?.workspaceFolderValue) targets.push(vscode.ConfigurationTarget.WorkspaceFolder);
      if (where?.workspaceValue) targets.push(vscode.ConfigurationTarget.Workspace);
      if (where?.globalValue) targets.push(vscode.ConfigurationTarget.Global);
      for (const target of targets) await config.update("pythonPath", python, target);
      this.log.info(`acrouter.pythonPath now points to the private install: ${python}`);
    }
    void vscode.window.showInformationMessage(`ACRouter: the server is installed (${python}).`);
    return this.restart();
  }
}
