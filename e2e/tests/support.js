// The real `loket` binary on a fresh database, Debian's chromium through playwright-core, and a
// few shortcuts through the JSON API to set up a morning's visits.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..", "..");
export const BINARY = process.env.LOKET_BINARY ?? join(ROOT, "target", "debug", "loket");
export const PASSWORD = "rahasia-loket-123";
export const CHROMIUM = process.env.LOKET_CHROMIUM ?? "/usr/bin/chromium";

/// The backends to run on: SQLite always, PostgreSQL when LOKET_TEST_POSTGRES_URL is set
/// (CI sets it; without it the PostgreSQL runs are skipped, and fail when CI=true).
export function backends() {
  const list = [{ name: "sqlite" }];
  const pg = process.env.LOKET_TEST_POSTGRES_URL;
  if (pg) list.push({ name: "postgres", base: pg });
  else if (process.env.CI === "true") throw new Error("CI needs LOKET_TEST_POSTGRES_URL");
  return list;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function freshDatabase(backend) {
  if (backend.name === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "loket-e2e-"));
    return { url: `sqlite://${join(dir, "loket.db")}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  // A schema of its own; .ci/run drops every t_ schema before a run.
  const schema = `t_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync("psql", ["-q", backend.base, "-c", `CREATE SCHEMA ${schema}`]);
  const sep = backend.base.includes("?") ? "&" : "?";
  return { url: `${backend.base}${sep}options=-c%20search_path%3D${schema}`, cleanup: () => {} };
}

/// Starts `loket serve` on a fresh database with these staff users ({name: [roles]}).
export async function startLoket(backend, users) {
  const db = freshDatabase(backend);
  for (const [name, roles] of Object.entries(users)) {
    const args = ["user", "add", name, "--database", db.url, "--full-name", name.toUpperCase()];
    for (const r of roles) args.push("--role", r);
    execFileSync(BINARY, args, { env: { ...process.env, LOKET_PASSWORD: PASSWORD }, stdio: "pipe" });
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serve = async () => {
    const child = spawn(BINARY, ["serve", "--listen", `127.0.0.1:${port}`, "--database", db.url], {
      env: { ...process.env, LOKET_ADMIN_PASSWORD: PASSWORD, LOKET_LOG: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(`${base}/api/v1/health`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`loket serve exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  };
  const halt = async (child) => {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
  };
  let child = await serve();
  const app = {
    base,
    async stop() {
      await halt(child);
      db.cleanup();
    },
    /// Stops the server and starts it again on the same database and port, as after a crash
    /// or an update; `whileDown` runs in between.
    async restart(whileDown) {
      await halt(child);
      if (whileDown) await whileDown();
      child = await serve();
    },
    /// A bearer token for the JSON API.
    async token(username) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      if (!r.ok) throw new Error(`sign-in of ${username}: ${r.status}`);
      return (await r.json()).token;
    },
    async api(token, method, path, body) {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    /// Empties the line, so that a test starts from a known state: waiting visits are
    /// cancelled, called ones served and answered by `supervisor` (a called visit cannot be
    /// cancelled, and only its agent or a supervisor may act on it).
    async clearLine(token, supervisor) {
      const line = await app.api(token, "GET", "/api/v1/queue");
      for (const v of line.waiting) {
        await app.api(token, "POST", `/api/v1/visits/${v.id}/cancel`, { reason: "uji" });
      }
      for (const v of line.called) {
        await app.api(supervisor, "POST", `/api/v1/visits/${v.id}/start`);
        await app.api(supervisor, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "uji", answer: "uji" });
      }
    },
    /// Sets the office's least time between two calls of one number (30 seconds by default).
    async spaceCalls(supervisor, seconds) {
      const office = await app.api(supervisor, "GET", "/api/v1/settings/office");
      office.calling.seconds_between_calls = seconds;
      await app.api(supervisor, "PUT", "/api/v1/settings/office", office);
    },
    /// A visit filled in and checked, waiting in line.
    async waitingVisit(token, name) {
      const v = await app.api(token, "POST", "/api/v1/visits", { visitor: { name } });
      await app.api(token, "PUT", `/api/v1/visits/${v.id}/form`, {
        visitor: { organization: "CV Maju Jaya", role: "penyedia", phone: "0812-3456-7890" },
        form: { category: "offer_upload", description: "Dokumen penawaran gagal terkirim" },
      });
      return app.api(token, "POST", `/api/v1/visits/${v.id}/check`);
    },
  };
  return app;
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

/// A new browser context at a desk PC's size, signed in as `username`.
export async function signedIn(browser, app, username) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: app.base });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Nama pengguna").fill(username);
  await page.getByLabel("Kata sandi").fill(PASSWORD);
  await page.getByRole("button", { name: "Masuk" }).click();
  await page.waitForLoadState("domcontentloaded");
  return page;
}

/// axe-core's serious and critical violations of the page (WCAG 2 A and AA rules).
export async function seriousViolations(page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
