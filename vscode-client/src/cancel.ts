// Racing a request against the user's Cancel button. Pure module (no `vscode`):
// the token only needs the shape of vscode's / jsonrpc's CancellationToken.

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** The user cancelled; the server was asked to stop (LSP $/cancelRequest). */
export class Cancelled extends Error {
  constructor() {
    super("cancelled");
    this.name = "Cancelled";
  }
}

/**
 * Settle with `work`, or reject with Cancelled as soon as `token` fires, without
 * waiting for a server that is slow to honour the cancellation.
 */
export function raceCancellation<T>(work: Promise<T>, token: CancellationLike): Promise<T> {
  if (token.isCancellationRequested) {
    work.catch(() => undefined); // the late outcome no longer matters
    return Promise.reject(new Cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      work.catch(() => undefined);
      reject(new Cancelled());
    });
    work.then(
      (value) => {
        sub.dispose();
        resolve(value);
      },
      (error: unknown) => {
        sub.dispose();
        reject(token.isCancellationRequested ? new Cancelled() : error);
      },
    );
  });
}
