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
use super::engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError, StageTimes};
use super::page::{BBox, Line, OcrPage, OcrRecord, Reading, Word};
use super::text_layer;
use super::unread::{cut_short_lines, unread_price_column, unread_print};
use crate::image::pdf::PdfReceipt;
use crate::image::{self, DecodeLimits, ImageError, PrepareSettings};
use crate::ingest::{ImageKind, ManifestEntry};
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
    /// What the first reading's lines leave uncertain enough to look at again: doubtful words
    /// and rows are read again alone (milliseconds each), and the whole page under
    /// `second_look` when there is one.
    pub doubts: Option<fn(&[Line]) -> Doubts>,
    /// Read the image a second time, differently prepared, when the first reading is unsure.
    pub second_look: Option<SecondLook>,
}

/// Pieces of unread print read on their own, at most, looking for what the reading misses.
const UNREAD_PIECES: usize = 12;

/// When and how to take a second reading. OCR errors on hard receipts (dot-matrix print,
/// faded thermal paper, JPEG noise) change with the preparation, so a second preparation often
/// reads what the first misread; paying for it only when the first reading leaves the key
/// fields uncertain keeps the cost to the receipts that need it.
/// The second reading shares the first's crop and size and differs only by smoothing.
#[derive(Clone, Debug)]
pub struct SecondLook {
    /// Gaussian smoothing (sigma in px) of the second reading's pixels.
    pub smooth: f32,
}

/// What a first reading left uncertain, as the extractor judges it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doubts {
    /// The whole page is worth a second reading (the total is unsure).
    pub page: bool,
    /// Words worth reading again on their own, by their box in the first reading.
    pub words: Vec<BBox>,
    /// Lines worth reading again on their own, their faded print darkened, by their box in
    /// the first reading.
    pub lines: Vec<BBox>,
    /// How many of the things every receipt shows (its date, its total) are nowhere in the
    /// reading: while any is missing, the print the page reading left out (`unread_print`) is
    /// worth reading piece by piece.
    pub unread: usize,
    /// A row naming an amount (a total, subtotal or change) shows none: a column of prices among
    /// the print the page left out (`unread_price_column`) is worth reading.
    pub amount_lacking: bool,
}

impl SecondLook {
    /// The preparation of the second reading, when the first is prepared under `first`.
    pub fn prepare(&self, first: &PrepareSettings) -> PrepareSettings {
        PrepareSettings {
            smooth: self.smooth,
            ..first.clone()
        }
    }
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
    /// The engine's time per stage on this entry (zero unless it was recognised now).
    pub stages: StageTimes,
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
    let order = largest_first(entries);
    let mut records: Vec<(usize, OcrRecord)> = pool.install(|| {
        order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let (record, outcome) = ocr_entry(&entries[i], factory, cache, options);
                let stages = match (&record.ocr, outcome) {
                    (Some(page), OcrOutcome::Recognized) => page.stages,
                    _ => StageTimes::default(),
                };
                on_done(OcrJob {
                    entry: &record.entry,
                    outcome,
                    stages,
                });
                (i, record)
            })
            .collect()
    });
    pool.broadcast(|_| ENGINE.with(|engine| drop(engine.borrow_mut().take())));
    records.sort_by_key(|(i, _)| *i);
    Ok(records.into_iter().map(|(_, record)| record).collect())
}

/// Entry indices, largest file first (ties in input order). Reading time grows with the
/// picture, so starting the big ones first keeps one worker from finishing a large photo alone
/// while the others idle at the end of the night; results still come back in input order.
fn largest_first(entries: &[ManifestEntry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(entries[i].size));
    order
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
    // The id is the key of everything after (cache, ledger): a manifest edited by hand, or a
    // file replaced since it was scanned, must not be read as another file's receipt.
    if let Err(reason) = same_bytes_as_scanned(entry, options.limits.max_file_bytes) {
        record.entry.error = Some(reason);
        return (record, OcrOutcome::Failed);
    }
    let info = factory.info();
    if let Some(page) = cache.and_then(|c| c.get(&entry.id, &info)) {
        record.ocr = Some(page);
        return (record, OcrOutcome::Cached);
    }
    match recognize_guarded(entry, factory, options) {
        Ok(page) => {
            // A cache that cannot be written costs time on the next run, not correctness.
            // A page read from a PDF's text layer is not the engine's reading: not cached.
            if let Some(cache) = cache.filter(|_| page.engine == info) {
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
    // What an earlier image left uncounted (one that failed half-way) is not this one's.
    let _ = with_engine(factory, |engine| Ok(engine.take_stage_times()));
    let path = &entry.path();
    let bytes = read_within(path, options.limits.max_file_bytes)?;
    let kind = entry
        .format
        .ok_or_else(|| Reason::new(Code::NotAnImage, "not a recognised image"))?;
    image::ensure_complete(&bytes, kind).map_err(image_reason)?;
    let metadata = image::read_metadata(&bytes, kind);
    let gray = if kind == ImageKind::Pdf {
        match image::pdf::read(&bytes, options.limits).map_err(image_reason)? {
            PdfReceipt::Text(pages) => return Ok(text_layer_page(&pages, factory, started)),
            PdfReceipt::Scanned(gray) => gray,
        }
    } else {
        image::decode_gray(&bytes, kind, options.limits).map_err(image_reason)?
    };
    drop(bytes);
    let phash = crate::image::phash(&gray);
    let grid = crate::image::grid(&gray);
    let screen = crate::image::screen_pattern(&gray);
    let gray = image::light_print_on_dark(gray);
    let staged = image::stage(gray, &options.prepare);
    let first = staged.finish(options.prepare.smooth);
    let turns = with_engine(factory, |engine| engine.orient(&first))
        .map_err(|e| Reason::new(Code::OcrFailed, e.to_string()))?;
    let first = turned(first, turns);
    let (mut lines, doubts) = read_page_whole(factory, path, &first, options, Pass::First)?;
    reread_words(factory, &first, &mut lines, &doubts.words);
    reread_lines(factory, &first, &mut lines, &doubts.lines);
    if doubts.unread > 0 {
        read_unread_print(factory, &first, &mut lines, options);
        // A total row found in the unread print (`Summe`) may have left its amount in a
        // column of its own.
        if judge(options, &lines).amount_lacking {
            if let Some(column) = unread_price_column(&first, &lines) {
                read_into(factory, &first, &column, &mut lines);
            }
        }
    }
    let second_look = match &options.second_look {
        Some(look) if doubts.page => {
            let again = turned(staged.finish(look.smooth), turns);
            Some(Reading {
                prepare: look.prepare(&options.prepare).fingerprint(),
                width: again.width(),
                height: again.height(),
                lines: read_page_whole(factory, path, &again, options, Pass::Again)?.0,
            })
        }
        _ => None,
    };
    Ok(OcrPage {
        width: first.width(),
        height: first.height(),
        quality: staged.quality,
        engine: factory.info(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        stages: with_engine(factory, |engine| Ok(engine.take_stage_times())).unwrap_or_default(),
        phash: Some(phash),
        grid,
        metadata,
        screen: Some(super::page::round2(screen)),
        lines,
        second_look,
    })
}

/// A PDF e-receipt read from its own text (`text_layer`): no picture, no engine. Its quality
/// is that of print read without a camera: sharp ([`TEXT_LAYER_SHARPNESS`]), white, no glare.
/// Its engine names the text layer (`pdf-text`), so the record says how it was read; it is
/// not cached (reading it again costs milliseconds).
fn text_layer_page(
    pages: &[image::pdf::TextPage],
    factory: &dyn EngineFactory,
    started: Instant,
) -> OcrPage {
    let (lines, width, height) = text_layer::lines(pages);
    let engine = factory.info();
    OcrPage {
        width,
        height,
        quality: image::Quality {
            width,
            height,
            sharpness: TEXT_LAYER_SHARPNESS,
            glare: 0.0,
            brightness: 255.0,
            blank: lines.is_empty(),
        },
        engine: EngineInfo {
            name: "pdf-text".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            languages: "-".into(),
            settings: "text layer".into(),
            prepare: engine.prepare,
        },
        elapsed_ms: started.elapsed().as_millis() as u64,
        stages: StageTimes::default(),
        phash: None,
        grid: None,
        metadata: image::Metadata::default(),
        screen: None,
        lines,
        second_look: None,
    }
}

/// The sharpness recorded for a text layer: ten times a sharp scan's (which measures in the
/// thousands), so no campaign's `min_sharpness` refuses exact text.
pub const TEXT_LAYER_SHARPNESS: f32 = 10_000.0;

/// The page's lines, with any column the engine left out read on its own and added (when a
/// total or change row lacks its amount, an unread right-aligned column of prices), and what
/// they leave in doubt. A column changes everything read after it (amounts, the total's
/// certainty), so the doubts are judged again once it is in.
fn read_page_whole(
    factory: &dyn EngineFactory,
    path: &std::path::Path,
    page: &::image::GrayImage,
    options: &RunnerOptions,
    pass: Pass,
) -> Result<(Vec<Line>, Doubts), Reason> {
    let mut lines = read_lines(factory, path, page, pass)?;
    complete_cut_lines(factory, page, &mut lines);
    let doubts = judge(options, &lines);
    let unread_column = doubts
        .amount_lacking
        .then(|| unread_price_column(page, &lines))
        .flatten();
    let Some(column) = unread_column else {
        return Ok((lines, doubts));
    };
    let rescued = read_into(factory, page, &column, &mut lines);
    let mut doubts = judge(options, &lines);
    // A page reading that left whole rows and prices out is a poor one however sure its
    // total now is: the whole page is worth a second look.
    doubts.page |= rescued;
    Ok((lines, doubts))
}

/// `region` of `page` read on its own and added to `lines` (see `read_region`); whether it
/// gave anything.
fn read_into(
    factory: &dyn EngineFactory,
    page: &::image::GrayImage,
    region: &BBox,
    lines: &mut Vec<Line>,
) -> bool {
    let added = read_region(factory, page, region, lines);
    let rescued = !added.is_empty();
    lines.extend(added);
    rescued
}

/// What `lines` leave in doubt, as the extractor judges it; nothing without a judge.
fn judge(options: &RunnerOptions, lines: &[Line]) -> Doubts {
    options
        .doubts
        .map(|doubts| doubts(lines))
        .unwrap_or_default()
}

/// The pieces of print the page reading left out (`unread::unread_print`), read on their
/// own top to bottom until they give what the reading missed; a piece is added to `lines` when
/// it gives something missing. Pieces that do not are dropped, so a logo or a stain read on
/// its own never reaches the receipt. A pale date over an underline (`30/03/2018`) may not be
/// in the page reading at all.
fn read_unread_print(
    factory: &dyn EngineFactory,
    page: &::image::GrayImage,
    lines: &mut Vec<Line>,
    options: &RunnerOptions,
) {
    let mut missing = judge(options, lines).unread;
    let pieces = unread_print(page, lines);
    for piece in pieces.into_iter().take(UNREAD_PIECES) {
        let added = read_region(factory, page, &framed(&piece), lines);
        if added.is_empty() {
            continue;
        }
        let before = lines.len();
        lines.extend(added);
        let still_missing = judge(options, lines).unread;
        if still_missing >= missing {
            lines.truncate(before);
            continue;
        }
        if still_missing == 0 {
            return;
        }
        missing = still_missing;
    }
}

/// The lines read in `region` of `page` on their own, in page coordinates, without the words
/// `read` already has (a region may overlap print read before) and without marks that are no
/// word (`|` for the edge of the paper). A region that cannot be read
/// adds nothing: the page itself was read.
fn read_region(
    factory: &dyn EngineFactory,
    page: &::image::GrayImage,
    region: &BBox,
    read: &[Line],
) -> Vec<Line> {
    let Some((cut, (left, top))) = crop_on_page(page, region) else {
        return Vec::new();
    };
    let Ok(lines) = with_engine(factory, |engine| engine.read_block(&cut)) else {
        return Vec::new();
    };
    let known: Vec<BBox> = read
        .iter()
        .flat_map(|l| l.words.iter().map(|w| w.bbox))
        .collect();
    lines
        .into_iter()
        .filter_map(|line| {
            let words: Vec<_> = line
                .words
                .into_iter()
                .map(|word| moved_by(word, left, top))
                .filter(|word| word.text.chars().any(char::is_alphanumeric))
                .filter(|word| !known.iter().any(|k| overlaps(k, &word.bbox)))
                .collect();
            (!words.is_empty()).then(|| Line::from_words(words))
        })
        .collect()
}

/// `word` read on a cut-out whose top-left corner is at (`left`, `top`) on the page, placed
/// on the page.
fn moved_by(mut word: Word, left: i32, top: i32) -> Word {
    let b = word.bbox;
    word.bbox = BBox([b.x() + left, b.y() + top, b.width(), b.height()]);
    word
}

/// Lines the page reading cut short (`unread::cut_short_lines`: `£5;` for `£5.25` near a
/// photographed receipt's edge) read again whole on their own, and replaced by that reading
/// when it carries them on: the same start, more print after it. The row of the cut-out read
/// is the one in its middle (the margin may catch the edge of the rows above and below).
fn complete_cut_lines(factory: &dyn EngineFactory, page: &::image::GrayImage, lines: &mut [Line]) {
    for (i, span) in cut_short_lines(page, lines) {
        let Some((cut, (left, top))) = crop_on_page(page, &framed(&span)) else {
            continue;
        };
        let Ok(read) = with_engine(factory, |engine| engine.read_block(&cut)) else {
            continue;
        };
        let middle = span.y() + span.height() / 2 - top;
        let Some(row) = read
            .into_iter()
            .filter(|l| (l.bbox.y()..l.bbox.bottom()).contains(&middle))
            .max_by_key(|l| l.words.len())
        else {
            continue;
        };
        let words = row
            .words
            .into_iter()
            .map(|word| moved_by(word, left, top))
            .collect();
        let again = Line::from_words(words);
        if carries_on(&lines[i], &again) {
            lines[i] = again;
        }
    }
}

/// `again` reads what `first` read (its letters and digits, at most one in five different)
/// and more, further right.
fn carries_on(first: &Line, again: &Line) -> bool {
    let signs =
        |text: &str| -> Vec<char> { text.chars().filter(|c| c.is_alphanumeric()).collect() };
    let (before, after) = (signs(&first.text), signs(&again.text));
    if after.len() <= before.len() || again.bbox.right() <= first.bbox.right() {
        return false;
    }
    let head: String = after[..before.len()].iter().collect();
    strsim::normalized_levenshtein(&String::from_iter(before), &head) >= 0.8
}

/// Two boxes share at least half of the smaller one's area.
fn overlaps(a: &BBox, b: &BBox) -> bool {
    let width = a.right().min(b.right()) - a.x().max(b.x());
    let height = a.bottom().min(b.bottom()) - a.y().max(b.y());
    let smaller = (a.width() * a.height()).min(b.width() * b.height());
    width > 0 && height > 0 && 2 * width * height >= smaller
}

/// Which reading of a page: the first, or the second look's (`Engine::recognize_again`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    First,
    Again,
}

fn read_lines(
    factory: &dyn EngineFactory,
    path: &std::path::Path,
    gray: &::image::GrayImage,
    pass: Pass,
) -> Result<Vec<Line>, Reason> {
    with_engine(factory, |engine| {
        let input = EngineInput { path, image: gray };
        match pass {
            Pass::First => engine.recognize(&input),
            Pass::Again => engine.recognize_again(&input),
        }
    })
    .map_err(|e| Reason::new(Code::OcrFailed, e.to_string()))
}

/// Read each word boxed in `boxes` again, cut out of `page` with a margin, and note what the
/// engine read on the word (`Word::reread`). Alone on a small image, a word is read with
/// different context and often differently: a price read `2,25` at confidence 60 in the page
/// may read `2,35` alone, which the items' sum then confirms. A re-reading that fails only
/// leaves the word as first read: the page itself was read.
fn reread_words(
    factory: &dyn EngineFactory,
    page: &::image::GrayImage,
    lines: &mut [Line],
    boxes: &[BBox],
) {
    for line in lines.iter_mut() {
        for word in line.words.iter_mut().filter(|w| boxes.contains(&w.bbox)) {
            let Some(cut) = cut_out(page, &word.bbox) else {
                continue;
            };
            word.reread = with_engine(factory, |engine| engine.read_alone(&cut))
                .ok()
                .flatten();
        }
    }
}

/// Read each line boxed in `boxes` again, cut out of `page` with a margin, its levels
/// stretched (`image::stretch_levels`), and note what the engine read on the line
/// (`Line::reread`). On a faded row, the page's binarisation drops pale strokes the stretched
/// strip keeps: faded thermal `06-05- é 1` reads `06-05-2018` alone. A failure leaves the line
/// as read before. (Lines still dateless alone were once read again twice as large: with the
/// neural reader that changed no field on the SROIE tune half and cost a date on the check
/// half, issue 18.)
fn reread_lines(
    factory: &dyn EngineFactory,
    page: &::image::GrayImage,
    lines: &mut [Line],
    boxes: &[BBox],
) {
    for line in lines.iter_mut().filter(|l| boxes.contains(&l.bbox)) {
        let Some(cut) = cut_out(page, &line.bbox) else {
            continue;
        };
        let strip = image::stretch_levels(&cut);
        if let Some(read) = with_engine(factory, |engine| engine.read_alone(&strip))
            .ok()
            .flatten()
        {
            line.reread = Some(read);
        }
    }
}

/// The pixels of `bbox` with a margin of a third of its height (the white space that
/// separates a word from its neighbours), clamped to the page; `None` for an empty box.
fn cut_out(page: &::image::GrayImage, bbox: &BBox) -> Option<::image::GrayImage> {
    crop_on_page(page, &framed(bbox)).map(|(cut, _)| cut)
}

/// `bbox` with a margin of a third of its height (at least 4 px) all round.
fn framed(bbox: &BBox) -> BBox {
    let margin = (bbox.height() / 3).max(4);
    BBox([
        bbox.x() - margin,
        bbox.y() - margin,
        bbox.width() + 2 * margin,
        bbox.height() + 2 * margin,
    ])
}

/// The pixels of `region` that lie on `page`, with the page position of their top-left
/// corner; `None` when none do. Regions may reach past the page (a column to its edge).
fn crop_on_page(
    page: &::image::GrayImage,
    region: &BBox,
) -> Option<(::image::GrayImage, (i32, i32))> {
    let clamp = |v: i32, max: u32| v.clamp(0, max as i32) as u32;
    let (left, top) = (
        clamp(region.x(), page.width()),
        clamp(region.y(), page.height()),
    );
    let right = clamp(region.x().saturating_add(region.width()), page.width());
    let bottom = clamp(region.y().saturating_add(region.height()), page.height());
    (right > left && bottom > top).then(|| {
        let cut = ::image::imageops::crop_imm(page, left, top, right - left, bottom - top);
        (cut.to_image(), (left as i32, top as i32))
    })
}

/// `page` turned `turns` quarters clockwise (as the engine's `orient` asked).
fn turned(page: ::image::GrayImage, turns: u8) -> ::image::GrayImage {
    match turns % 4 {
        1 => ::image::imageops::rotate90(&page),
        2 => ::image::imageops::rotate180(&page),
        3 => ::image::imageops::rotate270(&page),
        _ => page,
    }
}

fn image_reason(err: ImageError) -> Reason {
    let code = match err {
        ImageError::TooLarge(_) => Code::ImageTooLarge,
        ImageError::Corrupt(_) | ImageError::Unsupported(_) => Code::CorruptImage,
    };
    Reason::new(code, err.to_string())
}

/// The file still holds the bytes its id was computed from.
fn same_bytes_as_scanned(entry: &ManifestEntry, max_bytes: u64) -> Result<(), Reason> {
    let bytes = read_within(&entry.path(), max_bytes)?;
    let id = blake3::hash(&bytes).to_hex();
    if id.as_str() == entry.id {
        return Ok(());
    }
    Err(Reason::new(
        Code::FileChanged,
        format!(
            "the file's bytes (blake3 {}…) are not those scanned as {}…: it changed since the \
             scan, or the manifest was edited; scan it again",
            &id[..12],
            entry.id.get(..12).unwrap_or(&entry.id)
        ),
    ))
}

/// The file's bytes, or why not: files over `max_bytes` are refused by their size, unread (a
/// 3 GB file starting like a JPEG was read whole before it was refused), and a file that grew
/// past it while being read is refused too.
fn read_within(path: &std::path::Path, max_bytes: u64) -> Result<Vec<u8>, Reason> {
    use std::io::Read;
    let read_error =
        |e: std::io::Error| Reason::new(Code::ReadError, format!("cannot read file: {e}"));
    let too_large = |size: u64| {
        Reason::new(
            Code::ImageTooLarge,
            format!(
                "the file is {:.1} MB; files over {:.1} MB are refused (--max-file-mb)",
                size as f64 / 1e6,
                max_bytes as f64 / 1e6
            ),
        )
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    if size > max_bytes {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
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
    use std::path::Path;

    use super::*;
    use crate::ocr::{EngineInfo, EngineInput, Word};

    use std::sync::Arc;

    type Answer<T> = Arc<dyn Fn(&::image::GrayImage) -> Result<T, OcrError> + Send + Sync>;

    /// The one test double of the runner's tests. What it reads a page as, a page again (its
    /// second reader), a piece alone and a block cut out on its own are each set by the test;
    /// by default it reads nothing.
    #[derive(Clone)]
    struct Fake {
        page: Vec<Line>,
        again: Option<Vec<Line>>,
        alone: Answer<Option<String>>,
        block: Answer<Vec<Line>>,
        stages: StageTimes,
    }

    impl Fake {
        fn new() -> Fake {
            Fake {
                page: Vec::new(),
                again: None,
                alone: Arc::new(|_| Ok(None)),
                block: Arc::new(|_| Ok(Vec::new())),
                stages: StageTimes::default(),
            }
        }

        /// Reads every page as these rows, each a list of (word, box).
        fn page(mut self, rows: &[&[(&str, [i32; 4])]]) -> Fake {
            self.page = lines(rows);
            self
        }

        fn again(mut self, rows: &[&[(&str, [i32; 4])]]) -> Fake {
            self.again = Some(lines(rows));
            self
        }

        fn alone(
            mut self,
            read: impl Fn(&::image::GrayImage) -> Result<Option<String>, OcrError>
                + Send
                + Sync
                + 'static,
        ) -> Fake {
            self.alone = Arc::new(read);
            self
        }

        fn block(
            mut self,
            read: impl Fn(&::image::GrayImage) -> Result<Vec<Line>, OcrError> + Send + Sync + 'static,
        ) -> Fake {
            self.block = Arc::new(read);
            self
        }
    }

    impl Engine for Fake {
        fn recognize(&mut self, _: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
            Ok(self.page.clone())
        }

        fn recognize_again(&mut self, _: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
            Ok(self.again.clone().unwrap_or_else(|| self.page.clone()))
        }

        fn read_alone(&mut self, image: &::image::GrayImage) -> Result<Option<String>, OcrError> {
            (self.alone)(image)
        }

        fn read_block(&mut self, image: &::image::GrayImage) -> Result<Vec<Line>, OcrError> {
            (self.block)(image)
        }

        fn take_stage_times(&mut self) -> StageTimes {
            self.stages
        }
    }

    impl EngineFactory for Fake {
        fn info(&self) -> EngineInfo {
            EngineInfo {
                name: "fake".into(),
                version: "1".into(),
                languages: String::new(),
                settings: String::new(),
                prepare: String::new(),
            }
        }

        fn create(&self) -> Result<Box<dyn Engine>, OcrError> {
            Ok(Box::new(self.clone()))
        }
    }

    fn lines(rows: &[&[(&str, [i32; 4])]]) -> Vec<Line> {
        rows.iter()
            .map(|row| Line::from_words(row.iter().map(|(t, b)| word(t, *b)).collect()))
            .collect()
    }

    fn broken<T>() -> Result<T, OcrError> {
        Err(OcrError::Recognize("broken".into()))
    }

    /// Reads every piece alone as the size of the pixels it was shown.
    fn size_reader() -> Fake {
        Fake::new().alone(|image| Ok(Some(format!("{}x{}", image.width(), image.height()))))
    }

    /// Fails to read anything alone.
    fn broken_reader() -> Fake {
        Fake::new().alone(|_| broken()).block(|_| broken())
    }

    /// Reads every line alone as the darkest level of the pixels it was shown.
    fn ink_reader() -> Fake {
        Fake::new().alone(|image| {
            let darkest = image.pixels().map(|p| p.0[0]).min();
            Ok(darkest.map(|level| format!("ink {level}")))
        })
    }

    const DATE_ROW: &[(&str, [i32; 4])] = &[("Date", [10, 10, 40, 20])];

    /// Reads every page as one row, `Date` (`Datum` with its second reader), every line
    /// alone as `read alone`, and says how long each stage took.
    fn one_row_page() -> Fake {
        let mut fake = Fake::new()
            .page(&[DATE_ROW])
            .again(&[&[("Datum", [10, 10, 40, 20])]])
            .alone(|_| Ok(Some("read alone".into())));
        fake.stages = StageTimes {
            detect_ms: 1,
            classify_ms: 2,
            recognize_ms: 3,
        };
        fake
    }

    /// Reads every page as an item row and a total row whose prices it left out, and any part
    /// cut out on its own as its price column (`9,90` at the part's top, `9,90` below it), or
    /// nothing when broken.
    fn column_dropper(broken_reader: bool) -> Fake {
        let fake = Fake::new().page(&[
            &[("FROMAGE", [10, 10, 80, 20])],
            &[("TOTAL", [10, 40, 60, 20])],
        ]);
        if broken_reader {
            return fake.block(|_| broken());
        }
        fake.block(|_| {
            Ok(lines(&[
                &[("9,90", [5, 0, 40, 20])],
                &[("9,90", [5, 30, 40, 20])],
            ]))
        })
    }

    /// Reads a row cut short (`CLUB £5;`) on the page, and `again` when its cut-out is read
    /// on its own.
    fn row_cutter(again: &'static str) -> Fake {
        Fake::new()
            .page(&[&[("CLUB", [20, 40, 60, 12]), ("£5;", [100, 40, 40, 12])]])
            .block(move |_| {
                // The cut-out starts 4 px (a third of the row's height, at least 4) before the row.
                let words: Vec<Word> = again
                    .split(' ')
                    .enumerate()
                    .map(|(i, text)| word(text, [4 + 80 * i as i32, 4, 60, 12]))
                    .collect();
                Ok(vec![Line::from_words(words)])
            })
    }

    /// Reads every page as one row, `first`, and any part cut out on its own by its width
    /// (`by_width`: the text for a width, a stain otherwise).
    fn dropper(first: &'static str, by_width: &'static [(u32, &'static str)]) -> Fake {
        Fake::new()
            .page(&[&[(first, [20, 10, 60, 12])]])
            .block(move |image| {
                let text = by_width
                    .iter()
                    .find(|(width, _)| *width == image.width())
                    .map_or("~~", |(_, text)| text);
                let width = image.width() as i32 - 8;
                Ok(vec![Line::from_words(vec![word(text, [4, 4, width, 12])])])
            })
    }

    fn word(text: &str, bbox: [i32; 4]) -> Word {
        Word {
            text: text.into(),
            conf: 50.0,
            bbox: BBox(bbox),
            reread: None,
        }
    }

    #[test]
    fn large_files_are_read_first_and_ties_keep_input_order() {
        let entries: Vec<ManifestEntry> = [10, 300, 10, 50]
            .into_iter()
            .map(|size| ManifestEntry {
                size,
                ..ManifestEntry::default()
            })
            .collect();
        assert_eq!(largest_first(&entries), [1, 3, 0, 2]);
    }

    #[test]
    fn only_the_doubtful_words_are_read_again_with_a_margin_clamped_to_the_page() {
        let page = ::image::GrayImage::new(200, 100);
        let mut lines = vec![Line::from_words(vec![
            word("LAIT", [10, 40, 40, 30]),
            word("1:05", [120, 40, 40, 30]),
            word("2,25", [170, 80, 40, 30]),
        ])];
        let boxes = [BBox([120, 40, 40, 30]), BBox([170, 80, 40, 30])];
        reread_words(&size_reader(), &page, &mut lines, &boxes);
        let rereads: Vec<_> = lines[0].words.iter().map(|w| w.reread.clone()).collect();
        // A margin of a third of the height (10 px) each side, cut short at the page's edges.
        assert_eq!(rereads, [None, Some("60x50".into()), Some("40x30".into())]);
    }

    #[test]
    fn a_word_that_cannot_be_read_again_stays_as_first_read() {
        let page = ::image::GrayImage::new(200, 100);
        let mut lines = vec![Line::from_words(vec![word("2,25", [120, 40, 40, 30])])];
        let before = lines.clone();
        let broken = broken_reader();
        reread_words(&broken, &page, &mut lines, &[BBox([120, 40, 40, 30])]);
        assert_eq!(lines, before);
    }

    #[test]
    fn doubtful_lines_are_read_again_alone_with_their_faded_print_darkened() {
        // Paper at 230, a faded row of print at 150 across the middle of the page.
        let page = ::image::GrayImage::from_fn(200, 100, |_, y| {
            ::image::Luma([if (45..55).contains(&y) { 150 } else { 230 }])
        });
        let mut lines = vec![
            Line::from_words(vec![word("Date", [10, 40, 40, 20])]),
            Line::from_words(vec![word("TOTAL", [10, 70, 40, 20])]),
        ];
        reread_lines(&ink_reader(), &page, &mut lines, &[BBox([10, 40, 40, 20])]);
        assert_eq!(lines[0].reread.as_deref(), Some("ink 0"));
        assert_eq!(lines[1].reread, None);
    }

    #[test]
    fn a_line_that_cannot_be_read_again_stays_as_first_read() {
        let page = ::image::GrayImage::new(200, 100);
        let mut lines = vec![Line::from_words(vec![word("Date", [10, 40, 40, 20])])];
        let before = lines.clone();
        let broken = broken_reader();
        reread_lines(&broken, &page, &mut lines, &[BBox([10, 40, 40, 20])]);
        assert_eq!(lines, before);
    }

    fn everything_in_doubt(lines: &[Line]) -> Doubts {
        Doubts {
            page: true,
            words: Vec::new(),
            lines: lines.iter().map(|line| line.bbox).collect(),
            unread: 0,
            amount_lacking: false,
        }
    }

    /// A blank 100x60 PNG in `dir`, as the manifest entry the runner reads.
    fn blank_receipt(dir: &Path) -> ManifestEntry {
        let path = dir.join("receipt.png");
        ::image::GrayImage::from_pixel(100, 60, ::image::Luma([230]))
            .save(&path)
            .unwrap();
        ManifestEntry {
            file: path.display().to_string(),
            format: Some(crate::ingest::ImageKind::Png),
            ..ManifestEntry::default()
        }
    }

    #[test]
    fn a_line_in_doubt_is_read_alone_framed_at_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let entry = blank_receipt(dir.path());
        let options = RunnerOptions {
            doubts: Some(everything_in_doubt),
            ..RunnerOptions::default()
        };
        let page = recognize(&entry, &size_reader().page(&[DATE_ROW]), &options).unwrap();
        // The 40x20 box framed by 6 px each side.
        assert_eq!(page.lines[0].reread.as_deref(), Some("52x32"));
    }

    #[test]
    fn without_a_second_look_doubtful_rows_are_still_read_again_alone() {
        let dir = tempfile::tempdir().unwrap();
        let entry = blank_receipt(dir.path());
        let fast = RunnerOptions {
            doubts: Some(everything_in_doubt),
            second_look: None,
            ..RunnerOptions::default()
        };
        let page = recognize(&entry, &one_row_page(), &fast).unwrap();
        assert_eq!(page.lines[0].reread.as_deref(), Some("read alone"));
        assert_eq!(page.second_look, None);
        // The engine's own account of its stages is kept with the page.
        assert_eq!(page.stages.recognize_ms, 3);
        let thorough = RunnerOptions {
            second_look: Some(SecondLook { smooth: 1.0 }),
            ..fast
        };
        let page = recognize(&entry, &one_row_page(), &thorough).unwrap();
        assert_eq!(page.lines[0].words[0].text, "Date");
        // The second look is the engine's second reader, not its first one again.
        let again = page.second_look.unwrap();
        assert_eq!(again.lines.len(), 1);
        assert_eq!(again.lines[0].words[0].text, "Datum");
    }

    /// Amounts lack on the rows until `9,90` is read; no column is named by the rows.
    fn amounts_lacking_until_read(lines: &[Line]) -> Doubts {
        Doubts {
            amount_lacking: !lines.iter().any(|line| line.text.contains("9,90")),
            ..Doubts::default()
        }
    }

    /// Three right-aligned prices no word covers, the table dark down both sides and a stain.
    fn table_photo_with_unread_prices() -> ::image::GrayImage {
        let mut page = ::image::GrayImage::from_pixel(300, 140, ::image::Luma([230]));
        for (x0, y0, w, h) in [
            (0, 0, 6, 140),
            (294, 0, 6, 140),
            (6, 100, 30, 30),
            (200, 30, 40, 20),
            (196, 60, 44, 20),
            (198, 90, 42, 20),
        ] {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    page.put_pixel(x, y, ::image::Luma([20]));
                }
            }
        }
        page
    }

    /// A photo whose right-aligned prices the page left out, with the table dark down both
    /// sides: the unread column is found in the pixels and read on its own.
    #[test]
    fn an_unread_price_column_is_read_when_a_total_lacks_its_amount() {
        let page = table_photo_with_unread_prices();
        let options = RunnerOptions {
            doubts: Some(amounts_lacking_until_read),
            ..RunnerOptions::default()
        };
        let engine = column_dropper(false);
        let (lines, doubts) =
            read_page_whole(&engine, Path::new("r.png"), &page, &options, Pass::First).unwrap();
        assert!(!doubts.amount_lacking);
        // A page that lost a column is worth a second look, however sure it now is.
        assert!(doubts.page);
        assert_eq!(lines.len(), 4, "{lines:?}");
        // The block is read from the column's box with half a line (10 px) of margin.
        assert_eq!(lines[2].words[0].bbox.x(), 196 - 10 + 5);
        // Without the doubt, the unread print is left alone.
        let (lines, _) = read_page_whole(
            &engine,
            Path::new("r.png"),
            &page,
            &RunnerOptions::default(),
            Pass::First,
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
    }

    /// Table photos (Pret): `£5.25` read `£5;`, its last digits unread right after the row.
    #[test]
    fn regression_a_row_cut_short_is_read_again_whole() {
        let mut page = ::image::GrayImage::from_pixel(300, 100, ::image::Luma([230]));
        for (x0, w) in [(20, 60), (100, 40), (140, 30)] {
            for y in 40..52 {
                for x in x0..x0 + w {
                    page.put_pixel(x, y, ::image::Luma([20]));
                }
            }
        }
        // Each on a thread of its own: a worker keeps the engine it made first.
        let read = |again: &'static str| {
            let page = page.clone();
            std::thread::spawn(move || {
                let engine = row_cutter(again);
                read_page_whole(
                    &engine,
                    Path::new("r.png"),
                    &page,
                    &RunnerOptions::default(),
                    Pass::First,
                )
                .unwrap()
                .0
            })
            .join()
            .unwrap()
        };
        let lines = read("CLUB £5.25");
        assert_eq!(lines[0].text, "CLUB £5.25");
        assert_eq!(lines[0].bbox, BBox([20, 40, 140, 12]));
        // A reading alone that does not carry the row on leaves it as read.
        assert_eq!(read("XYZW £8.88")[0].text, "CLUB £5;");
        assert_eq!(read("CLUB")[0].text, "CLUB £5;");
    }

    /// The unread column found but the engine fails on it: the page stays as first read.
    #[test]
    fn a_column_that_cannot_be_read_leaves_the_page_as_first_read() {
        let page = table_photo_with_unread_prices();
        let options = RunnerOptions {
            doubts: Some(amounts_lacking_until_read),
            ..RunnerOptions::default()
        };
        let engine = column_dropper(true);
        let (lines, doubts) =
            read_page_whole(&engine, Path::new("r.png"), &page, &options, Pass::First).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(doubts.amount_lacking);
        assert!(!doubts.page);
    }

    #[test]
    fn words_read_before_are_not_added_twice_from_a_column() {
        let page = ::image::GrayImage::from_pixel(300, 100, ::image::Luma([230]));
        let read = vec![Line::from_words(vec![word("9,90", [156, 11, 40, 20])])];
        let added = read_region(
            &column_dropper(false),
            &page,
            &BBox([150, 10, 1000, 50]),
            &read,
        );
        let texts: Vec<_> = added
            .iter()
            .map(|l| (l.text.as_str(), l.bbox.y()))
            .collect();
        assert_eq!(texts, [("9,90", 40)]);
    }

    fn dateless(lines: &[Line]) -> Doubts {
        Doubts {
            unread: usize::from(!lines.iter().any(|line| line.text.contains('/'))),
            ..Doubts::default()
        }
    }

    /// A pale date over an underline: `30/03/2018` was not in the page reading at all.
    #[test]
    fn regression_a_date_the_page_left_unread_is_found_in_the_print_no_word_covers() {
        // The total the page read, a stain and the date it did not.
        let mut page = ::image::GrayImage::from_pixel(300, 100, ::image::Luma([255]));
        for [x, y, w, h] in [[20, 10, 60, 12], [20, 60, 60, 12], [200, 60, 80, 12]] {
            for (px, py) in (x..x + w).flat_map(|px| (y..y + h).map(move |py| (px, py))) {
                page.put_pixel(px, py, ::image::Luma([0]));
            }
        }
        let options = RunnerOptions {
            doubts: Some(dateless),
            ..RunnerOptions::default()
        };
        let date_dropper = dropper("TOTAL", &[(88, "30/03/2018")]);
        let mut lines = date_dropper.create().unwrap().recognize(&EngineInput {
            path: Path::new("r.png"),
            image: &page,
        });
        let lines = lines.as_mut().unwrap();
        read_unread_print(&date_dropper, &page, lines, &options);
        let read: Vec<_> = lines.iter().map(|l| (l.text.as_str(), l.bbox)).collect();
        // The stain, read first, settled nothing and was dropped.
        assert_eq!(
            read,
            [
                ("TOTAL", BBox([20, 10, 60, 12])),
                ("30/03/2018", BBox([200, 60, 80, 12]))
            ]
        );
    }

    fn without_total_or_date(lines: &[Line]) -> Doubts {
        let shows = |sign: &str| lines.iter().any(|line| line.text.contains(sign));
        Doubts {
            unread: usize::from(!shows("/")) + usize::from(!shows("Summe")),
            ..Doubts::default()
        }
    }

    /// Photographed receipts where the page reading dropped the total's row (`Summe 6,76`)
    /// whole, and the total was guessed from the items. A piece that gives one of two missing things is
    /// kept, though the other is still missing.
    #[test]
    fn regression_a_total_row_the_page_left_unread_is_kept_before_the_date_is_found() {
        let mut page = ::image::GrayImage::from_pixel(300, 100, ::image::Luma([255]));
        let ink = [
            [20, 10, 60, 12],  // the ticket row the page read
            [20, 40, 40, 12],  // a stain
            [20, 70, 60, 12],  // the total row
            [200, 70, 80, 12], // the date
        ];
        for [x, y, w, h] in ink {
            for (px, py) in (x..x + w).flat_map(|px| (y..y + h).map(move |py| (px, py))) {
                page.put_pixel(px, py, ::image::Luma([0]));
            }
        }
        let options = RunnerOptions {
            doubts: Some(without_total_or_date),
            ..RunnerOptions::default()
        };
        let dropper = dropper("Ticket", &[(68, "Summe"), (88, "30/03/2018")]);
        let mut lines = dropper
            .create()
            .unwrap()
            .recognize(&EngineInput {
                path: Path::new("r.png"),
                image: &page,
            })
            .unwrap();
        read_unread_print(&dropper, &page, &mut lines, &options);
        let read: Vec<_> = lines.iter().map(|l| (l.text.as_str(), l.bbox)).collect();
        assert_eq!(
            read,
            [
                ("Ticket", BBox([20, 10, 60, 12])),
                ("Summe", BBox([20, 70, 60, 12])),
                ("30/03/2018", BBox([200, 70, 80, 12]))
            ]
        );
    }
}
