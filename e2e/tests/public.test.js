// The public screens in a real browser: the display board (live, spoken, reconnecting), the
// kiosk, the visitor's status page and the 80 mm ticket; and that none of them, nor the public
// event stream, ever shows a visitor's name, phone, e-mail or organisation. Each suite runs on
// SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd1: ["helpdesk"], hd2: ["helpdesk"], hd3: ["helpdesk"] };
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
