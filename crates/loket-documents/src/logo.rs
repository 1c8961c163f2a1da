//! The office's logo on the form: read by krilla, drawn at a fixed height, and checked once at
//! upload by drawing it the same way. krilla decodes a PNG's pixels when the image is made and
//! embeds a JPEG as it is; the image made of a logo is kept (one, the logo in use), so its pixels
//! are decoded once per change of logo, not once per form.

use std::sync::{Mutex, PoisonError};

use krilla::Document;
use krilla::geom::{Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use loket_domain::logo::{Logo, LogoFormat};

use crate::layout::wrap;
use crate::{Draw, MARGIN, PAGE_H, PAGE_W, Pages};

/// Whether the PDF can carry `logo`: it is drawn into a page and the document made, the same
/// way as on the form (the pixels are decoded only then). For a logo being uploaded.
pub fn check_logo(logo: &Logo) -> Result<(), String> {
    if logo.format() == LogoFormat::Jpeg {
        check_jpeg(logo.bytes())?;
    }
    let image = logo_image(logo)?;
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut document = Document::new();
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("A4 is not a page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        draw_image(&mut surface, image, MARGIN, MARGIN, LOGO_H * logo.aspect(), LOGO_H);
        surface.finish();
        page.finish();
        document.finish().map(|_| ()).map_err(|e| format!("{e:?}"))
    }));
    made.unwrap_or_else(|_| Err("the logo's decoder failed".to_owned()))
}

/// The image last made of a logo, under the logo's digest.
static PREPARED: Mutex<Option<(u64, Image)>> = Mutex::new(None);

/// The logo as krilla draws it, made once per logo: the image is cheap to clone, and every form
/// drawn with the same logo shares its decoded pixels. Made under the lock, so that forms drawn
/// at once with a new logo decode it once, not each.
pub(crate) fn logo_image(logo: &Logo) -> Result<Image, String> {
    // A panic elsewhere cannot leave the slot half-written (it is replaced whole).
    let mut kept = PREPARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((digest, image)) = kept.as_ref()
        && *digest == logo.digest()
    {
        return Ok(image.clone());
    }
    let data = krilla::Data::from(logo.bytes().to_vec());
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match logo.format() {
        LogoFormat::Png => Image::from_png(data, true),
        LogoFormat::Jpeg => Image::from_jpeg(data, true),
    }));
    let image = made.unwrap_or_else(|_| Err("the logo's decoder failed".to_owned()))?;
    *kept = Some((logo.digest(), image.clone()));
    Ok(image)
}

/// Whether a JPEG decodes whole: krilla embeds a JPEG as it is, reading its header only, so a
/// truncated or damaged one would pass and print as noise. Decoded once, strictly (the domain's
/// rule has already bounded the memory it takes), and it must end where a JPEG ends.
fn check_jpeg(bytes: &[u8]) -> Result<(), String> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default().set_strict_mode(true);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decoder.decode()));
    match decoded {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(format!("the JPEG does not decode: {e:?}")),
        Err(_) => return Err("the JPEG decoder failed".to_owned()),
    }
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    if !bytes[..end].ends_with(&[0xFF, 0xD9]) {
        return Err("the JPEG has no end marker: it is cut short".to_owned());
    }
    Ok(())
}

/// The height of the logo on the form: 15 mm, in points.
pub(crate) const LOGO_H: f32 = 15.0 * 72.0 / 25.4;
/// The widest a logo may be drawn (a very wide logo is drawn lower, keeping its shape).
pub(crate) const LOGO_MAX_W: f32 = 180.0;

pub(crate) fn draw_image(surface: &mut krilla::surface::Surface<'_>, image: Image, x: f32, y: f32, w: f32, h: f32) {
    if let Some(size) = Size::from_wh(w, h) {
        surface.push_transform(&Transform::from_translate(x, y));
        surface.draw_image(image, size);
        surface.pop();
    }
}

impl Pages {
    /// The logo at the left, 15 mm high (lower when it would be wider than [`LOGO_MAX_W`]), and
    /// the title beside it, centred on its height.
    pub(crate) fn title_with_logo(&mut self, title: &str, image: Image) {
        let (pw, ph) = image.size();
        let aspect = pw as f32 / ph.max(1) as f32;
        let (w, h) =
            if LOGO_H * aspect > LOGO_MAX_W { (LOGO_MAX_W, LOGO_MAX_W / aspect) } else { (LOGO_H * aspect, LOGO_H) };
        self.room(LOGO_H + 8.0);
        let top = self.y - 12.0;
        self.draw(Draw::Image { image, x: MARGIN, y: top, w, h });
        let indent = w + 12.0;
        let lines = wrap(&self.fonts.bold_face, title, 16.0, PAGE_W - 2.0 * MARGIN - indent);
        let block = lines.len() as f32 * 20.0;
        let mut baseline = top + ((h - block) / 2.0).max(0.0) + 15.0;
        for line in &lines {
            self.text(MARGIN + indent, baseline, line, 16.0, true);
            baseline += 20.0;
        }
        self.y = (top + h).max(baseline - 15.0) + 14.0;
    }
}
