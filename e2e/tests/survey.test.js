// The satisfaction survey in a real browser: opened from the counter on the tablet, a missing
// answer named with every other choice kept, answered once; and the supervisor's IKM page. axe
// checks both pages. Each suite runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { fo: ["front_office"], hd: ["helpdesk"], sup: ["supervisor"] };

for (const backend of backends()) {
  describe(`satisfaction survey on ${backend.name}`, () => {
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

    it("is answered on the counter's tablet, a missing answer named and every choice kept", async () => {
      const v = await app.waitingVisit(fo, "Budi Santoso");
      await app.api(hd, "POST", "/api/v1/counters/1/call-next");
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "Lupa sandi", answer: "Atur ulang sandi" });

      const counter = await signedIn(browser, app, "hd");
      await counter.goto("/counter?counter=1");
      const [tablet] = await Promise.all([
        counter.context().waitForEvent("page"),
        counter.getByRole("button", { name: /Survei kepuasan/ }).click(),
      ]);
      await tablet.waitForLoadState("domcontentloaded");
      const link = new URL(tablet.url()).pathname;
      assert.match(link, /^\/survey\/[0-9a-f]{64}$/);
      await tablet.setViewportSize({ width: 1280, height: 800 });
      assert.deepEqual(await seriousViolations(tablet), []);

      // Every element but U4 (biaya) answered, by touching the answer's words.
      const chosen = {
        requirements: "Sangat sesuai", procedure: "Mudah", completion_time: "Cepat", product: "Sesuai",
        competence: "Sangat kompeten", conduct: "Sangat sopan dan ramah", complaints: "Dikelola dengan baik",
        facilities: "Baik",
      };
      for (const [element, label] of Object.entries(chosen)) {
        await tablet.locator(`#element-${element}`).getByText(label, { exact: true }).click();
      }
      await tablet.getByLabel("Saran dan masukan (boleh dikosongkan)").fill("Ruang tunggu nyaman");
      await tablet.getByLabel("Jenis kelamin").selectOption("female");
      await tablet.getByRole("button", { name: "Kirim jawaban" }).click();
      await tablet.waitForLoadState("domcontentloaded");
      assert.match(await tablet.locator("#form-error").textContent(), /lengkapi yang ditandai/);
      assert.equal(await tablet.locator("#cost-error").textContent(), "Pilih salah satu jawaban.");
      for (const [element, label] of Object.entries(chosen)) {
        const checked = tablet.locator(`#element-${element} input:checked`);
        assert.equal(await checked.count(), 1, element);
        const id = await checked.getAttribute("id");
        assert.equal(await tablet.locator(`label[for="${id}"]`).innerText(), label, element);
      }
      assert.equal(await tablet.getByLabel("Saran dan masukan (boleh dikosongkan)").inputValue(), "Ruang tunggu nyaman");
      assert.equal(await tablet.getByLabel("Jenis kelamin").inputValue(), "female");
      assert.deepEqual(await seriousViolations(tablet), []);

      await tablet.locator("#element-cost").getByText("Gratis", { exact: true }).click();
      await tablet.getByRole("button", { name: "Kirim jawaban" }).click();
      await tablet.waitForLoadState("domcontentloaded");
      await tablet.locator("#survey-thanks").waitFor();
      assert.match(await tablet.locator("#survey-thanks").textContent(), /Terima kasih/);

      // The link is used: opened again, it says so and records nothing.
      await tablet.goto(link);
      await tablet.locator("#survey-used").waitFor();
      await counter.context().close();
    });

    it("shows the IKM of the day to the supervisor, with its chart", async () => {
      const page = await signedIn(browser, app, "sup");
      await page.goto("/supervisor/ikm");
      // 4 3 3 4 3 4 4 4 3 (the answers above): 32 / 9 * 25 = 88,89, an A.
      assert.equal(await page.locator("#ikm-index").textContent(), "88,89");
      assert.match(await page.locator("#ikm-grade").textContent(), /A \(Sangat baik\)/);
      assert.equal(await page.locator("#chart rect").count(), 9);
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });
  });
}
