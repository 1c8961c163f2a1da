// Screenshots of the satisfaction survey (a tablet, 1280x800) and the supervisor's IKM page
// (1366x768), for docs/screenshots/. Run with `npm run screenshots:survey` after
// `cargo build -p loket`.

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
  const answers = [
    ["agus", [4, 3, 3, 4, 3, 4, 4, 3, 3]],
    ["agus", [3, 3, 2, 4, 3, 3, 4, 2, 3]],
    ["dewi", [4, 4, 3, 4, 4, 4, 4, 3, 4]],
    ["dewi", null],
  ];
  const names = ["scores", "requirements", "procedure", "completion_time", "cost", "product", "competence", "conduct", "complaints", "facilities"];
  let last;
  for (const [i, [who, scores]] of answers.entries()) {
    const v = await app.waitingVisit(fo, `Pengunjung ${i + 1}`);
    const counter = who === "agus" ? "1" : "2";
    await app.api(staff[who], "POST", `/api/v1/counters/${counter}/call-next`);
    await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/start`);
    await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "uji", answer: "uji" });
    const link = await app.api(staff[who], "POST", `/api/v1/visits/${v.id}/survey-link`);
    if (scores) {
      const body = { scores: Object.fromEntries(names.slice(1).map((n, j) => [n, scores[j]])) };
      await fetch(`${app.base}/api/v1/surveys/${link.survey_url.split("/").pop()}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } else {
      last = link.survey_url;
    }
  }

  const tablet = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: app.base })).newPage();
  await tablet.goto(last);
  await tablet.screenshot({ path: join(out, "survey.png") });
  await tablet.locator("#element-requirements").getByText("Sangat sesuai", { exact: true }).click();
  await tablet.locator("#element-procedure").getByText("Mudah", { exact: true }).click();
  await tablet.getByRole("button", { name: "Kirim jawaban" }).click();
  await tablet.waitForLoadState("domcontentloaded");
  await tablet.screenshot({ path: join(out, "survey-missing.png") });

  const sup = await signedIn(browser, app, "budi");
  await sup.goto("/supervisor/ikm");
  await sup.screenshot({ path: join(out, "ikm.png"), fullPage: true });
} finally {
  await browser.close();
  await app.stop();
}
