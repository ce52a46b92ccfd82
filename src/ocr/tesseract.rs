//! Tesseract through leptess: the real engine.
//!
//! Pixels are handed over raw (8-bit gray), never re-encoded. Tesseract's own chatter
//! ("Image too small to scale!!", resolution warnings) goes to its `debug_file`, which we point
//! at the null device so it never reaches the operator's terminal. Its OpenMP threading must be
//! disabled before libgomp loads; the binary takes care of that (see `main.rs`).

use std::ffi::{CStr, CString};

use image::GrayImage;
use leptess::tesseract::TessApi;

use super::engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError};
use super::page::Line;
use super::tsv::lines_from_tsv;

/// Settings for Tesseract engines.
#[derive(Clone, Debug)]
pub struct TesseractFactory {
    /// `+`-joined traineddata names, e.g. `fra+eng`.
    pub languages: String,
    /// Page segmentation mode; 4 ("a single column of text of variable sizes") suits receipts.
    pub psm: u8,
    /// Optional tessdata directory (otherwise Tesseract's default / `TESSDATA_PREFIX`).
    pub tessdata: Option<String>,
    /// Fingerprint of the image preparation settings.
    pub prepare: String,
}

impl TesseractFactory {
    /// Check that Tesseract starts with these languages, so a missing traineddata fails the
    /// run once with a clear message instead of every file failing.
    pub fn check(&self) -> Result<(), OcrError> {
        self.create().map(drop)
    }
}

pub fn tesseract_version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    unsafe { CStr::from_ptr(leptess::capi::TessVersion()) }
        .to_string_lossy()
        .into_owned()
}

impl EngineFactory for TesseractFactory {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: "tesseract".into(),
            version: tesseract_version(),
            languages: self.languages.clone(),
            settings: format!("psm={} invert=0", self.psm),
            prepare: self.prepare.clone(),
        }
    }

    fn create(&self) -> Result<Box<dyn Engine>, OcrError> {
        let mut api = TessApi::new(self.tessdata.as_deref(), &self.languages).map_err(|_| {
            OcrError::Init(format!(
                "Tesseract could not load languages {:?}; install the traineddata (Debian: tesseract-ocr-fra, tesseract-ocr-eng, tesseract-ocr-deu) or pass --lang",
                self.languages
            ))
        })?;
        let psm = self.psm.to_string();
        for (name, value) in [
            ("debug_file", "/dev/null"),
            ("tessedit_pageseg_mode", psm.as_str()),
            // Receipts print the same words every night; dictionary correction breaks codes
            // and prices more often than it fixes words.
            ("load_system_dawg", "0"),
            // Reverse video is restored while preparing the pixels (`image::reverse`); testing
            // every doubtful line inverted cost 6–8 % of OCR time and spoiled a SROIE date.
            ("tessedit_do_invert", "0"),
        ] {
            set_variable(&mut api, name, value)?;
        }
        Ok(Box::new(TesseractEngine { api, psm }))
    }
}

fn set_variable(api: &mut TessApi, name: &str, value: &str) -> Result<(), OcrError> {
    let (n, v) = (CString::new(name).unwrap(), CString::new(value).unwrap());
    api.raw
        .set_variable(&n, &v)
        .map_err(|_| OcrError::Init(format!("Tesseract refused setting {name}={value}")))
}

struct TesseractEngine {
    api: TessApi,
    /// The page segmentation mode pages are read in, restored after reading a single word.
    psm: String,
}

impl TesseractEngine {
    /// Read `image` in page segmentation mode `psm`, then back to the page's mode.
    fn read_in_mode(&mut self, image: &GrayImage, psm: &str) -> Result<Vec<Line>, OcrError> {
        set_variable(&mut self.api, "tessedit_pageseg_mode", psm)?;
        let read = self.read_lines(image);
        let page_mode = self.psm.clone();
        set_variable(&mut self.api, "tessedit_pageseg_mode", &page_mode)?;
        read
    }

    fn read_lines(&mut self, image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        let (width, height) = (image.width() as i32, image.height() as i32);
        self.api
            .raw
            .set_image(image.as_raw(), width, height, 1, width)
            .map_err(|e| OcrError::Recognize(format!("image rejected by Tesseract: {e:?}")))?;
        self.api.set_source_resolution(300);
        let tsv = self
            .api
            .get_tsv_text(0)
            .map_err(|e| OcrError::Recognize(format!("Tesseract returned invalid UTF-8: {e}")))?;
        Ok(lines_from_tsv(&tsv))
    }
}

impl Engine for TesseractEngine {
    fn recognize(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
        self.read_lines(input.image)
    }

    /// Read as one line of text (page segmentation mode 7), then back to the page mode.
    fn read_alone(&mut self, image: &GrayImage) -> Result<Option<String>, OcrError> {
        let read = self.read_in_mode(image, "7");
        let text: Vec<String> = read?.into_iter().map(|line| line.text).collect();
        let text = text.join(" ");
        Ok((!text.is_empty()).then_some(text))
    }

    /// Read as one uniform block of text (page segmentation mode 6), then back to the page
    /// mode: on a price column cut out of a receipt, mode 4 finds no text at all.
    fn read_block(&mut self, image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        self.read_in_mode(image, "6")
    }
}
