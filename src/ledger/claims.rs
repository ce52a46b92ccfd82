//! Duplicates over time: has this purchase already been claimed in this campaign?
//!
//! Four ways a submission can repeat an earlier one, strongest first:
//! 1. the same bytes (content hash) — resubmitted file, or a friend forwarding it;
//! 2. the same purchase key (shop, date, time, total, ticket) — a new photo of the receipt;
//! 3. the same purchase read with a slip (`purchase::same_purchase`) — the same ticket number
//!    on the same day at a compatible shop, one digit of the total or a letter of the shop read
//!    differently;
//! 4. a perceptually close image — a new photo whose OCR read the fields differently.
//!    A very close hash is trusted unless the fields read contradict it (another date, ticket
//!    or minute: receipts of one shop hash within 2 bits); a looser one only when the ticket
//!    or the total agrees and nothing contradicts, because distinct receipts of one shop share
//!    a layout (and so most of their low-frequency hash) but not their tickets or totals.
//!
//! Only *claims* hold a purchase: receipts accepted or sent to review. A rejected photo (blurry,
//! say) does not, so its retake is decided normally; the same bytes as a rejected file are still
//! a duplicate, since they can only be rejected again. The earliest claim is the original, and
//! earlier batches come before this one; a duplicate always points at an original, never at
//! another duplicate.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::nearby::{chunk_in_list, chunk_probes, chunk_radius, probes};
use super::purchase::{self, purchase_key, Identity};
use super::{Ledger, LedgerError};
use crate::extract::Receipt;
use crate::image::grid::{compare, Grid, Likeness};
use crate::image::phash::{distance, hamming, Phash, FRAMES};
use crate::ingest::ManifestEntry;
use crate::ocr::OcrPage;
use crate::reason::{Code, Reason, Status};

/// What the ledger knows about one submission when checking it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Claim {
    /// Content hash (blake3 hex); empty when the file could not be read.
    pub receipt_id: String,
    pub member: Option<String>,
    pub purchase_key: Option<String>,
    pub phash: Option<Phash>,
    /// The picture's layout at glyph scale, to tell a copy of it with a region changed.
    pub grid: Option<Grid>,
    pub merchant: Option<String>,
    pub date: Option<NaiveDate>,
    pub time: Option<String>,
    pub total: Option<Decimal>,
    /// The ticket or transaction number, folded ([`super::purchase::fold_ticket`]: `N° 000-4711` →
    /// `4711`).
    pub ticket: Option<String>,
}

/// What the ledger keeps of a picture to recognise it again: its perceptual print and its
/// layout grid, when OCR measured them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    pub phash: Option<Phash>,
    pub grid: Option<Grid>,
}

impl Picture {
    /// What OCR measured of `page`, if it was read.
    pub fn of_page(page: Option<&OcrPage>) -> Picture {
        Picture {
            phash: page.and_then(|p| p.phash),
            grid: page.and_then(|p| p.grid.clone()),
        }
    }
}

impl Claim {
    /// The claim of a manifest entry, with its extracted receipt and picture if known.
    pub fn new(entry: &ManifestEntry, receipt: Option<&Receipt>, picture: Picture) -> Claim {
        Claim::read(&entry.id, entry.member.as_deref(), receipt, picture)
    }

    /// The claim of file `receipt_id` sent by `member`, read as `receipt`.
    pub fn read(
        receipt_id: &str,
        member: Option<&str>,
        receipt: Option<&Receipt>,
        picture: Picture,
    ) -> Claim {
        Claim {
            receipt_id: receipt_id.to_string(),
            member: member.map(str::to_string),
            purchase_key: receipt.and_then(purchase_key),
            phash: picture.phash,
            grid: picture.grid,
            merchant: receipt.and_then(|r| r.merchant.clone()),
            date: receipt.and_then(|r| r.date),
            time: receipt.and_then(|r| r.time.clone()),
            total: receipt.and_then(|r| r.total),
            ticket: receipt
                .and_then(|r| r.ticket.as_deref())
                .map(super::purchase::fold_ticket)
                .filter(|t| !t.is_empty()),
        }
    }

    /// The fields purchases are told apart by, folded.
    pub fn identity(&self) -> Identity {
        Identity::new(
            self.merchant.as_deref(),
            self.date,
            self.time.as_deref(),
            self.total,
            self.ticket.as_deref(),
        )
    }
}

/// How the campaign treats repeats that are not byte-identical.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuplicatePolicy {
    /// Status for the same purchase or a similar image: `Duplicate`, or `Review` for campaigns
    /// that want a human to look (the same bytes are always `Duplicate`).
    pub near_duplicate: Status,
    /// Print distance ([`super::distance`], bits of 64) up to which two images are the same
    /// receipt, whatever was extracted.
    pub image_same: u32,
    /// Print distance up to which two images are the same receipt when their totals agree and
    /// their dates and times do not contradict each other.
    pub image_similar: u32,
    /// Status for a copy of a claimed picture with a region changed (`CHANGED_REGION`), or
    /// `None` when the campaign turned the signal off (`[fraud] changed_region = "off"`): such a
    /// copy is then judged on its print and fields like any other.
    pub changed_region: Option<Status>,
}

impl Default for DuplicatePolicy {
    /// The measured distances of `defaults::IMAGE_SAME_BITS` and `IMAGE_SIMILAR_BITS`.
    fn default() -> Self {
        DuplicatePolicy {
            near_duplicate: Status::Duplicate,
            image_same: crate::defaults::IMAGE_SAME_BITS,
            image_similar: crate::defaults::IMAGE_SIMILAR_BITS,
            changed_region: Some(Status::Review),
        }
    }
}

/// Why a submission repeats an earlier claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "match")]
pub enum MatchKind {
    SameFile,
    SamePurchase,
    /// The same purchase read differently: ticket, date and shop agree, some field differs by
    /// an OCR slip (`differs` names them).
    MisreadPurchase {
        differs: Vec<String>,
    },
    SimilarImage {
        distance: u32,
    },
    /// The same picture with a region changed (`image::grid`): `cells` cells of the layout
    /// grid, between `top` and `bottom` per cent down the page.
    ChangedRegion {
        distance: u32,
        cells: u32,
        top: u32,
        bottom: u32,
    },
}

/// Where the original claim is: what `results.jsonl` can point at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Original {
    pub batch: String,
    pub file: String,
    pub receipt_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<NaiveDate>,
    #[serde(skip)]
    pub(crate) row: OriginalRow,
}

/// The original's ledger row, or its position in the batch being decided (not stored yet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum OriginalRow {
    #[default]
    Unknown,
    Stored(i64),
    InBatch(usize),
}

/// A submission found to repeat an earlier claim.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: MatchKind,
    pub original: Original,
    /// The original was claimed by a different member: one purchase, two claimants.
    pub other_member: bool,
}

impl Finding {
    pub fn status(&self, policy: &DuplicatePolicy) -> Status {
        match self.kind {
            MatchKind::SameFile => Status::Duplicate,
            MatchKind::SamePurchase
            | MatchKind::MisreadPurchase { .. }
            | MatchKind::SimilarImage { .. } => policy.near_duplicate,
            MatchKind::ChangedRegion { .. } => {
                policy.changed_region.unwrap_or(policy.near_duplicate)
            }
        }
    }

    /// The reasons to put on the result: what matched, and who else claimed it.
    pub fn reasons(&self) -> Vec<Reason> {
        let original = describe(&self.original);
        let mut reasons = vec![match &self.kind {
            MatchKind::SameFile => {
                Reason::new(Code::DuplicateFile, format!("same file as {original}"))
            }
            MatchKind::SamePurchase => Reason::new(
                Code::DuplicatePurchase,
                format!("same purchase (shop, date, time, total) as {original}"),
            ),
            MatchKind::MisreadPurchase { differs } => Reason::new(
                Code::DuplicatePurchase,
                format!(
                    "same purchase (ticket, date and shop agree; {} read differently) as \
                     {original}",
                    differs.join(", ")
                ),
            ),
            MatchKind::SimilarImage { distance } => Reason::new(
                Code::DuplicateImage,
                format!(
                    "same receipt photographed again ({distance}/64 bits differ) as {original}"
                ),
            ),
            MatchKind::ChangedRegion { top, bottom, .. } => Reason::new(
                Code::ChangedRegion,
                format!(
                    "the picture of {original} with a region changed ({top}–{bottom} % down \
                     the page)"
                ),
            ),
        }];
        if self.other_member {
            let member = self.original.member.as_deref().unwrap_or("?");
            reasons.push(Reason::new(
                Code::ClaimedByOtherMember,
                format!(
                    "this purchase was already claimed by member {member} in batch {}",
                    self.original.batch
                ),
            ));
        }
        reasons
    }
}

fn describe(original: &Original) -> String {
    let date = original
        .purchase_date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "unknown".into());
    format!(
        "{} (batch {}, member {}, purchase date {date})",
        original.file,
        original.batch,
        original.member.as_deref().unwrap_or("unknown"),
    )
}

/// A claim decided earlier in the batch being checked.
#[derive(Clone, Debug)]
struct BatchClaim {
    position: usize,
    file: String,
    claim: Claim,
    status: Status,
}

/// Checks submissions, in input order, against the ledger and the batch so far.
pub struct ClaimChecker<'l> {
    ledger: &'l Ledger,
    campaign: String,
    batch: String,
    policy: DuplicatePolicy,
    in_batch: Vec<BatchClaim>,
}

impl Ledger {
    /// A checker for one batch of one campaign.
    pub fn claim_checker(
        &self,
        campaign: &str,
        batch: &str,
        policy: DuplicatePolicy,
    ) -> ClaimChecker<'_> {
        ClaimChecker {
            ledger: self,
            campaign: campaign.to_string(),
            batch: batch.to_string(),
            policy,
            in_batch: Vec::new(),
        }
    }
}

const CLAIM: &str = "status IN ('accepted', 'review')";
const DECIDED: &str = "status IN ('accepted', 'review', 'rejected')";
const COLUMNS: &str = "id, batch, file, receipt_id, member, purchase_date, purchase_time, \
     total, phash, merchant, ticket";

/// A stored row as the checker sees it.
struct StoredClaim {
    original: Original,
    claim: Claim,
}

impl ClaimChecker<'_> {
    pub fn policy(&self) -> &DuplicatePolicy {
        &self.policy
    }

    /// The earliest claim this submission repeats, if any.
    pub fn check(&self, claim: &Claim) -> Result<Option<Finding>, LedgerError> {
        if claim.receipt_id.is_empty() {
            return Ok(None);
        }
        let found = match self.same_file(claim)? {
            Some(original) => Some((MatchKind::SameFile, original)),
            None => match self.same_purchase(claim)? {
                Some(original) => Some((MatchKind::SamePurchase, original)),
                None => match self.misread_purchase(claim)? {
                    Some((differs, original)) => {
                        Some((MatchKind::MisreadPurchase { differs }, original))
                    }
                    None => self.similar_image(claim)?,
                },
            },
        };
        let found = match found {
            Some((
                kind @ (MatchKind::SamePurchase | MatchKind::MisreadPurchase { .. }),
                original,
            )) => Some(self.retouched(claim, kind, original)?),
            other => other,
        };
        Ok(found.map(|(kind, original)| Finding {
            kind,
            other_member: is_other_member(claim, &original),
            original,
        }))
    }

    /// A purchase repeated with its picture retouched is told as `CHANGED_REGION`: a copy of a
    /// claimed photo whose total was retyped one digit away reads as the same purchase misread,
    /// and would be refused without the edit being named.
    fn retouched(
        &self,
        claim: &Claim,
        kind: MatchKind,
        original: Original,
    ) -> Result<(MatchKind, Original), LedgerError> {
        if self.policy.changed_region.is_none() || claim.grid.is_none() {
            return Ok((kind, original));
        }
        Ok(match self.similar_image(claim)? {
            Some((changed @ MatchKind::ChangedRegion { .. }, picture))
                if picture.receipt_id == original.receipt_id =>
            {
                (changed, picture)
            }
            _ => (kind, original),
        })
    }

    /// Record a decided submission of this batch, so later ones in the batch are checked
    /// against it too.
    pub fn remember(&mut self, position: usize, file: &str, claim: &Claim, status: Status) {
        self.in_batch.push(BatchClaim {
            position,
            file: file.to_string(),
            claim: claim.clone(),
            status,
        });
    }

    fn same_file(&self, claim: &Claim) -> Result<Option<Original>, LedgerError> {
        let stored =
            self.first_stored(&format!("receipt_id = ?2 AND {DECIDED}"), &claim.receipt_id)?;
        if let Some(first) = stored {
            return Ok(Some(first.original));
        }
        Ok(self
            .in_batch
            .iter()
            .find(|b| is_decided(b.status) && b.claim.receipt_id == claim.receipt_id)
            .map(|b| self.in_batch_original(b)))
    }

    fn same_purchase(&self, claim: &Claim) -> Result<Option<Original>, LedgerError> {
        let Some(key) = &claim.purchase_key else {
            return Ok(None);
        };
        if let Some(first) = self.first_stored(&format!("purchase_key = ?2 AND {CLAIM}"), key)? {
            return Ok(Some(first.original));
        }
        Ok(self
            .in_batch
            .iter()
            .find(|b| is_claim(b.status) && b.claim.purchase_key.as_ref() == Some(key))
            .map(|b| self.in_batch_original(b)))
    }

    /// The earliest claim of the same date that [`purchase::same_purchase`] says is this
    /// purchase read differently, with the fields read differently.
    fn misread_purchase(
        &self,
        claim: &Claim,
    ) -> Result<Option<(Vec<String>, Original)>, LedgerError> {
        let (Some(date), Some(ticket)) = (claim.date, &claim.ticket) else {
            return Ok(None);
        };
        let identity = claim.identity();
        // `same_purchase` needs the same ticket number and date: the index finds those rows.
        let mut statement = self.ledger.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM receipts WHERE campaign = ?1 AND purchase_date = ?2 \
             AND ticket = ?3 AND {CLAIM} ORDER BY id"
        ))?;
        let mut rows =
            statement.query(rusqlite::params![self.campaign, date.to_string(), ticket])?;
        while let Some(row) = rows.next()? {
            let stored = stored_claim(row)?;
            let other = stored.claim.identity();
            if purchase::same_purchase(&identity, &other) {
                return Ok(Some((differing(&identity, &other), stored.original)));
            }
        }
        Ok(self
            .in_batch
            .iter()
            .filter(|b| is_claim(b.status) && b.claim.date == Some(date))
            .filter(|b| b.claim.ticket.as_ref() == Some(ticket))
            .map(|b| (b, b.claim.identity()))
            .find(|(_, other)| purchase::same_purchase(&identity, other))
            .map(|(b, other)| (differing(&identity, &other), self.in_batch_original(b))))
    }

    /// The closest acceptable image match: stored rows first (the older original wins over one
    /// from this batch), then the batch; ties go to the earliest.
    fn similar_image(&self, claim: &Claim) -> Result<Option<(MatchKind, Original)>, LedgerError> {
        let Some(print) = claim.phash else {
            return Ok(None);
        };
        let mut best: Option<(u32, i64, MatchKind, Original)> = None;
        for stored in self.stored_near(print, claim.grid.as_ref())? {
            let Some((distance, kind)) = self.image_match(claim, &stored.claim) else {
                continue;
            };
            let OriginalRow::Stored(row) = stored.original.row else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(d, r, _, _)| (distance, row) < (*d, *r))
            {
                best = Some((distance, row, kind, stored.original));
            }
        }
        if let Some((_, _, kind, original)) = best {
            return Ok(Some((kind, original)));
        }
        let in_batch = self
            .in_batch
            .iter()
            .filter(|b| is_claim(b.status))
            .filter_map(|b| self.image_match(claim, &b.claim).map(|m| (m, b)))
            .min_by_key(|((d, _), b)| (*d, b.position));
        Ok(in_batch.map(|((_, kind), b)| (kind, self.in_batch_original(b))))
    }

    /// The print distance and the kind of match when `earlier`'s picture counts as `claim`'s,
    /// else `None`.
    ///
    /// Within the loose print distance, the layout grids decide first when both pictures have
    /// the same pixel size: one picture (re-encoded) is a repeat whatever was read from it, and
    /// one picture with a region changed is `CHANGED_REGION` however its fields were changed; that is how an edited date or total is told from another purchase of the
    /// same shop, which the print and the fields alone take it for. Otherwise a close print is
    /// a repeat unless the fields contradict it, a loose one when they agree.
    fn image_match(&self, claim: &Claim, earlier: &Claim) -> Option<(u32, MatchKind)> {
        let bits = distance(claim.phash.as_ref()?, earlier.phash.as_ref()?);
        if bits > self.policy.image_similar.max(self.policy.image_same) {
            return None;
        }
        let similar = Some((bits, MatchKind::SimilarImage { distance: bits }));
        let grids = match (&earlier.grid, &claim.grid) {
            (Some(before), Some(now))
                if (before.width, before.height) == (now.width, now.height) =>
            {
                Some((before, now))
            }
            _ => None,
        };
        if let Some((before, now)) = grids {
            match compare(before, now) {
                Likeness::Same => return similar,
                Likeness::Changed { cells, top, bottom }
                    if self.policy.changed_region.is_some() =>
                {
                    let kind = MatchKind::ChangedRegion {
                        distance: bits,
                        cells,
                        top,
                        bottom,
                    };
                    return Some((bits, kind));
                }
                _ => {}
            }
        }
        let (this, that) = (claim.identity(), earlier.identity());
        let same = (bits <= self.policy.image_same && !purchase::contradict(&this, &that))
            || (bits <= self.policy.image_similar && purchase::fields_agree(&this, &that));
        if same {
            similar
        } else {
            None
        }
    }

    /// The earliest stored row of the campaign meeting `condition` (with `?2` = `value`).
    fn first_stored(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Option<StoredClaim>, LedgerError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM receipts WHERE campaign = ?1 AND {condition} ORDER BY id LIMIT 1"
        );
        let mut statement = self.ledger.conn.prepare_cached(&sql)?;
        Ok(statement
            .query_row([&self.campaign, value], stored_claim)
            .optional()?)
    }

    /// Stored claims whose print is within `image_similar` bits: the multi-index probe.
    ///
    /// The query's whole page is looked up among every stored frame, and its inner frames among
    /// stored whole pages, mirroring [`distance`]. One `SELECT` per (query frame, chunk), joined
    /// by `UNION ALL`, so SQLite seeks each chunk's index (an `OR` of the four would scan the
    /// campaign) and reads only the index (it holds the hash). The distance is computed here
    /// from the frames found; only the few receipts within reach are then read whole.
    /// The stored claims whose print is within the loose distance of `print`, each with its
    /// grid when it was measured on a picture of `grid`'s pixel size (the only grids
    /// [`Self::image_match`] compares: loading every look-alike's grid made a check at 100 000
    /// shop-like claims seven times slower).
    fn stored_near(
        &self,
        print: Phash,
        grid: Option<&Grid>,
    ) -> Result<Vec<StoredClaim>, LedgerError> {
        let max = self.policy.image_similar.max(self.policy.image_same);
        let radius = chunk_radius(max);
        let per_chunk = probes(0, radius).len();
        let mut selects = Vec::with_capacity(FRAMES * 4);
        let mut values: Vec<rusqlite::types::Value> = vec![self.campaign.clone().into()];
        for (index, hash) in print.frames.into_iter().enumerate() {
            let stored_frames = if index == 0 { "" } else { "AND frame = 0" };
            for chunk in 0..4 {
                let condition = chunk_in_list(chunk, values.len() + 1, per_chunk);
                selects.push(format!(
                    "SELECT {index}, receipt, hash FROM receipt_frames WHERE campaign = ?1 \
                     {stored_frames} AND {condition}"
                ));
                values.extend(chunk_probes(chunk, hash, radius).map(Into::into));
            }
        }
        let mut statement = self
            .ledger
            .conn
            .prepare_cached(&selects.join(" UNION ALL "))?;
        let mut rows = statement.query(rusqlite::params_from_iter(values))?;
        let mut within = std::collections::BTreeSet::new();
        while let Some(row) = rows.next()? {
            let query_frame: usize = row.get(0)?;
            let stored = row.get::<_, i64>(2)? as u64;
            if hamming(print.frames[query_frame], stored) <= max {
                within.insert(row.get::<_, i64>(1)?);
            }
        }
        let mut claim = self.ledger.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, CASE WHEN picture_width = ?2 AND picture_height = ?3 THEN grid END \
             FROM receipts WHERE id = ?1 AND {CLAIM}"
        ))?;
        let (width, height) = grid.map_or((-1, -1), |g| (i64::from(g.width), i64::from(g.height)));
        let mut found = Vec::with_capacity(within.len());
        for id in within {
            let stored = claim
                .query_row(rusqlite::params![id, width, height], |row| {
                    let mut stored = stored_claim(row)?;
                    stored.claim.grid = row
                        .get::<_, Option<Vec<u8>>>(11)?
                        .and_then(|bytes| Grid::from_bytes(&bytes));
                    Ok(stored)
                })
                .optional()?;
            found.extend(stored);
        }
        Ok(found)
    }

    fn in_batch_original(&self, claim: &BatchClaim) -> Original {
        Original {
            batch: self.batch.clone(),
            file: claim.file.clone(),
            receipt_id: claim.claim.receipt_id.clone(),
            member: claim.claim.member.clone(),
            purchase_date: claim.claim.date,
            row: OriginalRow::InBatch(claim.position),
        }
    }
}

fn stored_claim(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredClaim> {
    let id: i64 = row.get(0)?;
    let member: Option<String> = row.get(4)?;
    let date = row
        .get::<_, Option<String>>(5)?
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let total = row
        .get::<_, Option<String>>(7)?
        .and_then(|t| t.parse::<Decimal>().ok());
    let receipt_id: String = row.get(3)?;
    Ok(StoredClaim {
        original: Original {
            batch: row.get(1)?,
            file: row.get(2)?,
            receipt_id: receipt_id.clone(),
            member: member.clone(),
            purchase_date: date,
            row: OriginalRow::Stored(id),
        },
        claim: Claim {
            receipt_id,
            member,
            date,
            time: row.get(6)?,
            total,
            phash: row
                .get::<_, Option<String>>(8)?
                .and_then(|h| h.parse::<Phash>().ok()),
            merchant: row.get(9)?,
            ticket: row.get(10)?,
            ..Claim::default()
        },
    })
}

/// The fields both readings have and read differently, by name.
fn differing(a: &Identity, b: &Identity) -> Vec<String> {
    let mut names = Vec::new();
    let mut check = |name: &str, x: &Option<String>, y: &Option<String>| {
        if matches!((x, y), (Some(x), Some(y)) if x != y) {
            names.push(name.to_string());
        }
    };
    check("shop", &a.merchant, &b.merchant);
    check("time", &a.time, &b.time);
    check("total", &a.total, &b.total);
    check("ticket", &a.ticket, &b.ticket);
    names
}

fn is_other_member(claim: &Claim, original: &Original) -> bool {
    matches!((&claim.member, &original.member), (Some(a), Some(b)) if a != b)
}

fn is_claim(status: Status) -> bool {
    matches!(status, Status::Accepted | Status::Review)
}

fn is_decided(status: Status) -> bool {
    matches!(status, Status::Accepted | Status::Review | Status::Rejected)
}
