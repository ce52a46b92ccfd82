//! The resolution of raw choices (flags, the environment, the campaign) into the settings the
//! stages run with, in the manner of ripgrep's low-level and high-level arguments (the
//! defaults themselves are all in `defaults`): the binary parses flags into an
//! [`OcrChoice`], [`OcrSetup::resolve`] checks it once and builds the engine, cache and runner
//! options every OCR-running command shares.
//!
//! The OCR cache key is derived here, never written by hand: a hash of every setting that
//! changes what a page reads as, and of the source of the code that reads it
//! (`FIDELIO_OCR_CODE`, from `build.rs`).

use std::path::{Path, PathBuf};

use crate::defaults::{LANGUAGES, SECOND_LOOK_SMOOTH};
use crate::extract::doubts;
use crate::image::{DecodeLimits, PrepareSettings};
use crate::ocr::ppocr::models::{default_models_dir, ModelSet, ModelSize};
use crate::ocr::{
    EngineFactory, OcrCache, PpocrFactory, PpocrSettings, RunnerOptions, SecondLook,
    TesseractFactory, TextEngineFactory,
};

/// A hash of the source that shapes an OCR record (image, ocr, extract), from `build.rs`.
pub const OCR_CODE: &str = env!("FIDELIO_OCR_CODE");

/// Which reader reads the pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// The neural reader (PP-OCR) with a model size. `Tiny` gets the small model as its
    /// second reader.
    Neural(ModelSize),
    Tesseract {
        psm: u8,
    },
    /// The test double: reads the `.txt` beside each image.
    Text,
}

/// The operator's OCR choices, as given.
#[derive(Clone, Debug)]
pub struct OcrChoice {
    pub reader: Reader,
    /// Tesseract languages (`--lang`); else the campaign's; else [`LANGUAGES`].
    pub languages: Option<String>,
    /// The models folder; else [`default_models_dir`].
    pub models_dir: Option<PathBuf>,
    /// Worker threads; else one per core.
    pub jobs: Option<usize>,
    pub second_look: bool,
    pub cache: bool,
    /// The decoding budget (pixels, file size).
    pub limits: DecodeLimits,
}

/// Why OCR choices cannot be used: all operator mistakes (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--jobs must be at least 1")]
    NoWorkers,
    #[error("--max-megapixels and --max-file-mb must be above 0")]
    NoBudget,
    #[error("{0}")]
    Reader(String),
}

/// Resolved OCR settings: the engine factory, cache and runner options.
pub struct OcrSetup {
    pub factory: Box<dyn EngineFactory + Send>,
    pub cache: Option<OcrCache>,
    pub runner: RunnerOptions,
}

impl OcrSetup {
    /// Check `choice` and build what reads the pages; `campaign_languages` is the campaign's
    /// `ocr_languages`, if any.
    pub fn resolve(
        choice: &OcrChoice,
        state: &Path,
        campaign_languages: Option<&str>,
    ) -> Result<OcrSetup, ConfigError> {
        if choice.jobs == Some(0) {
            return Err(ConfigError::NoWorkers);
        }
        if choice.limits.max_pixels == 0 || choice.limits.max_file_bytes == 0 {
            return Err(ConfigError::NoBudget);
        }
        let reader_error = |e: &dyn std::fmt::Display| ConfigError::Reader(e.to_string());
        let prepare = PrepareSettings::default();
        // The tiny recogniser's second look is the small model on the same pixels; every
        // other reader's is its own reading of smoothed pixels.
        let small_again = matches!(
            choice.reader,
            Reader::Neural(ModelSize::Tiny | ModelSize::Fast)
        );
        let second_look = choice.second_look.then_some(SecondLook {
            smooth: if small_again { 0.0 } else { SECOND_LOOK_SMOOTH },
        });
        let languages = choice
            .languages
            .as_deref()
            .or(campaign_languages)
            .unwrap_or(LANGUAGES)
            .to_string();
        let fingerprint = ocr_fingerprint(
            choice.reader,
            &languages,
            &prepare,
            &second_look,
            &choice.limits,
        );
        let factory: Box<dyn EngineFactory + Send> = match choice.reader {
            Reader::Neural(size) => {
                let dir = choice.models_dir.clone().unwrap_or_else(default_models_dir);
                let models = ModelSet::verified(&dir, size).map_err(|e| reader_error(&e))?;
                let mut factory =
                    PpocrFactory::new(models, PpocrSettings::new(size), fingerprint.clone())
                        .map_err(|e| reader_error(&e))?;
                if small_again && second_look.is_some() {
                    let small =
                        ModelSet::verified(&dir, ModelSize::Small).map_err(|e| reader_error(&e))?;
                    let again =
                        PpocrFactory::new(small, PpocrSettings::new(ModelSize::Small), fingerprint)
                            .map_err(|e| reader_error(&e))?;
                    factory = factory.with_second_reader(again);
                }
                Box::new(factory)
            }
            Reader::Tesseract { psm } => {
                let factory = TesseractFactory {
                    languages,
                    psm,
                    tessdata: None,
                    prepare: fingerprint,
                };
                factory.check().map_err(|e| reader_error(&e))?;
                Box::new(factory)
            }
            Reader::Text => Box::new(TextEngineFactory {
                prepare: fingerprint,
            }),
        };
        Ok(OcrSetup {
            factory,
            cache: choice.cache.then(|| OcrCache::new(state)),
            runner: RunnerOptions {
                jobs: choice.jobs.unwrap_or(0),
                prepare,
                doubts: Some(doubts),
                second_look,
                limits: choice.limits,
            },
        })
    }
}

/// What every page read with these settings records as its preparation, and what keys the
/// OCR cache (with the engine's name, version, models and languages): the preparation as
/// people read it (`v10-max2400-b16-crop-…`, whose version says which quality scale the page
/// was measured on), then `+ocr` and a hash of every setting that changes the reading and of
/// the code that reads ([`OCR_CODE`]).
pub fn ocr_fingerprint(
    reader: Reader,
    languages: &str,
    prepare: &PrepareSettings,
    second_look: &Option<SecondLook>,
    limits: &DecodeLimits,
) -> String {
    let settings =
        format!("{reader:?}|{languages}|{prepare:?}|{second_look:?}|{limits:?}|{OCR_CODE}");
    let hash = blake3::hash(settings.as_bytes()).to_hex();
    format!("{}+ocr{}", prepare.fingerprint(), &hash[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(reader: Reader, languages: &str, smooth: Option<f32>) -> String {
        let look = smooth.map(|smooth| SecondLook { smooth });
        ocr_fingerprint(
            reader,
            languages,
            &PrepareSettings::default(),
            &look,
            &DecodeLimits::default(),
        )
    }

    #[test]
    fn the_cache_key_changes_with_every_setting_that_changes_a_reading() {
        let base = fingerprint(Reader::Tesseract { psm: 4 }, "fra", Some(1.1));
        assert_eq!(
            base,
            fingerprint(Reader::Tesseract { psm: 4 }, "fra", Some(1.1))
        );
        for other in [
            fingerprint(Reader::Tesseract { psm: 6 }, "fra", Some(1.1)),
            fingerprint(Reader::Tesseract { psm: 4 }, "deu", Some(1.1)),
            fingerprint(Reader::Tesseract { psm: 4 }, "fra", Some(0.8)),
            fingerprint(Reader::Tesseract { psm: 4 }, "fra", None),
            fingerprint(Reader::Text, "fra", Some(1.1)),
        ] {
            assert_ne!(base, other);
        }
        let smaller = PrepareSettings {
            max_side: 1200,
            ..PrepareSettings::default()
        };
        assert_ne!(
            base,
            ocr_fingerprint(
                Reader::Tesseract { psm: 4 },
                "fra",
                &smaller,
                &Some(SecondLook { smooth: 1.1 }),
                &DecodeLimits::default()
            )
        );
    }

    #[test]
    fn the_fingerprint_still_says_which_quality_scale_the_page_was_measured_on() {
        let f = fingerprint(Reader::Text, LANGUAGES, None);
        assert!(crate::image::measured_on_current_scale(&f), "{f}");
        assert!(f.starts_with(&PrepareSettings::default().fingerprint()));
    }

    #[test]
    fn no_workers_is_refused() {
        let choice = OcrChoice {
            reader: Reader::Text,
            languages: None,
            models_dir: None,
            jobs: Some(0),
            second_look: true,
            cache: false,
            limits: DecodeLimits::default(),
        };
        let refused = OcrSetup::resolve(&choice, Path::new("."), None);
        assert!(matches!(refused, Err(ConfigError::NoWorkers)));
    }
}
