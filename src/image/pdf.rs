//! PDF receipts: e-receipts a shop e-mails or a till prints to PDF (text drawn in fonts), and
//! scans saved as PDF (a picture per page).
//!
//! An e-receipt's text needs no OCR: it is in the file, exact. Each page's content is
//! interpreted for what it draws (text positioning, fonts, form objects, pictures), and every
//! visible glyph comes out with its place and size on the page ([`TextPage`]); the OCR stage
//! makes lines and words of them (`ocr::text_layer`). Invisible text (render mode 3: the
//! OCR layer a scanner adds over its picture) is not taken: it is a machine's reading of the
//! picture, and fidelio's own reader is better at that. A document whose pages draw no
//! visible text is a scan: the largest picture each page draws is decoded (JPEG, Flate or raw
//! pixels, CCITT fax), turned as the page shows it, and the pages are stacked top to bottom as
//! one receipt, as the pages of a TIFF are (`tiff_pages`). Fonts without a Unicode mapping,
//! JBIG2 and JPEG 2000 pictures, and pages that mix the two kinds are refused with the
//! reason. More than [`MAX_PAGES`] pages is not one receipt.
//!
//! Everything read is bounded: the file by its size (checked before), each content stream
//! and picture by the decoding budget, form objects by depth, operations by count.

use std::collections::HashMap;

use image::GrayImage;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::decode::{decode_gray, DecodeLimits};
use super::tiff_pages::stack;
use super::ImageError;
use crate::ingest::ImageKind;

/// A PDF of more pages is a document or a batch, not one receipt: refused with the reason.
pub const MAX_PAGES: usize = 8;
/// Form objects drawn inside form objects, at most (a loop of forms is cut there).
const MAX_FORM_DEPTH: usize = 8;
/// Operations interpreted per page, at most: a receipt draws a few thousand.
const MAX_OPERATIONS: usize = 1_000_000;
/// Bytes a page's content streams may decompress to.
const MAX_CONTENT_BYTES: usize = 16 * 1024 * 1024;

/// One glyph drawn on a page, in points from the page's top-left corner.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    /// The text the glyph stands for (usually one character; a ligature gives two).
    pub text: String,
    /// The left of the glyph.
    pub x: f32,
    /// The baseline, downwards from the top of the page.
    pub baseline: f32,
    /// How far the glyph advances along its line.
    pub width: f32,
    /// The height of the font as drawn.
    pub size: f32,
}

/// The visible text of one page.
#[derive(Clone, Debug, PartialEq)]
pub struct TextPage {
    /// The page's size in points.
    pub width: f32,
    pub height: f32,
    /// In the order they are drawn.
    pub glyphs: Vec<Glyph>,
}

/// What a PDF holds for fidelio.
#[derive(Debug)]
pub enum PdfReceipt {
    /// Every page draws text: the text layer, page by page.
    Text(Vec<TextPage>),
    /// No page draws text: the pages' pictures, stacked top to bottom.
    Scanned(GrayImage),
}

/// Read the PDF in `bytes`: its text layer, or its scanned pages, within `limits`.
pub fn read(bytes: &[u8], limits: DecodeLimits) -> Result<PdfReceipt, ImageError> {
    // A PDF ends with `%%EOF` (some writers add a line or a few bytes after it). Without it
    // the file was cut: a parser recovers what it can, and a cut e-receipt read in part is
    // the half-receipt a cut picture would be.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(ImageError::Corrupt(
            "the PDF ends before its end marker (%%EOF): a cut upload".into(),
        ));
    }
    let doc = Document::load_mem(bytes).map_err(|e| corrupt(format!("{e}")))?;
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(corrupt("it has no page".into()));
    }
    if pages.len() > MAX_PAGES {
        return Err(ImageError::Unsupported(format!(
            "a PDF of {} pages; the pages of one file are read as one receipt, at most \
             {MAX_PAGES}: send each receipt as its own file",
            pages.len()
        )));
    }
    let mut drawn = Vec::with_capacity(pages.len());
    for (&number, &id) in &pages {
        let page = draw_page(&doc, id).map_err(|e| on_page(e, number))?;
        drawn.push((number, page));
    }
    let texts = drawn.iter().filter(|(_, p)| p.has_text()).count();
    if texts == drawn.len() {
        return Ok(PdfReceipt::Text(
            drawn.into_iter().map(|(_, p)| p.text).collect(),
        ));
    }
    if texts > 0 {
        let scans: Vec<String> = drawn
            .iter()
            .filter(|(_, p)| !p.has_text())
            .map(|(n, _)| n.to_string())
            .collect();
        return Err(ImageError::Unsupported(format!(
            "a PDF mixing text pages and scanned pages (page {} scanned): send the scan and \
             the e-receipt as two files",
            scans.join(", ")
        )));
    }
    let mut scans = Vec::with_capacity(drawn.len());
    let mut pixels = 0u64;
    for (number, page) in &drawn {
        let Some(picture) = &page.picture else {
            return Err(ImageError::Unsupported(format!(
                "page {number} of this PDF draws neither text nor a picture"
            )));
        };
        let gray = picture
            .decode(&doc, limits)
            .map_err(|e| on_page(e, *number))?;
        pixels += u64::from(gray.width()) * u64::from(gray.height());
        if pixels > limits.max_pixels {
            return Err(ImageError::TooLarge(format!(
                "the scanned pages of this PDF hold more than {:.1} megapixels together",
                limits.max_pixels as f64 / 1e6
            )));
        }
        scans.push(gray);
    }
    Ok(PdfReceipt::Scanned(stack(&scans)))
}

/// The scanned pages of a PDF, stacked; a PDF with a text layer has no picture to give.
pub fn scanned_pages(bytes: &[u8], limits: DecodeLimits) -> Result<GrayImage, ImageError> {
    match read(bytes, limits)? {
        PdfReceipt::Scanned(gray) => Ok(gray),
        PdfReceipt::Text(_) => Err(ImageError::Unsupported(
            "a PDF with a text layer is read from its text, not as a picture".into(),
        )),
    }
}

fn corrupt(detail: String) -> ImageError {
    ImageError::Corrupt(format!("PDF cannot be read: {detail}"))
}

fn on_page(err: ImageError, number: u32) -> ImageError {
    match err {
        ImageError::Corrupt(m) => ImageError::Corrupt(format!("page {number}: {m}")),
        ImageError::TooLarge(m) => ImageError::TooLarge(format!("page {number}: {m}")),
        ImageError::Unsupported(m) => ImageError::Unsupported(format!("page {number}: {m}")),
    }
}

/// A 2-D affine transform `[a b c d e f]`, as PDF writes them: a point (x, y) goes to
/// (a·x + c·y + e, b·x + d·y + f).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` then `then`.
    fn then(&self, then: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn from_operands(operands: &[Object]) -> Option<Matrix> {
        let values = numbers(operands)?;
        let m: [f64; 6] = values.get(..6)?.try_into().ok()?;
        m.iter().all(|v| v.is_finite()).then_some(Matrix(m))
    }
}

fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn numbers(operands: &[Object]) -> Option<Vec<f64>> {
    operands.iter().map(number).collect()
}

/// A font as the text interpreter needs it: how its strings split into codes, what each
/// code reads as, how far it advances.
struct Font<'a> {
    dict: &'a Dictionary,
    /// What each code met so far reads as (decoding parses the font's encoding, a Unicode
    /// map for composite fonts: done once per string with codes not seen before).
    texts: HashMap<u32, String>,
    /// Two bytes a code (a composite font, `Type0`), else one.
    two_byte: bool,
    /// Advance widths in thousandths of the font size, by code.
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl<'a> Font<'a> {
    fn load(doc: &'a Document, dict: &'a Dictionary) -> Font<'a> {
        let two_byte = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|s| s == b"Type0");
        let mut widths = HashMap::new();
        let mut default_width = standard_width(dict);
        if two_byte {
            let descendant = dict
                .get(b"DescendantFonts")
                .ok()
                .and_then(|o| deref(doc, o).as_array().ok())
                .and_then(|a| a.first())
                .and_then(|o| deref(doc, o).as_dict().ok());
            if let Some(cid) = descendant {
                default_width = cid
                    .get(b"DW")
                    .ok()
                    .and_then(|o| number(deref(doc, o)))
                    .unwrap_or(1000.0);
                if let Ok(w) = cid.get(b"W").map(|o| deref(doc, o)) {
                    cid_widths(doc, w, &mut widths);
                }
            }
        } else {
            let first = dict
                .get(b"FirstChar")
                .ok()
                .and_then(|o| number(deref(doc, o)))
                .unwrap_or(0.0) as u32;
            if let Ok(list) = dict.get(b"Widths").and_then(|o| deref(doc, o).as_array()) {
                for (i, w) in list.iter().enumerate().take(256) {
                    if let Some(w) = number(deref(doc, w)) {
                        widths.insert(first.saturating_add(i as u32), w);
                    }
                }
            }
        }
        Font {
            dict,
            texts: HashMap::new(),
            two_byte,
            widths,
            default_width,
        }
    }

    /// The codes of a string drawn in this font.
    fn codes<'s>(&self, bytes: &'s [u8]) -> std::slice::Chunks<'s, u8> {
        bytes.chunks(if self.two_byte { 2 } else { 1 })
    }

    /// What the codes of `bytes` read as, one string per code.
    fn texts(&mut self, doc: &'a Document, bytes: &[u8]) -> Vec<String> {
        let step = if self.two_byte { 2 } else { 1 };
        if bytes
            .chunks(step)
            .any(|c| !self.texts.contains_key(&key(c)))
        {
            let encoding = self
                .dict
                .get_font_encoding_with_limit(doc, MAX_CONTENT_BYTES);
            for code in bytes.chunks(step) {
                let text = match &encoding {
                    Ok(encoding) => Document::decode_text(encoding, code).unwrap_or_default(),
                    Err(_) => String::new(),
                };
                self.texts.insert(key(code), text);
            }
        }
        bytes
            .chunks(step)
            .map(|c| self.texts.get(&key(c)).cloned().unwrap_or_default())
            .collect()
    }

    fn width(&self, code: &[u8]) -> f64 {
        self.widths
            .get(&key(code))
            .copied()
            .unwrap_or(self.default_width)
            / 1000.0
    }
}

/// A code's bytes as a number.
fn key(code: &[u8]) -> u32 {
    code.iter().fold(0u32, |k, &b| (k << 8) | u32::from(b))
}

/// The width of a glyph of one of the standard fonts a PDF may use without widths, in
/// thousandths: Courier's is 600 for every glyph; Helvetica's and Times' average.
fn standard_width(font: &Dictionary) -> f64 {
    let base = font
        .get(b"BaseFont")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).to_lowercase())
        .unwrap_or_default();
    if base.contains("courier") || base.contains("mono") {
        600.0
    } else if base.contains("times") {
        500.0
    } else {
        556.0
    }
}

/// The widths of a composite font's `W` array: `c [w1 w2 …]` or `c_first c_last w`.
fn cid_widths(doc: &Document, w: &Object, widths: &mut HashMap<u32, f64>) {
    let Ok(items) = w.as_array() else { return };
    let mut i = 0;
    while i < items.len() && widths.len() < 65_536 {
        let Some(first) = number(deref(doc, &items[i])) else {
            return;
        };
        let first = first.max(0.0) as u32;
        match items.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, w) in list.iter().enumerate().take(65_536) {
                    if let Some(w) = number(deref(doc, w)) {
                        widths.insert(first.saturating_add(k as u32), w);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(w)) = (
                    number(last),
                    items.get(i + 2).and_then(|o| number(deref(doc, o))),
                ) else {
                    return;
                };
                let last = (last.max(0.0) as u32).min(first.saturating_add(65_535));
                for code in first..=last {
                    widths.insert(code, w);
                }
                i += 3;
            }
            None => return,
        }
    }
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).map(|(_, o)| o).unwrap_or(object)
}

/// What a page draws: its visible text and its largest picture.
struct DrawnPage {
    text: TextPage,
    picture: Option<Picture>,
}

impl DrawnPage {
    fn has_text(&self) -> bool {
        self.text
            .glyphs
            .iter()
            .any(|g| g.text.chars().any(char::is_alphanumeric))
    }
}

/// A picture drawn on a page: its stream and how it is turned as drawn.
struct Picture {
    id: ObjectId,
    /// Drawn area, in square points (the largest is the scan).
    area: f64,
    /// Quarter turns clockwise that show the picture as the page does.
    turns: u8,
}

/// Graphics and text state: what `q` saves and `Q` restores.
#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
    invisible: bool,
}

impl State {
    fn new(ctm: Matrix) -> State {
        State {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            invisible: false,
        }
    }
}

/// Interprets content streams for text and pictures.
struct Painter<'a> {
    doc: &'a Document,
    /// From the page's top-left corner, y downwards, in points.
    page_box: [f64; 4],
    glyphs: Vec<Glyph>,
    picture: Option<Picture>,
    operations: usize,
    fonts: HashMap<ObjectId, Font<'a>>,
}

fn draw_page(doc: &Document, id: ObjectId) -> Result<DrawnPage, ImageError> {
    let page = doc
        .get_dictionary(id)
        .map_err(|e| corrupt(format!("page object: {e}")))?;
    let page_box = inherited(doc, page, b"MediaBox")
        .and_then(|o| numbers(o.as_array().ok()?))
        .filter(|v| v.len() == 4)
        .map(|v| {
            [
                v[0].min(v[2]),
                v[1].min(v[3]),
                v[0].max(v[2]),
                v[1].max(v[3]),
            ]
        })
        .filter(|b| b[2] - b[0] > 1.0 && b[3] - b[1] > 1.0)
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(number)
        .map(|r| ((r / 90.0).round() as i64).rem_euclid(4) as u8)
        .unwrap_or(0);
    let content = doc
        .get_page_content_with_limit(id, MAX_CONTENT_BYTES)
        .map_err(|e| corrupt(format!("content: {e}")))?;
    let resources = page_resources(doc, id);
    let mut painter = Painter {
        doc,
        page_box,
        glyphs: Vec::new(),
        picture: None,
        operations: 0,
        fonts: HashMap::new(),
    };
    painter.run(&content, &resources, State::new(Matrix::IDENTITY), 0)?;
    let [x0, y0, x1, y1] = page_box;
    let mut picture = painter.picture;
    if let Some(p) = &mut picture {
        p.turns = (p.turns + rotate) % 4;
    }
    Ok(DrawnPage {
        text: TextPage {
            width: (x1 - x0) as f32,
            height: (y1 - y0) as f32,
            glyphs: painter.glyphs,
        },
        picture,
    })
}

/// A page attribute, from the page or the nearest page-tree node above it.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return Some(deref(doc, value));
        }
        node = deref(doc, node.get(b"Parent").ok()?).as_dict().ok()?;
    }
    None
}

/// The page's resource dictionaries, nearest first.
fn page_resources(doc: &Document, id: ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = doc.get_page_resources(id) else {
        return Vec::new();
    };
    own.into_iter()
        .chain(
            inherited
                .into_iter()
                .filter_map(|id| doc.get_dictionary(id).ok()),
        )
        .collect()
}

/// The object named `name` in the `category` (`Font`, `XObject`) of the first resource
/// dictionary that has it.
fn resource<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a Object)> {
    resources.iter().find_map(|r| {
        let group = deref(doc, r.get(category).ok()?).as_dict().ok()?;
        let entry = group.get(name).ok()?;
        doc.dereference(entry).ok()
    })
}

impl<'a> Painter<'a> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        start: State,
        depth: usize,
    ) -> Result<(), ImageError> {
        let content = Content::decode(content).map_err(|e| corrupt(format!("content: {e}")))?;
        let mut state = start;
        let mut saved: Vec<State> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for op in &content.operations {
            self.operations += 1;
            if self.operations > MAX_OPERATIONS {
                return Err(ImageError::TooLarge(format!(
                    "a page drawing more than {MAX_OPERATIONS} operations"
                )));
            }
            let args = &op.operands;
            let num = |i: usize| args.get(i).and_then(number);
            match op.operator.as_str() {
                "q" if saved.len() < 256 => saved.push(state.clone()),
                "Q" => {
                    if let Some(s) = saved.pop() {
                        state = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(args) {
                        state.ctm = m.then(&state.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    state.font = args
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(<[u8]>::to_vec);
                    state.size = num(1).unwrap_or(0.0);
                }
                "Tc" => state.char_spacing = num(0).unwrap_or(0.0),
                "Tw" => state.word_spacing = num(0).unwrap_or(0.0),
                "Tz" => state.scale = num(0).unwrap_or(100.0) / 100.0,
                "TL" => state.leading = num(0).unwrap_or(0.0),
                "Ts" => state.rise = num(0).unwrap_or(0.0),
                "Tr" => state.invisible = matches!(num(0), Some(m) if m == 3.0 || m == 7.0),
                "Td" | "TD" => {
                    let (Some(x), Some(y)) = (num(0), num(1)) else {
                        continue;
                    };
                    if op.operator == "TD" {
                        state.leading = -y;
                    }
                    tlm = Matrix::translate(x, y).then(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(args) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -state.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" {
                            state.word_spacing = num(0).unwrap_or(state.word_spacing);
                            state.char_spacing = num(1).unwrap_or(state.char_spacing);
                        }
                        tlm = Matrix::translate(0.0, -state.leading).then(&tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(bytes, _)) = args.last() {
                        self.show(bytes, &state, &mut tm, resources);
                    }
                }
                "TJ" => {
                    let Some(Ok(items)) = args.first().map(Object::as_array) else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                self.show(bytes, &state, &mut tm, resources)
                            }
                            other => {
                                if let Some(n) = number(other) {
                                    let tx = -n / 1000.0 * state.size * state.scale;
                                    tm = Matrix::translate(tx, 0.0).then(&tm);
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(name) = args.first().and_then(|o| o.as_name().ok()) {
                        self.draw_object(name, &state, resources, depth)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Draw the string `bytes` at the text matrix `tm`, advancing it.
    fn show(&mut self, bytes: &[u8], state: &State, tm: &mut Matrix, resources: &[&'a Dictionary]) {
        let Some(name) = &state.font else { return };
        let Some((Some(id), font)) = resource(self.doc, resources, b"Font", name) else {
            return;
        };
        let Ok(dict) = font.as_dict() else { return };
        let doc = self.doc;
        let font = self
            .fonts
            .entry(id)
            .or_insert_with(|| Font::load(doc, dict));
        let [x0, _, _, y1] = self.page_box;
        let texts = font.texts(doc, bytes);
        for (code, text) in font.codes(bytes).zip(texts) {
            let advance = font.width(code);
            let trm = Matrix([
                state.size * state.scale,
                0.0,
                0.0,
                state.size,
                0.0,
                state.rise,
            ])
            .then(tm)
            .then(&state.ctm);
            let (x, y) = trm.apply(0.0, 0.0);
            let (ex, ey) = trm.apply(advance, 0.0);
            let height = (trm.0[2].powi(2) + trm.0[3].powi(2)).sqrt();
            let visible = !state.invisible
                && !text.trim().is_empty()
                && height > 0.5
                && x.is_finite()
                && y.is_finite();
            if visible && self.glyphs.len() < 200_000 {
                self.glyphs.push(Glyph {
                    text,
                    x: (x - x0) as f32,
                    baseline: (y1 - y) as f32,
                    width: ((ex - x).powi(2) + (ey - y).powi(2)).sqrt() as f32,
                    size: height as f32,
                });
            }
            let space = if code == b" " {
                state.word_spacing
            } else {
                0.0
            };
            let tx = (advance * state.size + state.char_spacing + space) * state.scale;
            *tm = Matrix::translate(tx, 0.0).then(tm);
        }
    }

    fn draw_object(
        &mut self,
        name: &[u8],
        state: &State,
        resources: &[&'a Dictionary],
        depth: usize,
    ) -> Result<(), ImageError> {
        let Some((id, object)) = resource(self.doc, resources, b"XObject", name) else {
            return Ok(());
        };
        let Ok(stream) = object.as_stream() else {
            return Ok(());
        };
        let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name);
        match subtype {
            Ok(b"Image") => {
                let mask = stream
                    .dict
                    .get(b"ImageMask")
                    .and_then(Object::as_bool)
                    .unwrap_or(false);
                let Some(id) = id.filter(|_| !mask) else {
                    return Ok(());
                };
                let [a, b, c, d, _, _] = state.ctm.0;
                let area = (a * d - b * c).abs();
                let turns = if a.abs() >= b.abs() {
                    if a >= 0.0 && d >= 0.0 {
                        0
                    } else {
                        2
                    }
                } else if b < 0.0 {
                    1
                } else {
                    3
                };
                if self.picture.as_ref().is_none_or(|p| area > p.area) {
                    self.picture = Some(Picture { id, area, turns });
                }
            }
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let content = stream
                    .decompressed_content_with_limit(MAX_CONTENT_BYTES)
                    .unwrap_or_else(|_| stream.content.clone());
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| Matrix::from_operands(m.as_array().ok()?))
                    .unwrap_or(Matrix::IDENTITY);
                let own = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|r| deref(self.doc, r).as_dict().ok());
                let scoped: Vec<&'a Dictionary> =
                    own.into_iter().chain(resources.iter().copied()).collect();
                let mut inner = state.clone();
                inner.ctm = matrix.then(&state.ctm);
                self.run(&content, &scoped, inner, depth + 1)?;
            }
            _ => {}
        }
        Ok(())
    }
}

impl Picture {
    /// The picture in gray, within `limits`, turned as the page shows it.
    fn decode(&self, doc: &Document, limits: DecodeLimits) -> Result<GrayImage, ImageError> {
        let stream = doc
            .get_object(self.id)
            .and_then(Object::as_stream)
            .map_err(|e| corrupt(format!("picture: {e}")))?;
        let gray = picture_gray(doc, stream, limits)?;
        Ok(match self.turns {
            1 => image::imageops::rotate90(&gray),
            2 => image::imageops::rotate180(&gray),
            3 => image::imageops::rotate270(&gray),
            _ => gray,
        })
    }
}

fn picture_gray(
    doc: &Document,
    stream: &Stream,
    limits: DecodeLimits,
) -> Result<GrayImage, ImageError> {
    let dict = &stream.dict;
    let get = |key: &[u8]| dict.get(key).ok().map(|o| deref(doc, o));
    let width = get(b"Width").and_then(number).unwrap_or(0.0);
    let height = get(b"Height").and_then(number).unwrap_or(0.0);
    if !(width >= 1.0 && height >= 1.0) {
        return Err(corrupt("a picture without a size".into()));
    }
    let (width, height) = (width as u64, height as u64);
    limits.check(width, height)?;
    let filters: Vec<Vec<u8>> = match get(b"Filter") {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(list)) => list
            .iter()
            .filter_map(|o| deref(doc, o).as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    let last = filters.last().map(Vec::as_slice);
    match last {
        Some(b"DCTDecode") if filters.len() == 1 => {
            decode_gray(&stream.content, ImageKind::Jpeg, limits)
        }
        Some(b"CCITTFaxDecode") if filters.len() == 1 => {
            let params = get(b"DecodeParms").and_then(|p| match p {
                Object::Array(list) => list.first().and_then(|o| deref(doc, o).as_dict().ok()),
                other => other.as_dict().ok(),
            });
            fax_gray(&stream.content, width as u32, height as u32, params, limits)
        }
        Some(b"JBIG2Decode") => Err(ImageError::Unsupported(
            "a scanned page in JBIG2, which fidelio does not read: scan to JPEG, PNG or \
             TIFF"
                .into(),
        )),
        Some(b"JPXDecode") => Err(ImageError::Unsupported(
            "a scanned page in JPEG 2000, which fidelio does not read: scan to JPEG, PNG or \
             TIFF"
                .into(),
        )),
        Some(b"DCTDecode" | b"CCITTFaxDecode") => Err(ImageError::Unsupported(
            "a scanned page compressed twice over".into(),
        )),
        _ => raw_gray(doc, stream, width as u32, height as u32, limits),
    }
}

/// Pixels stored as samples (uncompressed, Flate, LZW, run length): gray, RGB, CMYK or a
/// palette of those, 1 to 8 bits a sample.
fn raw_gray(
    doc: &Document,
    stream: &Stream,
    width: u32,
    height: u32,
    limits: DecodeLimits,
) -> Result<GrayImage, ImageError> {
    let dict = &stream.dict;
    let bits = dict
        .get(b"BitsPerComponent")
        .ok()
        .and_then(|o| number(deref(doc, o)))
        .unwrap_or(8.0) as u32;
    if !matches!(bits, 1 | 2 | 4 | 8) {
        return Err(ImageError::Unsupported(format!(
            "a scanned page of {bits} bits a sample"
        )));
    }
    let space = dict
        .get(b"ColorSpace")
        .ok()
        .map(|o| deref(doc, o))
        .ok_or_else(|| corrupt("a picture without a colour space".into()))?;
    let space = ColourSpace::read(doc, space)?;
    let per_pixel = space.components();
    let row_bytes = (u64::from(width) * per_pixel * u64::from(bits)).div_ceil(8);
    let needed = row_bytes * u64::from(height);
    if needed > limits.max_alloc {
        return Err(ImageError::TooLarge(format!(
            "a {width}×{height} page needs {} MB to decode; the budget is {} MB",
            needed / 1_000_000,
            limits.max_alloc / 1_000_000
        )));
    }
    let samples = stream
        .decompressed_content_with_limit(needed as usize)
        .or_else(|e| {
            if dict.get(b"Filter").is_err() {
                Ok(stream.content.clone())
            } else {
                Err(e)
            }
        })
        .map_err(|e| corrupt(format!("picture data: {e}")))?;
    if (samples.len() as u64) < needed {
        return Err(ImageError::Corrupt(format!(
            "PDF picture data ends before the picture does ({} of {needed} bytes): a cut file",
            samples.len()
        )));
    }
    let invert = dict
        .get(b"Decode")
        .ok()
        .and_then(|o| numbers(deref(doc, o).as_array().ok()?))
        .is_some_and(|d| d.len() >= 2 && d[0] > d[1]);
    let max = (1u32 << bits) - 1;
    let mut gray = Vec::with_capacity((u64::from(width) * u64::from(height)) as usize);
    for row in samples.chunks(row_bytes as usize).take(height as usize) {
        let sample = |i: u64| -> u32 {
            let bit = i * u64::from(bits);
            let byte = u32::from(row[(bit / 8) as usize]);
            let shift = 8 - bits - (bit % 8) as u32;
            (byte >> shift) & max
        };
        for x in 0..u64::from(width) {
            let values: Vec<u32> = (0..per_pixel).map(|c| sample(x * per_pixel + c)).collect();
            let mut level = space.gray(&values, max);
            if invert {
                level = 255 - level;
            }
            gray.push(level);
        }
    }
    GrayImage::from_raw(width, height, gray)
        .ok_or_else(|| corrupt("picture data shorter than the picture".into()))
}

/// The colour spaces scans are stored in.
enum ColourSpace {
    Gray,
    Rgb,
    Cmyk,
    /// A palette: the gray of each index.
    Indexed(Vec<u8>),
}

impl ColourSpace {
    fn read(doc: &Document, object: &Object) -> Result<ColourSpace, ImageError> {
        let unsupported = |what: &str| {
            ImageError::Unsupported(format!("a scanned page in the colour space {what}"))
        };
        match object {
            Object::Name(n) => match n.as_slice() {
                b"DeviceGray" | b"CalGray" | b"G" => Ok(ColourSpace::Gray),
                b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(ColourSpace::Rgb),
                b"DeviceCMYK" | b"CMYK" => Ok(ColourSpace::Cmyk),
                other => Err(unsupported(&String::from_utf8_lossy(other))),
            },
            Object::Array(list) => {
                let kind = list
                    .first()
                    .and_then(|o| deref(doc, o).as_name().ok())
                    .unwrap_or(b"");
                match kind {
                    b"ICCBased" => {
                        let n = list
                            .get(1)
                            .and_then(|o| deref(doc, o).as_stream().ok())
                            .and_then(|s| s.dict.get(b"N").ok().and_then(|o| number(deref(doc, o))))
                            .unwrap_or(3.0);
                        match n as u32 {
                            1 => Ok(ColourSpace::Gray),
                            3 => Ok(ColourSpace::Rgb),
                            4 => Ok(ColourSpace::Cmyk),
                            _ => Err(unsupported("ICC with an odd number of components")),
                        }
                    }
                    b"CalGray" => Ok(ColourSpace::Gray),
                    b"CalRGB" => Ok(ColourSpace::Rgb),
                    b"Indexed" | b"I" => {
                        let base = list
                            .get(1)
                            .map(|o| ColourSpace::read(doc, deref(doc, o)))
                            .transpose()?
                            .ok_or_else(|| unsupported("Indexed without a base"))?;
                        if matches!(base, ColourSpace::Indexed(_)) {
                            return Err(unsupported("Indexed over Indexed"));
                        }
                        let lookup = match list.get(3).map(|o| deref(doc, o)) {
                            Some(Object::String(bytes, _)) => bytes.clone(),
                            Some(Object::Stream(s)) => s
                                .decompressed_content_with_limit(4 * 256)
                                .unwrap_or_else(|_| s.content.clone()),
                            _ => return Err(unsupported("Indexed without a palette")),
                        };
                        let n = base.components() as usize;
                        let palette = lookup
                            .chunks(n)
                            .filter(|c| c.len() == n)
                            .take(256)
                            .map(|c| {
                                let values: Vec<u32> = c.iter().map(|&v| u32::from(v)).collect();
                                base.gray(&values, 255)
                            })
                            .collect();
                        Ok(ColourSpace::Indexed(palette))
                    }
                    other => Err(unsupported(&String::from_utf8_lossy(other))),
                }
            }
            _ => Err(unsupported("of an unknown kind")),
        }
    }

    fn components(&self) -> u64 {
        match self {
            ColourSpace::Gray | ColourSpace::Indexed(_) => 1,
            ColourSpace::Rgb => 3,
            ColourSpace::Cmyk => 4,
        }
    }

    /// The gray level (0–255) of one pixel's samples, each at most `max`.
    fn gray(&self, values: &[u32], max: u32) -> u8 {
        let scale = |v: u32| v * 255 / max.max(1);
        let level = match self {
            ColourSpace::Gray => scale(values[0]),
            // Rec. 709, as the generic decoder weighs colour.
            ColourSpace::Rgb => {
                (2126 * scale(values[0]) + 7152 * scale(values[1]) + 722 * scale(values[2]))
                    / 10_000
            }
            ColourSpace::Cmyk => {
                let k = scale(values[3]);
                let ink = |v: u32| 255 - (scale(v) + k).min(255);
                (2126 * ink(values[0]) + 7152 * ink(values[1]) + 722 * ink(values[2])) / 10_000
            }
            ColourSpace::Indexed(palette) => {
                return palette.get(values[0] as usize).copied().unwrap_or(0)
            }
        };
        level.min(255) as u8
    }
}

/// A CCITT fax picture (office scanners' black-and-white pages), decoded by the TIFF decoder
/// from a TIFF made around its data.
fn fax_gray(
    data: &[u8],
    width: u32,
    height: u32,
    params: Option<&Dictionary>,
    limits: DecodeLimits,
) -> Result<GrayImage, ImageError> {
    let param = |key: &[u8]| params.and_then(|p| p.get(key).ok()).and_then(number);
    let k = param(b"K").unwrap_or(0.0);
    let columns = param(b"Columns").unwrap_or(1728.0) as u32;
    let rows = param(b"Rows")
        .map(|r| r as u32)
        .filter(|&r| r > 0)
        .unwrap_or(height);
    let black_is_1 = params
        .and_then(|p| p.get(b"BlackIs1").ok())
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let (width, height) = (columns.max(1).min(width.max(columns)), rows);
    let compression: u16 = if k < 0.0 { 4 } else { 3 };
    let t_options: u32 = if k > 0.0 { 1 } else { 0 };
    // TIFF's white-is-zero reading of fax bits, unless the PDF says black is 1.
    let photometric: u16 = if black_is_1 { 1 } else { 0 };
    let tiff = fax_tiff(data, width, height, compression, t_options, photometric);
    let gray = decode_gray(&tiff, ImageKind::Tiff, limits)?;
    Ok(gray)
}

/// A one-page little-endian TIFF holding `data` as its single strip.
fn fax_tiff(
    data: &[u8],
    width: u32,
    height: u32,
    compression: u16,
    t_options: u32,
    photometric: u16,
) -> Vec<u8> {
    let mut entries: Vec<(u16, u16, u32)> = vec![
        (256, 4, width),
        (257, 4, height),
        (258, 3, 1),
        (259, 3, u32::from(compression)),
        (262, 3, u32::from(photometric)),
        (273, 4, 0), // strip offset, filled below
        (277, 3, 1),
        (278, 4, height),
        (279, 4, data.len() as u32),
    ];
    if compression == 3 {
        entries.push((292, 4, t_options));
    }
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_at = (8 + ifd_len) as u32;
    let mut out = Vec::with_capacity(data_at as usize + data.len());
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in &entries {
        let value = if *tag == 273 { data_at } else { *value };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        if *kind == 3 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Object, Stream};

    /// A PDF of `pages`, each a content stream drawn with Helvetica (`F1`, WinAnsi) and the
    /// pictures `pictures` (name, stream) in its resources.
    fn pdf(pages: &[&str], pictures: Vec<(&str, Stream)>) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let tree = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let mut objects = lopdf::Dictionary::new();
        for (name, stream) in pictures {
            objects.set(name, doc.add_object(stream));
        }
        let resources = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font },
            "XObject" => objects,
        });
        let kids: Vec<Object> = pages
            .iter()
            .map(|content| {
                let content =
                    doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => tree,
                    "Contents" => content,
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            tree,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Count" => kids.len() as i64,
                "Kids" => kids,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 226.into(), 600.into()],
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => tree });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// A `width` × `height` gray picture, white with a black square in its top-left quarter.
    fn gray_picture(width: i64, height: i64) -> Stream {
        let pixels: Vec<u8> = (0..height)
            .flat_map(|y| {
                (0..width).map(move |x| {
                    if x < width / 2 && y < height / 2 {
                        0
                    } else {
                        255
                    }
                })
            })
            .collect();
        Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => width,
                "Height" => height,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            pixels,
        )
    }

    fn text(receipt: PdfReceipt) -> Vec<TextPage> {
        match receipt {
            PdfReceipt::Text(pages) => pages,
            PdfReceipt::Scanned(_) => panic!("read as a scan"),
        }
    }

    fn words(page: &TextPage) -> String {
        page.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn an_e_receipt_gives_its_glyphs_where_they_are_drawn() {
        let content = "BT /F1 10 Tf 12 TL 10 560 Td (FRESCO) Tj T* (TOTAL TTC) Tj \
                       ET BT /F1 10 Tf 1 0 0 1 180 548 Tm [(12,)-20(40)] TJ ET";
        let pages = text(read(&pdf(&[content], vec![]), DecodeLimits::default()).unwrap());
        assert_eq!(pages.len(), 1);
        let page = &pages[0];
        assert_eq!((page.width, page.height), (226.0, 600.0));
        assert_eq!(words(page), "FRESCOTOTALTTC12,40");
        let first = &page.glyphs[0];
        assert_eq!((first.x, first.baseline, first.size), (10.0, 40.0, 10.0));
        // T* moves down by the leading.
        let total = page.glyphs.iter().find(|g| g.text == "T").unwrap();
        assert_eq!((total.x, total.baseline), (10.0, 52.0));
        // TJ's number moves the next glyph right by 20/1000 of the font size.
        let four = page.glyphs.iter().find(|g| g.text == "4").unwrap();
        let comma = page.glyphs.iter().find(|g| g.text == ",").unwrap();
        assert!(
            (four.x - (comma.x + comma.width + 0.2)).abs() < 1e-3,
            "{four:?} {comma:?}"
        );
    }

    #[test]
    fn scaled_and_moved_text_keeps_its_size_and_place() {
        let content = "q 2 0 0 2 0 0 cm BT /F1 5 Tf 10 280 Td (X) Tj ET Q";
        let page = &text(read(&pdf(&[content], vec![]), DecodeLimits::default()).unwrap())[0];
        let x = &page.glyphs[0];
        assert_eq!((x.x, x.baseline, x.size), (20.0, 40.0, 10.0));
    }

    /// A scanner's OCR layer (render mode 3) over its picture is not the text of the
    /// receipt: the picture is read.
    #[test]
    fn invisible_text_over_a_scan_leaves_the_scan() {
        let content = "q 226 0 0 600 0 0 cm /Im1 Do Q BT 3 Tr /F1 10 Tf 10 560 Td (TOTAL) Tj ET";
        let bytes = pdf(&[content], vec![("Im1", gray_picture(40, 30))]);
        let PdfReceipt::Scanned(gray) = read(&bytes, DecodeLimits::default()).unwrap() else {
            panic!("read the invisible text");
        };
        assert_eq!(gray.dimensions(), (40, 30));
        assert_eq!(gray.get_pixel(0, 0).0, [0]);
        assert_eq!(gray.get_pixel(39, 29).0, [255]);
    }

    #[test]
    fn scanned_pages_are_stacked_and_turned_as_drawn() {
        let upright = "q 226 0 0 600 0 0 cm /Im1 Do Q";
        // Drawn upside down: the page shows it turned half a turn.
        let turned = "q -226 0 0 -600 226 600 cm /Im1 Do Q";
        let bytes = pdf(&[upright, turned], vec![("Im1", gray_picture(40, 30))]);
        let gray = scanned_pages(&bytes, DecodeLimits::default()).unwrap();
        assert_eq!(gray.dimensions(), (40, 60));
        assert_eq!(gray.get_pixel(0, 0).0, [0]);
        assert_eq!(gray.get_pixel(39, 59).0, [0]);
        assert_eq!(gray.get_pixel(0, 30).0, [255]);
    }

    #[test]
    fn what_cannot_be_one_receipt_is_refused_with_the_reason() {
        let page = "BT /F1 10 Tf 10 560 Td (PAGE) Tj ET";
        let many = pdf(&[page; MAX_PAGES + 1], vec![]);
        let err = read(&many, DecodeLimits::default()).unwrap_err();
        assert!(
            matches!(&err, ImageError::Unsupported(m) if m.contains("9 pages")),
            "{err}"
        );

        let scan = "q 226 0 0 600 0 0 cm /Im1 Do Q";
        let mixed = pdf(&[page, scan], vec![("Im1", gray_picture(40, 30))]);
        let err = read(&mixed, DecodeLimits::default()).unwrap_err();
        assert!(
            matches!(&err, ImageError::Unsupported(m) if m.contains("page 2 scanned")),
            "{err}"
        );

        let blank = pdf(&["0 0 m 10 10 l S"], vec![]);
        let err = read(&blank, DecodeLimits::default()).unwrap_err();
        assert!(
            err.to_string().contains("neither text nor a picture"),
            "{err}"
        );

        let mut jbig2 = gray_picture(40, 30);
        jbig2.dict.set("Filter", "JBIG2Decode");
        let err = read(&pdf(&[scan], vec![("Im1", jbig2)]), DecodeLimits::default()).unwrap_err();
        assert!(err.to_string().contains("JBIG2"), "{err}");
    }

    #[test]
    fn a_scan_over_the_budget_is_refused_before_decoding() {
        let scan = "q 226 0 0 600 0 0 cm /Im1 Do Q";
        let mut huge = gray_picture(40, 30);
        huge.dict.set("Width", 100_000);
        huge.dict.set("Height", 100_000);
        let err = read(&pdf(&[scan], vec![("Im1", huge)]), DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge(_)), "{err}");
    }

    /// A scan whose picture data stops short (a cut upload) is corrupt, not half a page.
    #[test]
    fn a_cut_picture_is_corrupt() {
        let scan = "q 226 0 0 600 0 0 cm /Im1 Do Q";
        let mut cut = gray_picture(40, 30);
        cut.content.truncate(600);
        let err = read(&pdf(&[scan], vec![("Im1", cut)]), DecodeLimits::default()).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt(_)), "{err}");
    }

    #[test]
    fn broken_files_are_corrupt_not_a_panic() {
        let whole = pdf(&["BT /F1 10 Tf 10 560 Td (TOTAL 3,00) Tj ET"], vec![]);
        for bytes in [
            b"%PDF-1.7\n".to_vec(),
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF".to_vec(),
            whole[..whole.len() / 2].to_vec(),
        ] {
            assert!(read(&bytes, DecodeLimits::default()).is_err());
        }
        for cut in (0..whole.len()).step_by(37) {
            let _ = read(&whole[..cut], DecodeLimits::default());
        }
    }
}
