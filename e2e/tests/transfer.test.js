// The transfer of a called visit to another counter, in a real browser: the counter's form, a
// refusal that names the missing reason and keeps what was typed, the number on the board at its
// new counter. Each suite runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd1: ["helpdesk"], hd2: ["helpdesk"] };

for (const backend of backends()) {
  describe(`transfer on ${backend.name}`, () => {
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

    it("sends a called visit to another counter with the reason", async () => {
      const visit = await app.waitingVisit(fo, "Yusuf");
      const number = visit.queue.number;
      const page = await signedIn(browser, app, "hd1");
      await page.goto("/counter?counter=1");
      await page.getByRole("button", { name: /Panggil berikutnya/ }).click();
      await page.waitForURL(/counter=1/);
      assert.equal(await page.locator("#current-number").textContent(), number);

      await page.getByText("Alihkan ke loket lain").click();
      await page.getByLabel("Loket tujuan").selectOption("2");
      await page.getByLabel(/Petugas di sana/).fill("hd2");
      await page.getByRole("button", { name: "Alihkan", exact: true }).click();
      // The reason is required in the browser too; without it the server names it.
      const reason = page.getByLabel("Alasan");
      assert.equal(await reason.evaluate((el) => el.validity.valueMissing), true);
      await reason.evaluate((el) => el.removeAttribute("required"));
      await page.getByRole("button", { name: "Alihkan", exact: true }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.match(await page.locator("#transfer-reason-error").textContent(), /Wajib diisi/);
      assert.equal(await page.getByLabel(/Petugas di sana/).inputValue(), "hd2", "what was typed stays");
      assert.deepEqual(await seriousViolations(page), []);

      await page.getByLabel("Loket tujuan").selectOption("2");
      await page.getByLabel("Alasan").fill("Petugas loket 2 paham e-katalog");
      await page.getByRole("button", { name: "Alihkan", exact: true }).click();
      await page.waitForURL(/counter=1/);
      assert.equal(await page.locator("#current-number").count(), 0, "counter 1 is free again");

      const moved = await app.api(hd, "GET", `/api/v1/visits/${visit.id}`);
      assert.equal(moved.queue.counter, "2");
      assert.equal(moved.status, "called");
      const history = await app.api(hd, "GET", `/api/v1/visits/${visit.id}/history`);
      const last = history[history.length - 1];
      assert.equal(last.kind, "transferred");
      assert.equal(last.data.reason, "Petugas loket 2 paham e-katalog");

      const board = await browser.newPage({ baseURL: app.base });
      await board.goto("/display");
      const row = board.locator("#calling li", { hasText: number });
      assert.match(await row.first().textContent(), /2/, "the number shows at counter 2");
      assert.doesNotMatch(await board.content(), /Yusuf/, "never a name on the board");
      await board.close();

      const second = await signedIn(browser, app, "hd2");
      await second.goto("/counter?counter=2");
      assert.equal(await second.locator("#current-number").textContent(), number);
      await second.context().close();
      await page.context().close();
    });
  });
}
