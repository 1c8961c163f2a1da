// The staff pages in a real browser: sign-in, roles, CSRF, escaping, the counter, the front
// office, and axe-core on every page. Each suite runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = {
  fo: ["front_office"],
  hd1: ["helpdesk"],
  hd2: ["helpdesk"],
  sv: ["supervisor"],
  ad: ["admin"],
};
const XSS = "<img src=x onerror=alert(1)>";

for (const backend of backends()) {
  describe(`staff pages on ${backend.name}`, () => {
    let app, browser, fo, hd;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
      fo = await app.token("fo");
      hd = await app.token("hd1");
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("signs each role in and lands on its home", async () => {
      for (const [name, home] of [["fo", "/front-office"], ["hd1", "/counter"], ["sv", "/supervisor"], ["ad", "/admin"]]) {
        const page = await signedIn(browser, app, name);
        assert.equal(new URL(page.url()).pathname, home, name);
        assert.equal(await page.getAttribute("html", "lang"), "id");
        await page.goto("/");
        assert.equal(new URL(page.url()).pathname, home);
        await page.context().close();
      }
    });

    it("tells a wrong password in Indonesian", async () => {
      const context = await browser.newContext({ baseURL: app.base });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByLabel("Nama pengguna").fill("hd1");
      await page.getByLabel("Kata sandi").fill("bukan-ini");
      await page.getByRole("button", { name: "Masuk" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByRole("alert").textContent(), "Nama pengguna atau kata sandi salah");
      assert.equal(await page.getByLabel("Nama pengguna").inputValue(), "hd1");
      await context.close();
    });

    it("refuses a form posted without its CSRF token", async () => {
      const page = await signedIn(browser, app, "hd1");
      await page.goto("/counter?counter=1");
      await page.evaluate(() => document.querySelectorAll("input[name=_csrf]").forEach((e) => e.remove()));
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/counter/call-next")),
        page.getByRole("button", { name: /Panggil berikutnya/ }).click(),
      ]);
      assert.equal(response.status(), 403);
      await page.getByRole("heading", { name: "Formulir ditolak" }).waitFor();
      await page.context().close();
    });

    it("answers 403 with a page when a helpdesk agent opens /admin", async () => {
      const page = await signedIn(browser, app, "hd1");
      const response = await page.goto("/admin");
      assert.equal(response.status(), 403);
      await page.getByRole("heading", { name: "Akses ditolak" }).waitFor();
      await page.context().close();
    });

    it("shows a visitor named like markup as text, on every page", async () => {
      const visit = await app.waitingVisit(fo, XSS);
      let alerted = false;
      const page = await signedIn(browser, app, "fo");
      page.on("dialog", async (d) => {
        alerted = true;
        await d.dismiss();
      });
      await page.goto("/front-office");
      await page.getByRole("cell", { name: XSS, exact: true }).waitFor();
      await page.goto(`/front-office/visits/${visit.id}`);
      await page.locator("#visit-data").getByText(XSS, { exact: true }).waitFor();
      assert.equal(await page.locator("img").count(), 0);
      // At the counter, once called and started.
      const agent = await signedIn(browser, app, "hd2");
      agent.on("dialog", async (d) => {
        alerted = true;
        await d.dismiss();
      });
      await agent.goto("/counter?counter=2");
      await agent.getByRole("button", { name: /Panggil berikutnya/ }).click();
      await agent.getByRole("button", { name: "Mulai layanan" }).click();
      await agent.getByText(XSS, { exact: true }).waitFor();
      assert.equal(await agent.locator("img").count(), 0);
      assert.equal(alerted, false, "no script ran");
      // Finish the visit so that the counter is free for the next test.
      await agent.getByLabel("Analisis permasalahan").fill("Uji");
      await agent.getByLabel("Jawaban").fill("Uji");
      await agent.getByRole("button", { name: "Jawab" }).click();
      await agent.locator(`#archive-${visit.id}`).getByRole("button", { name: "Pengguna tidak meminta salinan" }).click();
      await agent.locator(`#archive-${visit.id}`).getByText("Salinan: tidak diminta pengguna").waitFor();
      await agent.locator(`#archive-${visit.id}`).getByRole("button", { name: "Arsipkan" }).click();
      await agent.locator(`#archive-${visit.id}`).waitFor({ state: "detached" });
      await page.context().close();
      await agent.context().close();
    });

    it("gives two agents calling at once two different visits", async () => {
      await app.clearLine(fo, await app.token("sv"));
      const a = await app.waitingVisit(fo, "Andi");
      const b = await app.waitingVisit(fo, "Bunga");
      const one = await signedIn(browser, app, "hd1");
      const two = await signedIn(browser, app, "hd2");
      await one.goto("/counter?counter=1");
      await two.goto("/counter?counter=2");
      await Promise.all([
        one.getByRole("button", { name: /Panggil berikutnya/ }).click(),
        two.getByRole("button", { name: /Panggil berikutnya/ }).click(),
      ]);
      const n1 = await one.locator("#current-number").textContent();
      const n2 = await two.locator("#current-number").textContent();
      assert.notEqual(n1, n2);
      assert.deepEqual([n1, n2].sort(), [a.queue.number, b.queue.number].sort());
      await app.clearLine(fo, await app.token("sv"));
      await one.context().close();
      await two.context().close();
    });

    it("calls, re-calls to 3/3 after the office's spacing, skips after a confirmation, and calls the skipped number again", async () => {
      await app.clearLine(fo, await app.token("sv"));
      await app.spaceCalls(await app.token("sv"), 2);
      const first = await app.waitingVisit(fo, "Budi");
      const second = await app.waitingVisit(fo, "Sari");
      const page = await signedIn(browser, app, "hd1");
      await page.goto("/counter?counter=1");
      const lineText = await page.locator("#line").textContent();
      assert.ok(lineText.includes(first.queue.number) && lineText.includes(second.queue.number));
      assert.ok(!lineText.includes("Budi"), "the line shows numbers only");
      await page.keyboard.press("F2");
      await page.locator("#call-count").waitFor();
      assert.equal(await page.locator("#current-number").textContent(), first.queue.number);
      assert.equal(await page.locator("#call-count").textContent(), "Panggilan 1/3");
      assert.ok(await page.getByRole("button", { name: "Lewati" }).isDisabled(), "no skip before the third call");
      // The visitor is given the office's spacing to come: the re-call waits, counting down.
      assert.match(await page.locator("#call-wait").textContent(), /dalam [12] detik/);
      assert.ok(await page.getByRole("button", { name: /Panggil ulang 1\/3/ }).isDisabled(), "not yet");
      // Given back when the countdown ends (or by a live update of the page after it).
      await page.waitForFunction(() => !document.getElementById("recall").disabled, null, { timeout: 4000 });
      await page.getByRole("button", { name: /Panggil ulang 1\/3/ }).click();
      assert.equal(await page.locator("#call-count").textContent(), "Panggilan 2/3");
      await page.waitForFunction(() => !document.getElementById("recall").disabled, null, { timeout: 4000 });
      await page.keyboard.press("F3");
      await page.getByText("Panggilan 3/3").waitFor();
      assert.ok(await page.getByRole("button", { name: /Panggil ulang 3\/3/ }).isDisabled());
      await page.getByRole("button", { name: "Lewati" }).click();
      await page.getByText(`Lewati nomor ${first.queue.number}?`).waitFor();
      await page.getByRole("button", { name: "Ya, lewati" }).click();
      await page.getByText("Panggilan 1/3").waitFor();
      assert.equal(await page.locator("#current-number").textContent(), second.queue.number);
      await page.getByRole("button", { name: "Mulai layanan" }).click();
      await page.getByLabel("Analisis permasalahan").fill("Sertifikat kedaluwarsa");
      await page.getByLabel("Jawaban").fill("Perbarui sertifikat di SPSE");
      await page.getByRole("button", { name: "Jawab" }).click();
      const row = page.locator(`#archive-${second.id}`);
      assert.ok(await row.getByRole("button", { name: "Arsipkan" }).isDisabled(), "the copy comes first");
      await row.getByRole("button", { name: "Cetak salinan" }).click();
      await page.locator(`#archive-${second.id}`).getByText("Salinan: dicetak").waitFor();
      await page.locator(`#archive-${second.id}`).getByRole("button", { name: "Arsipkan" }).click();
      await page.locator(`#archive-${second.id}`).waitFor({ state: "detached" });
      const archived = await app.api(fo, "GET", `/api/v1/visits/${second.id}`);
      assert.equal(archived.status, "archived");
      assert.equal(archived.copy.via, "printed");
      await page.getByRole("button", { name: /Panggil berikutnya/ }).click();
      assert.equal(await page.locator("#current-number").textContent(), first.queue.number, "the skipped number comes back");
      await page.context().close();
    });

    it("types in LKPP's answer to an escalation and shows it at the counter", async () => {
      await app.clearLine(fo, await app.token("sv"));
      const visit = await app.waitingVisit(fo, "Eskalasi");
      await app.api(hd, "POST", "/api/v1/counters/3/call-next");
      await app.api(hd, "POST", `/api/v1/visits/${visit.id}/start`);
      await app.api(hd, "POST", `/api/v1/visits/${visit.id}/escalate`, {
        analysis: "Galat server", channel: "tts", summary: "Penawaran gagal", external_reference: "TTS-9",
      });
      const page = await signedIn(browser, app, "hd1");
      await page.goto("/counter?counter=3");
      const row = page.locator(`#escalation-${visit.id}`);
      await row.getByText("TTS-9").waitFor();
      assert.match(await row.textContent(), /Eskalasi/, "whose case it is");
      // Found by the visitor's name among the escalations.
      await page.getByLabel(/Cari eskalasi/).fill("eskalasi TTS-9");
      await page.getByRole("button", { name: "Cari", exact: true }).click();
      await row.getByText("TTS-9").waitFor();
      assert.match(await page.locator("#lkpp-found").textContent(), /1 dari \d+ eskalasi/);
      await row.getByLabel("Jawaban LKPP").fill("Sudah diperbaiki oleh LKPP");
      await row.getByRole("button", { name: "Simpan jawaban LKPP" }).click();
      // Asked first whose case it is: nothing saved yet, the answer kept.
      const question = page.locator(`#escalation-${visit.id} .confirm`);
      await question.waitFor();
      assert.match(await question.textContent(), new RegExp(`${visit.queue.number} · Eskalasi`));
      assert.equal((await app.api(fo, "GET", `/api/v1/visits/${visit.id}`)).escalation.status, "sent");
      assert.equal(await page.locator(`#escalation-${visit.id}`).getByRole("textbox", { name: "Jawaban LKPP" }).inputValue(), "Sudah diperbaiki oleh LKPP");
      assert.deepEqual(await seriousViolations(page), []);
      await question.getByRole("button", { name: "Ya, simpan untuk kasus ini" }).click();
      await page.locator(`#archive-${visit.id}`).getByText("Sudah diperbaiki oleh LKPP").waitFor();
      assert.equal(await page.locator(`#escalation-${visit.id}`).count(), 0, "no longer waiting");
      const answered = await app.api(fo, "GET", `/api/v1/visits/${visit.id}`);
      assert.equal(answered.escalation.status, "answered");
      await app.api(hd, "POST", `/api/v1/visits/${visit.id}/copy`, { via: "declined" });
      await app.api(hd, "POST", `/api/v1/visits/${visit.id}/archive`);
      await page.context().close();
    });

    it("updates the waiting line live when the front office issues a number", async () => {
      const page = await signedIn(browser, app, "hd2");
      await page.goto("/counter?counter=2");
      await page.waitForTimeout(300); // let EventSource connect
      const visit = await app.waitingVisit(fo, "Live");
      await page.locator("#line").getByText(visit.queue.number).waitFor({ timeout: 5000 });
      await page.context().close();
    });

    it("shows a form handed in at the kiosk live, at the top of the front office", async () => {
      const page = await signedIn(browser, app, "fo");
      await page.goto("/front-office");
      await page.waitForTimeout(300); // let EventSource connect
      const r = await fetch(`${app.base}/api/v1/kiosk/visits`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ visitor: { name: "Dari Kios" }, form: { description: "Lupa kata sandi" } }),
      });
      assert.equal(r.status, 201);
      const { reference } = await r.json();
      await page.locator("#kiosk-forms").getByText(`${reference} — Dari Kios`).waitFor({ timeout: 5000 });
      // Above the day's guest book.
      const kioskTop = (await page.locator("#kiosk-h").boundingBox()).y;
      const bookTop = (await page.locator("#book-h").boundingBox()).y;
      assert.ok(kioskTop < bookTop, `kiosk list at ${kioskTop}, guest book at ${bookTop}`);
      await page.context().close();
    });

    it("keeps every typed character when the check fails, then gives a number", async () => {
      const page = await signedIn(browser, app, "fo");
      await page.locator("#visitor-name").fill("Siti  Rahma  ");
      await page.getByRole("button", { name: "Catat di buku tamu" }).click();
      await page.getByRole("heading", { name: "Formulir konsultasi" }).waitFor();
      await page.getByLabel("Instansi / perusahaan").fill("  PT Sinar <Abadi> & \"Co\"  ");
      await page.getByLabel("Peran dalam pengadaan").selectOption("ppk");
      await page.getByLabel("Kategori permasalahan").selectOption({ index: 1 });
      const description = "Baris satu\nBaris dua dengan   spasi\t& <tag>";
      await page.getByLabel("Uraian permasalahan").fill(description);
      await page.getByRole("button", { name: "Simpan dan periksa kelengkapan" }).click();
      await page.locator("#form-error").getByText("Formulir belum lengkap").waitFor();
      assert.equal(await page.locator("#visitor-phone-error").textContent(), "Wajib diisi");
      assert.equal(await page.locator("#visitor-name").inputValue(), "Siti  Rahma");
      assert.equal(await page.getByLabel("Instansi / perusahaan").inputValue(), "  PT Sinar <Abadi> & \"Co\"  ");
      assert.equal(await page.getByLabel("Peran dalam pengadaan").inputValue(), "ppk");
      assert.equal(await page.getByLabel("Uraian permasalahan").inputValue(), description);
      await page.getByLabel("Nomor telepon").fill("0812-1111-2222");
      await page.getByRole("button", { name: "Simpan dan periksa kelengkapan" }).click();
      const number = await page.locator("#queue-number").textContent();
      assert.match(number, /^A-\d{3}$/);
      await page.context().close();
    });

    it("lets the supervisor change a time standard, keeps a bad one in the form, and reports it", async () => {
      const page = await signedIn(browser, app, "sv");
      await page.getByRole("link", { name: "Standar waktu", exact: true }).click();
      await page.getByLabel("9. Analisis").fill("setengah jam");
      await page.getByRole("button", { name: "Simpan standar waktu" }).click();
      await page.locator("#step-9-error").waitFor();
      assert.equal(await page.getByLabel("9. Analisis").inputValue(), "setengah jam");
      await page.getByLabel("9. Analisis").fill("47");
      await page.getByRole("button", { name: "Simpan standar waktu" }).click();
      await page.getByText("Standar waktu sudah disimpan.").waitFor();
      // Steps already counted keep the standard they started under; a period without visits shows
      // the setting now in force.
      await page.goto("/supervisor/time-standards");
      assert.equal(await page.getByLabel("9. Analisis").inputValue(), "47");
      await page.goto("/supervisor/report?from=2001-01-01&to=2001-01-01");
      const row = page.locator("#report tr", { has: page.locator("td", { hasText: /^9$/ }) });
      assert.equal(await row.locator("td").nth(1).textContent(), "47 menit");
      await page.context().close();
    });

    it("has no serious or critical axe-core violation on any page", async () => {
      const checks = [
        ["fo", ["/front-office", "/password"]],
        ["hd1", ["/counter", "/counter?counter=1", "/admin"]],
        ["sv", ["/supervisor", "/supervisor/report", "/supervisor/time-standards"]],
        ["ad", ["/admin"]],
      ];
      const anon = await browser.newContext({ baseURL: app.base });
      const login = await anon.newPage();
      await login.goto("/login");
      const found = { "/login": await seriousViolations(login) };
      await anon.close();
      const visit = await app.waitingVisit(fo, "Axe");
      checks[0][1].push(`/front-office/visits/${visit.id}`);
      for (const [user, paths] of checks) {
        const page = await signedIn(browser, app, user);
        for (const path of paths) {
          await page.goto(path);
          found[`${user} ${path}`] = await seriousViolations(page);
        }
        await page.context().close();
      }
      const bad = Object.entries(found).filter(([, v]) => v.length);
      assert.deepEqual(bad, []);
    });
  });
}
