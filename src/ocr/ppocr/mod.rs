//! The neural reader: PP-OCR text detection and recognition through ONNX Runtime.
//!
//! Why a neural reader: on receipts fidelio was never tuned on, Tesseract's text lacks the date
//! on 30–40 % of them, and no extraction rule finds a date the text does not hold; PP-OCR's
//! holds it on more than 92 %, and it reads faster (issue 17, README "The reader").
//!
//! How a page is read:
//! 1. **Detection** (DB) on a copy whose longest side is at most `det_max_side` (960 px by
//!    default): a 12-MP photo costs a fixed amount of network work, not 12 MP of it. The
//!    probability map becomes line boxes (`db`), scaled back to the page.
//! 2. Each box is cut **upright from the full-resolution page** and shown to the **line
//!    orientation classifier**: a line it judges upside down (≥ `cls_thresh`) is turned 180°.
//! 3. **Recognition** in batches of crops of similar width (fewer padded frames), greedy CTC
//!    decoding (`ctc`) with per-character probabilities, cut at spaces into **words with their
//!    own boxes**, so `extract` keeps its columns.
//!
//! Pages turned 90°, 180° or 270° are found before reading (`Engine::orient`): when most boxes
//! are tall, the page lies on its side; the line classifier's votes then tell upright from
//! upside down. The runner turns the page, so every later crop (re-reads of doubtful words)
//! is taken from the page as read.
//!
//! The second look (`Engine::recognize_again`), asked for when the extractor doubts the first
//! reading's total, reads again with a second, more accurate recogniser when the factory has
//! one (`with_second_reader`: the small model behind the tiny one): in the first reading's
//! boxes, the lines that carry a digit or a character the tiny model was unsure of
//! (`worth_reading_again`). Its session opens on a worker only when that worker first needs it.
//! The same recogniser reads the header of every page (`header_to_read_again`: shop name and
//! address, which the tiny model misreads when it has seen a name too rarely) and its lines
//! showing a date (`dates_to_read_again`: a digit of a date misread with confidence).
//! Reading the whole page again with the small model's own detection gave the same fields
//! within a receipt or two per half (README, "Performance") for half again the time.
//!
//! One engine per worker, its three ONNX Runtime sessions with one intra-op thread each and no
//! spinning: parallelism comes from the workers (`-j`), as with Tesseract.

mod ctc;
mod db;
pub mod models;

use std::path::Path;
use std::sync::{Arc, LazyLock, OnceLock};

use image::imageops;
use image::GrayImage;
use ort::environment::Environment;
use ort::session::Session;
use ort::value::Tensor;
use regex::Regex;

use super::engine::{Engine, EngineFactory, EngineInfo, EngineInput, OcrError, StageTimes};
use super::page::{BBox, Line, Word};
use ctc::{Charset, Decoded};
use db::{DbParams, Point, TextBox};
pub use models::{ModelSet, ModelSize, ModelsError};

/// Version of this module's reading procedure: part of the cache key, bumped when a change
/// here changes the text read from the same pixels and models.
const PROCEDURE: &str = "ppocr-4";

/// Recognition input height, fixed by the models.
const REC_HEIGHT: u32 = 48;
/// The narrowest recognition batch: shorter lines are padded to it. PaddleOCR pads to 320 px,
/// but three lines in four on receipts are narrower (a price, `RM`, a VAT code): padded to
/// 96 px instead, the 80 SROIE dev receipts read in 11.6 s instead of 14.0 s, with the same
/// character error rate on the 378 (`scripts/ocr-cer`: 11.1/10.0 % against 11.2/10.1 %).
const REC_MIN_WIDTH: u32 = 96;
/// Line classifier input: 48 × 192.
const CLS_WIDTH: u32 = 192;
/// A box this much taller than wide is a vertical line (or a page on its side).
const TALL: f32 = 1.5;
/// A box at least this many times as high as the page's median line is looked at again, as
/// lines the detector may have run together (`PpocrEngine::split_doubtful`).
const MERGED_LINES: f32 = 1.7;
/// A high box read with less confidence than this is looked at again (`split_doubtful`).
const SPLIT_BELOW: f32 = 0.9;
/// Pages with fewer lines than this have no median line worth the name: nothing is split.
const MERGED_MIN_LINES: usize = 5;
/// How much larger than the page the detector sees a box it looks at again (less when that
/// would make the part larger than `det_max_side`).
const SPLIT_ZOOM: f32 = 2.0;
/// Boxes looked at again on one page, at most.
const MERGED_MAX: usize = 24;
/// How much longer than high a box must be to vote on the page's orientation.
const LINE_ASPECT: f32 = 2.5;

/// Settings that change what is read (all part of the cache key).
#[derive(Clone, Debug, PartialEq)]
pub struct PpocrSettings {
    pub size: ModelSize,
    /// Detection runs on a copy whose longest side is at most this (px).
    pub det_max_side: u32,
    pub db: DbParams,
    /// Lines the recogniser is less sure of than this (0..1) are dropped as noise (a logo, a
    /// stain read as letters), as PaddleOCR's `drop_score`.
    pub drop_score: f32,
    /// A line is turned 180° when the classifier is at least this sure it is upside down.
    pub cls_thresh: f32,
    /// Crops recognised in one network call. Each batch is padded to its widest crop, so small
    /// batches waste fewer frames: on the 80 SROIE dev receipts, tiny batches of 4 read in
    /// 22.4 s and 541 MiB (with second looks) where 8 took 25.5 s and 700 MiB, and 16 was
    /// slower still; the small model alone in batches of 1 took 6 % less time and 12 % less
    /// memory again. On the 378 receipts no field was worse on both halves.
    pub rec_batch: usize,
}

impl PpocrSettings {
    /// The measured defaults for `size` (the models' own post-processing settings).
    pub fn new(size: ModelSize) -> PpocrSettings {
        let box_thresh = match size {
            ModelSize::Fast => 0.4,
            ModelSize::Tiny | ModelSize::Small => 0.45,
        };
        PpocrSettings {
            size,
            det_max_side: 960,
            db: DbParams {
                thresh: 0.2,
                box_thresh,
                unclip_ratio: 1.4,
                max_candidates: 3000,
                ..DbParams::default()
            },
            drop_score: 0.5,
            cls_thresh: 0.9,
            rec_batch: if size == ModelSize::Small { 1 } else { 4 },
        }
    }

    fn fingerprint(&self) -> String {
        format!(
            "{PROCEDURE};det{};db{}/{}/{}/{};drop{};cls{};batch{}",
            self.det_max_side,
            self.db.thresh,
            self.db.box_thresh,
            self.db.unclip_ratio,
            self.db.max_candidates,
            self.drop_score,
            self.cls_thresh,
            self.rec_batch
        )
    }
}

/// The process's one ONNX Runtime environment, loaded from the models folder's library on
/// first use. A second load of another library in the same process is refused by ONNX Runtime,
/// so the first answer (success or the reason why not) stands.
fn environment(runtime: &Path) -> Result<&'static Environment, OcrError> {
    static ENVIRONMENT: OnceLock<Result<Environment, String>> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| {
            ort::init_from(runtime)
                .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", runtime.display()))?
                .with_name("fidelio")
                .with_telemetry(false)
                .build()
                .map_err(|e| format!("cannot start ONNX Runtime: {e}"))
        })
        .as_ref()
        .map_err(|e| OcrError::Init(e.clone()))
}

/// Creates one PP-OCR engine per worker.
pub struct PpocrFactory {
    models: ModelSet,
    settings: PpocrSettings,
    charset: Charset,
    prepare: String,
    /// The more accurate reader of the second look (`Engine::recognize_again`), when there is
    /// one: the small model behind the tiny one.
    again: Option<Arc<PpocrFactory>>,
}

impl PpocrFactory {
    /// A factory reading with `models` (verified), whose runtime is loaded now: a library that
    /// cannot load stops the run before any work.
    pub fn new(
        models: ModelSet,
        settings: PpocrSettings,
        prepare: String,
    ) -> Result<PpocrFactory, OcrError> {
        environment(&models.runtime)?;
        let dict = std::fs::read_to_string(&models.dict)
            .map_err(|e| OcrError::Init(format!("{}: {e}", models.dict.display())))?;
        let charset = Charset::from_dict(&dict);
        Ok(PpocrFactory {
            models,
            settings,
            charset,
            prepare,
            again: None,
        })
    }

    /// The same reader, with `again` reading the pages the extractor doubts a second time.
    /// Its sessions open on a worker the first time that worker needs a second look.
    pub fn with_second_reader(mut self, again: PpocrFactory) -> PpocrFactory {
        self.again = Some(Arc::new(again));
        self
    }
}

impl EngineFactory for PpocrFactory {
    fn info(&self) -> EngineInfo {
        let again = self.again.as_ref().map_or_else(String::new, |again| {
            format!(
                ";again({};{};lines=digits+weakest<{AGAIN_WEAKEST_BELOW};header{HEADER_LINES}<{HEADER_SURE}+dates)",
                again.models.fingerprint(),
                again.settings.fingerprint()
            )
        });
        EngineInfo {
            name: "ppocr".into(),
            version: format!(
                "PP-OCRv6 {} (onnxruntime {})",
                self.settings.size,
                models::RUNTIME_VERSION
            ),
            languages: "latin".into(),
            settings: format!(
                "{};{}{again}",
                self.models.fingerprint(),
                self.settings.fingerprint()
            ),
            prepare: self.prepare.clone(),
        }
    }

    fn create(&self) -> Result<Box<dyn Engine>, OcrError> {
        Ok(self.engine()?)
    }
}

impl PpocrFactory {
    fn engine(&self) -> Result<Box<PpocrEngine>, OcrError> {
        let env = environment(&self.models.runtime)?;
        Ok(Box::new(PpocrEngine {
            det: session(env, &self.models.det)?,
            rec: self.recognizer(env)?,
            cls: session(env, &self.models.cls)?,
            settings: self.settings.clone(),
            layout: None,
            first: None,
            spent: StageTimes::default(),
            again: match &self.again {
                Some(factory) => Again::Unopened(Arc::clone(factory)),
                None => Again::Absent,
            },
        }))
    }

    fn recognizer(&self, env: &Environment) -> Result<Recognizer, OcrError> {
        Ok(Recognizer {
            session: session(env, &self.models.rec)?,
            charset: self.charset.clone(),
            batch: self.settings.rec_batch.max(1),
        })
    }
}

/// The second-look reader of one engine: the small recogniser, opened on first use since
/// most pages never need it. It reads again the first reading's doubtful lines only
/// (`again_lines`), in the first reading's boxes.
enum Again {
    Absent,
    Unopened(Arc<PpocrFactory>),
    Open(Recognizer),
}

/// A recognition model with its character list.
struct Recognizer {
    session: Session,
    charset: Charset,
    /// Crops recognised in one network call.
    batch: usize,
}

impl Recognizer {
    /// Recognise every crop, in batches of similar width; answers in the crops' order, with
    /// the share of frames that covered the crop itself.
    fn read(&mut self, crops: &[&GrayImage]) -> Result<Vec<(Decoded, f32)>, OcrError> {
        let mut order: Vec<usize> = (0..crops.len()).collect();
        order.sort_by(|&a, &b| {
            aspect(crops[a])
                .total_cmp(&aspect(crops[b]))
                .then(a.cmp(&b))
        });
        let mut answers: Vec<Option<(Decoded, f32)>> = vec![None; crops.len()];
        for chunk in order.chunks(self.batch) {
            let images: Vec<&GrayImage> = chunk.iter().map(|&i| crops[i]).collect();
            let widest = images
                .iter()
                .map(|c| (REC_HEIGHT as f32 * aspect(c)).ceil() as u32)
                .max()
                .unwrap_or(REC_MIN_WIDTH);
            let width = widest.max(REC_MIN_WIDTH).div_ceil(8) * 8;
            let (data, used) = line_tensor(&images, width, None);
            let input =
                Tensor::from_array(([images.len(), 3, REC_HEIGHT as usize, width as usize], data))
                    .map_err(run_error)?;
            let outputs = self.session.run(ort::inputs![input]).map_err(run_error)?;
            let (shape, probs) = outputs[0].try_extract_tensor::<f32>().map_err(run_error)?;
            if shape.len() != 3 {
                return Err(OcrError::Recognize(format!(
                    "unexpected recognition output {shape:?}"
                )));
            }
            let (frames, classes) = (shape[1] as usize, shape[2] as usize);
            if classes != self.charset.len() {
                return Err(OcrError::Recognize(format!(
                    "the recognition model answers {classes} classes, its character list has {}",
                    self.charset.len()
                )));
            }
            for (k, &i) in chunk.iter().enumerate() {
                let one = &probs[k * frames * classes..(k + 1) * frames * classes];
                let decoded = ctc::decode(one, frames, classes, &self.charset);
                let used_frames = frames as f32 * used[k] as f32 / width as f32;
                answers[i] = Some((decoded, used_frames));
            }
        }
        Ok(answers.into_iter().map(|a| a.unwrap_or_default()).collect())
    }
}

fn session(env: &Environment, model: &Path) -> Result<Session, OcrError> {
    let fail = |e: String| OcrError::Init(format!("{}: {e}", model.display()));
    Session::builder(env)
        .map_err(|e| fail(e.to_string()))?
        .with_intra_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .with_intra_op_spinning(false)
        .map_err(|e| fail(e.to_string()))?
        .with_inter_op_spinning(false)
        .map_err(|e| fail(e.to_string()))?
        // Every page and every batch of lines has its own shape: a memory arena and
        // shape-keyed memory patterns would keep the largest of each alive per session
        // (1.6 GB peak at -j2 on 80 SROIE receipts with both).
        .with_memory_pattern(false)
        .map_err(|e| fail(e.to_string()))?
        .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(false).build()])
        .map_err(|e| fail(e.to_string()))?
        .commit_from_file(model)
        .map_err(|e| fail(e.to_string()))
}

/// Held while a page goes through the detection network: one detection at a time in the
/// whole process. Its tensors are the largest a worker allocates (60 of a receipt's 90 MB of
/// heap); two workers detecting at once, and the holes their freed tensors left in glibc's
/// heap, made the peak of `fidelio run -j2` on four 3.7-MP receipts 440-545 MB. One at a
/// time: 293-319 MB, and no slower (detection is an eighth of a receipt's time, so the
/// workers seldom wait: sroie-dev 13.9 s). Handing freed pages back after each detection
/// (`malloc_trim`) was measured too: no lower, 28 % slower.
static ONE_DETECTION: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run_error(e: ort::Error) -> OcrError {
    OcrError::Recognize(format!("ONNX Runtime: {e}"))
}

/// The boxes found on one page, kept between `orient` and `recognize` of the same pixels so
/// detection runs once, with the line classifier's answers so far (`orient` asks about the
/// long lines, `recognize` about every line).
struct Layout {
    key: u64,
    boxes: Vec<TextBox>,
    /// For each box, the probability that it is upside down, once asked.
    votes: Vec<Option<f32>>,
}

struct PpocrEngine {
    det: Session,
    rec: Recognizer,
    cls: Session,
    settings: PpocrSettings,
    layout: Option<Layout>,
    /// The last page `recognize` read, line by line, for its second look.
    first: Option<PageRead>,
    again: Again,
    /// Time per stage since `take_stage_times` last asked.
    spent: StageTimes,
}

/// A line cut out of the page, upright, as the recogniser will see it.
struct Crop {
    image: GrayImage,
    /// Cut from a tall box and turned a quarter: its words get the line's box.
    quarter: bool,
    /// Turned 180° on the classifier's word: positions along it run backwards on the page.
    flipped: bool,
}

impl PpocrEngine {
    /// Line boxes on `image` in reading order, in its pixels.
    fn detect(&mut self, image: &GrayImage) -> Result<Vec<TextBox>, OcrError> {
        let key = page_key(image);
        if let Some(layout) = self.layout.as_ref().filter(|l| l.key == key) {
            return Ok(layout.boxes.clone());
        }
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let mut boxes = {
            let _one = ONE_DETECTION.lock().unwrap_or_else(|e| e.into_inner());
            self.run_detection(image)?
        };
        db::reading_order(&mut boxes);
        self.layout = Some(Layout {
            key,
            votes: vec![None; boxes.len()],
            boxes: boxes.clone(),
        });
        Ok(boxes)
    }

    /// `reads` with each doubtful box that holds several lines run together replaced by those
    /// lines, read one by one.
    ///
    /// Detection sees the page shrunk to `det_max_side`: on a long receipt (a 3,400-px phone
    /// photo of a drugstore slip) lines printed tight, above all a column of stacked amounts
    /// (`27.60` / `1.93` / `29.53`), melt into one box, which reads as noise (`27.9`) or too
    /// unsure to keep, and the total goes with it. A box much higher than the page's lines
    /// (`MERGED_LINES`) that the recogniser doubts (`SPLIT_BELOW`) is detected again alone,
    /// from the page at twice its size; when that finds two rows or more inside it, they
    /// replace it. A box read with confidence (a shop name in a larger print) stays as read.
    fn split_doubtful(
        &mut self,
        image: &GrayImage,
        reads: &mut Vec<BoxRead>,
    ) -> Result<(), OcrError> {
        let mut heights: Vec<f32> = reads
            .iter()
            .map(|r| sides(&r.text_box.corners))
            .filter(|&(along, across)| along >= LINE_ASPECT * across)
            .map(|(_, across)| across)
            .collect();
        if heights.len() < MERGED_MIN_LINES {
            return Ok(());
        }
        heights.sort_by(f32::total_cmp);
        let line = heights[heights.len() / 2];
        let doubtful: Vec<usize> = (0..reads.len())
            .filter(|&i| {
                let corners = &reads[i].text_box.corners;
                sides(corners).1 >= MERGED_LINES * line
                    && !is_tall(corners)
                    && reads[i].decoded.confidence() < SPLIT_BELOW
            })
            .take(MERGED_MAX)
            .collect();
        let mut replaced = Vec::new();
        let mut found = Vec::new();
        for i in doubtful {
            let rows = self.lines_inside(image, &reads[i].text_box, line)?;
            if rows.len() >= 2 {
                replaced.push(i);
                found.extend(rows);
            }
        }
        if found.is_empty() {
            return Ok(());
        }
        let crops = Self::crops(image, &found);
        let images: Vec<&GrayImage> = crops.iter().map(|c| &c.image).collect();
        let read = self.recognize_crops(&images)?;
        // A line found again may also have had a box of its own, part of it (`00` of `.00`
        // beside the run-together column): it is read once, in the box found again.
        let mut index = 0;
        reads.retain(|r| {
            let (x, y) = centre(&r.text_box.corners);
            let keep =
                !replaced.contains(&index) && !found.iter().any(|f| contains(&f.corners, x, y));
            index += 1;
            keep
        });
        reads.extend(found.into_iter().zip(crops).zip(read).map(
            |((text_box, crop), (decoded, used_frames))| BoxRead {
                text_box,
                quarter: crop.quarter,
                flipped: false,
                decoded,
                used_frames,
                read_again: false,
            },
        ));
        db::reading_order_of(reads, |r| &r.text_box);
        Ok(())
    }

    /// The boxes detection finds inside `outer` when it sees that part of the page alone, at
    /// full size, with a margin of one line around it; none unless they make two rows or more
    /// (centres at least half a line apart, `line` px being the page's median line height).
    fn lines_inside(
        &mut self,
        image: &GrayImage,
        outer: &TextBox,
        line: f32,
    ) -> Result<Vec<TextBox>, OcrError> {
        let xs = outer.corners.map(|p| p.x);
        let ys = outer.corners.map(|p| p.y);
        let fold = |v: [f32; 4], f: fn(f32, f32) -> f32| v.into_iter().reduce(f).unwrap_or(0.0);
        let (left, right) = (fold(xs, f32::min), fold(xs, f32::max));
        let (top, bottom) = (fold(ys, f32::min), fold(ys, f32::max));
        let clamp = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
        let x0 = clamp(left - line, image.width());
        let y0 = clamp(top - line, image.height());
        let x1 = clamp(right + line, image.width());
        let y1 = clamp(bottom + line, image.height());
        // Detection sees the part twice as large, never larger than it sees a page: a part
        // larger than that is no column of run-together lines, and is left as read.
        let zoom =
            SPLIT_ZOOM.min(self.settings.det_max_side as f32 / (x1 - x0).max(y1 - y0) as f32);
        if x1 <= x0 + 8 || y1 <= y0 + 8 || zoom < 1.0 {
            return Ok(Vec::new());
        }
        let part = imageops::crop_imm(image, x0, y0, x1 - x0, y1 - y0).to_image();
        let zoomed = |side: u32| (side as f32 * zoom).round() as u32;
        let part = crate::image::resize_gray(&part, zoomed(part.width()), zoomed(part.height()));
        let found = {
            let _one = ONE_DETECTION.lock().unwrap_or_else(|e| e.into_inner());
            self.run_detection(&part)?
        };
        let found = found
            .into_iter()
            .map(|mut b| {
                for p in &mut b.corners {
                    p.x = p.x / zoom + x0 as f32;
                    p.y = p.y / zoom + y0 as f32;
                }
                b
            })
            .collect();
        Ok(rows_inside(
            found,
            [left, top, right, bottom],
            [x0, y0, x1, y1],
            image.dimensions(),
            line,
        ))
    }

    /// The detection network's line boxes on `image`, in its pixels (not yet in reading
    /// order). Every buffer it needs is freed on return.
    fn run_detection(&mut self, image: &GrayImage) -> Result<Vec<TextBox>, OcrError> {
        let (w, h) = image.dimensions();
        let scale = (self.settings.det_max_side as f32 / w.max(h) as f32).min(1.0);
        let to32 = |side: u32| (((side as f32 * scale) / 32.0).round() as u32).max(1) * 32;
        let (dw, dh) = (to32(w), to32(h));
        let small = crate::image::resize_gray(image, dw, dh);
        const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
        const STD: [f32; 3] = [0.229, 0.224, 0.225];
        let plane = (dw * dh) as usize;
        let mut data = vec![0f32; 3 * plane];
        for (i, p) in small.as_raw().iter().enumerate() {
            let v = *p as f32 / 255.0;
            for c in 0..3 {
                data[c * plane + i] = (v - MEAN[c]) / STD[c];
            }
        }
        let input =
            Tensor::from_array(([1usize, 3, dh as usize, dw as usize], data)).map_err(run_error)?;
        let started = std::time::Instant::now();
        let outputs = self.det.run(ort::inputs![input]).map_err(run_error)?;
        self.spent.detect_ms += started.elapsed().as_millis() as u64;
        let (shape, prob) = outputs[0].try_extract_tensor::<f32>().map_err(run_error)?;
        let (mh, mw) = match shape.len() {
            4 => (shape[2] as usize, shape[3] as usize),
            3 => (shape[1] as usize, shape[2] as usize),
            _ => {
                return Err(OcrError::Recognize(format!(
                    "unexpected detection output {shape:?}"
                )))
            }
        };
        Ok(db::boxes_from_map(prob, mw, mh, w, h, &self.settings.db))
    }

    /// Each box cut upright (not yet classified).
    fn crops(image: &GrayImage, boxes: &[TextBox]) -> Vec<Crop> {
        boxes
            .iter()
            .map(|b| Crop {
                image: db::crop_upright(image, &b.corners),
                quarter: is_tall(&b.corners),
                flipped: false,
            })
            .collect()
    }

    /// For each crop, the classifier's probability that it is upside down.
    fn upside_down(&mut self, crops: &[&GrayImage]) -> Result<Vec<f32>, OcrError> {
        let mut answers = Vec::with_capacity(crops.len());
        for chunk in crops.chunks(self.settings.rec_batch.max(1)) {
            let images: Vec<&GrayImage> = chunk.to_vec();
            let (data, _) = line_tensor(&images, CLS_WIDTH, Some(CLS_WIDTH));
            let input = Tensor::from_array((
                [images.len(), 3, REC_HEIGHT as usize, CLS_WIDTH as usize],
                data,
            ))
            .map_err(run_error)?;
            let started = std::time::Instant::now();
            let outputs = self.cls.run(ort::inputs![input]).map_err(run_error)?;
            self.spent.classify_ms += started.elapsed().as_millis() as u64;
            let (_, probs) = outputs[0].try_extract_tensor::<f32>().map_err(run_error)?;
            for i in 0..images.len() {
                answers.push(probs.get(i * 2 + 1).copied().unwrap_or(0.0));
            }
        }
        Ok(answers)
    }

    /// For the boxes `which` of the page `key` (cut out as `crops`), the classifier's
    /// probability that each is upside down; boxes already asked about are not asked again.
    fn votes(&mut self, key: u64, which: &[usize], crops: &[&Crop]) -> Result<Vec<f32>, OcrError> {
        let known = |layout: &Option<Layout>, i: usize| {
            layout
                .as_ref()
                .filter(|l| l.key == key)
                .and_then(|l| l.votes.get(i).copied().flatten())
        };
        let unasked: Vec<usize> = (0..which.len())
            .filter(|&n| known(&self.layout, which[n]).is_none())
            .collect();
        let asked: Vec<&GrayImage> = unasked.iter().map(|&n| &crops[n].image).collect();
        let answers = self.upside_down(&asked)?;
        if let Some(layout) = self.layout.as_mut().filter(|l| l.key == key) {
            for (&n, &p) in unasked.iter().zip(&answers) {
                if let Some(vote) = layout.votes.get_mut(which[n]) {
                    *vote = Some(p);
                }
            }
        }
        let mut fresh = unasked.iter().zip(answers).peekable();
        Ok((0..which.len())
            .map(|n| match fresh.peek() {
                Some(&(&m, p)) if m == n => {
                    fresh.next();
                    p
                }
                _ => known(&self.layout, which[n]).unwrap_or(0.0),
            })
            .collect())
    }

    /// Crops of long lines turned 180° where the classifier is sure enough they are upside
    /// down. Short boxes (a price, `RM`, a VAT letter) are read as cut: the classifier cannot
    /// tell their way up (`0,99 €` turned is `€ 66'0`), and the page's own orientation was
    /// settled from its long lines before (`orient`, whose answers are reused here). On the
    /// 80 SROIE dev receipts this changed the reading of 7 pages, each a short box that had
    /// been read upside down (`%9 =5` for `S = 6%`, `JSI0` for `DISC`).
    fn turn_upside_down(
        &mut self,
        key: u64,
        boxes: &[TextBox],
        crops: &mut [Crop],
    ) -> Result<(), OcrError> {
        let long: Vec<usize> = (0..crops.len().min(boxes.len()))
            .filter(|&i| {
                let (along, across) = sides(&boxes[i].corners);
                along >= LINE_ASPECT * across
            })
            .collect();
        let votes = {
            let picked: Vec<&Crop> = long.iter().map(|&i| &crops[i]).collect();
            self.votes(key, &long, &picked)?
        };
        for (&i, p) in long.iter().zip(votes) {
            if p >= self.settings.cls_thresh {
                let crop = &mut crops[i];
                crop.image = imageops::rotate180(&crop.image);
                crop.flipped = true;
            }
        }
        Ok(())
    }

    /// `crops` recognised, the time counted as recognition.
    fn recognize_crops(&mut self, crops: &[&GrayImage]) -> Result<Vec<(Decoded, f32)>, OcrError> {
        let started = std::time::Instant::now();
        let read = self.rec.read(crops);
        self.spent.recognize_ms += started.elapsed().as_millis() as u64;
        read
    }

    /// Detect, classify and recognise `image`: its lines in its pixels.
    fn read_page(&mut self, image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        let reads = self.read_boxes(image)?;
        Ok(self.lines_of(&reads))
    }

    /// Detect, classify and recognise `image`: every box with its reading.
    fn read_boxes(&mut self, image: &GrayImage) -> Result<Vec<BoxRead>, OcrError> {
        let boxes = self.detect(image)?;
        let mut crops = Self::crops(image, &boxes);
        self.turn_upside_down(page_key(image), &boxes, &mut crops)?;
        let images: Vec<&GrayImage> = crops.iter().map(|c| &c.image).collect();
        let mut read = self.recognize_crops(&images)?;
        self.keep_likelier_way_up(&mut crops, &mut read)?;
        let mut reads = boxes
            .into_iter()
            .zip(crops)
            .zip(read)
            .map(|((text_box, crop), (decoded, used_frames))| BoxRead {
                text_box,
                quarter: crop.quarter,
                flipped: crop.flipped,
                decoded,
                used_frames,
                read_again: false,
            })
            .collect();
        self.split_doubtful(image, &mut reads)?;
        Ok(reads)
    }

    /// Lines the classifier turned are read the way they were cut too, and keep the reading
    /// the recogniser is surer of. A short price is nearly the same picture both ways up
    /// (`0,99 €` turned is `€ 66'0`), and the classifier can be sure of the wrong way for it
    /// on an upright page; the whole page's orientation was settled before (`orient`), so
    /// turned lines are few and this costs little.
    fn keep_likelier_way_up(
        &mut self,
        crops: &mut [Crop],
        read: &mut [(Decoded, f32)],
    ) -> Result<(), OcrError> {
        let turned: Vec<usize> = (0..crops.len()).filter(|&i| crops[i].flipped).collect();
        if turned.is_empty() {
            return Ok(());
        }
        let as_cut: Vec<GrayImage> = turned
            .iter()
            .map(|&i| imageops::rotate180(&crops[i].image))
            .collect();
        let images: Vec<&GrayImage> = as_cut.iter().collect();
        let again = self.recognize_crops(&images)?;
        for ((&i, image), other) in turned.iter().zip(as_cut).zip(again) {
            if other.0.confidence() > read[i].0.confidence() {
                read[i] = other;
                crops[i].image = image;
                crops[i].flipped = false;
            }
        }
        Ok(())
    }

    /// The lines of `reads` sure enough to keep (`drop_score`).
    fn lines_of(&self, reads: &[BoxRead]) -> Vec<Line> {
        reads
            .iter()
            .filter(|r| r.decoded.confidence() >= self.settings.drop_score)
            .filter_map(|r| {
                let crop = Crop {
                    image: GrayImage::new(0, 0),
                    quarter: r.quarter,
                    flipped: r.flipped,
                };
                line_on_page(&r.text_box, &crop, &r.decoded, r.used_frames)
            })
            .collect()
    }

    /// The second look: the first reading of `image` (read again if `recognize` last read other
    /// pixels) with its doubtful lines read again by `again`, whose reading replaces them.
    fn again_lines(&mut self, image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        let key = page_key(image);
        let mut reads = match self.first.take() {
            Some(first) if first.key == key => first.reads,
            _ => self.read_boxes(image)?,
        };
        let doubtful: Vec<usize> = (0..reads.len())
            .filter(|&i| !reads[i].read_again && worth_reading_again(&reads[i].decoded))
            .collect();
        self.read_with_again(image, &mut reads, &doubtful)?;
        Ok(self.lines_of(&reads))
    }

    /// The boxes `which` of `reads` read again by the second reader, whose reading replaces
    /// the first; nothing changes without one.
    fn read_with_again(
        &mut self,
        image: &GrayImage,
        reads: &mut [BoxRead],
        which: &[usize],
    ) -> Result<(), OcrError> {
        let crops: Vec<GrayImage> = which
            .iter()
            .map(|&i| {
                let crop = db::crop_upright(image, &reads[i].text_box.corners);
                if reads[i].flipped {
                    imageops::rotate180(&crop)
                } else {
                    crop
                }
            })
            .collect();
        let images: Vec<&GrayImage> = crops.iter().collect();
        if let Again::Unopened(factory) = &self.again {
            let env = environment(&factory.models.runtime)?;
            self.again = Again::Open(factory.recognizer(env)?);
        }
        let Again::Open(small) = &mut self.again else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        let read = small.read(&images);
        self.spent.recognize_ms += started.elapsed().as_millis() as u64;
        for (&i, (decoded, used_frames)) in which.iter().zip(read?) {
            reads[i].decoded = decoded;
            reads[i].used_frames = used_frames;
            reads[i].read_again = true;
        }
        Ok(())
    }
}

/// The header read by the second reader on every page: the first lines in reading order (the
/// shop's name, its address), unless the first reader was sure of every character of one.
/// The tiny model misreads names it has not seen often enough (`MR. D.I.Y.(KUCHAI)`,
/// company names with `SDN BHD`), and a shop name and address are what a campaign's merchant
/// rule and a person reviewing look at. On the 378 SROIE receipts, merchants 73.8 -> 82.4 %
/// (tune) and 74.3 -> 82.2 % (check), addresses 50.3 -> 64.2 % and 58.9 -> 73.7 %, dates and
/// totals unchanged; all six lines, also the sure ones, read no better and cost a second more
/// on the 80 dev receipts; four lines lost addresses (56.1 and 68.9 %).
const HEADER_LINES: usize = 6;
/// A header line whose every character the first reader is at least this sure of is kept.
const HEADER_SURE: f32 = 0.95;

/// Of a page's lines in reading order, the header lines the second reader reads again.
fn header_to_read_again<'a>(lines: impl Iterator<Item = &'a Decoded>) -> Vec<usize> {
    lines
        .take(HEADER_LINES)
        .enumerate()
        .filter(|(_, decoded)| decoded.weakest() < HEADER_SURE)
        .map(|(i, _)| i)
        .collect()
}

/// The lines showing a date, read by the second reader on every page as the header is. The
/// tiny model slips on a digit of a date and is sure of it (`15/02/2018` for `16/02/2018`,
/// read at 0.98): nothing flags the date for a second look, and the slip is a wrong purchase
/// date a campaign's period is checked against. On the 378 SROIE receipts, dates 97.9 ->
/// 98.4 % (tune) and 96.3 -> 97.4 % (check), no other field moved, no time measurable by
/// `scripts/bench` (one or two lines a page). A line read here is not read again by the second
/// look.
fn dates_to_read_again<'a>(lines: impl Iterator<Item = &'a Decoded>) -> Vec<usize> {
    lines
        .enumerate()
        .filter(|(_, decoded)| shows_a_date(&decoded.text()))
        .map(|(i, _)| i)
        .collect()
}

/// Three groups of digits apart by date separators (`16/02/2018`, `2018-02-16`, `05.05.18`):
/// a date's shape, whatever the locale. Dates with a month name (`30 Dec 17`) are not looked
/// for here: the month names live in the extractor's locale packs.
fn shows_a_date(text: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d{1,4} ?[-/.] ?\d{1,2} ?[-/.] ?\d{2,4}").expect("date shape")
    });
    DATE.is_match(text)
}

/// A line whose least sure character is below this is read again in the second look.
const AGAIN_WEAKEST_BELOW: f32 = 0.5;

/// Whether the second look reads a line of the first reading again: every line carrying a
/// digit (prices, the total, dates, quantities: what a doubtful total hinges on) and every
/// line with a character the first reader was unsure of (a misread shop name). On the 378
/// SROIE receipts this read the same totals and dates as reading every line again, one
/// merchant fewer, in 1.2 s less on the 80 dev receipts; reading only the unsure lines was
/// faster still but left the tune half's totals where they were without a second look.
fn worth_reading_again(decoded: &Decoded) -> bool {
    decoded.text().chars().any(|c| c.is_ascii_digit()) || decoded.weakest() < AGAIN_WEAKEST_BELOW
}

/// One box of a page with its reading.
#[derive(Clone)]
struct BoxRead {
    text_box: TextBox,
    quarter: bool,
    flipped: bool,
    decoded: Decoded,
    used_frames: f32,
    /// Read by the second reader (`read_with_again`).
    read_again: bool,
}

/// A page's first reading, box by box, kept for its second look.
struct PageRead {
    key: u64,
    reads: Vec<BoxRead>,
}

impl Engine for PpocrEngine {
    fn orient(&mut self, image: &GrayImage) -> Result<u8, OcrError> {
        let boxes = self.detect(image)?;
        // Only clearly long boxes tell which way lines run: a price, a currency sign or a
        // one-letter VAT code is nearly square whichever way the page lies. Each counts by its
        // length, so the shop's name and the long item lines outweigh stray fragments.
        let (mut tall, mut wide, mut long) = (0.0f32, 0.0f32, 0usize);
        for b in &boxes {
            let (along, across) = sides(&b.corners);
            if across >= LINE_ASPECT * along {
                tall += across;
                long += 1;
            } else if along >= LINE_ASPECT * across {
                wide += along;
                long += 1;
            }
        }
        if long >= 3 && tall > wide {
            // On its side: turned a quarter clockwise it reads either upright or upside down.
            let turned = imageops::rotate90(image);
            let upside = self.mostly_upside_down(&turned)?;
            return Ok(if upside { 3 } else { 1 });
        }
        Ok(if self.mostly_upside_down(image)? {
            2
        } else {
            0
        })
    }

    fn recognize(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
        let mut reads = self.read_boxes(input.image)?;
        if !matches!(self.again, Again::Absent) {
            let decoded = || reads.iter().map(|r| &r.decoded);
            let mut which = header_to_read_again(decoded());
            for i in dates_to_read_again(decoded()) {
                if !which.contains(&i) {
                    which.push(i);
                }
            }
            self.read_with_again(input.image, &mut reads, &which)?;
        }
        let lines = self.lines_of(&reads);
        self.first = Some(PageRead {
            key: page_key(input.image),
            reads,
        });
        Ok(lines)
    }

    fn recognize_again(&mut self, input: &EngineInput<'_>) -> Result<Vec<Line>, OcrError> {
        if let Again::Unopened(factory) = &self.again {
            let env = environment(&factory.models.runtime)?;
            self.again = Again::Open(factory.recognizer(env)?);
        }
        match &self.again {
            Again::Open(_) => self.again_lines(input.image),
            _ => self.read_page(input.image),
        }
    }

    fn read_alone(&mut self, image: &GrayImage) -> Result<Option<String>, OcrError> {
        if image.width() == 0 || image.height() == 0 {
            return Ok(None);
        }
        let read = self.recognize_crops(&[image])?;
        Ok(read
            .into_iter()
            .next()
            .map(|(decoded, _)| decoded.text())
            .filter(|text| !text.trim().is_empty()))
    }

    fn read_block(&mut self, image: &GrayImage) -> Result<Vec<Line>, OcrError> {
        self.read_page(image)
    }

    fn take_stage_times(&mut self) -> StageTimes {
        std::mem::take(&mut self.spent)
    }
}

impl PpocrEngine {
    /// Whether most of the wide lines on `image` are upside down, by the line classifier.
    fn mostly_upside_down(&mut self, image: &GrayImage) -> Result<bool, OcrError> {
        let boxes = self.detect(image)?;
        // Long lines vote, by their length: the classifier is unsure of short fragments.
        let long: Vec<usize> = (0..boxes.len())
            .filter(|&i| {
                let (along, across) = sides(&boxes[i].corners);
                along >= LINE_ASPECT * across
            })
            .collect();
        if long.len() < 3 {
            return Ok(false);
        }
        let picked: Vec<TextBox> = long.iter().map(|&i| boxes[i].clone()).collect();
        let crops = Self::crops(image, &picked);
        let votes = {
            let all: Vec<&Crop> = crops.iter().collect();
            self.votes(page_key(image), &long, &all)?
        };
        let (mut upside, mut all) = (0.0f32, 0.0f32);
        for (b, p) in picked.iter().zip(votes) {
            let length = sides(&b.corners).0;
            all += length;
            if p > 0.5 {
                upside += length;
            }
        }
        Ok(upside * 2.0 > all)
    }
}

/// Width over height of a crop.
fn aspect(image: &GrayImage) -> f32 {
    image.width().max(1) as f32 / image.height().max(1) as f32
}

fn edge(a: Point, b: Point) -> f32 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// A box's width (along its top and bottom edges) and height.
fn sides(corners: &[Point; 4]) -> (f32, f32) {
    let width = edge(corners[0], corners[1]).max(edge(corners[3], corners[2]));
    let height = edge(corners[0], corners[3]).max(edge(corners[1], corners[2]));
    (width, height)
}

/// Of the boxes `found` (page pixels) when the part `part` (x0, y0, x1, y1) of a page of size
/// `page` was detected again, those that are lines inside the box `outer` (left, top, right,
/// bottom): none unless they make two rows or more, centres at least half a `line` apart.
/// A box the part's edge cuts through (an amount beside a stamp), where that edge is not the
/// page's, is only part of a line and is left out: the page's own box of it stays.
fn rows_inside(
    found: Vec<TextBox>,
    outer: [f32; 4],
    part: [u32; 4],
    page: (u32, u32),
    line: f32,
) -> Vec<TextBox> {
    // Pixels from the part's edge within which a found line is taken to be cut by it.
    const EDGE: f32 = 2.0;
    let [left, top, right, bottom] = outer;
    let [x0, y0, x1, y1] = part;
    let cut = |p: &Point| {
        let cut_x = (p.x - x0 as f32 <= EDGE && x0 > 0) || (x1 as f32 - p.x <= EDGE && x1 < page.0);
        let cut_y = (p.y - y0 as f32 <= EDGE && y0 > 0) || (y1 as f32 - p.y <= EDGE && y1 < page.1);
        cut_x || cut_y
    };
    let inside: Vec<TextBox> = found
        .into_iter()
        .filter(|b| {
            let (cx, cy) = centre(&b.corners);
            (left..=right).contains(&cx) && (top..=bottom).contains(&cy)
        })
        .filter(|b| !b.corners.iter().any(cut))
        .collect();
    let mut centres: Vec<f32> = inside.iter().map(|b| centre(&b.corners).1).collect();
    centres.sort_by(f32::total_cmp);
    let rows = 1 + centres
        .windows(2)
        .filter(|w| w[1] - w[0] >= line / 2.0)
        .count();
    if rows < 2 {
        Vec::new()
    } else {
        inside
    }
}

/// Whether the point lies within the upright rectangle around `corners`.
fn contains(corners: &[Point; 4], x: f32, y: f32) -> bool {
    let (mut left, mut top, mut right, mut bottom) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in corners {
        left = left.min(p.x);
        right = right.max(p.x);
        top = top.min(p.y);
        bottom = bottom.max(p.y);
    }
    (left..=right).contains(&x) && (top..=bottom).contains(&y)
}

fn centre(corners: &[Point; 4]) -> (f32, f32) {
    let (x, y) = corners
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
    (x / 4.0, y / 4.0)
}

fn is_tall(corners: &[Point; 4]) -> bool {
    let (width, height) = sides(corners);
    height >= TALL * width
}

/// Crops as the networks want them: 48 px high, gray copied into three channels, normalised
/// to −1..1, left-aligned and padded with zeros to `width`. `fixed`: every crop resized to at
/// most this width (the classifier's input); otherwise each keeps its aspect. Answers the
/// tensor's data and each crop's width in it.
fn line_tensor(images: &[&GrayImage], width: u32, fixed: Option<u32>) -> (Vec<f32>, Vec<u32>) {
    let plane = (REC_HEIGHT * width) as usize;
    let mut data = vec![0f32; images.len() * 3 * plane];
    let mut used = Vec::with_capacity(images.len());
    for (n, image) in images.iter().enumerate() {
        let natural = (REC_HEIGHT as f32 * aspect(image)).ceil() as u32;
        let w = natural.min(fixed.unwrap_or(width)).min(width).max(1);
        let resized = crate::image::resize_gray(image, w, REC_HEIGHT);
        let base = n * 3 * plane;
        for y in 0..REC_HEIGHT as usize {
            for x in 0..w as usize {
                let v = resized.as_raw()[y * w as usize + x] as f32 / 127.5 - 1.0;
                let at = y * width as usize + x;
                data[base + at] = v;
                data[base + plane + at] = v;
                data[base + 2 * plane + at] = v;
            }
        }
        used.push(w);
    }
    (data, used)
}

/// A cheap key for "the same pixels" (FNV-1a over the dimensions and every pixel).
fn page_key(image: &GrayImage) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for b in image
        .width()
        .to_le_bytes()
        .into_iter()
        .chain(image.height().to_le_bytes())
    {
        feed(b);
    }
    for &p in image.as_raw() {
        feed(p);
    }
    hash
}

/// The line read in `crop`, cut from `text_box`, with its words boxed on the page.
fn line_on_page(
    text_box: &TextBox,
    crop: &Crop,
    decoded: &Decoded,
    used_frames: f32,
) -> Option<Line> {
    let spans = decoded.words(used_frames);
    if spans.is_empty() {
        return None;
    }
    let c = &text_box.corners;
    let whole = bounds(c);
    let words: Vec<Word> = spans
        .into_iter()
        .map(|(text, prob, start, end)| {
            let bbox = if crop.quarter {
                whole
            } else {
                let (s, e) = if crop.flipped {
                    (1.0 - end, 1.0 - start)
                } else {
                    (start, end)
                };
                let along = |a: Point, b: Point, u: f32| Point {
                    x: a.x + (b.x - a.x) * u,
                    y: a.y + (b.y - a.y) * u,
                };
                bounds(&[
                    along(c[0], c[1], s),
                    along(c[0], c[1], e),
                    along(c[3], c[2], e),
                    along(c[3], c[2], s),
                ])
            };
            Word {
                text,
                conf: round2(prob * 100.0),
                bbox,
                reread: None,
            }
        })
        .collect();
    let mut line = Line::from_words(words);
    line.conf = round2(decoded.confidence() * 100.0);
    Some(line)
}

fn bounds(points: &[Point; 4]) -> BBox {
    let min_x = points.iter().map(|p| p.x).fold(f32::INFINITY, f32::min);
    let max_x = points.iter().map(|p| p.x).fold(f32::NEG_INFINITY, f32::max);
    let min_y = points.iter().map(|p| p.y).fold(f32::INFINITY, f32::min);
    let max_y = points.iter().map(|p| p.y).fold(f32::NEG_INFINITY, f32::max);
    let x = min_x.floor() as i32;
    let y = min_y.floor() as i32;
    BBox([
        x,
        y,
        (max_x.ceil() as i32 - x).max(1),
        (max_y.ceil() as i32 - y).max(1),
    ])
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    #[test]
    fn lines_showing_a_date_are_the_ones_read_again_for_it() {
        for dated in [
            "Date : 16/02/2018 12:04",
            "2018-02-16",
            "05.05.18 SH01",
            "27 /03/ 2018",
        ] {
            assert!(shows_a_date(dated), "{dated}");
        }
        for undated in [
            "TOTAL 12.40",
            "Tel: 03-5542 3228",
            "12 mars 2024",
            "INV 9912/2018",
        ] {
            assert!(!shows_a_date(undated), "{undated}");
        }
    }

    fn upright(left: f32, top: f32, right: f32, bottom: f32) -> TextBox {
        TextBox {
            corners: [
                point(left, top),
                point(right, top),
                point(right, bottom),
                point(left, bottom),
            ],
            score: 0.9,
        }
    }

    /// A column of stacked amounts the detector ran together (`27.60` / `1.93` in one box 88
    /// px high on a page of 44-px lines), found again as two rows: they replace it. One row,
    /// or two boxes side by side on one row (a larger print's words), leave the box as it was.
    #[test]
    fn lines_run_together_are_the_rows_found_again_inside_them() {
        let outer = [483.0, 1237.0, 585.0, 1324.0];
        let part = [439, 1193, 629, 1368];
        let page = (709, 2432);
        let stacked = vec![
            upright(493.0, 1248.0, 577.0, 1285.0),
            upright(505.0, 1278.0, 579.0, 1318.0),
        ];
        assert_eq!(rows_inside(stacked, outer, part, page, 44.0).len(), 2);
        let one = vec![upright(493.0, 1248.0, 577.0, 1318.0)];
        assert!(rows_inside(one, outer, part, page, 44.0).is_empty());
        let side_by_side = vec![
            upright(485.0, 1250.0, 530.0, 1310.0),
            upright(535.0, 1252.0, 580.0, 1312.0),
        ];
        assert!(rows_inside(side_by_side, outer, part, page, 44.0).is_empty());
    }

    /// Regression: a stamp over a receipt, looked at again, cut the total beside it in two at
    /// the part's edge (`55.1` for `55.10`), and that half replaced the page's own box of it.
    #[test]
    fn regression_a_line_cut_by_the_edge_of_the_part_is_left_out() {
        let outer = [524.0, 1377.0, 791.0, 1595.0];
        let part = [480, 1333, 835, 1639];
        let page = (900, 2400);
        let found = vec![
            upright(751.0, 1380.0, 835.0, 1420.0), // cut by the part's right edge
            upright(751.0, 1440.0, 835.0, 1480.0), // cut too
            upright(560.0, 1500.0, 700.0, 1540.0),
        ];
        assert!(rows_inside(found, outer, part, page, 44.0).is_empty());
        // The page's own edge cuts nothing: a part that ends there keeps its boxes.
        let found = vec![
            upright(751.0, 1380.0, 835.0, 1420.0),
            upright(751.0, 1440.0, 835.0, 1480.0),
        ];
        let at_page_edge = rows_inside(
            found,
            [700.0, 1377.0, 835.0, 1500.0],
            part,
            (835, 2400),
            44.0,
        );
        assert_eq!(at_page_edge.len(), 2);
    }

    fn decoded(text_frames: &[(&str, usize, usize)], frames: usize) -> Decoded {
        Decoded {
            glyphs: text_frames
                .iter()
                .map(|&(t, first, last)| ctc::Glyph {
                    text: t.into(),
                    prob: 0.9,
                    first,
                    last,
                })
                .collect(),
            frames,
        }
    }

    fn level_box() -> TextBox {
        TextBox {
            corners: [
                point(100.0, 50.0),
                point(300.0, 50.0),
                point(300.0, 70.0),
                point(100.0, 70.0),
            ],
            score: 0.9,
        }
    }

    #[test]
    fn the_header_is_its_first_lines_less_than_sure() {
        let mut sure = decoded(&[("TESCO", 0, 9)], 20);
        sure.glyphs[0].prob = 0.99;
        let mut unsure = sure.clone();
        unsure.glyphs[0].prob = 0.8;
        let page = [
            &unsure, &sure, &unsure, &unsure, &sure, &unsure, &unsure, &unsure,
        ];
        assert_eq!(header_to_read_again(page.into_iter()), [0, 2, 3, 5]);
    }

    #[test]
    fn the_second_look_rereads_lines_with_digits_or_an_unsure_character() {
        let sure_words = decoded(&[("TOTAL", 0, 9), (" ", 15, 15), ("MERCI", 30, 39)], 50);
        assert!(!worth_reading_again(&sure_words));
        let price = decoded(&[("TOTAL", 0, 9), (" ", 15, 15), ("12.50", 30, 39)], 50);
        assert!(worth_reading_again(&price));
        let mut unsure = sure_words.clone();
        unsure.glyphs[2].prob = 0.3;
        assert!((unsure.weakest() - 0.3).abs() < 1e-6);
        assert!(worth_reading_again(&unsure));
        // A space's probability says nothing about the print.
        let mut spaced = sure_words;
        spaced.glyphs[1].prob = 0.1;
        assert!(!worth_reading_again(&spaced));
        assert_eq!(Decoded::default().weakest(), 1.0);
    }

    #[test]
    fn words_are_boxed_along_the_line_left_to_right() {
        // "TOTAL" on frames 0–9, "12.50" on frames 30–39, of 40 covering the crop.
        let d = decoded(&[("TOTAL", 0, 9), (" ", 15, 15), ("12.50", 30, 39)], 50);
        let crop = Crop {
            image: GrayImage::new(200, 20),
            quarter: false,
            flipped: false,
        };
        let line = line_on_page(&level_box(), &crop, &d, 40.0).unwrap();
        assert_eq!(line.text, "TOTAL 12.50");
        assert_eq!(line.words.len(), 2);
        let (left, right) = (line.words[0].bbox, line.words[1].bbox);
        assert!(left.x() >= 100 && left.x() + left.width() < 160, "{left:?}");
        assert!(
            right.x() > 240 && right.x() + right.width() <= 300,
            "{right:?}"
        );
        assert_eq!(left.y(), 50);
        assert_eq!(left.height(), 20);
        assert_eq!(line.conf, 90.0);
    }

    #[test]
    fn an_upside_down_line_has_its_words_boxed_from_the_other_end() {
        let d = decoded(&[("A", 0, 3), (" ", 10, 10), ("B", 36, 39)], 40);
        let crop = Crop {
            image: GrayImage::new(200, 20),
            quarter: false,
            flipped: true,
        };
        let line = line_on_page(&level_box(), &crop, &d, 40.0).unwrap();
        // Read first after the turn, "A" lies at the right end of the box on the page.
        assert!(line.words[0].bbox.x() > line.words[1].bbox.x());
    }

    #[test]
    fn a_vertical_line_gives_its_words_the_line_box() {
        let d = decoded(&[("A", 0, 3), (" ", 10, 10), ("B", 36, 39)], 40);
        let crop = Crop {
            image: GrayImage::new(20, 200),
            quarter: true,
            flipped: false,
        };
        let line = line_on_page(&level_box(), &crop, &d, 40.0).unwrap();
        assert_eq!(line.words[0].bbox, line.words[1].bbox);
    }

    #[test]
    fn crops_are_padded_to_the_batch_width_and_normalised() {
        let white = GrayImage::from_pixel(96, 24, image::Luma([255]));
        let (data, used) = line_tensor(&[&white], 320, None);
        assert_eq!(used, [192]);
        assert_eq!(data.len(), 3 * 48 * 320);
        assert!((data[0] - 1.0).abs() < 1e-6, "white is 1");
        assert_eq!(data[200], 0.0, "padding is 0");
        // The classifier's fixed width caps a long line.
        let long = GrayImage::from_pixel(960, 24, image::Luma([0]));
        let (data, used) = line_tensor(&[&long], CLS_WIDTH, Some(CLS_WIDTH));
        assert_eq!(used, [CLS_WIDTH]);
        assert!((data[0] + 1.0).abs() < 1e-6, "black is -1");
    }

    #[test]
    fn tall_boxes_are_told_from_wide_ones() {
        assert!(!is_tall(&level_box().corners));
        let tall = [
            point(0.0, 0.0),
            point(20.0, 0.0),
            point(20.0, 100.0),
            point(0.0, 100.0),
        ];
        assert!(is_tall(&tall));
    }

    #[test]
    fn the_page_key_tells_pixels_apart() {
        let a = GrayImage::from_pixel(4, 4, image::Luma([1]));
        let mut b = a.clone();
        b.put_pixel(3, 3, image::Luma([2]));
        assert_ne!(page_key(&a), page_key(&b));
        assert_eq!(page_key(&a), page_key(&a.clone()));
        let c = GrayImage::from_pixel(2, 8, image::Luma([1]));
        assert_ne!(page_key(&a), page_key(&c));
    }

    #[test]
    fn settings_change_the_cache_key() {
        let tiny = PpocrSettings::new(ModelSize::Tiny);
        let mut wider = tiny.clone();
        wider.det_max_side = 1280;
        assert_ne!(tiny.fingerprint(), wider.fingerprint());
    }
}
