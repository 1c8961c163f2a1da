#!/bin/sh
# Records the display board's voice clips once, with espeak-ng's Indonesian voice, as small Opus
# files in crates/loket-web/assets/voice/ (committed; Loket serves them itself, so a board speaks
# on an office LAN with no internet). The list is the domain's (loket_domain::announcement::clips);
# a test of loket-web fails when a clip named there has no file here.
#
#   apt-get install -y espeak-ng opus-tools python3
#   tools/voice-clips.sh
set -eu
out="$(dirname "$0")/../crates/loket-web/assets/voice"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

clip() { # name, text
  espeak-ng -v id -s 150 -w "$tmp/$1.wav" "$2"
  opusenc --quiet --bitrate 16 --downmix-mono "$tmp/$1.wav" "$out/$1.opus"
}

clip nomor-antrian "nomor antrian"
clip silakan-menuju-loket "silakan menuju loket"
for w in nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh seratus ratus seribu ribu; do
  clip "$w" "$w"
done
set -- a a b be c ce d de e e f ef g ge h ha i i j je k ka l el m em n en o o p pe q ki r er s es t te u u v ve w we x eks y ye z zet
while [ $# -gt 0 ]; do
  clip "huruf-$1" "$2"
  shift 2
done

# The chime: two soft tones (E5, C5), made here rather than recorded.
python3 - "$tmp/chime.wav" <<'PY'
import math, struct, sys, wave
rate = 24000
frames = bytearray()
for freq, secs in ((659.25, 0.45), (523.25, 0.7)):
    n = int(rate * secs)
    for i in range(n):
        t = i / rate
        env = math.exp(-4.0 * t) * min(1.0, i / 240)
        v = 0.45 * env * (math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t))
        frames += struct.pack("<h", int(max(-1.0, min(1.0, v)) * 32767))
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(bytes(frames))
PY
opusenc --quiet --bitrate 24 "$tmp/chime.wav" "$out/chime.opus"
du -ch "$out"/*.opus | tail -1
