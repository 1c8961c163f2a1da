// The counter's transfer of a called visit to another counter, for docs/screenshots/. Run with
// `npm run screenshots:transfer` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { rina: ["front_office"], agus: ["helpdesk"], dewi: ["helpdesk"] });
const browser = await launch();
try {
  const fo = await app.token("rina");
  for (const name of ["Ahmad Fauzi", "Sri Wahyuni", "Made Sutrisna"]) {
    await app.waitingVisit(fo, name);
  }
  const agus = await signedIn(browser, app, "agus");
  await agus.goto("/counter?counter=1");
  await agus.getByRole("button", { name: /Panggil berikutnya/ }).click();
  await agus.getByText("Alihkan ke loket lain").click();
  await agus.getByLabel("Loket tujuan").selectOption("2");
  await agus.getByLabel(/Petugas di sana/).fill("dewi");
  await agus.getByLabel("Alasan").fill("Pertanyaan e-katalog: Bu Dewi di loket 2 yang menangani.");
  await agus.locator("#transfer").scrollIntoViewIfNeeded();
  await agus.screenshot({ path: join(out, "counter-transfer.png") });
  await agus.getByRole("button", { name: "Alihkan", exact: true }).click();
  const board = await browser.newPage({ viewport: { width: 1366, height: 768 }, baseURL: app.base });
  await board.goto("/display");
  await board.screenshot({ path: join(out, "display-transferred.png") });
} finally {
  await browser.close();
  await app.stop();
}
