// Driving the VS Code workbench (code-server in headless Chromium) the way a
// person does: the command palette, quick inputs, notifications, dialogs, the
// activity bar, tree rows and webviews. Selectors are VS Code's own DOM classes.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value; throws `what` after `timeoutMs`. */
async function until(fn, what, timeoutMs = 30_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`,
      );
    }
    await sleep(everyMs);
  }
}

const QUICK_INPUT = ".quick-input-widget";

async function quickInputVisible(page) {
  return page.$eval(QUICK_INPUT, (el) => el.style.display !== "none" && el.offsetParent !== null).catch(() => false);
}

/** Text of the visible quick input: title, message, rows. */
async function quickInputText(page) {
  return page.$eval(QUICK_INPUT, (el) => el.innerText).catch(() => "");
}

/**
 * Take keyboard focus back from a webview (an iframe that would swallow F1): focus a
 * text editor, else a list of the side bar, in the workbench's own document; on later
 * tries, click into the first editor group's text.
 */
async function focusWorkbench(page, attempt = 1) {
  await page.evaluate(() => {
    const target =
      document.querySelector(".part.editor .monaco-editor textarea") ??
      document.querySelector(".part.sidebar .monaco-list") ??
      document.querySelector(".part.activitybar .action-item .action-label");
    if (document.activeElement && document.activeElement.tagName === "IFRAME") document.activeElement.blur();
    target?.focus();
  });
  if (attempt > 1) {
    const lines = await page.$(".part.editor .monaco-editor .view-lines");
    if (lines) await lines.click({ offset: { x: 200, y: 200 } }).catch(() => undefined);
    else await page.click(".part.sidebar .monaco-list").catch(() => undefined);
  }
}

/** The quick input's value and its first rows (for error messages). */
async function quickInputState(page) {
  return page
    .$eval(QUICK_INPUT, (el) => ({
      value: el.querySelector("input")?.value ?? "",
      rows: [...el.querySelectorAll(".monaco-list-row")].slice(0, 3).map((r) => r.getAttribute("aria-label")),
    }))
    .catch(() => ({ value: "?", rows: [] }));
}

/** Run a command from the command palette (F1), by its full title. */
async function runCommand(page, title) {
  for (let attempt = 1; ; attempt++) {
    await focusWorkbench(page, attempt);
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    try {
      await until(() => quickInputVisible(page), "the command palette", 5_000);
      await until(async () => (await quickInputState(page)).value === ">", "the command palette's input", 5_000);
      // into the palette's own box, never by keystrokes: a webview that shows meanwhile
      // (the model chart) can close the palette, and keys typed then land in the editor
      const typed = await page.$eval(
        `${QUICK_INPUT} input`,
        (el, text) => {
          if (el.offsetParent === null) return false;
          el.focus();
          el.value = text;
          el.dispatchEvent(new Event("input", { bubbles: true }));
          return true;
        },
        `>${title}`,
      );
      if (!typed) throw new Error("the command palette closed before the command was typed");
      await until(
        () =>
          page.$$eval(
            `${QUICK_INPUT} .monaco-list-row`,
            (rows, t) => {
              const first = rows.find((r) => r.getAttribute("data-index") === "0");
              return !!first && (first.getAttribute("aria-label") ?? "").startsWith(t);
            },
            title,
          ),
        `"${title}" in the command palette`,
        10_000,
      );
      if (attempt > 1) console.log(`# the command palette opened on try ${attempt} for "${title}"`);
      await page.focus(`${QUICK_INPUT} input`); // Enter too goes to the palette only
      if (!(await quickInputVisible(page))) throw new Error("the command palette closed");
      break;
    } catch (error) {
      if (attempt === 3)
        throw new Error(`${error.message}; the palette shows ${JSON.stringify(await quickInputState(page))}`);
    }
  }
  await page.keyboard.press("Enter");
}

/** Wait for a quick input whose text matches `pattern`, type `text` and press Enter. */
async function answerInput(page, pattern, text) {
  await until(
    async () => (await quickInputVisible(page)) && pattern.test(await quickInputText(page)),
    `an input box matching ${pattern}`,
  );
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press("Enter");
}

/** Visible notification toasts: [{message, buttons}]. */
async function notifications(page) {
  return page.$$eval(".notification-toast-container .notification-list-item", (items) =>
    items.map((item) => ({
      message: item.querySelector(".notification-list-item-message")?.innerText ?? "",
      buttons: [...item.querySelectorAll(".notification-list-item-buttons-container .monaco-button")].map((b) =>
        b.innerText.trim(),
      ),
    })),
  );
}

/**
 * Wait for a notification whose message matches `pattern`; returns it. `withButtons`: only
 * one whose buttons are drawn (a toast can be read before its buttons are rendered).
 */
async function waitForNotification(page, pattern, timeoutMs = 60_000, withButtons = false) {
  return until(
    async () =>
      (await notifications(page)).find((n) => pattern.test(n.message) && (!withButtons || n.buttons.length > 0)),
    `a notification matching ${pattern}${withButtons ? " with its buttons" : ""}`,
    timeoutMs,
  );
}

/**
 * Click the button `label` of the notification matching `pattern`, once the toast shows
 * it: a toast can be read before its buttons are drawn (one CI run found "the language
 * server is not installed" 0.6 s after start, without its Install Server button yet).
 */
async function clickNotificationButton(page, pattern, label, timeoutMs = 60_000) {
  await until(
    () =>
      page.$$eval(
        ".notification-toast-container .notification-list-item",
        (items, source, flags, wanted) => {
          const re = new RegExp(source, flags);
          for (const item of items) {
            const message = item.querySelector(".notification-list-item-message")?.innerText ?? "";
            if (!re.test(message)) continue;
            const button = [...item.querySelectorAll(".monaco-button")].find((b) => b.innerText.trim() === wanted);
            if (button) {
              button.click();
              return true;
            }
          }
          return false;
        },
        pattern.source,
        pattern.flags,
        label,
      ),
    `the button "${label}" on a notification matching ${pattern}`,
    timeoutMs,
  );
}

const CENTER_ITEMS = ".notifications-center.visible .notification-list-item";

/**
 * Open the notification center (the bell), where a notification whose toast was hidden
 * (Escape hides toasts) still waits; its notifications: [{message, buttons}]. While it is
 * open, new notifications go there, not to toasts.
 */
async function notificationCenter(page) {
  if (!(await page.$(".notifications-center.visible"))) await runCommand(page, "Notifications: Show Notifications");
  await until(() => page.$(".notifications-center.visible"), "the notification center");
  return page.$$eval(CENTER_ITEMS, (items) =>
    items.map((item) => ({
      message: item.querySelector(".notification-list-item-message")?.innerText ?? "",
      buttons: [...item.querySelectorAll(".notification-list-item-buttons-container .monaco-button")].map((b) =>
        b.innerText.trim(),
      ),
    })),
  );
}

/** Click the button `label` of the notification matching `pattern` in the notification
 * center (expanding it first: a collapsed one shows no buttons). */
async function clickCenterButton(page, pattern, label) {
  await until(
    async () => (await notificationCenter(page)).some((n) => pattern.test(n.message)),
    `a notification matching ${pattern} in the notification center`,
  );
  await until(
    () =>
      page.$$eval(
        CENTER_ITEMS,
        (items, source, flags, wanted) => {
          const item = items.find((i) =>
            new RegExp(source, flags).test(i.querySelector(".notification-list-item-message")?.innerText ?? ""),
          );
          if (!item) return false;
          const button = [...item.querySelectorAll(".monaco-button")].find((b) => b.innerText.trim() === wanted);
          if (button) {
            button.click();
            return true;
          }
          item.querySelector(".codicon-notifications-expand")?.closest("a, .action-label")?.click();
          return false;
        },
        pattern.source,
        pattern.flags,
        label,
      ),
    `the button "${label}" of the notification matching ${pattern} in the notification center`,
    10_000,
  );
}

/** The modal dialog's text and buttons, or undefined. */
async function dialog(page) {
  return page
    .$eval(".monaco-dialog-box", (box) => ({
      message: box.querySelector(".dialog-message-text")?.innerText ?? "",
      detail: box.querySelector(".dialog-message-detail")?.innerText ?? "",
      buttons: [...box.querySelectorAll(".dialog-buttons .monaco-button")].map((b) => b.innerText.trim()),
    }))
    .catch(() => undefined);
}

async function clickDialogButton(page, label) {
  const ok = await page.$$eval(
    ".monaco-dialog-box .dialog-buttons .monaco-button",
    (buttons, wanted) => {
      const b = buttons.find((x) => x.innerText.trim() === wanted);
      if (b) b.click();
      return !!b;
    },
    label,
  );
  if (!ok) throw new Error(`no dialog button "${label}"`);
}

/** Status bar entries: [{id, text, label}]. */
async function statusBar(page) {
  return page.$$eval(".statusbar-item", (items) =>
    items.map((i) => ({
      id: i.id,
      text: i.innerText.trim(),
      label: i.querySelector("a")?.getAttribute("aria-label") ?? "",
    })),
  );
}

/** Click an activity bar item by its label (e.g. "ACRouter"). */
async function openActivity(page, label) {
  const ok = await page.$$eval(
    ".activitybar .action-item .action-label",
    (items, wanted) => {
      const item = items.find((i) => (i.getAttribute("aria-label") ?? "").split(" (")[0] === wanted);
      if (!item) return false;
      const selected = item.closest(".action-item")?.classList.contains("checked");
      if (!selected) item.click();
      return true;
    },
    label,
  );
  if (!ok) throw new Error(`no activity bar item "${label}"`);
}

/** Rows of the tree view whose pane header is `title`: [{label, description, ariaLabel, level}]. */
async function treeRows(page, title) {
  return page.$$eval(
    ".pane",
    (panes, wanted) => {
      const pane = panes.find(
        (p) =>
          (p.querySelector(".pane-header .title")?.textContent ?? "").trim().toLowerCase() === wanted.toLowerCase(),
      );
      if (!pane) return null;
      return [...pane.querySelectorAll(".monaco-list-row")].map((r) => ({
        label: r.querySelector(".label-name")?.textContent ?? "",
        description: r.querySelector(".label-description")?.textContent ?? "",
        ariaLabel: r.getAttribute("aria-label") ?? "",
        level: Number(r.getAttribute("aria-level") ?? 0),
      }));
    },
    title,
  );
}

/** The welcome text of a view with no content, or "". */
async function viewWelcome(page, title) {
  return page.$$eval(
    ".pane",
    (panes, wanted) => {
      const pane = panes.find(
        (p) =>
          (p.querySelector(".pane-header .title")?.textContent ?? "").trim().toLowerCase() === wanted.toLowerCase(),
      );
      return pane?.querySelector(".welcome-view-content")?.innerText ?? "";
    },
    title,
  );
}

/** Find the row of a view's tree (by pane title and aria-label) and click it ("click") or
 * expand it unless it is expanded already ("expand"); in one page evaluation. */
async function treeRow(page, title, labelPattern, action) {
  const ok = await page.$$eval(
    ".pane",
    (panes, wanted, source, what) => {
      const re = new RegExp(source);
      const pane = panes.find(
        (p) =>
          (p.querySelector(".pane-header .title")?.textContent ?? "").trim().toLowerCase() === wanted.toLowerCase(),
      );
      const row =
        pane && [...pane.querySelectorAll(".monaco-list-row")].find((r) => re.test(r.getAttribute("aria-label") ?? ""));
      if (!row) return false;
      if (what === "expand") {
        if (row.getAttribute("aria-expanded") !== "true") row.querySelector(".monaco-tl-twistie")?.click();
        return true;
      }
      row
        .querySelector(".monaco-icon-label, .label-name")
        ?.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
      row.click();
      return true;
    },
    title,
    labelPattern.source,
    action,
  );
  if (!ok) throw new Error(`no row matching ${labelPattern} in ${title}`);
}

const clickTreeRow = (page, title, labelPattern) => treeRow(page, title, labelPattern, "click");

/** Expand a tree row (click its twistie) unless it is expanded already. */
const expandTreeRow = (page, title, labelPattern) => treeRow(page, title, labelPattern, "expand");

/** innerText of every frame (webviews live in nested iframes) that has a body. */
async function frameTexts(page) {
  const out = [];
  for (const frame of page.frames()) {
    try {
      const text = await frame.evaluate(() => document.body?.innerText ?? "");
      if (text) out.push({ frame, text });
    } catch {
      // detached or not ready
    }
  }
  return out;
}

/** Wait for a frame whose text matches `pattern`; returns {frame, text}. */
async function waitForFrameText(page, pattern, timeoutMs = 30_000) {
  return until(
    async () => (await frameTexts(page)).find((f) => pattern.test(f.text)),
    `a webview showing ${pattern}`,
    timeoutMs,
    500,
  );
}

/** Drag the sash between the side bar and the editor so that the side bar is `width` px wide. */
async function setSidebarWidth(page, width) {
  const box = await (await page.$(".part.sidebar")).boundingBox();
  const edge = box.x + box.width;
  const sash = await page.$$eval(
    ".monaco-sash.vertical",
    (sashes, x) => {
      const found = sashes
        .map((s) => s.getBoundingClientRect())
        .find((r) => Math.abs(r.left + r.width / 2 - x) < 6 && r.height > 200);
      return found ? { x: found.left + found.width / 2, y: found.top + found.height / 2 } : null;
    },
    edge,
  );
  if (!sash) throw new Error("no sash at the side bar's edge");
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + (box.x + width - edge) / 2, sash.y, { steps: 4 });
  await page.mouse.move(box.x + width, sash.y, { steps: 4 });
  await page.mouse.up();
}

/** Titles of the open editor tabs. */
async function editorTabs(page) {
  return page.$$eval(".tabs-container .tab", (tabs) => tabs.map((t) => t.getAttribute("aria-label") ?? t.innerText));
}

module.exports = {
  sleep,
  until,
  runCommand,
  answerInput,
  quickInputVisible,
  quickInputText,
  notifications,
  waitForNotification,
  clickNotificationButton,
  notificationCenter,
  clickCenterButton,
  dialog,
  clickDialogButton,
  statusBar,
  openActivity,
  treeRows,
  viewWelcome,
  clickTreeRow,
  frameTexts,
  waitForFrameText,
  editorTabs,
  quickInputState,
  focusWorkbench,
  setSidebarWidth,
  expandTreeRow,
};
