// Screenshots of the archive page with results, a visit's record and the counter's similar
// answers (1366x768),
// for docs/screenshots/. Run with `npm run screenshots:archive` after `cargo build -p loket`.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLoket, launch, signedIn } from "./tests/support.js";

const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const app = await startLoket({ name: "sqlite" }, { rina: ["front_office"], agus: ["helpdesk"], budi: ["supervisor"] });
const browser = await launch();
const visits = [
  ["Yohanes Kaligis", "penyedia", "password", "Akun terkunci", "Akun penyedia terkunci setelah salah memasukkan kata sandi lima kali.", "Akun dibuka kembali oleh admin agency setelah identitas dicek dengan KTP; pengguna diminta mengganti kata sandi."],
  ["Siti Rahayu", "pokja_pemilihan", "tender", "Jadwal tender", "Jadwal tahap pemasukan penawaran berubah tanpa pemberitahuan kepada peserta.", null],
  ["Made Wijaya", "penyedia", "offer_upload", "Gagal unggah penawaran", "Dokumen penawaran gagal diunggah karena ukuran berkas melebihi batas.", "Berkas dipecah menjadi beberapa bagian dan dikompres sebelum diunggah ulang."],
  ["Andi Saputra", "ppk", "password", "Lupa kata sandi", "Akun PPK terkunci karena lupa kata sandi dan e-mail lama tidak aktif.", "Alamat e-mail diganti oleh admin agency setelah surat permohonan diterima, lalu kata sandi direset."],
];
try {
  const fo = await app.token("rina");
  const hd = await app.token("agus");
  const ids = [];
  for (const [name, role, category, subject, description, answer] of visits) {
    const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name } });
    await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
      visitor: { organization: "CV Maju Jaya", role, phone: "0812-3456-7890" },
      form: { category, subject, description },
    });
    await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
    await app.api(hd, "POST", "/api/v1/counters/1/call-next");
    await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
    if (answer) {
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/answer`, { analysis: "Diperiksa bersama pengguna", answer });
    } else {
      await app.api(hd, "POST", `/api/v1/visits/${v.id}/escalate`, {
        analysis: "Perlu LKPP", channel: "tts", summary: "Jadwal berubah sendiri", external_reference: "TTS-2026-0042",
      });
    }
    await app.api(hd, "POST", `/api/v1/visits/${v.id}/copy`, { via: "printed" });
    await app.api(hd, "POST", `/api/v1/visits/${v.id}/archive`);
    ids.push(v.id);
  }
  await app.api(hd, "POST", `/api/v1/visits/${ids[1]}/escalation/answer`, { answer: "Jadwal sudah dikembalikan oleh LKPP." });

  const sup = await signedIn(browser, app, "budi");
  await sup.goto("/archive?q=terkun");
  await sup.screenshot({ path: join(out, "archive.png"), fullPage: true });
  await sup.goto("/archive?outcome=escalated");
  await sup.locator("details.versions summary").first().click();
  await sup.screenshot({ path: join(out, "archive-versions.png"), fullPage: true });
  // The record of the escalated visit: its copy given (version 1) and the version LKPP's answer added.
  await sup.goto("/archive?outcome=escalated");
  await sup.locator("a.visit-record").first().click();
  await sup.locator("#visit-history").waitFor();
  await sup.screenshot({ path: join(out, "visit-record.png"), fullPage: true });

  const v = await app.api(fo, "POST", "/api/v1/visits", { visitor: { name: "Rina Lestari" } });
  await app.api(fo, "PUT", `/api/v1/visits/${v.id}/form`, {
    visitor: { organization: "Dinas PU", role: "ppk", phone: "0813-1111-2222" },
    form: { category: "password", subject: "Akun terkunci", description: "Akun saya terkunci setelah salah kata sandi" },
  });
  await app.api(fo, "POST", `/api/v1/visits/${v.id}/check`);
  await app.api(hd, "POST", "/api/v1/counters/1/call-next");
  await app.api(hd, "POST", `/api/v1/visits/${v.id}/start`);
  const counter = await signedIn(browser, app, "agus");
  await counter.goto("/counter?counter=1");
  await counter.locator("#suggestion-list").waitFor();
  await counter.locator("#suggestions summary").first().click();
  await counter.locator("#suggestions").scrollIntoViewIfNeeded();
  await counter.locator("#suggestions").screenshot({ path: join(out, "counter-suggestions.png") });
} finally {
  await browser.close();
  await app.stop();
}
