//! Running OCR over a manifest in parallel.
//!
//! A dedicated rayon pool of `jobs` threads works through the manifest in order and results are
//! collected in input order, so output never depends on thread timing. Each worker thread owns
//! one engine in a thread-local, created on first use and reused for every image it handles;
//! the engines are dropped on their own threads when the run ends.

use std::cell::RefCell;
use std::time::Instant;

use rayon::prelude::*;

use super::cache::OcrCache;
use super::engine::{Engine, EngineFactory, EngineInput, OcrError};
use super::page::{Line, OcrPage, OcrRecord};
use crate::image::{self, DecodeLimits, ImageError, PrepareSettings};
use crate::ingest::ManifestEntry;
use crate::reason::{Code, Reason};

thread_local! {
    static ENGINE: RefCell<Option<Box<dyn Engine>>> = const { RefCell::new(None) };
}

#[derive(Clone, Debug, Default)]
pub struct RunnerOptions {
    /// Worker threads (0: one per core).
    pub jobs: usize,
    pub limits: DecodeLimits,
    pub prepare: PrepareSettings,
}

/// What happened to one entry, for progress reporting and timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcrOutcome {
    Recognized,
    Cached,
    Skipped,
    Failed,
}

/// One finished entry, reported to the progress callback from worker threads.
pub struct OcrJob<'a> {
    pub entry: &'a ManifestEntry,
    pub outcome: OcrOutcome,
}

/// OCR every readable, non-duplicate entry. Per-file failures become `error` reasons on the
/// record; only a pool that cannot start is an `Err`.
pub fn ocr_all(
    entries: &[ManifestEntry],
    factory: &dyn EngineFactory,
    cache: Option<&OcrCache>,
    options: &RunnerOptions,
    on_done: &(dyn Fn(OcrJob<'_>) + Sync),
) -> Result<Vec<OcrRecord>, OcrError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .thread_name(|i| format!("fidelio-ocr-{i}"))
        .build()
        .map_err(|e| OcrError::Init(format!("cannot start worker threads: {e}")))?;
    let records = pool.install(|| {
        entries
            .par_iter()
            .with_max_len(1)
            .map(|entry| {
                let (record, outcome) = ocr_entry(entry, factory, cache, options);
                on_done(OcrJob {
                    entry: &record.entry,
                    outcome,
                });
                record
            })
            .collect()
    });
    pool.broadcast(|_| ENGINE.with(|engine| drop(engine.borrow_mut().take())));
    Ok(records)
}

fn ocr_entry(
    entry: &ManifestEntry,
    factory: &dyn EngineFactory,
    cache: Option<&OcrCache>,
    options: &RunnerOptions,
) -> (OcrRecord, OcrOutcome) {
    let mut record = OcrRecord {
        entry: entry.clone(),
        ocr: None,
    };
    if entry.error.is_some() || entry.duplicate_of.is_some() {
        return (record, OcrOutcome::Skipped);
    }
    let info = factory.info();
    if let Some(page) = cache.and_then(|c| c.get(&entry.id, &info)) {
        record.ocr = Some(page);
        return (record, OcrOutcome::Cached);
    }
    match recognize_guarded(entry, factory, options) {
        Ok(page) => {
            // A cache that cannot be written costs time on the next run, not correctness.
            if let Some(cache) = cache {
                let _ = cache.put(&entry.id, &page);
            }
            record.ocr = Some(page);
            (record, OcrOutcome::Recognized)
        }
        Err(reason) => {
            record.entry.error = Some(reason);
            (record, OcrOutcome::Failed)
        }
    }
}

/// A panic while reading one image is a bug, but it must not cost the operator the whole night:
/// it becomes that file's `OCR_FAILED` reason, and the worker's engine is rebuilt in case the
/// panic left it half-way through an image.
fn recognize_guarded(
    entry: &ManifestEntry,
    factory: &dyn EngineFactory,
    options: &RunnerOptions,
) -> Result<OcrPage, Reason> {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        recognize(entry, factory, options)
    }));
    attempt.unwrap_or_else(|panic| {
        ENGINE.with(|engine| drop(engine.borrow_mut().take()));
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Reason::new(
            Code::OcrFailed,
            format!("internal error while reading this image: {detail}"),
        ))
    })
}

fn recognize(
    entry: &ManifestEntry,
    factory: &dyn EngineFactory,
    options: &RunnerOptions,
) -> Result<OcrPage, Reason> {
    let started = Instant::now();
    let path = std::path::Path::new(&entry.file);
    let bytes = std::fs::read(path)
        .map_err(|e| Reason::new(Code::ReadError, format!("cannot read file: {e}")))?;
    let kind = entry
        .format
        .ok_or_else(|| Reason::new(Code::NotAnImage, "not a recognised image"))?;
    image::ensure_complete(&bytes, kind).map_err(image_reason)?;
    let decoded = image::decode(&bytes, kind, options.limits).map_err(image_reason)?;
    drop(bytes);
    let prepared = image::prepare(&decoded, &options.prepare);
    drop(decoded);
    let lines = with_engine(factory, |engine| {
        engine.recognize(&EngineInput {
            path,
            image: &prepared.gray,
        })
    })
    .map_err(|e| Reason::new(Code::OcrFailed, e.to_string()))?;
    let mut quality = prepared.quality;
    quality.words = Some(legible_words(&lines));
    Ok(OcrPage {
        width: prepared.gray.width(),
        height: prepared.gray.height(),
        quality,
        engine: factory.info(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        lines,
    })
}

/// How much text OCR found, for the `NOT_A_RECEIPT` capture check.
fn legible_words(lines: &[Line]) -> u32 {
    let words = lines.iter().flat_map(|line| &line.words);
    words
        .filter(|word| image::is_legible_word(&word.text, word.conf))
        .count() as u32
}

fn image_reason(err: ImageError) -> Reason {
    let code = match err {
        ImageError::TooLarge(_) => Code::ImageTooLarge,
        ImageError::Corrupt(_) | ImageError::Unsupported(_) => Code::CorruptImage,
    };
    Reason::new(code, err.to_string())
}

fn with_engine<T>(
    factory: &dyn EngineFactory,
    work: impl FnOnce(&mut dyn Engine) -> Result<T, OcrError>,
) -> Result<T, OcrError> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(factory.create()?);
        }
        work(slot.as_mut().expect("engine was just created").as_mut())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::page::{BBox, Word};

    fn line(words: &[(&str, f32)]) -> Line {
        Line::from_words(
            words
                .iter()
                .map(|&(text, conf)| Word {
                    text: text.into(),
                    conf,
                    bbox: BBox::default(),
                })
                .collect(),
        )
    }

    #[test]
    fn legible_words_count_confident_words_of_two_characters_or_more() {
        let lines = [
            line(&[("TOTAL", 91.0), ("12,40", 88.0), ("~", 95.0)]),
            line(&[("lI1", 12.0), ("EUR", 75.0)]),
        ];
        assert_eq!(legible_words(&lines), 3);
        assert_eq!(legible_words(&[]), 0);
    }
}
