// A minimal stand-in for the `vscode` API, enough to run the bundled extension
// and the real vscode-languageclient under plain node: real classes where
// behaviour matters, auto-stubs elsewhere, and scripted answers for every
// message, input box and quick pick (consumed in order from script.answers).
const fs = require("node:fs");
const { URL } = require("node:url");
const log = (...a) => {
  if (process.env.SMOKE_VERBOSE) console.log("[vscode]", ...a);
};

function stub(name) {
  const fn = function () {};
  return new Proxy(fn, {
    get(_t, p) {
      if (p === "then") return undefined;
      if (p === Symbol.toPrimitive) return () => `stub:${name}`;
      if (p === "toString") return () => `stub:${name}`;
      if (p === "dispose") return () => undefined;
      return stub(`${name}.${String(p)}`);
    },
    apply() {
      return stub(`${name}()`);
    },
    construct() {
      return stub(`new ${name}`);
    },
  });
}

class Disposable {
  constructor(f) {
    this.f = f;
  }
  dispose() {
    this.f && this.f();
  }
  static from(...ds) {
    return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose()));
  }
}
class EventEmitter {
  constructor() {
    this.ls = [];
    this.event = (l, thisArg, ds) => {
      const h = l.bind(thisArg);
      this.ls.push(h);
      const d = new Disposable(() => {
        this.ls = this.ls.filter((x) => x !== h);
      });
      if (Array.isArray(ds)) ds.push(d);
      return d;
    };
  }
  fire(v) {
    for (const l of [...this.ls]) l(v);
  }
  dispose() {
    this.ls = [];
  }
}
class CancellationTokenSource {
  constructor() {
    const em = new EventEmitter();
    this.em = em;
    this.token = { isCancellationRequested: false, onCancellationRequested: em.event };
  }
  cancel() {
    if (!this.token.isCancellationRequested) {
      this.token.isCancellationRequested = true;
      this.em.fire();
    }
  }
  dispose() {}
}
class Uri {
  constructor(scheme, authority, path, query, fragment) {
    Object.assign(this, {
      scheme,
      authority: authority || "",
      path: path || "",
      query: query || "",
      fragment: fragment || "",
    });
  }
  static parse(s) {
    const u = new URL(s);
    return new Uri(u.protocol.slice(0, -1), u.host, decodeURIComponent(u.pathname), u.search.slice(1), u.hash.slice(1));
  }
  static file(p) {
    return new Uri("file", "", p);
  }
  static from(c) {
    return new Uri(c.scheme, c.authority, c.path, c.query, c.fragment);
  }
  get fsPath() {
    return this.path;
  }
  with(c) {
    return new Uri(
      c.scheme ?? this.scheme,
      c.authority ?? this.authority,
      c.path ?? this.path,
      c.query ?? this.query,
      c.fragment ?? this.fragment,
    );
  }
  toString() {
    return `${this.scheme}:${this.scheme === "file" || this.authority ? "//" + this.authority : ""}${encodeURI(this.path)}${this.query ? "?" + this.query : ""}`;
  }
  toJSON() {
    return { $mid: 1, scheme: this.scheme, path: this.path };
  }
}
class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}
class Range {
  constructor(a, b, c, d) {
    if (typeof a === "number") {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty() {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}
class Selection extends Range {}
class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
  static replace(r, t) {
    return new TextEdit(r, t);
  }
}
class WorkspaceEdit {
  constructor() {
    this.entries = [];
  }
  set(uri, edits) {
    this.entries.push([uri, edits]);
  }
  replace(uri, range, text) {
    this.entries.push([uri, [new TextEdit(range, text)]]);
  }
}
class MarkdownString {
  constructor(v, s) {
    this.value = v;
    this.supportThemeIcons = s;
  }
}
class TabInputTextDiff {
  constructor(original, modified) {
    this.original = original;
    this.modified = modified;
  }
}
class CancellationError extends Error {}
class FileSystemError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function makeDoc(uri, text, languageId) {
  const doc = {
    uri,
    languageId,
    version: 1,
    isClosed: false,
    isDirty: false,
    isUntitled: false,
    eol: 1,
    fileName: uri.fsPath,
    _text: text,
    getText() {
      return this._text;
    },
    get lineCount() {
      return this._text.split("\n").length;
    },
  };
  return doc;
}

function create(script) {
  const commands = new Map();
  const shown = [];
  const providers = new Map();
  const events = {
    didChangeConfiguration: new EventEmitter(),
    didOpen: new EventEmitter(),
    didChange: new EventEmitter(),
  };
  const config = script.config;
  const textDocuments = [];
  const tabs = [];
  const ask = (kind, msg, items, options) => {
    shown.push({ kind, msg, items, modal: options?.modal === true, detail: options?.detail });
    log(kind, JSON.stringify(msg), items.length ? JSON.stringify(items) : "");
    const answer = script.answers.shift();
    return Promise.resolve(typeof answer === "function" ? answer(msg, items) : answer);
  };
  const logChannel = () => {
    const lines = [];
    const w =
      (lvl) =>
      (m, ...rest) => {
        lines.push(`${lvl} ${m} ${rest.join(" ")}`);
      };
    return {
      name: "ACRouter",
      lines,
      logLevel: 2,
      onDidChangeLogLevel: new EventEmitter().event,
      append: w("append"),
      appendLine: w("line"),
      replace() {},
      clear() {},
      show() {},
      hide() {},
      dispose() {},
      trace: w("trace"),
      debug: w("debug"),
      info: w("info"),
      warn: w("warn"),
      error: w("error"),
    };
  };
  let channel;
  const vscode = {
    version: "1.90.0",
    Disposable,
    EventEmitter,
    CancellationTokenSource,
    CancellationError,
    FileSystemError,
    Uri,
    Position,
    Range,
    Selection,
    TextEdit,
    WorkspaceEdit,
    MarkdownString,
    TabInputTextDiff,
    ThemeColor: class {
      constructor(id) {
        this.id = id;
      }
    },
    ThemeIcon: class {
      constructor(id, color) {
        this.id = id;
        this.color = color;
      }
    },
    TreeItem: class {
      constructor(label, collapsibleState) {
        this.label = label;
        this.collapsibleState = collapsibleState;
      }
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    TabInputWebview: class {
      constructor(viewType) {
        this.viewType = viewType;
      }
    },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    env: {
      appName: "fake",
      language: "en",
      machineId: "m",
      clipboard: { writeText: async (t) => shown.push({ kind: "clipboard", msg: t }) },
      uiKind: 1,
    },
    commands: {
      registerCommand(id, f) {
        commands.set(id, f);
        return new Disposable(() => commands.delete(id));
      },
      async executeCommand(id, ...args) {
        if (commands.has(id)) return commands.get(id)(...args);
        shown.push({ kind: "command", msg: id, items: args });
        if (id === "vscode.diff") {
          tabs.push({ input: new TabInputTextDiff(args[0], args[1]), label: args[2] });
          log("diff", args[0].toString(), "<->", args[1].toString(), args[2]);
        } else log("executeCommand", id, args.map(String).join(" "));
        return undefined;
      },
      getCommands: async () => [...commands.keys()],
    },
    workspace: {
      workspaceFolders: [{ uri: Uri.file(script.root), name: "w", index: 0 }],
      getWorkspaceFolder(uri) {
        const folder = { uri: Uri.file(script.root), name: "w", index: 0 };
        return uri.path.startsWith(folder.uri.path + "/") ? folder : undefined;
      },
      asRelativePath(uri) {
        const p = typeof uri === "string" ? uri : uri.path;
        return p.startsWith(Uri.file(script.root).path + "/") ? p.slice(Uri.file(script.root).path.length + 1) : p;
      },
      textDocuments,
      getConfiguration(section) {
        return {
          get: (k, d) => (section === "acrouter" ? (config[k] !== undefined ? config[k] : d) : section ? d : d),
          has: () => false,
          inspect: () => undefined,
          update: async () => {},
        };
      },
      onDidChangeConfiguration: events.didChangeConfiguration.event,
      onDidOpenTextDocument: events.didOpen.event,
      onDidChangeTextDocument: events.didChange.event,
      onDidCloseTextDocument: new EventEmitter().event,
      onDidSaveTextDocument: new EventEmitter().event,
      onWillSaveTextDocument: new EventEmitter().event,
      onDidChangeWorkspaceFolders: new EventEmitter().event,
      onDidCreateFiles: new EventEmitter().event,
      onDidRenameFiles: new EventEmitter().event,
      onDidDeleteFiles: new EventEmitter().event,
      onWillCreateFiles: new EventEmitter().event,
      onWillRenameFiles: new EventEmitter().event,
      onWillDeleteFiles: new EventEmitter().event,
      onDidOpenNotebookDocument: new EventEmitter().event,
      onDidCloseNotebookDocument: new EventEmitter().event,
      onDidChangeNotebookDocument: new EventEmitter().event,
      onDidSaveNotebookDocument: new EventEmitter().event,
      notebookDocuments: [],
      registerTextDocumentContentProvider(scheme, p) {
        providers.set(scheme, p);
        return new Disposable();
      },
      async openTextDocument(uri) {
        const existing = textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (existing) return existing;
        const p = providers.get(uri.scheme);
        const doc = makeDoc(
          uri,
          p ? p.provideTextDocumentContent(uri) : "",
          uri.path.endsWith(".md") ? "markdown" : "plaintext",
        );
        return doc;
      },
      async applyEdit(edit) {
        for (const [uri, edits] of edit.entries) {
          // a file that is not open is edited on disk (VS Code would open it in the background)
          const doc = textDocuments.find((d) => d.uri.toString() === uri.toString());
          let text = doc ? doc._text : fs.readFileSync(uri.fsPath, "utf8");
          const offset = (p) => {
            const lines = text.split("\n");
            let o = 0;
            for (let i = 0; i < Math.min(p.line, lines.length); i++) o += lines[i].length + 1;
            return Math.min(o + p.character, text.length);
          };
          const spans = edits
            .map((e) => [offset(e.range.start), offset(e.range.end), e.newText])
            .sort((a, b) => b[0] - a[0]);
          for (const [start, end, newText] of spans) text = text.slice(0, start) + newText + text.slice(end);
          if (doc) {
            doc._text = text;
            doc.version++;
          } else fs.writeFileSync(uri.fsPath, text);
          log("applied edit to", uri.toString(), "->", JSON.stringify(text));
        }
        return true;
      },
      isTrusted: true,
      fs: {
        async readFile(uri) {
          try {
            return new Uint8Array(fs.readFileSync(uri.fsPath));
          } catch (error) {
            throw error.code === "ENOENT" ? new FileSystemError(uri.toString(), "FileNotFound") : error;
          }
        },
      },
    },
    window: {
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: new EventEmitter().event,
      onDidChangeVisibleTextEditors: new EventEmitter().event,
      createOutputChannel(name, opts) {
        channel = logChannel();
        return channel;
      },
      createStatusBarItem(id) {
        const item = { id, text: "", tooltip: "", show() {}, hide() {}, dispose() {} };
        script.status = item;
        return item;
      },
      showInformationMessage: (m, ...items) =>
        ask(
          "info",
          m,
          items.filter((i) => typeof i === "string"),
        ),
      showWarningMessage: (m, ...items) => {
        // items are labels or MessageItems ({title, isCloseAffordance}); the options object
        // ({modal, detail}) has no title. A scripted label answers with its MessageItem.
        const isItem = (i) => typeof i === "string" || (typeof i === "object" && i !== null && "title" in i);
        const choices = items.filter(isItem);
        const labels = choices.map((i) => (typeof i === "string" ? i : i.title));
        const options = items.find((i) => typeof i === "object" && i !== null && !("title" in i));
        return ask("warning", m, labels, options).then((answer) =>
          typeof answer === "string" && choices.some((i) => typeof i === "object")
            ? choices.find((i) => typeof i === "object" && i.title === answer)
            : answer,
        );
      },
      showErrorMessage: (m, ...items) =>
        ask(
          "error",
          m,
          items.filter((i) => typeof i === "string"),
        ),
      showInputBox: (o) =>
        ask("input", o.title + " | " + o.prompt + (o.password ? " [password]" : ""), []).then((v) => {
          if (v !== undefined && o.validateInput) {
            const err = o.validateInput(v);
            if (err) throw new Error("validation: " + err);
          }
          return v;
        }),
      showQuickPick: (items, o) =>
        Promise.resolve(items).then((items) =>
          ask(
            "quickpick",
            o.title,
            items.map((i) => `${i.label} | ${i.description ?? ""} | ${i.detail ?? ""}`),
          ).then((a) => (typeof a === "number" ? items[a] : undefined)),
        ),
      withProgress(o, task) {
        const cts = new CancellationTokenSource();
        script.progressToken = cts;
        return task(
          {
            report: (v) => {
              shown.push({ kind: "progress", msg: v.message });
              log("progress", o.location, v.message);
            },
          },
          cts.token,
        );
      },
      setStatusBarMessage(m) {
        shown.push({ kind: "statusmsg", msg: m });
        log("statusmsg", m);
        return new Disposable();
      },
      showTextDocument: async (d) => {
        log("showTextDocument", d.uri.toString());
      },
      tabGroups: {
        get all() {
          return [{ tabs }];
        },
        close: async (ts) => {
          for (const t of [].concat(ts)) {
            tabs.splice(tabs.indexOf(t), 1);
            log("closed tab", t.label);
          }
        },
      },
    },
    languages: {
      match(selector, doc) {
        return []
          .concat(selector)
          .some((s) => (typeof s === "string" ? s === doc.languageId : !s.scheme || s.scheme === doc.uri.scheme))
          ? 10
          : 0;
      },
      setTextDocumentLanguage: async (d, l) => {
        d.languageId = l;
        return d;
      },
      createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {}, forEach() {} }),
    },
    extensions: { getExtension: (id) => script.extensions?.[id], all: [] },
  };
  const proxy = new Proxy(vscode, {
    get(t, p) {
      if (p in t) return t[p];
      return stub(String(p));
    },
  });
  for (const k of ["workspace", "window", "languages", "commands", "env"]) {
    vscode[k] = new Proxy(vscode[k], {
      get(t, p) {
        if (p in t) return t[p];
        return stub(`${k}.${String(p)}`);
      },
    });
  }
  return { vscode: proxy, commands, shown, events, textDocuments, makeDoc, getChannel: () => channel, tabs, providers };
}
module.exports = { create, Uri, Position, Selection };
