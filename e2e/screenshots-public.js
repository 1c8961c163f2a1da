// Screenshots of the public screens for docs/screenshots/: the display board at 1920x1080 and
// 1366x768, the kiosk on a tablet, the visitor's status page on a phone, and the 80 mm ticket.
// Run with `npm run screenshots:public` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { rina: ["front_office"], agus: ["helpdesk"], dewi: ["helpdesk"], budi: ["supervisor"] });
const browser = await launch();
try {
  const fo = await app.token("rina");
  const sup = await app.token("budi");
  const office = await app.api(sup, "GET", "/api/v1/settings/office");
  office.office_name = "LPSE Kota Makassar";
  office.running_text = "Selamat datang di layanan helpdesk LPSE. Siapkan User ID SPSE dan kode tender Anda sebelum dipanggil.";
  await app.api(sup, "PUT", "/api/v1/settings/office", office);
  const visits = [];
  for (const name of ["Ahmad Fauzi", "Sri Wahyuni", "Made Sutrisna", "Yohanes Kambu", "Nur Aisyah", "Rudi Hartono", "Wayan Sudira", "Fitri Handayani", "Agus Salim"]) {
    visits.push(await app.waitingVisit(fo, name));
  }
  const agus = await app.token("agus");
  const dewi = await app.token("dewi");
  // A morning's calls: some served, two being called now.
  for (const [token, counter] of [[agus, "1"], [dewi, "2"], [agus, "1"], [dewi, "2"]]) {
    const v = await app.api(token, "POST", `/api/v1/counters/${counter}/call-next`);
    await app.api(token, "POST", `/api/v1/visits/${v.id}/start`);
    await app.api(token, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "Sertifikat kedaluwarsa.", answer: "Perpanjang sertifikat." });
  }
  await app.api(dewi, "POST", "/api/v1/counters/2/call-next");
  const called = await app.api(agus, "POST", "/api/v1/counters/1/call-next");
  await app.api(agus, "POST", `/api/v1/visits/${called.id}/recall`);

  const shot = async (page, name, options = {}) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await page.screenshot({ path: join(out, `${name}.png`), ...options });
      } catch (e) {
        if (attempt === 3) throw e;
        await page.waitForTimeout(200);
      }
    }
  };

  for (const [width, height] of [[1920, 1080], [1366, 768]]) {
    const context = await browser.newContext({ viewport: { width, height }, baseURL: app.base });
    const page = await context.newPage();
    await page.goto("/display");
    await page.waitForFunction(() => document.body.dataset.connected === "true");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await shot(page, `display-${width}x${height}`);
    await context.close();
  }

  const tablet = await browser.newContext({ viewport: { width: 1024, height: 1366 }, baseURL: app.base, hasTouch: true });
  const kiosk = await tablet.newPage();
  await kiosk.goto("/kiosk");
  await kiosk.getByLabel("Nama", { exact: false }).first().fill("Andi Pratama");
  await kiosk.getByLabel("Nomor telepon").fill("0812-1111-2222");
  await kiosk.getByLabel("E-mail").fill("andi@");
  await kiosk.getByRole("button", { name: "Kirim formulir" }).click();
  await kiosk.getByRole("alert").waitFor();
  await shot(kiosk, "kiosk-refused", { fullPage: true });
  await kiosk.getByLabel("E-mail").fill("andi@contoh.co.id");
  await kiosk.getByLabel("Instansi / perusahaan").fill("CV Sinar Jaya");
  await kiosk.getByLabel("Kategori permasalahan").selectOption({ index: 2 });
  await kiosk.getByLabel("Uraian permasalahan").fill("Tidak dapat masuk ke SPSE");
  await kiosk.getByRole("button", { name: "Kirim formulir" }).click();
  await kiosk.locator("#reference").waitFor();
  await shot(kiosk, "kiosk-done");
  await kiosk.goto("/kiosk");
  await shot(kiosk, "kiosk");
  await tablet.close();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: app.base, deviceScaleFactor: 2 });
  const status = await phone.newPage();
  const last = visits[visits.length - 1];
  await status.goto(last.queue.status_url);
  await status.waitForFunction(() => document.body.dataset.connected === "true");
  await shot(status, "status");
  await status.goto(`/status/${"0".repeat(64)}`);
  await shot(status, "status-expired");
  await phone.close();

  const desk = await signedIn(browser, app, "rina");
  await desk.goto(`/front-office/visits/${last.id}/ticket`);
  await desk.locator("#ticket-number").waitFor();
  await shot(desk, "ticket");
  await desk.context().close();
} finally {
  await browser.close();
  await app.stop();
}
