// The mail settings page (SMTP and IMAP, passwords write-only), a failing mail on the
// supervisor's overview, and axe-core on both. Each suite runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd: ["helpdesk"], sv: ["supervisor"] };

for (const backend of backends()) {
  describe(`mail settings and failing mail on ${backend.name}`, () => {
    let app, browser;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("the mail page keeps what was typed, never shows a password, and keeps a stored one", async () => {
      const page = await signedIn(browser, app, "sv");
      await page.goto("/supervisor/settings/office");
      await page.getByRole("link", { name: "E-mail" }).click();
      await page.waitForURL(/\/supervisor\/settings\/mail/);
      assert.match(await page.locator("#smtp-password-hint").textContent(), /Belum ada kata sandi/);
      await page.getByLabel("Server SMTP (host)").fill("127.0.0.1");
      await page.getByLabel("Port SMTP").fill("1");
      await page.getByLabel("Keamanan SMTP").selectOption("plain");
      await page.getByLabel("Kata sandi SMTP").fill("rahasia-smtp");
      await page.getByLabel("Baca jawaban LKPP dari kotak surat (IMAP)").selectOption("yes");
      await page.getByLabel("Server IMAP (host)").fill("imap.lpse.example.go.id");
      await page.getByLabel("Nama pengguna IMAP").fill("helpdesk");
      await page.getByLabel("Pola nomor tiket LKPP (ekspresi reguler)").fill("(tiket");
      await page.getByRole("button", { name: "Simpan pengaturan e-mail" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.locator("#imap-ticket-pattern-error").textContent(), "Tidak valid");
      assert.equal(await page.getByLabel("Server IMAP (host)").inputValue(), "imap.lpse.example.go.id", "kept");
      assert.equal(await page.getByLabel("Kata sandi SMTP").inputValue(), "", "a password is never written back");
      assert.deepEqual(await seriousViolations(page), []);
      await page.getByLabel("Pola nomor tiket LKPP (ekspresi reguler)").fill("Tiket\\s*(\\d+)");
      await page.getByLabel("Kata sandi SMTP").fill("rahasia-smtp");
      await page.getByRole("button", { name: "Simpan pengaturan e-mail" }).click();
      await page.locator("#settings-saved").waitFor();
      assert.match(await page.locator("#smtp-password-hint").textContent(), /Kata sandi tersimpan/);
      assert.equal(await page.getByLabel("Kata sandi SMTP").inputValue(), "");
      assert.ok(!(await page.content()).includes("rahasia-smtp"), "never shown back");
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });

    it("a mail the server does not take is listed on the supervisor's overview", async () => {
      const fo = await app.token("fo");
      const hd = await app.token("hd");
      const v = await app.waitingVisit(fo, "Budi Santoso");
      await app.api(hd, "POST", "/api/v1/counters/1/call-next");
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/escalate`, { analysis: "Perlu LKPP", channel: "email", summary: "Akun terkunci" });
      // The SMTP server set above (port 1) refuses: the sender records the error within seconds.
      const page = await signedIn(browser, app, "sv");
      for (let i = 0; i < 40; i++) {
        await page.goto("/supervisor");
        if (await page.locator("#mail-problems").count()) break;
        await page.waitForTimeout(500);
      }
      const problems = page.locator("#mail-problems");
      await problems.waitFor();
      assert.match(await problems.textContent(), /helpdesk@lkpp\.go\.id/);
      assert.match(await problems.textContent(), /SMTP/);
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });
  });
}
