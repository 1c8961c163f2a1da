// Screenshots of the supervisors' reports (1366x768), for docs/screenshots/. Run with
// `npm run screenshots:reports` after `cargo build -p loket`.

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  // Step 3 (filling in the form) held to one minute, and the forms returned after it: the
  // overruns tab has rows to show.
  const supervisor = await app.token("budi");
  const standards = await app.api(supervisor, "GET", "/api/v1/settings/time-standards");
  await app.api(supervisor, "PUT", "/api/v1/settings/time-standards",
    standards.map((s) => (s.step === 3 ? { ...s, minutes: 1 } : s)));
  const opened = [];
  for (const [i] of roles.entries()) {
    opened.push(await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: `Pengunjung ${i + 1}` } }));
  }
  await new Promise((resolve) => setTimeout(resolve, 62_000));
  for (const [i, role] of roles.entries()) {
    const v = opened[i];
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
  for (const report of ["recap", "times", "time-standards", "overruns", "escalations"]) {
    await sup.goto(`/supervisor/reports?report=${report}`);
    await sup.screenshot({ path: join(out, `reports-${report}.png`), fullPage: true });
  }
  // The recap's PDF, its first page as PNG (pdftoppm, from poppler-utils).
  const pdf = await sup.request.get("/supervisor/reports?report=recap&format=pdf");
  const file = join(tmpdir(), `loket-recap-${process.pid}.pdf`);
  writeFileSync(file, await pdf.body());
  execFileSync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", file, join(out, "reports-recap-pdf")]);
  rmSync(file);
} finally {
  await browser.close();
  await app.stop();
}
