//! `timings.json`: how long each part of the night took. Kept apart from `summary.json` so the
//! decision files stay byte-identical between runs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::ocr::{OcrJob, OcrOutcome};

#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    pub files: usize,
    pub recognized: usize,
    pub cached: usize,
    pub scan_s: f64,
    pub ocr_s: f64,
    pub validate_s: f64,
    pub elapsed_s: f64,
    pub files_per_second: f64,
    /// The engine's detection, line orientation and recognition time per receipt read now
    /// (re-reads and second looks included), in milliseconds of one worker.
    pub stages_ms_per_receipt: StagesPerReceipt,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct StagesPerReceipt {
    pub detect: f64,
    pub classify: f64,
    pub recognize: f64,
}

/// The night's stopwatch.
pub(super) struct Clock {
    started: Instant,
    lap: Instant,
    timings: Timings,
}

impl Clock {
    pub fn start() -> Clock {
        let now = Instant::now();
        Clock {
            started: now,
            lap: now,
            timings: Timings::default(),
        }
    }

    fn lap(&mut self) -> f64 {
        let now = Instant::now();
        let lap = seconds(now - self.lap);
        self.lap = now;
        lap
    }

    pub fn scanned(&mut self) {
        self.timings.scan_s = self.lap();
    }

    pub fn read(&mut self, counts: &Counts) {
        self.timings.ocr_s = self.lap();
        self.timings.recognized = counts.recognized.load(Relaxed);
        self.timings.cached = counts.cached.load(Relaxed);
        let n = self.timings.recognized.max(1) as f64;
        let per = |total: &AtomicU64| (total.load(Relaxed) as f64 / n).round();
        self.timings.stages_ms_per_receipt = StagesPerReceipt {
            detect: per(&counts.detect_ms),
            classify: per(&counts.classify_ms),
            recognize: per(&counts.recognize_ms),
        };
    }

    pub fn decided(mut self, files: usize) -> Timings {
        self.timings.validate_s = self.lap();
        let elapsed = self.started.elapsed();
        self.timings.files = files;
        self.timings.elapsed_s = seconds(elapsed);
        self.timings.files_per_second = files as f64 / elapsed.as_secs_f64().max(1e-9);
        self.timings
    }
}

/// What the OCR workers did, counted as they finish.
#[derive(Default)]
pub(super) struct Counts {
    recognized: AtomicUsize,
    cached: AtomicUsize,
    detect_ms: AtomicU64,
    classify_ms: AtomicU64,
    recognize_ms: AtomicU64,
}

impl Counts {
    pub fn add(&self, job: &OcrJob<'_>) {
        match job.outcome {
            OcrOutcome::Recognized => self.recognized.fetch_add(1, Relaxed),
            OcrOutcome::Cached => self.cached.fetch_add(1, Relaxed),
            OcrOutcome::Skipped | OcrOutcome::Failed => 0,
        };
        self.detect_ms.fetch_add(job.stages.detect_ms, Relaxed);
        self.classify_ms.fetch_add(job.stages.classify_ms, Relaxed);
        self.recognize_ms
            .fetch_add(job.stages.recognize_ms, Relaxed);
    }
}

fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}
