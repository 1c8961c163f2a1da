// Screenshots of the business calendar page (1366x768, the whole page), for docs/screenshots/.
// Run with `npm run screenshots:calendar` after `cargo build -p loket`.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { budi: ["supervisor"] });
const browser = await launch();
try {
  const page = await signedIn(browser, app, "budi");
  await page.goto("/supervisor/settings/calendar?year=2027");
  await page.getByLabel(/Waktu kerja/).check();
  await page.getByLabel("Jumat").fill("08:00-11:30, 13:30-16:30");
  await page.getByRole("button", { name: "Simpan jam kerja" }).click();
  await page.locator("#settings-saved").waitFor();
  const example = readFileSync(join(ROOT, "docs", "examples", "days-off-example.csv"), "utf8");
  await page.locator("#csv").fill(example);
  await page.getByRole("button", { name: "Impor", exact: true }).click();
  await page.locator("#settings-saved").waitFor();
  await page.screenshot({ path: join(out, "calendar.png"), fullPage: true });
  await page.locator("#csv").fill("date,kind,name\n2027-02-30,libur_nasional,Tanggal salah\n2027-03-10,libur,Hari Suci Nyepi\n");
  await page.getByRole("button", { name: "Impor", exact: true }).click();
  await page.locator("#csv-errors").waitFor();
  await page.locator("#import-form").scrollIntoViewIfNeeded();
  await page.locator("#import-form").screenshot({ path: join(out, "calendar-csv-refused.png") });
  await page.context().close();
} finally {
  await browser.close();
  await app.stop();
}
