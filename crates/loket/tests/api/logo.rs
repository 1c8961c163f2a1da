//! The office's logo: uploaded as the image itself, read back byte for byte, drawn on the form,
//! refused with the reason named, and never changing a form already archived.

use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::helpdesk::{in_service, pdf_text};
use crate::support::{Reply, TestApp, id};

const LOGO: &str = "/api/v1/settings/logo";

/// A PNG of `w`×`h` pixels, a blue disc on white.
pub fn png_logo(w: u32, h: u32) -> Vec<u8> {
    let mut pixels = Vec::new();
    let r = w.min(h) as f32 / 2.0;
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 + 0.5 - w as f32 / 2.0, y as f32 + 0.5 - h as f32 / 2.0);
            pixels.extend_from_slice(if (dx * dx + dy * dy).sqrt() < r { &[20, 60, 150] } else { &[255, 255, 255] });
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(&pixels).expect("png data");
    writer.finish().expect("png end");
    out
}

/// A JPEG of `w`×`h` pixels, one colour.
pub fn jpeg_logo(w: u16, h: u16) -> Vec<u8> {
    let pixels = [30u8, 60, 150].repeat(usize::from(w) * usize::from(h));
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).expect("a JPEG");
    out
}

pub async fn put_logo(app: &TestApp, token: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
    let res = app
        .http
        .put(app.url(LOGO))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("request");
    let status = res.status();
    let body = res.bytes().await.expect("body");
    Reply { status, body: serde_json::from_slice(&body).unwrap_or(Value::Null) }
}

/// The logo as served: status, content type, bytes.
async fn get_logo(app: &TestApp, token: &str) -> (u16, String, Vec<u8>) {
    let res = app.http.get(app.url(LOGO)).bearer_auth(token).send().await.expect("request");
    let status = res.status().as_u16();
    let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, res.bytes().await.expect("body").to_vec())
}

/// How many images the PDF draws: every `Do` of an image on every page, in the page's content
/// and in the forms it draws (as `pdfimages -list` lists them), read with pdf-extract's lopdf.
fn pdf_images(pdf: &[u8]) -> usize {
    let doc = pdf_extract::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .into_values()
        .map(|page| {
            let content = doc.get_page_content(page).expect("the page's content");
            let (own, inherited) = doc.get_page_resources(page).expect("the page's resources");
            let inherited = inherited.first().map(|id| doc.get_dictionary(*id).expect("inherited resources"));
            images_drawn(&doc, &content, own.or(inherited))
        })
        .sum()
}

/// The images that `content` draws, by the names of `resources`.
fn images_drawn(doc: &pdf_extract::Document, content: &[u8], resources: Option<&pdf_extract::Dictionary>) -> usize {
    let xobject = |name: &[u8]| {
        let xobjects = doc.dereference(resources?.get(b"XObject").ok()?).ok()?.1.as_dict().ok()?;
        doc.dereference(xobjects.get(name).ok()?).ok()?.1.as_stream().ok()
    };
    let operations = pdf_extract::content::Content::decode(content).expect("the content parses").operations;
    operations
        .iter()
        .filter(|op| op.operator == "Do")
        .map(|op| {
            let name = op.operands.first().and_then(|n| n.as_name().ok()).expect("Do names an XObject");
            let stream = xobject(name).expect("the XObject drawn is in the resources");
            match stream.dict.get(b"Subtype").and_then(|s| s.as_name()).expect("an XObject's subtype") {
                b"Image" => 1,
                b"Form" => {
                    let inner = stream.decompressed_content().expect("the form's content");
                    let own =
                        stream.dict.get(b"Resources").ok().and_then(|r| doc.dereference(r).ok()?.1.as_dict().ok());
                    images_drawn(doc, &inner, own.or(resources))
                }
                _ => 0,
            }
        })
        .sum()
}

async fn form_pdf(app: &TestApp, token: &str, visit: &Value) -> Vec<u8> {
    crate::helpdesk::get_pdf(app, token, &format!("/api/v1/visits/{}/form.pdf", id(visit))).await
}

pub async fn the_office_logo_is_uploaded_read_back_drawn_and_removed(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let (hd, visit) = in_service(&app).await;
    app.get(&sup, LOGO).await.error(404, "not_found");
    assert_eq!(pdf_images(&form_pdf(&app, &hd, &visit).await), 0, "no logo, no image");

    let logo = png_logo(64, 48);
    put_logo(&app, &sup, "image/png", logo.clone()).await.expect(204);
    let (status, kind, bytes) = get_logo(&app, &sup).await;
    assert_eq!((status, kind.as_str()), (200, "image/png"));
    assert_eq!(bytes, logo, "byte for byte as uploaded");
    let pdf = form_pdf(&app, &hd, &visit).await;
    assert_eq!(pdf_images(&pdf), 2, "on the original and on the copy");
    assert!(pdf_text(&pdf).contains("LPSE"), "the office's name is still there");

    // The declared type is not what decides: a PNG declared as JPEG is a PNG.
    put_logo(&app, &sup, "image/jpeg; charset=binary", png_logo(32, 32)).await.expect(204);
    assert_eq!(get_logo(&app, &sup).await.1, "image/png");

    let fo = app.staff("fo2", &[Role::FrontOffice]).await;
    put_logo(&app, &fo, "image/png", logo.clone()).await.error(403, "forbidden");
    app.get(&fo, LOGO).await.error(403, "forbidden");
    app.send("DELETE", LOGO, Some(&fo), None).await.error(403, "forbidden");
    let admin = app.staff("adm", &[Role::Admin]).await;
    put_logo(&app, &admin, "image/png", logo.clone()).await.expect(204);

    app.send("DELETE", LOGO, Some(&sup), None).await.expect(204);
    app.get(&sup, LOGO).await.error(404, "not_found");
    app.send("DELETE", LOGO, Some(&sup), None).await.expect(204);
    assert_eq!(pdf_images(&form_pdf(&app, &hd, &visit).await), 0, "drawn without it again");
}

pub async fn a_bad_logo_is_refused_naming_why(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let refused = |reply: Reply, why: &str| {
        let body = reply.error(422, "invalid_logo");
        assert_eq!(body["fields"], json!({"logo": why}), "{body}");
    };
    refused(put_logo(&app, &sup, "image/png", b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()).await, "format");
    refused(put_logo(&app, &sup, "image/png", Vec::new()).await, "format");
    let mut big = png_logo(8, 8);
    big.resize(600 * 1024, 0);
    refused(put_logo(&app, &sup, "image/png", big).await, "too_large");
    let mut huge = png_logo(8, 8);
    huge[16..20].copy_from_slice(&5000u32.to_be_bytes());
    refused(put_logo(&app, &sup, "image/png", huge).await, "dimensions");
    let mut broken = png_logo(8, 8);
    let end = broken.len();
    broken[end - 20..end - 12].fill(0x55);
    refused(put_logo(&app, &sup, "image/png", broken).await, "undecodable");
    // A picture that takes too much memory once decoded, however small its file: the header of a
    // 4000×4000 16-bit RGBA PNG (128 MB decoded).
    let mut deep = png_logo(8, 8);
    deep[16..20].copy_from_slice(&4000u32.to_be_bytes());
    deep[20..24].copy_from_slice(&4000u32.to_be_bytes());
    deep[24..26].copy_from_slice(&[16, 6]);
    refused(put_logo(&app, &sup, "image/png", deep).await, "too_many_pixels");
    // A JPEG cut short: its header is whole, its picture is not.
    let whole = jpeg_logo(64, 64);
    let cut = whole[..whole.len() * 2 / 3].to_vec();
    refused(put_logo(&app, &sup, "image/jpeg", cut).await, "undecodable");
    put_logo(&app, &sup, "image/jpeg", whole).await.expect(204);
    app.send("DELETE", LOGO, Some(&sup), None).await.expect(204);
    // Over the API's body limit, as every body.
    put_logo(&app, &sup, "image/png", vec![0; 2 * 1024 * 1024]).await.error(413, "payload_too_large");
    put_logo(&app, &sup, "application/octet-stream", png_logo(8, 8)).await.error(415, "unsupported_media_type");
    put_logo(&app, &sup, "image/gif", png_logo(8, 8)).await.error(415, "unsupported_media_type");
    app.get(&sup, LOGO).await.error(404, "not_found");
}

pub async fn an_archived_form_keeps_the_logo_it_was_made_with(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    put_logo(&app, &sup, "image/png", png_logo(64, 48)).await.expect(204);
    let (hd, v) = in_service(&app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("answer"), json!({"analysis": "Sertifikat kedaluwarsa", "answer": "Perbarui sertifikat"}))
        .await
        .expect(200);
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    app.post_empty(&hd, &path("archive")).await.expect(200);
    let archived = form_pdf(&app, &hd, &v).await;
    assert_eq!(pdf_images(&archived), 2, "archived with the logo");
    put_logo(&app, &sup, "image/png", png_logo(20, 80)).await.expect(204);
    assert_eq!(form_pdf(&app, &hd, &v).await, archived, "a new logo does not touch it");
    app.send("DELETE", LOGO, Some(&sup), None).await.expect(204);
    assert_eq!(form_pdf(&app, &hd, &v).await, archived, "nor does removing it");
}

/// Two instances on one PostgreSQL database: a logo set or removed on one is the logo the other
/// serves and draws, once the change is told (`NOTIFY`), within a second.
pub async fn a_logo_changed_on_one_instance_is_the_logo_of_the_other() {
    use crate::support::{Backend, fresh_database, spawn_on};
    let Some((db_url, _dir)) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = spawn_on(&db_url, loket_web::limits::Limits::default()).await;
    let b = spawn_on(&db_url, loket_web::limits::Limits::default()).await;
    let on_a = a.staff("sup_a", &[Role::Supervisor]).await;
    let on_b = b.staff("sup_b", &[Role::Supervisor]).await;
    b.get(&on_b, LOGO).await.error(404, "not_found");
    let logo = png_logo(24, 24);
    put_logo(&a, &on_a, "image/png", logo.clone()).await.expect(204);
    let seen = |want: u16| {
        let b = &b;
        let on_b = on_b.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
            loop {
                let (status, _, bytes) = get_logo(b, &on_b).await;
                if status == want || std::time::Instant::now() > deadline {
                    return (status, bytes);
                }
                tokio::task::yield_now().await;
            }
        }
    };
    assert_eq!(seen(200).await, (200, logo), "the new logo, from the other instance");
    a.send("DELETE", LOGO, Some(&on_a), None).await.expect(204);
    assert_eq!(seen(404).await.0, 404, "removed on the other instance too");
}
