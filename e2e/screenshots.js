// Screenshots of every staff screen at a desk PC's 1366x768, for docs/screenshots/ and the
// README. Run with `npm run screenshots` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
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
  for (const name of ["Ahmad Fauzi", "Sri Wahyuni", "Made Sutrisna", "Yohanes Kambu", "<img src=x onerror=alert(1)>"]) {
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
  await agus.getByRole("button", { name: /Panggil ulang/ }).click();
  await shot(agus, "counter-called");
  await agus.getByRole("button", { name: /Panggil ulang/ }).click();
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
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await app.stop();
}
