//! The OCR cache: content hash + engine fingerprint → page, one small JSON file per entry.
//!
//! Files rather than a database so that concurrent workers (and machines sharing a volume)
//! never contend on a lock, and each entry is written atomically (temp file + rename): a run
//! killed mid-write leaves either the old state or the complete entry, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::engine::EngineInfo;
use super::page::OcrPage;

/// Bumped when `OcrPage` gains data older entries lack (v2: perceptual print).
const PAGE_FORMAT: &str = "page-v2";

#[derive(Clone, Debug)]
pub struct OcrCache {
    dir: PathBuf,
}

impl OcrCache {
    /// A cache under `state_dir/ocr-cache`, created on first write.
    pub fn new(state_dir: &Path) -> OcrCache {
        OcrCache {
            dir: state_dir.join("ocr-cache"),
        }
    }

    fn path_for(&self, id: &str, engine: &EngineInfo) -> PathBuf {
        let fingerprint = engine.cache_fingerprint();
        let key = blake3::hash(format!("{PAGE_FORMAT}|{id}|{fingerprint}").as_bytes()).to_hex();
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    /// The cached page, if any; an unreadable or stale entry is treated as a miss.
    pub fn get(&self, id: &str, engine: &EngineInfo) -> Option<OcrPage> {
        let bytes = std::fs::read(self.path_for(id, engine)).ok()?;
        let page: OcrPage = serde_json::from_slice(&bytes).ok()?;
        (page.engine == *engine).then_some(page)
    }

    pub fn put(&self, id: &str, page: &OcrPage) -> std::io::Result<()> {
        let path = self.path_for(id, &page.engine);
        let dir = path.parent().expect("cache paths have a parent");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut tmp, page)?;
        tmp.flush()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::Quality;

    fn page(engine: EngineInfo) -> OcrPage {
        OcrPage {
            width: 10,
            height: 10,
            quality: Quality {
                width: 10,
                height: 10,
                sharpness: 1.0,
                glare: 0.0,
                brightness: 200.0,
                blank: false,
            },
            engine,
            elapsed_ms: 5,
            stages: Default::default(),
            phash: None,
            grid: None,
            metadata: Default::default(),
            screen: None,
            lines: vec![],
            second_look: None,
        }
    }

    fn info(languages: &str) -> EngineInfo {
        EngineInfo {
            name: "tesseract".into(),
            version: "5".into(),
            languages: languages.into(),
            settings: "psm=4".into(),
            prepare: "v1".into(),
        }
    }

    #[test]
    fn round_trips_and_keys_on_settings() {
        let dir = tempfile::tempdir().unwrap();
        let cache = OcrCache::new(dir.path());
        assert!(cache.get("abc", &info("fra")).is_none());
        cache.put("abc", &page(info("fra"))).unwrap();
        assert_eq!(cache.get("abc", &info("fra")), Some(page(info("fra"))));
        assert!(
            cache.get("abc", &info("eng")).is_none(),
            "other languages must miss"
        );
        assert!(cache.get("abd", &info("fra")).is_none());
    }

    #[test]
    fn corrupt_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = OcrCache::new(dir.path());
        let path = cache.path_for("abc", &info("fra"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{\"width\": 1").unwrap();
        assert!(cache.get("abc", &info("fra")).is_none());
    }
}
