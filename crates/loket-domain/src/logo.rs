//! The office's logo (*logo kantor*), printed beside the office's name at the head of the
//! consultation form. What a logo may be is decided here, from its bytes alone: the file name
//! and the content type a client declares say nothing about what the bytes are.
//!
//! - PNG or JPEG, known by their magic bytes (the two formats every scanner and phone writes,
//!   and the two the form's PDF embeds without converting pixels we do not need);
//! - at most [`MAX_LOGO_BYTES`] (a logo printed 15 mm high needs far less);
//! - between 1 and [`MAX_LOGO_SIDE`] pixels on each side, read from the file's header;
//! - at most [`MAX_LOGO_DECODED`] bytes once decoded (pixels × channels × bytes per sample, as
//!   the header says), so that a small, well-compressed file (a 124 KB PNG of 4000×4000 16-bit
//!   RGBA pixels) cannot claim a picture that takes hundreds of megabytes to decode.
//!
//! Whether the PDF library can really decode it is checked where the PDF is made
//! (`loket_documents::check_logo`), once when the logo is uploaded.

/// The largest logo, in bytes (512 KiB).
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The largest width or height of a logo, in pixels.
pub const MAX_LOGO_SIDE: u32 = 4000;

/// The most memory a logo may take once decoded, in bytes (16 MiB: 2048×2048 RGBA at 8 bits, far
/// more than a logo printed 15 mm high needs).
pub const MAX_LOGO_DECODED: u64 = 16 * 1024 * 1024;

/// The image formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Jpeg,
}

impl LogoFormat {
    /// The media type the logo is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            LogoFormat::Png => "image/png",
            LogoFormat::Jpeg => "image/jpeg",
        }
    }
}

/// Why a file is not a logo; `as_str` is the reason the API names in `fields.logo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LogoProblem {
    /// Neither PNG nor JPEG.
    #[error("the logo is neither a PNG nor a JPEG image")]
    Format,
    /// Over [`MAX_LOGO_BYTES`].
    #[error("the logo is larger than 512 KiB")]
    TooLarge,
    /// A side of 0 pixels or more than [`MAX_LOGO_SIDE`].
    #[error("the logo's width and height must be 1 to 4000 pixels")]
    Dimensions,
    /// More than [`MAX_LOGO_DECODED`] bytes once decoded.
    #[error("the logo takes more than 16 MiB once decoded; make it smaller")]
    TooManyPixels,
    /// A PNG or JPEG whose header (or, at the PDF's check, whose pixels) cannot be read.
    #[error("the logo cannot be read as an image")]
    Undecodable,
}

impl LogoProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            LogoProblem::Format => "format",
            LogoProblem::TooLarge => "too_large",
            LogoProblem::Dimensions => "dimensions",
            LogoProblem::TooManyPixels => "too_many_pixels",
            LogoProblem::Undecodable => "undecodable",
        }
    }
}

/// A logo that passed the rule: its bytes, as uploaded, and what its header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    format: LogoFormat,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
    digest: u64,
}

impl Logo {
    /// Checks `bytes` against the rule: size first, then the format by its magic bytes, then
    /// the pixel dimensions in its header.
    pub fn parse(bytes: Vec<u8>) -> Result<Logo, LogoProblem> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(LogoProblem::TooLarge);
        }
        let (format, header) = if bytes.starts_with(PNG_SIGNATURE) {
            (LogoFormat::Png, png_header(&bytes).ok_or(LogoProblem::Undecodable)?)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            (LogoFormat::Jpeg, jpeg_header(&bytes).ok_or(LogoProblem::Undecodable)?)
        } else {
            return Err(LogoProblem::Format);
        };
        let (width, height) = (header.width, header.height);
        let side = 1..=MAX_LOGO_SIDE;
        if !side.contains(&width) || !side.contains(&height) {
            return Err(LogoProblem::Dimensions);
        }
        if header.decoded_bytes() > MAX_LOGO_DECODED {
            return Err(LogoProblem::TooManyPixels);
        }
        let digest = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hasher);
            hasher.finish()
        };
        Ok(Logo { format, width, height, bytes, digest })
    }

    /// A digest of the bytes, the same for the same logo: the key under which what is made of it
    /// (the image prepared for the PDF) is kept, so that it is made once per change of logo.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    pub fn format(&self) -> LogoFormat {
        self.format
    }

    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Width over height.
    pub fn aspect(&self) -> f32 {
        self.width as f32 / self.height as f32
    }
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// What an image's header says of its pixels.
struct Header {
    width: u32,
    height: u32,
    /// Samples per pixel once decoded.
    channels: u64,
    /// Bytes per sample once decoded.
    sample_bytes: u64,
}

impl Header {
    fn decoded_bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height) * self.channels * self.sample_bytes
    }
}

/// A PNG's header from its first chunk, which must be `IHDR` (PNG 11.2.2). A palette image is
/// counted as RGBA, as decoders expand it; depths under 8 bits as 8.
fn png_header(bytes: &[u8]) -> Option<Header> {
    let header = bytes.get(8..26)?;
    if &header[4..8] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(header[8..12].try_into().ok()?);
    let height = u32::from_be_bytes(header[12..16].try_into().ok()?);
    let sample_bytes = if header[16] == 16 { 2 } else { 1 };
    let channels = match header[17] {
        0 => 1,
        2 => 3,
        3 | 6 => 4,
        4 => 2,
        _ => return None,
    };
    Some(Header { width, height, channels, sample_bytes })
}

/// A JPEG's header from its start-of-frame segment (ITU T.81 B.2.2), found by walking the
/// segments after the start of the image. `None` when the image data or its end comes first.
fn jpeg_header(bytes: &[u8]) -> Option<Header> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of fill bytes may precede a marker.
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Markers without a segment: TEM, RST0-7.
            0x01 | 0xD0..=0xD7 => continue,
            // End of image, start of scan: no frame header before them.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        if length < 2 {
            return None;
        }
        // SOF0-SOF15, but DHT (C4), JPG (C8) and DAC (CC), which share the range.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let frame = bytes.get(at + 2..at + 8)?;
            let sample_bytes = if frame[0] > 8 { 2 } else { 1 };
            let height = u32::from(u16::from_be_bytes([frame[1], frame[2]]));
            let width = u32::from(u16::from_be_bytes([frame[3], frame[4]]));
            let channels = u64::from(frame[5]).max(1);
            return Some(Header { width, height, channels, sample_bytes });
        }
        at += length;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG's signature and IHDR chunk (the rest is not read by the rule), 8-bit RGBA.
    fn png(width: u32, height: u32) -> Vec<u8> {
        png_of(width, height, 8, 6)
    }

    fn png_of(width: u32, height: u32, depth: u8, color: u8) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[depth, color, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    /// A JPEG's start, an APP0 segment, and a baseline frame header.
    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_png_is_known_by_its_signature_and_its_header_gives_the_size() {
        let logo = Logo::parse(png(300, 120)).expect("a PNG");
        assert_eq!(logo.format(), LogoFormat::Png);
        assert_eq!(logo.content_type(), "image/png");
        assert_eq!(logo.size(), (300, 120));
        assert_eq!(logo.bytes(), png(300, 120).as_slice(), "kept as uploaded");
    }

    #[test]
    fn a_jpeg_is_known_by_its_start_and_its_frame_header_gives_the_size() {
        let logo = Logo::parse(jpeg(640, 480)).expect("a JPEG");
        assert_eq!(logo.format(), LogoFormat::Jpeg);
        assert_eq!(logo.content_type(), "image/jpeg");
        assert_eq!(logo.size(), (640, 480));
    }

    #[test]
    fn anything_else_is_refused_as_a_format_whatever_it_is_called() {
        assert_eq!(Logo::parse(b"GIF89a\x01\x00\x01\x00".to_vec()), Err(LogoProblem::Format));
        assert_eq!(Logo::parse(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()), Err(LogoProblem::Format));
        assert_eq!(Logo::parse(Vec::new()), Err(LogoProblem::Format));
        assert_eq!(Logo::parse(b"PNG".to_vec()), Err(LogoProblem::Format));
    }

    #[test]
    fn a_logo_over_512_kib_is_too_large() {
        let mut big = png(10, 10);
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(Logo::parse(big), Err(LogoProblem::TooLarge));
        let mut fits = png(10, 10);
        fits.resize(MAX_LOGO_BYTES, 0);
        assert!(Logo::parse(fits).is_ok(), "exactly 512 KiB is allowed");
    }

    #[test]
    fn a_logo_is_bounded_by_the_memory_it_takes_decoded() {
        // The probe's file: 4000×4000 16-bit RGBA, 128 MB decoded.
        assert_eq!(Logo::parse(png_of(4000, 4000, 16, 6)), Err(LogoProblem::TooManyPixels));
        assert_eq!(Logo::parse(png(2049, 2048)), Err(LogoProblem::TooManyPixels));
        assert!(Logo::parse(png(2048, 2048)).is_ok(), "exactly 16 MiB");
        assert!(Logo::parse(png_of(4000, 4000, 1, 0)).is_ok(), "a 1-bit grey logo, 16 MB as 8-bit");
        assert!(Logo::parse(png_of(2048, 2048, 8, 3)).is_ok());
        assert_eq!(Logo::parse(png_of(2049, 2048, 8, 3)), Err(LogoProblem::TooManyPixels), "a palette is RGBA");
        assert_eq!(Logo::parse(png_of(10, 10, 8, 5)), Err(LogoProblem::Undecodable), "no such colour type");
        // A 4000×4000 greyscale JPEG is 16 MB; in colour it is three times that.
        assert!(Logo::parse(jpeg(4000, 4000)).is_ok());
        let mut colour = jpeg(4000, 4000);
        colour[29] = 3;
        assert_eq!(Logo::parse(colour), Err(LogoProblem::TooManyPixels));
    }

    #[test]
    fn the_digest_follows_the_bytes() {
        let a = Logo::parse(png(10, 10)).unwrap();
        assert_eq!(a.digest(), Logo::parse(png(10, 10)).unwrap().digest());
        assert_ne!(a.digest(), Logo::parse(png(10, 11)).unwrap().digest());
    }

    #[test]
    fn a_side_of_zero_or_over_4000_pixels_is_refused() {
        assert_eq!(Logo::parse(png(0, 10)), Err(LogoProblem::Dimensions));
        assert_eq!(Logo::parse(png(10, 4001)), Err(LogoProblem::Dimensions));
        assert_eq!(Logo::parse(png(u32::MAX, u32::MAX)), Err(LogoProblem::Dimensions));
        assert_eq!(Logo::parse(jpeg(4001, 10)), Err(LogoProblem::Dimensions));
        assert_eq!(Logo::parse(jpeg(10, 0)), Err(LogoProblem::Dimensions));
        assert!(Logo::parse(png_of(4000, 4000, 8, 0)).is_ok());
        assert!(Logo::parse(jpeg(1, 1)).is_ok());
    }

    #[test]
    fn a_header_that_cannot_be_read_is_undecodable() {
        let mut cut = png(10, 10);
        cut.truncate(20);
        assert_eq!(Logo::parse(cut), Err(LogoProblem::Undecodable));
        let mut not_ihdr = png(10, 10);
        not_ihdr[12..16].copy_from_slice(b"IDAT");
        assert_eq!(Logo::parse(not_ihdr), Err(LogoProblem::Undecodable));
        assert_eq!(Logo::parse(vec![0xFF, 0xD8, 0xFF, 0xD9]), Err(LogoProblem::Undecodable), "no frame");
        let mut cut = jpeg(10, 10);
        cut.truncate(22);
        assert_eq!(Logo::parse(cut), Err(LogoProblem::Undecodable));
    }

    #[test]
    fn reasons_are_the_api_words() {
        let all = [
            LogoProblem::Format,
            LogoProblem::TooLarge,
            LogoProblem::Dimensions,
            LogoProblem::TooManyPixels,
            LogoProblem::Undecodable,
        ];
        assert_eq!(
            all.map(LogoProblem::as_str),
            ["format", "too_large", "dimensions", "too_many_pixels", "undecodable"]
        );
    }
}
