// The business calendar page: the opening hours and the time measure, a day off added and
// removed, a CSV import refused line by line with the text kept, then imported; axe-core on the
// page. Runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations } from "./support.js";

const STAFF = { sv: ["supervisor"], ad: ["admin"] };

const BAD_CSV = [
  "date,kind,name",
  "2027-01-01,libur_nasional,Tahun Baru 2027 Masehi",
  "2027-02-30,libur_nasional,Tanggal salah",
  "2027-03-10,Libur Nasional,Hari Suci Nyepi",
].join("\n");

for (const backend of backends()) {
  describe(`the business calendar on ${backend.name}`, () => {
    let app, browser;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("a supervisor sets working time and opening hours, a bad interval is named and kept", async () => {
      const page = await signedIn(browser, app, "sv");
      await page.goto("/supervisor/settings/calendar");
      assert.equal(await page.getByLabel("Senin").inputValue(), "08:00-16:00");
      await page.getByLabel(/Waktu kerja/).check();
      await page.getByLabel("Jumat").fill("08:00-11:30, 13:30-16:30");
      await page.getByLabel("Sabtu").fill("16:00-08:00");
      await page.getByRole("button", { name: "Simpan jam kerja" }).click();
      await page.locator("#hours-saturday-error").waitFor();
      assert.match(await page.locator("#hours-saturday-error").textContent(), /Tidak valid/);
      assert.equal(await page.getByLabel("Sabtu").inputValue(), "16:00-08:00", "as typed");
      assert.equal(await page.getByLabel("Jumat").inputValue(), "08:00-11:30, 13:30-16:30");
      assert.ok(await page.getByLabel(/Waktu kerja/).isChecked());
      await page.getByLabel("Sabtu").fill("");
      await page.getByRole("button", { name: "Simpan jam kerja" }).click();
      await page.locator("#settings-saved").waitFor();
      assert.equal(await page.getByLabel("Jumat").inputValue(), "08:00-11:30, 13:30-16:30");
      assert.ok(await page.getByLabel(/Waktu kerja/).isChecked(), "the measure is saved");
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    });

    it("an admin adds a day off, and removes it", async () => {
      const page = await signedIn(browser, app, "ad");
      await page.goto("/supervisor/settings/calendar?year=2027");
      await page.getByLabel("Tanggal (TTTT-BB-HH)").fill("17-08-2027");
      await page.getByLabel("Jenis").selectOption("libur_nasional");
      await page.getByLabel("Nama", { exact: true }).fill("Hari Kemerdekaan RI");
      await page.getByRole("button", { name: "Simpan hari libur" }).click();
      await page.locator("#add-date-error").waitFor();
      assert.match(await page.locator("#add-date-error").textContent(), /TTTT-BB-HH/);
      assert.equal(await page.getByLabel("Nama", { exact: true }).inputValue(), "Hari Kemerdekaan RI", "kept");
      await page.getByLabel("Tanggal (TTTT-BB-HH)").fill("2027-08-17");
      await page.getByRole("button", { name: "Simpan hari libur" }).click();
      const row = page.locator('#days-off tr[data-date="2027-08-17"]');
      await row.waitFor();
      assert.match(await row.textContent(), /17 Agustus 2027/);
      assert.match(await row.textContent(), /Libur nasional/);
      assert.match(await row.textContent(), /Hari Kemerdekaan RI/);
      await row.getByRole("button", { name: /Hapus/ }).click();
      await page.locator("#days-off-empty").waitFor();
      await page.context().close();
    });

    it("a CSV with a bad line is refused with its line number and kept, then imported", async () => {
      const page = await signedIn(browser, app, "sv");
      await page.goto("/supervisor/settings/calendar?year=2027");
      await page.locator("#csv-file").setInputFiles({ name: "libur-2027.csv", mimeType: "text/csv", buffer: Buffer.from(BAD_CSV) });
      await page.waitForFunction(() => document.getElementById("csv").value.startsWith("date,kind,name"));
      await page.getByRole("button", { name: "Impor", exact: true }).click();
      await page.locator("#csv-errors").waitFor();
      assert.match(await page.locator("#settings-error").textContent(), /Tidak ada yang diimpor/);
      assert.deepEqual(await page.locator("#csv-errors li").allTextContents(), [
        "Baris 3: tanggal tidak valid (tulis TTTT-BB-HH, misalnya 2027-08-17)",
      ]);
      assert.equal(await page.locator("#csv").inputValue(), BAD_CSV, "the text is kept");
      assert.deepEqual(await seriousViolations(page), []);
      await page.goto("/supervisor/settings/calendar?year=2027");
      assert.equal(await page.locator("#days-off-empty").count(), 1, "nothing was imported");
      await page.locator("#csv").fill(BAD_CSV.replace("2027-02-30", "2027-02-06").replace("Tanggal salah", "Tahun Baru Imlek"));
      await page.getByRole("button", { name: "Impor", exact: true }).click();
      await page.locator("#settings-saved").waitFor();
      assert.match(await page.locator("#settings-saved").textContent(), /3 hari libur diimpor/);
      assert.equal(await page.locator("#days-off tbody tr").count(), 3);
      await page.context().close();
    });
  });
}
