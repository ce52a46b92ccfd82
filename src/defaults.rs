//! Every default an operator or a campaign can change, in one place. The stages' `Default`
//! implementations and the binary's flags read them from here; nothing here depends on any
//! other module, so every module may use it. (How choices are resolved into settings is
//! `config`; the numbers inside an algorithm, like the reader's detection thresholds, stay
//! with the algorithm they tune.)

/// The state directory (OCR cache, ledger, lock), relative to where fidelio runs.
pub const STATE_DIR: &str = ".fidelio";

/// Tesseract's languages when neither `--lang` nor the campaign names any.
pub const LANGUAGES: &str = "fra+eng";

/// Tesseract's page segmentation: one column of text of variable sizes.
pub const TESSERACT_PSM: u8 = 4;

/// How long a deciding command waits for another run's ledger lock, in seconds.
pub const LOCK_TIMEOUT_S: u64 = 60;

/// The second reading of engines without a second model: the same pixels smoothed (Gaussian,
/// sigma in px), which joins the dots of dot-matrix print and calms JPEG noise. With
/// Tesseract, on the 80 SROIE dev receipts 25 got a second look; totals went from 86.3 % to
/// 91.3 % right, merchants from 65.0 % to 71.3 %, dates from 86.3 % to 87.5 %.
pub const SECOND_LOOK_SMOOTH: f32 = 1.1;

/// Pictures are shrunk so their longest side is at most this many pixels before reading.
pub const PREPARE_MAX_SIDE: u32 = 2400;

/// White border added on every side of a prepared picture, in pixels.
pub const PREPARE_BORDER: u32 = 16;

/// Decoding budget, checked before any pixel is allocated: files larger than
/// [`DECODE_MAX_FILE_BYTES`] are refused by their size, unread; pictures whose header declares
/// more than [`DECODE_MAX_PIXELS`] (50 MP: a 48 MP phone photo or an A4 page at 600 dpi, 35 MP,
/// pass) or a side longer than [`DECODE_MAX_SIDE`] are refused before decoding, and the
/// decoder may allocate at most [`DECODE_MAX_ALLOC`] (a 50 MP RGB picture needs 150 MB).
/// `--max-megapixels` and `--max-file-mb` change the first two.
pub const DECODE_MAX_FILE_BYTES: u64 = 64_000_000;
pub const DECODE_MAX_PIXELS: u64 = 50_000_000;
pub const DECODE_MAX_SIDE: u32 = 20_000;
pub const DECODE_MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// A campaign's `[quality]` limits when it sets none: below them a receipt is rejected for
/// capture quality (see `image::QualityThresholds`).
pub const QUALITY_MIN_SHARPNESS: f32 = 300.0;
pub const QUALITY_MAX_GLARE: f32 = 0.15;
pub const QUALITY_MIN_BRIGHTNESS: f32 = 60.0;
pub const QUALITY_MIN_WIDTH: u32 = 200;
pub const QUALITY_MIN_HEIGHT: u32 = 200;
/// A receipt the gate faults whose date and total were both read at least this surely goes to
/// a person instead of being refused (`quality.clear_reading`). Confidences are calibrated: at
/// 0.9 the date and total of the 378 SROIE receipts are right 97–98 % of the time; on their
/// over-exposed and blurred copies the gate faults, 92 % (docs/campaign.md).
pub const QUALITY_CLEAR_READING: f32 = 0.9;

/// A campaign's `[merchants]` when it sets neither: the similarity (0–1) at which an
/// OCR-damaged name is still recognised as a partner, and how many lines at the top of the
/// receipt are searched for it.
pub const MERCHANT_FUZZY: f64 = 0.85;
pub const MERCHANT_TOP_LINES: usize = 6;

/// Perceptual-hash distances (bits) for repeats: up to [`IMAGE_SAME_BITS`] the image makes a
/// repeat unless the fields read contradict it; up to [`IMAGE_SIMILAR_BITS`] the fields must
/// also tell the purchase apart (`ledger::purchase::fields_agree`).
/// Measured on 640 transformed copies of 80 real receipts against 53 720 pairs of distinct
/// receipts (the print alone, numbers in `docs/ledger.md`): re-encoded and resized
/// copies land within 2 bits, and no distinct pair did (the closest was 4 bits, two receipts
/// of one shop). On all 378 SROIE receipts, with real extraction (`scripts/near-dup-eval`),
/// 9 distinct receipts of one shop came within 2 bits: hence the fields' veto. A pairwise
/// false-positive rate multiplies by the number of stored claims, so a looser image-only
/// threshold would misfire at 100 000 receipts. The loose distance, with the fields agreeing,
/// was chosen end to end (`scripts/near-dup-eval`, docs/ledger.md): 10, 12, 14 and 16 bits
/// found 92.9, 93.4, 94.2 and 94.7 % of 3 500 copies, every one with no distinct pair matched,
/// both halves rising alike; a check against 100 000 claims takes 6, –, 13 and 33 ms, and 16
/// bits needs 30 204 of SQLite's 32 766 parameters. 14 it is (94.1 % once the fields had to
/// share the ticket or the total).
pub const IMAGE_SAME_BITS: u32 = 2;
pub const IMAGE_SIMILAR_BITS: u32 = 14;

/// Screen-pattern score (`image::screen_pattern`) above which a picture is a photo of a screen:
/// `SCREEN_PHOTO`. Measured by `scripts/fraud-eval` (numbers in `docs/fraud.md`).
pub const SCREEN_PATTERN: f32 = 100.0;
