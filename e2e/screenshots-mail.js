// Screenshots of the mail settings page and a failing mail on the supervisor's overview
// (1366x768), and the visitor's copy of the form with its survey link and QR code as PNG (with
// `pdftoppm`, poppler-utils), for docs/screenshots/. Run with `npm run screenshots:mail` after
// `cargo build -p loket`.

import { mkdirSync, writeFileSync, renameSync, readdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { rina: ["front_office"], agus: ["helpdesk"], budi: ["supervisor"] });
const browser = await launch();
try {
  const sv = await app.token("budi");
  const office = await app.api(sv, "GET", "/api/v1/settings/office");
  await app.api(sv, "PUT", "/api/v1/settings/office", { ...office, office_name: "LPSE Kota Contoh", public_url: "https://loket.lpse.example.go.id" });
  await app.api(sv, "PUT", "/api/v1/settings/mail", {
    smtp_host: "127.0.0.1", smtp_port: 1, smtp_security: "plain", smtp_username: "loket",
    smtp_password: "rahasia", from_address: "loket@lpse.example.go.id",
  });
  await app.api(sv, "PUT", "/api/v1/settings/imap", {
    enabled: true, host: "imap.lpse.example.go.id", port: 993, security: "tls", username: "helpdesk",
    password: "rahasia", mailbox: "INBOX", poll_seconds: 300,
    ticket_pattern: "(?i)(?:tiket|ticket)\\s*(?:no\\.?|nomor|number|id)?\\s*[:#]?\\s*([A-Z0-9][A-Z0-9/-]{3,})",
  });
  const fo = await app.token("rina");
  const hd = await app.token("agus");
  const v = await app.waitingVisit(fo, "Budi Santoso");
  await app.api(hd, "POST", "/api/v1/counters/1/call-next");
  await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
  await app.api(hd, "POST", `/api/v1/visits/${v.id}/escalate`, { analysis: "Galat server SPSE saat unggah penawaran", channel: "email", summary: "Penawaran gagal terkirim berulang kali" });

  const page = await signedIn(browser, app, "budi");
  await page.goto("/supervisor/settings/mail");
  await page.screenshot({ path: join(out, "settings-mail.png"), fullPage: true });
  for (let i = 0; i < 40; i++) {
    await page.goto("/supervisor");
    if (await page.locator("#mail-problems").count()) break;
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: join(out, "supervisor-mail-problems.png"), fullPage: true });

  const res = await fetch(`${app.base}/api/v1/visits/${v.id}/form.pdf`, { headers: { authorization: `Bearer ${hd}` } });
  const dir = join(tmpdir(), `loket-form-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "form.pdf"), Buffer.from(await res.arrayBuffer()));
  execFileSync("pdftoppm", ["-png", "-r", "60", join(dir, "form.pdf"), join(dir, "page")]);
  const pages = readdirSync(dir).filter((f) => f.endsWith(".png")).sort();
  // The last page is the end of the visitor's copy, with the survey link.
  renameSync(join(dir, pages[pages.length - 1]), join(out, "form-pdf-copy-survey.png"));
  rmSync(dir, { recursive: true, force: true });
} finally {
  await browser.close();
  await app.stop();
}
