// The archive in a real browser: the archive page finds an archived visit by a word of its
// problem and by its archive number, lists both versions of a corrected form and opens each PDF,
// opens the visit's record (the copy given is version 1, byte for byte);
// a bad date is named with what was typed kept; the counter shows the answers of similar
// archived visits while a visit is in service. axe checks both pages. Each suite runs on SQLite
// and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd: ["helpdesk"], sup: ["supervisor"] };

/// A visit served at counter 1 with this problem, answered (or escalated when `answer` is null),
/// its copy printed, archived.
async function archived(app, fo, hd, name, description, answer) {
  const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name } });
  await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
    visitor: { organization: "CV Maju Jaya", role: "penyedia", phone: "0812-3456-7890" },
    form: { category: "password", subject: "Akun SPSE", description },
  });
  await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
  await app.api(hd, "POST", "/api/v1/counters/1/call-next");
  await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
  if (answer) {
    await app.api(hd, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "Dicek bersama", answer });
  } else {
    await app.api(hd, "POST", `/api/v1/visits/${v.id}/escalate`, {
      analysis: "Perlu LKPP", channel: "tts", summary: "Galat server", external_reference: "TTS-2026-0042",
    });
  }
  await app.api(hd, "POST", `/api/v1/visits/${v.id}/copy`, { via: "printed" });
  return app.api(hd, "POST", `/api/v1/visits/${v.id}/archive`);
}

for (const backend of backends()) {
  describe(`archive on ${backend.name}`, () => {
    let app, browser, fo, hd;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
      fo = await app.token("fo");
      hd = await app.token("hd");
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("finds an archived form by its words and its number, with every version's PDF", async () => {
      const locked = await archived(app, fo, hd, "Yohanes Kaligis", "Akun penyedia terkunci setelah salah kata sandi",
        "Akun dibuka kembali oleh admin agency");
      const escalated = await archived(app, fo, hd, "Siti Rahayu", "Jadwal tender berubah tanpa pemberitahuan", null);
      await app.api(hd, "POST", `/api/v1/visits/${escalated.id}/escalation/answer`, { answer: "Jadwal sudah diperbaiki LKPP" });

      const page = await signedIn(browser, app, "sup");
      await page.getByRole("link", { name: "Arsip" }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.locator("h1").textContent(), "Arsip formulir");
      assert.match(await page.locator("#archive-summary").textContent(), /1–2 dari 2 formulir arsip/);

      await page.getByLabel("Cari", { exact: true }).fill("terkun");
      await page.getByRole("button", { name: "Cari arsip" }).click();
      await page.waitForLoadState("domcontentloaded");
      const rows = page.locator("#archive-results tbody tr");
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().textContent(), new RegExp(locked.archive.number));
      assert.match(await rows.first().textContent(), /Yohanes Kaligis/);
      assert.match(await rows.first().textContent(), /terkunci/);
      assert.deepEqual(await seriousViolations(page), []);

      await page.getByLabel("Cari", { exact: true }).fill(escalated.archive.number);
      await page.getByLabel("Hasil", { exact: true }).selectOption("escalated");
      await page.getByRole("button", { name: "Cari arsip" }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().textContent(), /Siti Rahayu/);
      await rows.first().getByText("2 versi").click();
      const versions = rows.first().locator("details.versions a");
      assert.equal(await versions.count(), 2);
      for (const n of [1, 2]) {
        const href = await versions.nth(n - 1).getAttribute("href");
        assert.match(href, new RegExp(`form\\.pdf\\?version=${n}$`));
        const pdf = await page.request.get(href);
        assert.equal(pdf.status(), 200);
        assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");
      }

      // The visit's record: version 1 is the copy given, byte for byte the archive's first PDF.
      await rows.first().getByRole("link", { name: "Rekam kunjungan" }).click();
      await page.locator("#visit-history").waitFor();
      assert.match(await page.locator("h1").textContent(), new RegExp(`Rekam kunjungan ${escalated.reference}`));
      const versionRows = page.locator("#visit-versions tbody tr");
      assert.equal(await versionRows.count(), 2);
      assert.match(await versionRows.nth(0).textContent(), /salinan yang diberikan, arsip/);
      assert.match(await versionRows.nth(1).textContent(), /arsip/);
      const given = escalated.copy.document.sha256;
      assert.match(await versionRows.nth(0).textContent(), new RegExp(given));
      const first = await page.request.get(await versionRows.nth(0).locator("a").getAttribute("href"));
      const { createHash } = await import("node:crypto");
      assert.equal(createHash("sha256").update(await first.body()).digest("hex"), given);
      assert.match(await page.locator("#visit-fields").textContent(), /Jadwal sudah diperbaiki LKPP/);
      assert.match(await page.locator("#visit-history").textContent(), /Salinan dicatat/);
      assert.deepEqual(await seriousViolations(page), []);

      // A bad date is named, and what was typed stays.
      await page.goto("/archive?q=akun&from=2026-02-31");
      assert.match(await page.locator("#from-error").textContent(), /Tanggal tidak valid/);
      assert.equal(await page.getByLabel("Cari", { exact: true }).inputValue(), "akun");
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });

    it("shows the counter the answers of similar archived visits", async () => {
      const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: "Rina" } });
      await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
        visitor: { organization: "Dinas PU", role: "ppk", phone: "0813-1111-2222" },
        form: { category: "password", subject: "Akun terkunci", description: "Akun saya terkunci setelah salah kata sandi" },
      });
      await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
      await app.api(hd, "POST", "/api/v1/counters/1/call-next");
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);

      const counter = await signedIn(browser, app, "hd");
      await counter.goto("/counter?counter=1");
      const panel = counter.locator("#suggestions");
      await panel.locator("#suggestion-list").waitFor();
      assert.match(await panel.locator("h3").textContent(), /Jawaban serupa/);
      const items = panel.locator(".suggestion");
      assert.ok((await items.count()) >= 1);
      await items.first().locator("summary").click();
      assert.match(await items.first().textContent(), /Akun dibuka kembali oleh admin agency/);
      assert.match(await items.first().textContent(), /terkunci setelah salah kata sandi/);
      assert.deepEqual(await seriousViolations(counter), []);
      await counter.context().close();
    });
  });
}
