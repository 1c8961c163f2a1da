// The public screens in a real browser: the display board (live, spoken, reconnecting), the
// kiosk, the visitor's status page and the 80 mm ticket; and that none of them, nor the public
// event stream, ever shows a visitor's name, phone, e-mail or organisation. Each suite runs on
// SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd1: ["helpdesk"], hd2: ["helpdesk"], hd3: ["helpdesk"], sv: ["supervisor"] };
const DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];
const PERSONAL = { name: "Siti Rahmawati", organization: "PT Sentosa Abadi", phone: "0812-9876-5432", email: "siti@sentosa.co.id" };

/// The clips of a call of A-00n to counter c (n, c below ten), as the board must queue them.
function clipsOf(number, counter) {
  const n = Number(number.split("-")[1]);
  assert.ok(n < 10, `a small number: ${number}`);
  return ["chime", "nomor-antrian", "huruf-a", "nol", "nol", DIGITS[n], "silakan-menuju-loket", DIGITS[Number(counter)]];
}

async function board(browser, app, path = "/display", viewport = { width: 1920, height: 1080 }) {
  const context = await browser.newContext({ viewport, baseURL: app.base });
  const page = await context.newPage();
  await page.goto(path);
  await page.waitForFunction(() => document.body.dataset.connected === "true");
  return page;
}

/// Serves and answers whoever is called at `counter`, so that it may call again.
async function freeCounter(app, token, counter) {
  const line = await app.api(token, "GET", "/api/v1/queue");
  for (const v of line.called.filter((c) => c.queue.counter === counter)) {
    await app.api(token, "POST", `/api/v1/visits/${v.id}/start`);
    await app.api(token, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "uji", answer: "uji" });
  }
}

async function announcements(page) {
  return page.evaluate(() => window.loketAnnouncer.state.log.map((a) => ({ ...a })));
}

for (const backend of backends()) {
  describe(`display board on ${backend.name}`, () => {
    let app, browser, fo, hd;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
      fo = await app.token("fo");
      hd = [await app.token("hd1"), await app.token("hd2"), await app.token("hd3")];
      // The board is tested here, not the spacing of calls: a re-call may follow at once.
      await app.spaceCalls(await app.token("sv"), 0);
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("shows a call within one second and queues its clips in order", async () => {
      const page = await board(browser, app);
      await app.waitingVisit(fo, PERSONAL.name);
      const started = Date.now();
      const called = await app.api(hd[1], "POST", "/api/v1/counters/2/call-next");
      const number = called.queue.number;
      await page.locator("#calling li.latest .number", { hasText: number }).waitFor({ timeout: 1000 });
      assert.ok(Date.now() - started < 1000, `shown after ${Date.now() - started} ms`);
      await page.waitForFunction(() => window.loketAnnouncer.state.log.length === 1, null, { timeout: 1000 });
      const [a] = await announcements(page);
      assert.deepEqual(a.clips, clipsOf(number, "2"));
      assert.match(a.text, /^Nomor antrian A nol nol \w+, silakan menuju loket dua$/);
      assert.equal(await page.locator("#recent li").first().locator(".number").textContent(), number);
      assert.deepEqual(await seriousViolations(page), []);
      // A re-call is announced again.
      await app.api(hd[1], "POST", `/api/v1/visits/${called.id}/recall`);
      await page.waitForFunction(() => window.loketAnnouncer.state.log.length === 2, null, { timeout: 1000 });
      assert.deepEqual((await announcements(page))[1].clips, clipsOf(number, "2"));
      await page.context().close();
    });

    it("says two quick calls one after the other, never at once", async () => {
      const page = await board(browser, app);
      await page.getByRole("button", { name: "Aktifkan suara" }).click();
      const a = await app.waitingVisit(fo, "Ahmad");
      const b = await app.waitingVisit(fo, "Budi");
      const first = await app.api(hd[0], "POST", "/api/v1/counters/1/call-next");
      const second = await app.api(hd[2], "POST", "/api/v1/counters/3/call-next");
      assert.deepEqual([first.queue.number, second.queue.number], [a.queue.number, b.queue.number]);
      await page.waitForFunction(() => window.loketAnnouncer.state.log.filter((x) => x.ended).length === 2, null, {
        timeout: 30000,
      });
      const [x, y] = await announcements(page);
      assert.deepEqual(x.clips, clipsOf(first.queue.number, "1"));
      assert.deepEqual(y.clips, clipsOf(second.queue.number, "3"));
      assert.ok(y.started >= x.ended, `the second began ${y.started - x.ended} ms before the first ended`);
      // The button is asked for once: the board remembers it.
      await page.reload();
      assert.equal(await page.getByRole("button", { name: "Aktifkan suara" }).isVisible(), false);
      await page.context().close();
    });

    it("shows one service or some counters only", async () => {
      const page = await board(browser, app, "/display?counter=1,3");
      const shown = await page.locator("#calling .counter").allTextContents();
      assert.ok(shown.length > 0);
      assert.ok(shown.every((c) => c === "Loket 1" || c === "Loket 3"), shown.join());
      const v = await app.waitingVisit(fo, "Citra");
      await freeCounter(app, hd[1], "2");
      await app.api(hd[1], "POST", "/api/v1/counters/2/call-next");
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await page.locator("#calling .number", { hasText: v.queue.number }).count(), 0);
      assert.equal((await announcements(page)).length, 0, "a call at counter 2 is not said here");
      await page.context().close();
    });

    it("lists a skipped number live, numbers only, until it is called again", async () => {
      await app.clearLine(fo, await app.token("sv"));
      const page = await board(browser, app);
      assert.equal(await page.locator("#skipped-section").isHidden(), true, "nothing skipped yet");
      const absent = await app.waitingVisit(fo, PERSONAL.name);
      await app.waitingVisit(fo, "Berikutnya");
      await freeCounter(app, hd[0], "1");
      await app.api(hd[0], "POST", "/api/v1/counters/1/call-next");
      for (let i = 0; i < 2; i++) await app.api(hd[0], "POST", `/api/v1/visits/${absent.id}/recall`);
      await app.api(hd[0], "POST", `/api/v1/visits/${absent.id}/skip`);
      await page.locator("#skipped .number", { hasText: absent.queue.number }).waitFor({ timeout: 2000 });
      assert.match(await page.locator("#skipped-section").textContent(), /Nomor terlewat/);
      assertNoPersonalData(await page.content(), "the board with a skipped number");
      assert.deepEqual(await seriousViolations(page), []);
      // Called again at the next turn: off the list.
      await freeCounter(app, hd[0], "1");
      await app.api(hd[0], "POST", "/api/v1/counters/1/call-next");
      await page.locator("#skipped-section").waitFor({ state: "hidden", timeout: 2000 });
      await page.context().close();
    });

    it("reconnects by itself after the server restarts and shows the current calls", async () => {
      const page = await board(browser, app);
      const before = await page.locator("#calling .number").allTextContents();
      assert.ok(before.length > 0);
      await app.restart(async () => {
        await page.waitForFunction(() => document.body.dataset.connected === "false", null, { timeout: 5000 });
        assert.equal(await page.locator("#board-offline").isVisible(), true);
        // What the board shows is read again on reconnecting, not kept from before.
        await page.evaluate(() => document.getElementById("calling").replaceChildren());
      });
      await page.waitForFunction(() => document.body.dataset.connected === "true", null, { timeout: 15000 });
      await page.waitForFunction((n) => document.querySelectorAll("#calling .number").length === n, before.length);
      assert.deepEqual(await page.locator("#calling .number").allTextContents(), before);
      assert.equal(await page.locator("#board-offline").isVisible(), false);
      // And the calls made after the restart reach it.
      const token = await app.token("hd1");
      await freeCounter(app, token, "1");
      await app.waitingVisit(await app.token("fo"), "Dedi");
      const called = await app.api(token, "POST", "/api/v1/counters/1/call-next");
      await page.locator("#calling li.latest .number", { hasText: called.queue.number }).waitFor({ timeout: 1000 });
      await page.context().close();
    });
  });
}

/// Everything the public event stream sends while `during` runs.
async function streamText(app, during) {
  const controller = new AbortController();
  const res = await fetch(`${app.base}/api/v1/events`, { signal: controller.signal });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } catch {
      // aborted
    }
  })();
  await during();
  await new Promise((r) => setTimeout(r, 500));
  controller.abort();
  await reading;
  return text;
}

function assertNoPersonalData(text, where) {
  for (const value of Object.values(PERSONAL)) {
    assert.ok(!text.includes(value), `${where} shows ${value}`);
  }
  assert.ok(!text.includes("Siti"), `${where} shows the name`);
}

async function fillKiosk(page) {
  await page.getByLabel("Nama", { exact: false }).first().fill(PERSONAL.name);
  await page.getByLabel("Instansi / perusahaan").fill(PERSONAL.organization);
  await page.getByLabel("Peran dalam pengadaan").selectOption({ label: "Penyedia" });
  await page.getByLabel("Nomor telepon").fill(PERSONAL.phone);
  await page.getByLabel("E-mail").fill(PERSONAL.email);
  await page.getByLabel("Kategori permasalahan").selectOption({ label: "Unggah dan enkripsi dokumen penawaran (Apendo/SPAMKODOK)" });
  await page.getByLabel("Uraian permasalahan").fill("Dokumen penawaran gagal diunggah");
}

for (const backend of backends()) {
  describe(`kiosk, status page and ticket on ${backend.name}`, () => {
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

    it("serves an accessible kiosk form and receipt", async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: app.base });
      const page = await context.newPage();
      await page.goto("/kiosk");
      assert.equal(await page.locator("#kiosk").getAttribute("data-idle"), "60", "a minute by default");
      assert.deepEqual(await seriousViolations(page), []);
      await fillKiosk(page);
      await page.getByRole("button", { name: "Kirim formulir" }).click();
      await page.locator("#reference").waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      await context.close();
    });

    it("takes a visitor's own form, sends them to the front office, and starts over when idle", async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: app.base, hasTouch: true });
      const page = await context.newPage();
      await page.goto("/kiosk?idle=3");
      assert.equal(await page.getByLabel("Nomor telepon").getAttribute("type"), "tel");
      assert.equal(await page.getByLabel("E-mail").getAttribute("type"), "email");
      const height = (await page.getByRole("button", { name: "Kirim formulir" }).boundingBox()).height;
      assert.ok(height >= 44, `a finger-sized button: ${height}px`);
      // A refusal says why, next to the field, and keeps what was typed.
      await fillKiosk(page);
      await page.getByLabel("E-mail").fill("bukan-email");
      await page.getByRole("button", { name: "Kirim formulir" }).click();
      await page.getByRole("alert").waitFor();
      assert.match(await page.getByRole("alert").textContent(), /belum dapat dikirim/);
      assert.equal(await page.locator("#visitor-email-error").textContent(), "Alamat e-mail tidak valid: contoh nama@domain.go.id");
      assert.equal(await page.getByLabel("Nomor telepon").inputValue(), PERSONAL.phone);
      await page.getByLabel("E-mail").fill(PERSONAL.email);
      await page.getByRole("button", { name: "Kirim formulir" }).click();
      await page.locator("#reference").waitFor();
      const reference = await page.locator("#reference").textContent();
      assert.equal(await page.locator("#next-step").textContent(), "Silakan menuju front office.");
      // Idle: back to an empty form, with nothing of this visitor.
      await page.waitForURL((u) => u.pathname === "/kiosk" && u.search === "?idle=3", { timeout: 6000 });
      await page.getByLabel("Nomor telepon").waitFor();
      assert.equal(await page.getByLabel("Nomor telepon").inputValue(), "");
      assertNoPersonalData(await page.content(), "the kiosk after its reset");
      // A half-filled form is emptied too.
      await page.getByLabel("Nomor telepon").fill("0811");
      await page.waitForFunction(() => document.getElementById("visitor-phone")?.value === "", null, { timeout: 6000 });
      await context.close();
      // The entry is in the front office's kiosk list.
      const desk = await signedIn(browser, app, "fo");
      await desk.goto("/front-office");
      assert.match(await desk.locator("#kiosk-h + ul, #kiosk-h ~ ul").first().textContent(), new RegExp(reference));
      await desk.context().close();
    });

    it("shows the visitor their place live, and a clear page for an unknown link", async () => {
      await app.clearLine(fo, await app.token("sv"));
      await app.waitingVisit(fo, "Pertama");
      const mine = await app.waitingVisit(fo, PERSONAL.name);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: app.base });
      const page = await context.newPage();
      await page.goto(mine.queue.status_url);
      await page.waitForFunction(() => document.body.dataset.connected === "true");
      assert.equal(await page.locator("#status-number").textContent(), mine.queue.number);
      assert.equal(await page.locator("#status-ahead").textContent(), "1 orang");
      assert.equal(await page.locator("#status-estimate").textContent(), "belum dapat diperkirakan");
      assertNoPersonalData(await page.content(), "the status page");
      assert.deepEqual(await seriousViolations(page), []);
      await app.api(hd, "POST", "/api/v1/counters/1/call-next");
      await page.locator("#status-ahead", { hasText: "0 orang" }).waitFor({ timeout: 2000 });
      await app.api(await app.token("hd2"), "POST", "/api/v1/counters/2/call-next");
      await page.locator("#status-message", { hasText: "Anda dipanggil ke loket 2" }).waitFor({ timeout: 2000 });
      await page.goto(`/status/${"0".repeat(64)}`);
      assert.equal(await page.locator("h1").textContent(), "Tautan tidak berlaku");
      assert.match(await page.locator("#status-expired").textContent(), /akhir hari layanan/);
      await context.close();
    });

    it("prints the 80 mm ticket on one page, one click from the visit", async () => {
      const v = await app.waitingVisit(fo, PERSONAL.name);
      const page = await signedIn(browser, app, "fo");
      await page.goto(`/front-office/visits/${v.id}`);
      await page.getByRole("link", { name: "Cetak tiket" }).click();
      await page.locator("#ticket-number").waitFor();
      assert.equal(await page.locator("#ticket-number").textContent(), v.queue.number);
      // No public address set yet: no QR code, and the ticket says why.
      assert.equal(await page.locator("#ticket svg").count(), 0, "no QR code without a public address");
      assert.match(await page.locator("#ticket-scan").textContent(), /alamat publik/);
      const sv = await app.token("sv");
      const office = await app.api(sv, "GET", "/api/v1/settings/office");
      await app.api(sv, "PUT", "/api/v1/settings/office", { ...office, public_url: "https://loket.lpse.example.go.id" });
      await page.reload();
      await page.locator("#ticket-number").waitFor();
      assert.equal(await page.locator("#ticket svg").count(), 1, "the QR code");
      assert.doesNotMatch(await page.locator("#ticket-scan").textContent(), /alamat publik/);
      assertNoPersonalData(await page.locator("#ticket").innerHTML(), "the ticket");
      assert.deepEqual(await seriousViolations(page), []);
      const dir = mkdtempSync(join(tmpdir(), "loket-ticket-"));
      try {
        const file = join(dir, "ticket.pdf");
        await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
        const info = execFileSync("pdfinfo", [file]).toString();
        assert.match(info, /^Pages:\s+1$/m, info);
        // 80 mm wide: 226.77 pt (chromium rounds to whole pixels).
        assert.match(info, /Page size:\s+22[67]\.\d+ x/, info);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      await page.context().close();
    });

    it("never sends a visitor's personal data on the display or the public stream", async () => {
      await app.clearLine(fo, await app.token("sv"));
      const page = await board(browser, app);
      const text = await streamText(app, async () => {
        await app.waitingVisit(fo, PERSONAL.name);
        const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: PERSONAL });
        await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
          visitor: { role: "penyedia" },
          form: { category: "offer_upload", description: "Dokumen penawaran gagal terkirim" },
        });
        await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
        await app.api(hd, "POST", "/api/v1/counters/1/call-next");
        await page.locator("#calling li.latest").waitFor();
      });
      assert.match(text, /event: called/);
      assertNoPersonalData(text, "the public stream");
      assertNoPersonalData(await page.content(), "the display");
      await page.context().close();
    });
  });
}
