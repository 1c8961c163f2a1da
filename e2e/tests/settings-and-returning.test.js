// The returning visitor at the front office (with and without script), the supervisor's
// settings pages (a bad value keeps the form, a service still in use is refused clearly), the
// admin changing a user's roles, a user's own language, and axe-core on each new page. Each suite
// runs on SQLite and on PostgreSQL.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { backends, startLoket, launch, signedIn, seriousViolations, PASSWORD } from "./support.js";

const STAFF = {
  fo: ["front_office"],
  hd1: ["helpdesk"],
  sv: ["supervisor"],
  ad: ["admin"],
};

for (const backend of backends()) {
  describe(`settings, returning visitors and accounts on ${backend.name}`, () => {
    let app, browser, fo;

    before(async () => {
      app = await startLoket(backend, STAFF);
      browser = await launch();
      fo = await app.token("fo");
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it("the front office registers a returning visitor, offered while typing", async () => {
      const earlier = await app.waitingVisit(fo, "Yohanes Kambu");
      const page = await signedIn(browser, app, "fo");
      // The same number as the earlier visit, written another way.
      await page.getByLabel("Nomor telepon").pressSequentially("+62 812 3456 7890");
      const offer = page.locator("#returning");
      await offer.getByRole("button", { name: "Pakai data ini" }).waitFor();
      assert.match(await offer.textContent(), /Yohanes Kambu/);
      assert.match(await offer.textContent(), new RegExp(earlier.reference));
      await offer.getByRole("button", { name: "Pakai data ini" }).click();
      assert.equal(await page.locator("#visitor-name").inputValue(), "Yohanes Kambu");
      assert.equal(await page.getByLabel("Instansi / perusahaan").inputValue(), "CV Maju Jaya");
      assert.equal(await page.getByLabel("Peran dalam pengadaan").inputValue(), "penyedia");
      assert.equal(await page.getByLabel("Nomor telepon").inputValue(), "+62 812 3456 7890", "as typed");
      await page.getByRole("button", { name: "Catat di buku tamu" }).click();
      await page.waitForURL(/\/front-office\/visits\//);
      assert.equal(await page.locator("#visitor-name").inputValue(), "Yohanes Kambu");
      assert.equal(await page.getByLabel("Instansi / perusahaan").inputValue(), "CV Maju Jaya");
      // The rest of the form, checked: complete, a number.
      await page.getByLabel("Kategori permasalahan").selectOption("offer_upload");
      await page.getByLabel("Uraian permasalahan").fill("Dokumen penawaran gagal terkirim lagi.");
      await page.getByRole("button", { name: "Simpan dan periksa kelengkapan" }).click();
      await page.locator("#queue-number").waitFor();
      assert.match(await page.locator("#queue-number").textContent(), /^A-\d{3}$/);
      await page.context().close();
    });

    it("the front office finds a returning visitor without script, keeping what was typed", async () => {
      await app.waitingVisit(fo, "Sri Wahyuni");
      const context = await browser.newContext({
        viewport: { width: 1366, height: 768 },
        baseURL: app.base,
        javaScriptEnabled: false,
      });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByLabel("Nama pengguna").fill("fo");
      await page.getByLabel("Kata sandi").fill(PASSWORD);
      await page.getByRole("button", { name: "Masuk" }).click();
      await page.locator("#visitor-name").fill("Sri W.");
      await page.getByLabel("Nomor telepon").fill("0812 3456 7890");
      await page.getByRole("button", { name: "Cari pengunjung lama" }).click();
      await page.locator("#lookup-notice").waitFor();
      assert.match(await page.locator("#lookup-notice").textContent(), /Data kunjungan terakhir \(\d{8}-\d{4}, \w+, \d+ \w+ \d{4}, \d\d\.\d\d\)/);
      assert.equal(await page.locator("#visitor-name").inputValue(), "Sri W.", "what was typed stays");
      assert.equal(await page.getByLabel("Instansi / perusahaan").inputValue(), "CV Maju Jaya");
      await page.getByRole("button", { name: "Catat di buku tamu" }).click();
      await page.waitForURL(/\/front-office\/visits\//);
      assert.equal(await page.locator("#visitor-name").inputValue(), "Sri W.");
      await context.close();
    });

    it("a bad setting keeps the form, and a service still in use is refused clearly", async () => {
      const page = await signedIn(browser, app, "sv");
      await page.goto("/supervisor");
      await page.getByRole("link", { name: "Pengaturan" }).click();
      await page.getByRole("link", { name: "Layanan dan loket" }).click();
      await page.getByLabel("Kode, baris 2").first().fill("b");
      await page.getByLabel("Nama, baris 2").first().fill("Verifikasi <dokumen>");
      const counterCode = page.locator("#counters-3-code");
      await counterCode.fill("9");
      await page.locator("#counters-3-name").fill("Loket Verifikasi");
      await page.locator("#counters-3-services").fill("B");
      await page.getByRole("button", { name: "Simpan layanan dan loket" }).click();
      await page.getByRole("alert").waitFor();
      assert.match(await page.getByRole("alert").textContent(), /tidak valid/i);
      assert.equal(await page.locator("#services-1-code-error").textContent(), "Tidak valid");
      assert.equal(await page.locator("#services-1-code").inputValue(), "b", "what was typed stays");
      assert.equal(await page.locator("#services-1-name").inputValue(), "Verifikasi <dokumen>");
      assert.equal(await page.locator("#counters-3-services").inputValue(), "B");
      await page.locator("#services-1-code").fill("B");
      await page.getByRole("button", { name: "Simpan layanan dan loket" }).click();
      await page.locator("#settings-saved").waitFor();
      // A visit waits in B: B cannot go.
      const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: "Made" }, service: "B" });
      await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
        visitor: { organization: "Dinas PU", role: "ppk", phone: "0813 1111 2222" },
        form: { category: "tender", description: "Jadwal tender" },
      });
      await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
      await page.locator("#services-1-remove").check();
      await page.locator("#counters-3-remove").check();
      await page.getByRole("button", { name: "Simpan layanan dan loket" }).click();
      await page.getByRole("alert").waitFor();
      assert.match(await page.getByRole("alert").textContent(), /masih dipakai kunjungan yang sedang berjalan \(layanan B\)/);
      assert.equal(await page.locator("#services-error").textContent(), "Masih dipakai");
      assert.ok(await page.locator("#services-1-remove").isChecked(), "the ticks stay");
      assert.deepEqual(await page.evaluate(() => document.documentElement.lang), "id");
      const office = await app.api(await app.token("sv"), "GET", "/api/v1/settings/office");
      assert.deepEqual(office.services.map((s) => s.code), ["A", "B"], "nothing half-saved");
      // The office page: a bad closing time is named, the rest kept.
      await page.getByRole("link", { name: "Kantor dan pemanggilan" }).click();
      await page.getByLabel("Nama kantor").fill("LPSE Kabupaten Jayapura");
      await page.getByLabel("Jam tutup (JJ:MM)").fill("25.00");
      await page.getByRole("button", { name: "Simpan pengaturan kantor" }).click();
      await page.locator("#closing-time-error").waitFor();
      assert.equal(await page.getByLabel("Nama kantor").inputValue(), "LPSE Kabupaten Jayapura");
      await page.getByLabel("Jam tutup (JJ:MM)").fill("16.00");
      await page.getByLabel("Zona waktu").selectOption("Asia/Jayapura");
      await page.getByRole("button", { name: "Simpan pengaturan kantor" }).click();
      await page.locator("#settings-saved").waitFor();
      assert.match(await page.locator("header .office").textContent(), /LPSE Kabupaten Jayapura/);
      await page.context().close();
    });

    it("the office logo is uploaded from a file, refused with the reason, shown and removed", async () => {
      // A 16x16 PNG, blue.
      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGMQsZlGEmIY1TCqYfhqAADFoeYBpQdBeAAAAABJRU5ErkJggg==",
        "base64",
      );
      const page = await signedIn(browser, app, "sv");
      await page.goto("/supervisor/settings/office");
      await page.locator("#office-logo-none").waitFor();
      // The public address is a field like the others, not a 16 px sliver.
      const height = async (id) => (await page.locator(id).boundingBox()).height;
      assert.equal(await height("#public-url"), await height("#office-name"));
      await page.getByLabel("Nama kantor").fill("LPSE Kota Sorong");
      await page.getByLabel("Berkas logo (PNG atau JPEG)").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from("bukan gambar") });
      await page.getByRole("button", { name: "Unggah logo" }).click();
      await page.locator("#logo-error").waitFor();
      assert.equal(await page.locator("#logo-error").textContent(), "Bukan gambar PNG atau JPEG.");
      assert.equal(await page.getByLabel("Berkas logo (PNG atau JPEG)").getAttribute("aria-invalid"), "true");
      await page.getByLabel("Berkas logo (PNG atau JPEG)").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png });
      await page.getByRole("button", { name: "Unggah logo" }).click();
      await page.locator("#logo-notice").waitFor();
      assert.equal(await page.locator("#logo-notice").textContent(), "Logo kantor sudah disimpan.");
      const shown = await page.locator("#office-logo-image").evaluate((img) => img.complete && img.naturalWidth);
      assert.equal(shown, 16, "the logo is shown as uploaded");
      const stored = await app.api(await app.token("sv"), "GET", "/api/v1/settings/office");
      assert.notEqual(stored.office_name, "LPSE Kota Sorong", "the logo form saves only the logo");
      await page.getByRole("button", { name: "Hapus logo" }).click();
      await page.locator("#office-logo-none").waitFor();
      assert.equal(await page.locator("#logo-notice").textContent(), "Logo kantor sudah dihapus.");
      await page.context().close();
    });

    it("the admin changes a user's roles, and the last admin keeps the admin role", async () => {
      const page = await signedIn(browser, app, "ad");
      await page.getByRole("link", { name: "Ubah nama dan peran hd1" }).click();
      await page.getByLabel("Nama lengkap").fill("Agus Salim");
      await page.getByRole("checkbox", { name: "Front office" }).check();
      await page.getByRole("button", { name: "Simpan nama dan peran" }).click();
      await page.getByRole("status").waitFor();
      assert.match(await page.locator("#users").textContent(), /Agus Salim/);
      await page.getByRole("link", { name: "Ubah nama dan peran ad" , exact: true }).click();
      await page.getByRole("checkbox", { name: "Admin" }).uncheck();
      await page.getByRole("checkbox", { name: "Supervisor" }).check();
      await page.getByRole("button", { name: "Simpan nama dan peran" }).click();
      await page.getByRole("alert").waitFor();
      assert.match(await page.getByRole("alert").textContent(), /Admin aktif terakhir/);
      assert.ok(await page.getByRole("checkbox", { name: "Supervisor" }).isChecked(), "what was ticked stays");
      await page.context().close();
    });

    it("keeps a user's language with the user, at any desk", async () => {
      const page = await signedIn(browser, app, "hd1");
      await page.getByRole("button", { name: "English" }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.getAttribute("html", "lang"), "en");
      const other = await signedIn(browser, app, "hd1");
      assert.equal(await other.getAttribute("html", "lang"), "en", "another browser, the same choice");
      assert.match(await other.locator("#today").textContent(), /^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \d+ \w+ \d{4}$/);
      await other.getByRole("button", { name: "Bahasa Indonesia" }).click();
      await other.waitForLoadState("domcontentloaded");
      assert.equal(await other.getAttribute("html", "lang"), "id");
      await page.context().close();
      await other.context().close();
    });

    it("has no serious or critical axe-core violation on the new pages", async () => {
      const found = {};
      const sv = await signedIn(browser, app, "sv");
      for (const path of [
        "/supervisor/settings/office",
        "/supervisor/settings/desks",
        "/supervisor/settings/priorities",
        "/supervisor/settings/form-fields",
      ]) {
        await sv.goto(path);
        found[path] = await seriousViolations(sv);
      }
      await sv.goto("/supervisor/settings/priorities");
      await sv.locator("#categories-0-priority").fill("satu");
      await sv.getByRole("button", { name: "Simpan tabel prioritas" }).click();
      await sv.locator("#categories-0-priority-error").waitFor();
      found["refused priorities"] = await seriousViolations(sv);
      await sv.context().close();
      const ad = await signedIn(browser, app, "ad");
      await ad.goto("/admin/users/fo");
      found["/admin/users/fo"] = await seriousViolations(ad);
      await ad.context().close();
      const front = await signedIn(browser, app, "fo");
      await front.getByLabel("Nomor telepon").fill("0812 3456 7890");
      await front.getByRole("button", { name: "Cari pengunjung lama" }).click();
      await front.locator("#lookup-notice").waitFor();
      found["front office lookup"] = await seriousViolations(front);
      await front.context().close();
      const bad = Object.entries(found).filter(([, v]) => v.length);
      assert.deepEqual(bad, []);
    });
  });
}
