# Loket: the staff pages in Indonesian (the default language).

app-name = Loket
skip-to-content = Langsung ke isi
nav-label = Menu utama
nav-front-office = Front office
nav-counter = Loket helpdesk
nav-supervisor = Supervisor
nav-admin = Admin
nav-password = Ganti kata sandi
switch-language = English
logout = Keluar
problem-back = Kembali ke halaman awal
choose = — pilih —
cancel = Batal
required-hint = Isian bertanda * wajib diisi agar formulir lengkap.
minutes = { $n } menit

login-title = Masuk
login-username = Nama pengguna
login-password = Kata sandi
login-submit = Masuk
login-invalid = Nama pengguna atau kata sandi salah
login-throttled = Terlalu banyak percobaan, coba lagi dalam { $minutes } menit

password-title = Ganti kata sandi
password-done = Kata sandi sudah diganti.
password-current = Kata sandi sekarang
password-new = Kata sandi baru (minimal 8 karakter)
password-repeat = Ulangi kata sandi baru
password-submit = Simpan kata sandi
password-wrong-current = Kata sandi sekarang salah
password-too-short = Kata sandi baru minimal 8 karakter
password-mismatch = Kedua kata sandi baru tidak sama

forbidden-title = Akses ditolak
forbidden-text = Peran Anda tidak mengizinkan membuka halaman ini.
csrf-title = Formulir ditolak
csrf-text = Formulir ini kedaluwarsa atau tidak berasal dari Loket. Muat ulang halaman lalu coba lagi.
bad-form-title = Formulir tidak terbaca
bad-form-text = Isi formulir tidak dapat dibaca. Muat ulang halaman lalu coba lagi.
not-found-title = Tidak ditemukan
not-found-text = Halaman atau kunjungan ini tidak ada.
internal-title = Terjadi kesalahan
internal-text = Terjadi kesalahan pada server. Rinciannya ada di log server.

error-invalid-transition = Langkah ini tidak dapat dilakukan pada status kunjungan sekarang.
error-call-limit = Nomor ini sudah dipanggil tiga kali.
error-calls-remaining = Lewati baru boleh setelah panggilan ketiga.
error-counter-busy = Loket ini masih melayani nomor lain.
error-form-incomplete = Formulir belum lengkap. Perbaiki isian yang ditandai.
error-validation = Ada isian yang tidak valid. Perbaiki isian yang ditandai.
error-in-use = Perubahan ini masih dipakai kunjungan yang sedang berjalan.
error-not-found = Kunjungan ini tidak ada.

field-missing = Wajib diisi
field-too-long = Terlalu panjang
field-invalid = Tidak valid

field-visitor-name = Nama
field-visitor-organization = Instansi / perusahaan
field-visitor-role = Peran dalam pengadaan
field-visitor-phone = Nomor telepon
field-visitor-email = E-mail
field-form-category = Kategori permasalahan
field-form-subject = Perihal
field-form-description = Uraian permasalahan
field-form-spse-user-id = User ID SPSE
field-form-tender-code = Kode tender

visitor-role-penyedia = Penyedia
visitor-role-pa_kpa = PA/KPA
visitor-role-ppk = PPK
visitor-role-pokja_pemilihan = Pokja Pemilihan
visitor-role-pejabat_pengadaan = Pejabat Pengadaan
visitor-role-pphp = PPHP
visitor-role-auditor = Auditor
visitor-role-public = Masyarakat umum
visitor-role-other = Lainnya

role-front-office = Front office
role-helpdesk = Helpdesk
role-supervisor = Supervisor
role-admin = Admin

status-form-issued = Formulir diberikan
status-form-submitted = Formulir diserahkan
status-form-incomplete = Formulir belum lengkap
status-waiting = Menunggu
status-called = Dipanggil
status-in-service = Sedang dilayani
status-answered = Dijawab
status-escalated = Dieskalasi
status-archived = Diarsipkan
status-no-show = Tidak hadir
status-not-served = Tidak terlayani
status-cancelled = Dibatalkan

counter-title = Loket helpdesk
counter-choose = Loket
counter-choose-submit = Pilih loket
counter-line = Antrean
counter-line-empty = Tidak ada yang menunggu.
counter-number = Nomor
counter-waiting-minutes = Menunggu
counter-priority-lane = prioritas
counter-current = Kunjungan di loket ini
counter-no-visit = Belum ada nomor yang dipanggil.
counter-call-next = Panggil berikutnya
counter-calls = Panggilan { $made }/{ $max }
counter-recall = Panggil ulang { $made }/{ $max }
counter-start = Mulai layanan
counter-skip = Lewati
counter-skip-after-third = Lewati baru bisa setelah panggilan ketiga.
counter-skip-confirm = Lewati nomor { $number }? Nomor ini kembali ke antrean tepat setelah nomor yang dipanggil berikutnya.
counter-skip-yes = Ya, lewati
counter-timer = { $elapsed } dari { $standard } menit standar
counter-timer-free = { $elapsed } menit
counter-since = mulai { $time }
counter-analysis = Analisis permasalahan
counter-answer = Jawaban
counter-answer-submit = Jawab
counter-to-archive = Menunggu arsip
counter-copy-given = Salinan formulir sudah dicetak/diserahkan
counter-archive = Arsipkan
counter-nobody-waits = Tidak ada yang menunggu.
counter-copy-first = Serahkan salinan formulir dulu, lalu centang sebelum mengarsipkan.

front-office-title = Front office
front-office-new = Tamu baru
front-office-open = Catat di buku tamu
front-office-guest-book = Buku tamu hari ini
front-office-search = Cari nama, telepon atau referensi
front-office-search-submit = Cari
front-office-none = Belum ada tamu.
front-office-time = Jam
front-office-reference = Referensi
front-office-kiosk = Dari kios, menunggu pemeriksaan
front-office-kiosk-none = Tidak ada formulir dari kios.

visit-form-title = Formulir konsultasi
visit-form-number = Nomor antrean
visit-form-back = Kembali ke buku tamu
visit-form-priority-lane = Jalur prioritas (pengunjung berkebutuhan khusus)
visit-form-check = Simpan dan periksa kelengkapan

supervisor-title = Supervisor
supervisor-counters = Loket
supervisor-counter = Loket
supervisor-number = Nomor
supervisor-status = Status
supervisor-by = Petugas
supervisor-since = Sejak
supervisor-overrun = melewati standar
supervisor-line = Antrean per layanan
supervisor-service = Layanan
supervisor-waiting = Menunggu
supervisor-counter-free = Kosong

admin-title = Admin
admin-users = Pengguna
admin-username = Nama pengguna
admin-full-name = Nama lengkap
admin-roles = Peran
admin-state = Keadaan
admin-disabled = Nonaktif
admin-active = Aktif
admin-cli-hint = Pengguna dibuat, diubah dan dinonaktifkan dengan perintah `loket user`.
