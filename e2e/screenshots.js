// Screenshots of every staff screen at a desk PC's 1366x768, for docs/screenshots/ and the
// README. Run with `npm run screenshots` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
// A 96x96 PNG: a blue disc, a white ring, a gold square; the office logo of the screenshots.
const EMBLEM = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAIAAABt+uBvAAAB6UlEQVR42u3dzXUDIQxG0a8Il5M6U0kKSweTRRZZeQLoB4l5c7z0MeIa28AgWRfX7aWNbb8+PgcfTwEaF6njpUYuW6TU0SVTSt1popl0Bk0ck7bQlG0iCij/jU1rUe1okltXXHx1ZlgbgGpOfCOi0q44gn6b3I3kqFNnqeFopByd/PmOl5HsOtvnjb4xLwKV1Yk2UoROtUWGxUjH6AQZLQKVXanOhmcF6qjja6QjdRyN5oAa6UwFvAI02F5lnamY54CO0bEbaXkQdtEZj38U6LDhYxxEesLwsQwiPURn2QigGaCzddaM5oC66wx2KhXo++sV+sgDCvp81Qe677uiP18FgaYG0Vsgr6/nFkA33Vf013NNoPFBBBBAEUCO88MuQO8QhoAss7KyQP928w8odALdF+j3CQABBBBAAAEEEEAAAQQQQAABVBKI7Q7rfhAbZmy5sicNUCwQNw659ex965nDCxx/4QBVPtDTj+BxiJNTrmYgDpKTimBORSCZhXQoczoUCXWkZMbkrJLUS1o4hQVyKi9QmoLiJpTHocBSaoElSnSFG11PKPI20k+XF2lcJjAoDpcrIipKlUYCXRS7LcuU1iIFt7OA6qxXfXtE0f8dQKXWYnWBEqQSguevayoBLXttDHInUIvrB0VxLdmatiKOAAAAAElFTkSuQmCC";
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, {
  rina: ["front_office"],
  agus: ["helpdesk"],
  dewi: ["helpdesk"],
  budi: ["supervisor"],
  admin: ["admin", "supervisor"],
});
const browser = await launch();
try {
  const fo = await app.token("rina");
  // The first visitor's name and problem corrected before the check: the counter shows both.
  const first = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: "Ahmad Fauzi" } });
  await app.api(fo, "PUT", `/api/v1/visits/${first.id}/form`, {
    visitor: { organization: "CV Maju Jaya", role: "penyedia", phone: "0812-3456-7890" },
    form: { category: "offer_upload", description: "Dokumen penawaran gagal terkirim" },
  });
  await app.api(fo, "PUT", `/api/v1/visits/${first.id}/form`, {
    visitor: { name: "Ahmad Fauzi Rahman" },
    form: { description: "Dokumen penawaran gagal terkirim: sertifikat elektronik kedaluwarsa" },
  });
  await app.api(fo, "POST", `/api/v1/visits/${first.id}/check`);
  for (const name of ["Sri Wahyuni", "Made Sutrisna", "Yohanes Kambu", "<img src=x onerror=alert(1)>"]) {
    await app.waitingVisit(fo, name);
  }
  // Headless chromium now and then fails to capture ("Unable to capture screenshot"): try again.
  const shot = async (page, name) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await page.screenshot({ path: join(out, `${name}.png`) });
      } catch (e) {
        if (attempt === 3) throw e;
        await page.waitForTimeout(200);
      }
    }
  };

  const anon = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: app.base });
  const login = await anon.newPage();
  await login.goto("/login");
  await shot(login, "login");
  await login.getByLabel("Nama pengguna").fill("rina");
  await login.getByLabel("Kata sandi").fill("salah");
  await login.getByRole("button", { name: "Masuk" }).click();
  await shot(login, "login-error");
  await anon.close();

  // Helpdesk: one agent serving, one calling.
  const dewi = await signedIn(browser, app, "dewi");
  await dewi.goto("/counter?counter=2");
  await dewi.getByRole("button", { name: /Panggil berikutnya/ }).click();
  await dewi.getByRole("button", { name: "Mulai layanan" }).click();
  await dewi.getByLabel("Analisis permasalahan").fill("Sertifikat elektronik penyedia kedaluwarsa sejak 20 November.");
  await shot(dewi, "counter-in-service");
  const agus = await signedIn(browser, app, "agus");
  await agus.goto("/counter");
  await shot(agus, "counter-choose");
  await agus.goto("/counter?counter=1");
  await agus.getByRole("button", { name: /Panggil berikutnya/ }).click();
  // Just called: the re-call waits for the office's spacing, counting down.
  await shot(agus, "counter-called");
  await app.spaceCalls(await app.token("budi"), 0);
  await agus.reload();
  await agus.getByRole("button", { name: /Panggil ulang 1\/3/ }).click();
  await agus.getByRole("button", { name: /Panggil ulang 2\/3/ }).click();
  await agus.getByRole("button", { name: "Lewati" }).click();
  await shot(agus, "counter-skip-confirm");
  await agus.goto("/admin");
  await shot(agus, "forbidden");

  // Front office: the guest book, a form refused with its problems, the number.
  const rina = await signedIn(browser, app, "rina");
  await shot(rina, "front-office");
  await rina.locator("#visitor-name").fill("Lestari Handayani");
  await rina.getByRole("button", { name: "Catat di buku tamu" }).click();
  await rina.getByLabel("Instansi / perusahaan").fill("CV Karya Mandiri");
  await rina.getByLabel("Kategori permasalahan").selectOption({ index: 1 });
  await rina.getByRole("button", { name: "Simpan dan periksa kelengkapan" }).click();
  await shot(rina, "front-office-incomplete");
  await rina.getByLabel("Peran dalam pengadaan").selectOption("penyedia");
  await rina.getByLabel("Nomor telepon").fill("0813-2222-3333");
  await rina.getByLabel("Uraian permasalahan").fill("Tidak dapat mengunggah dokumen penawaran.");
  await rina.getByRole("button", { name: "Simpan dan periksa kelengkapan" }).click();
  await shot(rina, "front-office-number");

  const budi = await signedIn(browser, app, "budi");
  await shot(budi, "supervisor");
  await budi.goto("/supervisor/report");
  await shot(budi, "report");
  await budi.goto("/supervisor/time-standards");
  await budi.getByLabel("9. Analisis").fill("setengah jam");
  await budi.getByRole("button", { name: "Simpan standar waktu" }).click();
  await shot(budi, "time-standards-refused");
  const admin = await signedIn(browser, app, "admin");
  await admin.goto("/admin");
  await shot(admin, "admin");
  await admin.goto("/password");
  await shot(admin, "password");
  // The returning visitor, offered while the clerk types the phone number.
  const rina2 = await signedIn(browser, app, "rina");
  await rina2.getByLabel("Nomor telepon").pressSequentially("+62 812 3456 7890");
  await rina2.locator("#take-returning").waitFor();
  await shot(rina2, "front-office-returning");
  // The settings pages: the office, services and counters (a bad code and a service in use),
  // the priority table, the required fields.
  await budi.goto("/supervisor/settings/office");
  await shot(budi, "settings-office");
  // The office logo, uploaded on the same page (a 96x96 emblem), then removed again.
  await budi.getByLabel("Berkas logo (PNG atau JPEG)").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from(EMBLEM, "base64") });
  await budi.getByRole("button", { name: "Unggah logo" }).click();
  await budi.locator("#logo-notice").waitFor();
  await budi.locator("#office-logo").scrollIntoViewIfNeeded();
  await shot(budi, "settings-office-logo");
  await budi.getByRole("button", { name: "Hapus logo" }).click();
  await budi.locator("#office-logo-none").waitFor();
  await budi.goto("/supervisor/settings/desks");
  await budi.locator("#services-1-code").fill("b");
  await budi.locator("#services-1-name").fill("Verifikasi dokumen");
  await budi.locator("#counters-3-code").fill("4");
  await budi.locator("#counters-3-name").fill("Loket Verifikasi");
  await budi.locator("#counters-3-services").fill("B");
  await budi.getByRole("button", { name: "Simpan layanan dan loket" }).click();
  await shot(budi, "settings-desks-refused");
  await budi.locator("#services-1-code").fill("B");
  await budi.getByRole("button", { name: "Simpan layanan dan loket" }).click();
  const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: "Made Sutrisna" }, service: "B" });
  await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
    visitor: { organization: "Dinas PU", role: "ppk", phone: "0813 1111 2222" },
    form: { category: "tender", description: "Jadwal tender" },
  });
  await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
  await budi.locator("#services-1-remove").check();
  await budi.locator("#counters-3-remove").check();
  await budi.getByRole("button", { name: "Simpan layanan dan loket" }).click();
  await shot(budi, "settings-desks-in-use");
  await budi.goto("/supervisor/settings/priorities");
  await shot(budi, "settings-priorities");
  await budi.goto("/supervisor/settings/form-fields");
  await shot(budi, "settings-form-fields");
  await admin.goto("/admin/users/agus");
  await admin.getByRole("checkbox", { name: "Front office" }).check();
  await shot(admin, "admin-user");
  await admin.locator("#save-user").click();
  // The change record: every change of the settings and the accounts above, who, when, what.
  await budi.goto("/supervisor/changes");
  await shot(budi, "change-record");
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await app.stop();
}
