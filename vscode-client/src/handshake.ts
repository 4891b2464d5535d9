// The version handshake at start: the server reports its version in
// InitializeResult.serverInfo; a server of another version than the extension
// (an old private environment, a pythonPath pointing elsewhere) is named and
// never routes silently. Pure module (no `vscode`); client.ts acts on it.

export interface ServerInfoLike {
  name?: string;
  version?: string;
}

export type Handshake =
  { ok: true; version: string } | { ok: false; serverVersion: string | undefined; message: string };

/** Compare the running server's reported version with the extension's. */
export function handshake(extensionVersion: string, python: string, info: ServerInfoLike | undefined): Handshake {
  const serverVersion = info?.version?.trim() || undefined;
  if (serverVersion === extensionVersion) return { ok: true, version: serverVersion };
  const what = serverVersion ? `is version ${serverVersion}` : "does not report its version (an old server?)";
  return {
    ok: false,
    serverVersion,
    message:
      `ACRouter: the language server (${python}) ${what}, but this extension is ${extensionVersion}. ` +
      `Reinstall Server puts the matching server (${extensionVersion}) in the extension's private environment. ` +
      `Route and Complete waits until then, unless you continue with this server.`,
  };
}
