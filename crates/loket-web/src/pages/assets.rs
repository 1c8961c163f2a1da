//! The pages' style sheet and scripts, compiled into the binary: an office LAN may have no
//! internet, so nothing comes from elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: [(&str, &str, &str); 12] = [
    ("loket.css", "text/css; charset=utf-8", include_str!("../../assets/loket.css")),
    ("counter.js", "text/javascript; charset=utf-8", include_str!("../../assets/counter.js")),
    ("live.js", "text/javascript; charset=utf-8", include_str!("../../assets/live.js")),
    ("front-office.js", "text/javascript; charset=utf-8", include_str!("../../assets/front-office.js")),
    ("public.css", "text/css; charset=utf-8", include_str!("../../assets/public.css")),
    ("announcer.js", "text/javascript; charset=utf-8", include_str!("../../assets/announcer.js")),
    ("display.js", "text/javascript; charset=utf-8", include_str!("../../assets/display.js")),
    ("kiosk.js", "text/javascript; charset=utf-8", include_str!("../../assets/kiosk.js")),
    ("status.js", "text/javascript; charset=utf-8", include_str!("../../assets/status.js")),
    ("ticket.js", "text/javascript; charset=utf-8", include_str!("../../assets/ticket.js")),
    ("calendar.js", "text/javascript; charset=utf-8", include_str!("../../assets/calendar.js")),
    ("suggestions.js", "text/javascript; charset=utf-8", include_str!("../../assets/suggestions.js")),
];

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The display board's voice clips (Opus in Ogg), recorded once by `tools/voice-clips.sh`, one
/// per name of [`loket_domain::announcement::clips`].
const VOICE: [(&str, &[u8]); 47] = [
    ("belas", include_bytes!("../../assets/voice/belas.opus")),
    ("chime", include_bytes!("../../assets/voice/chime.opus")),
    ("delapan", include_bytes!("../../assets/voice/delapan.opus")),
    ("dua", include_bytes!("../../assets/voice/dua.opus")),
    ("empat", include_bytes!("../../assets/voice/empat.opus")),
    ("enam", include_bytes!("../../assets/voice/enam.opus")),
    ("huruf-a", include_bytes!("../../assets/voice/huruf-a.opus")),
    ("huruf-b", include_bytes!("../../assets/voice/huruf-b.opus")),
    ("huruf-c", include_bytes!("../../assets/voice/huruf-c.opus")),
    ("huruf-d", include_bytes!("../../assets/voice/huruf-d.opus")),
    ("huruf-e", include_bytes!("../../assets/voice/huruf-e.opus")),
    ("huruf-f", include_bytes!("../../assets/voice/huruf-f.opus")),
    ("huruf-g", include_bytes!("../../assets/voice/huruf-g.opus")),
    ("huruf-h", include_bytes!("../../assets/voice/huruf-h.opus")),
    ("huruf-i", include_bytes!("../../assets/voice/huruf-i.opus")),
    ("huruf-j", include_bytes!("../../assets/voice/huruf-j.opus")),
    ("huruf-k", include_bytes!("../../assets/voice/huruf-k.opus")),
    ("huruf-l", include_bytes!("../../assets/voice/huruf-l.opus")),
    ("huruf-m", include_bytes!("../../assets/voice/huruf-m.opus")),
    ("huruf-n", include_bytes!("../../assets/voice/huruf-n.opus")),
    ("huruf-o", include_bytes!("../../assets/voice/huruf-o.opus")),
    ("huruf-p", include_bytes!("../../assets/voice/huruf-p.opus")),
    ("huruf-q", include_bytes!("../../assets/voice/huruf-q.opus")),
    ("huruf-r", include_bytes!("../../assets/voice/huruf-r.opus")),
    ("huruf-s", include_bytes!("../../assets/voice/huruf-s.opus")),
    ("huruf-t", include_bytes!("../../assets/voice/huruf-t.opus")),
    ("huruf-u", include_bytes!("../../assets/voice/huruf-u.opus")),
    ("huruf-v", include_bytes!("../../assets/voice/huruf-v.opus")),
    ("huruf-w", include_bytes!("../../assets/voice/huruf-w.opus")),
    ("huruf-x", include_bytes!("../../assets/voice/huruf-x.opus")),
    ("huruf-y", include_bytes!("../../assets/voice/huruf-y.opus")),
    ("huruf-z", include_bytes!("../../assets/voice/huruf-z.opus")),
    ("lima", include_bytes!("../../assets/voice/lima.opus")),
    ("nol", include_bytes!("../../assets/voice/nol.opus")),
    ("nomor-antrian", include_bytes!("../../assets/voice/nomor-antrian.opus")),
    ("puluh", include_bytes!("../../assets/voice/puluh.opus")),
    ("ratus", include_bytes!("../../assets/voice/ratus.opus")),
    ("ribu", include_bytes!("../../assets/voice/ribu.opus")),
    ("satu", include_bytes!("../../assets/voice/satu.opus")),
    ("sebelas", include_bytes!("../../assets/voice/sebelas.opus")),
    ("sembilan", include_bytes!("../../assets/voice/sembilan.opus")),
    ("sepuluh", include_bytes!("../../assets/voice/sepuluh.opus")),
    ("seratus", include_bytes!("../../assets/voice/seratus.opus")),
    ("seribu", include_bytes!("../../assets/voice/seribu.opus")),
    ("silakan-menuju-loket", include_bytes!("../../assets/voice/silakan-menuju-loket.opus")),
    ("tiga", include_bytes!("../../assets/voice/tiga.opus")),
    ("tujuh", include_bytes!("../../assets/voice/tujuh.opus")),
];

/// `/assets/voice/{clip}.opus`.
pub async fn voice(Path(file): Path<String>) -> Response {
    let clip = file.strip_suffix(".opus").and_then(|name| VOICE.iter().find(|(n, _)| *n == name));
    match clip {
        Some((_, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("audio/ogg; codecs=opus")),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clip_an_announcement_names_is_served() {
        let names: Vec<String> = loket_domain::announcement::clips().into_iter().map(|(n, _)| n).collect();
        for name in &names {
            assert!(VOICE.iter().any(|(n, _)| n == name), "no recording of {name}");
        }
        assert_eq!(VOICE.len(), names.len(), "a recording no announcement names");
        let total: usize = VOICE.iter().map(|(_, b)| b.len()).sum();
        assert!(total < 1_500_000, "the clips take {total} bytes");
        assert!(VOICE.iter().all(|(_, b)| b.starts_with(b"OggS")));
    }
}
