// Screenshots of the supervisors' reports (1366x768), for docs/screenshots/. Run with
// `npm run screenshots:reports` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { rina: ["front_office"], agus: ["helpdesk"], dewi: ["helpdesk"], budi: ["supervisor"] });
const browser = await launch();
try {
  const fo = await app.token("rina");
  const staff = { agus: await app.token("agus"), dewi: await app.token("dewi") };
  const roles = ["penyedia", "ppk", "pokja_pemilihan", "penyedia", "pa_kpa", "penyedia", "auditor"];
  const categories = ["offer_upload", "password", "tender", "offer_upload", "registration", "e_purchasing", "other"];
  for (const [i, role] of roles.entries()) {
    const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: `Pengunjung ${i + 1}` } });
    await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
      visitor: { organization: "CV Maju Jaya", role, phone: "0812-3456-7890" },
      form: { category: categories[i], description: "Uji laporan" },
    });
    await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
    const who = i % 2 === 0 ? "agus" : "dewi";
    if (i === 6) {
      await app.api(fo, "POST", `/api/v1/visits/${v.id}/cancel`, { reason: "pulang" });
      continue;
    }
    await app.api(staff[who], "POST", `/api/v1/counters/${who === "agus" ? "1" : "2"}/call-next`);
    await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/start`);
    if (i % 3 === 1) {
      await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/escalate`, { analysis: "uji", channel: "tts", summary: "uji", external_reference: `TTS-${i}` });
    } else {
      await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "uji", answer: "uji" });
    }
  }
  const sup = await signedIn(browser, app, "budi");
  for (const report of ["recap", "times", "escalations"]) {
    await sup.goto(`/supervisor/reports?report=${report}`);
    await sup.screenshot({ path: join(out, `reports-${report}.png`), fullPage: true });
  }
} finally {
  await browser.close();
  await app.stop();
}
