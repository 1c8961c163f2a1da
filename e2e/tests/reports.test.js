// The supervisors' reports in a real browser: the monthly recap with its chart, the CSV download,
// the tabs, and axe on the page. Runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd: ["helpdesk"], sup: ["supervisor"] };

for (const backend of backends()) {
  describe(`supervisor reports on ${backend.name}`, () => {
    let app, browser, fo, hd;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
      fo = await app.token("fo");
      hd = await app.token("hd");
      // Two visits answered and one cancelled this month.
      for (const name of ["Budi", "Sari"]) {
        const v = await app.waitingVisit(fo, name);
        await app.api(hd, "POST", "/api/v1/counters/1/call-next");
        await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
        await app.api(hd, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "a", answer: "b" });
      }
      const gone = await app.waitingVisit(fo, "Tono");
      await app.api(fo, "POST", `/api/v1/visits/${gone.id}/cancel`, { reason: "pulang" });
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("opens the monthly recap from the supervisor's page, shows its chart and downloads its CSV", async () => {
      const page = await signedIn(browser, app, "sup");
      await page.goto("/supervisor");
      await page.locator("#reports-link").click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.locator("#period").inputValue(), "month", "a month by default");
      // Only the chosen period's inputs show, and they follow the choice.
      const shown = async () => {
        const out = [];
        for (const id of ["day", "month", "from", "to"]) if (await page.locator(`#${id}`).isVisible()) out.push(id);
        return out;
      };
      assert.deepEqual(await shown(), ["month"]);
      await page.locator("#period").selectOption("range");
      assert.deepEqual(await shown(), ["from", "to"]);
      await page.locator("#period").selectOption("day");
      assert.deepEqual(await shown(), ["day"]);
      await page.locator("#period").selectOption("month");
      assert.equal(await page.locator("#report-h").textContent(), "Rekap kunjungan");
      assert.equal(await page.locator("#chart rect").count(), 6, "one bar per outcome");
      const answered = page.locator("table").first().locator("tr", { hasText: "Dijawab" });
      assert.equal(await answered.locator("td").nth(1).textContent(), "2");
      assert.deepEqual(await seriousViolations(page), []);

      const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-csv").click()]);
      assert.match(download.suggestedFilename(), /^recap-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = await (await download.createReadStream()).toArray();
      const text = Buffer.concat(csv).toString("utf8");
      // For Excel in the Indonesian locale: a byte order mark and `;` between cells.
      assert.equal(text.charCodeAt(0), 0xfeff, "a byte order mark");
      assert.match(text, /\r\nDijawab;2\r\n/);
      assert.match(text, /\r\nDibatalkan;1\r\n/);
      assert.match(text, /\r\nJumlah kunjungan;3\r\n/);

      await page.locator("#tab-times").click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.locator("#report-h").textContent(), "Waktu tunggu dan layanan");
      assert.equal(await page.locator("#chart rect").count(), 13, "the waiting time's histogram");
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });
  });
}
