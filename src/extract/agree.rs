//! One night's batch agreeing on its shops' names.
//!
//! A campaign's receipts come from a handful of shops, so a batch holds the same name printed
//! many times, and OCR damages each copy differently: SROIE has `MR. D.I.Y. (M) SDN BHD`,
//! `MR. O.1.¥. (M) SDN BHD` and `WR. D.I.Y. (M) SDN BHD` for one shop. Readings that differ only
//! by glyphs OCR confuses (`O`/`D`/`0`, `1`/`I`/`L`, `W`/`M`…) and by at most one other edit in
//! twelve characters are the same name; the reading closest to all the others (the medoid)
//! is the name, and every reading of the group takes it. Two readings alone cannot outvote each
//! other, so groups of two, or ties, stay as read. Readings that differ in a digit are never
//! the same name (`LIDL 1234` and `LIDL 1235` are two shops).
//!
//! The result is deterministic for a batch, whatever its order, but a receipt's merchant may
//! read differently alone than among the night's others; the campaign's own merchant list
//! (`campaign::merchant`) is what decides partners.

use std::collections::BTreeMap;

use super::Receipt;

/// Edits other than OCR confusions allowed per this many characters of the longer name.
const CHARS_PER_EDIT: usize = 12;
/// Names shorter than this (letters and digits) have too little to spare: they must agree
/// up to OCR confusions (`MR. D.I.Y. SDN BHD` and `MR. D.I.Y. (M) SDN BHD` are two companies).
const SHORTEST_EDITED: usize = 16;
/// A substitution between two different digits: never within one name.
const DIGIT_EDIT: usize = 1000;

/// Give every receipt of `receipts` whose merchant the batch reads otherwise the batch's
/// reading (see the module documentation).
pub fn agree_on_merchants(receipts: &mut [Option<Receipt>]) {
    let mut readings: BTreeMap<String, Reading> = BTreeMap::new();
    for receipt in receipts.iter().flatten() {
        if let Some(name) = &receipt.merchant {
            let reading = readings.entry(name.clone()).or_insert_with(|| Reading {
                key: glyphs(name),
                count: 0,
                confidence: 0.0,
            });
            reading.count += 1;
            reading.confidence = reading.confidence.max(receipt.confidence.merchant);
        }
    }
    let names: Vec<(&String, &Reading)> = readings.iter().collect();
    let mut agreed: BTreeMap<String, (String, f32)> = BTreeMap::new();
    for group in groups(&names) {
        let Some(medoid) = medoid(&names, &group) else {
            continue;
        };
        let (name, reading) = names[medoid];
        for &member in &group {
            if member != medoid {
                agreed.insert(names[member].0.clone(), (name.clone(), reading.confidence));
            }
        }
    }
    for receipt in receipts.iter_mut().flatten() {
        let Some((name, confidence)) = receipt.merchant.as_ref().and_then(|m| agreed.get(m)) else {
            continue;
        };
        receipt.merchant = Some(name.clone());
        receipt.confidence.merchant = receipt.confidence.merchant.max(*confidence);
    }
}

/// One distinct merchant reading in the batch.
struct Reading {
    /// The reading's letters and digits, each OCR-confusable glyph as its class.
    key: Vec<char>,
    /// Receipts reading it.
    count: usize,
    /// The highest confidence among them.
    confidence: f32,
}

/// Indices of `names` in groups of readings of one name (chained: A~B and B~C group A, B,
/// C), each group of at least three receipts, in name order.
fn groups(names: &[(&String, &Reading)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let counts: Vec<[u16; 128]> = names.iter().map(|(_, r)| glyph_counts(&r.key)).collect();
    for a in 0..names.len() {
        for b in a + 1..names.len() {
            let (ka, kb) = (&names[a].1.key, &names[b].1.key);
            // Edits are at least half the glyphs one key has and the other lacks: a cheap
            // bound that spares most pairs of a large batch the full comparison.
            let unshared: usize = (0..128)
                .map(|g| counts[a][g].abs_diff(counts[b][g]) as usize)
                .sum();
            if unshared > 2 * allowed_edits(ka, kb) {
                continue;
            }
            if same_name(ka, kb) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..names.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    groups
        .into_values()
        .filter(|g| g.len() > 1 && g.iter().map(|&i| names[i].1.count).sum::<usize>() >= 3)
        .collect()
}

/// The reading of `group` with the fewest plain edits to all the group's receipts; `None`
/// on a tie.
fn medoid(names: &[(&String, &Reading)], group: &[usize]) -> Option<usize> {
    let cost = |i: usize| -> usize {
        group
            .iter()
            .map(|&j| names[j].1.count * strsim::levenshtein(names[i].0, names[j].0))
            .sum()
    };
    let mut costs: Vec<(usize, usize)> = group.iter().map(|&i| (cost(i), i)).collect();
    costs.sort_unstable();
    match costs.as_slice() {
        [(best, i), (next, _), ..] if best < next => Some(*i),
        _ => None,
    }
}

/// How often each ASCII glyph occurs in `key` (other characters counted together).
fn glyph_counts(key: &[char]) -> [u16; 128] {
    let mut counts = [0u16; 128];
    for &c in key {
        let slot = if c.is_ascii() { c as usize } else { 0 };
        counts[slot] = counts[slot].saturating_add(1);
    }
    counts
}

/// Two keys read one name: at most one edit per `CHARS_PER_EDIT` characters of the longer,
/// OCR confusions free, and no digit changed into another.
fn same_name(a: &[char], b: &[char]) -> bool {
    let allowed = allowed_edits(a, b);
    a.len().abs_diff(b.len()) <= allowed && edits(a, b) <= allowed
}

/// Edits other than OCR confusions two keys may differ by and still read one name.
fn allowed_edits(a: &[char], b: &[char]) -> usize {
    let longer = a.len().max(b.len());
    if longer < SHORTEST_EDITED {
        0
    } else {
        longer / CHARS_PER_EDIT
    }
}

/// Levenshtein distance where substituting one digit for another costs `DIGIT_EDIT`.
fn edits(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            let substitute = match (x, y) {
                _ if x == y => 0,
                _ if x.is_ascii_digit() && y.is_ascii_digit() => DIGIT_EDIT,
                _ => 1,
            };
            row[j + 1] = (previous[j] + substitute)
                .min(previous[j + 1] + 1)
                .min(row[j] + 1);
        }
        previous = row;
    }
    previous[b.len()]
}

/// `name`'s letters and digits, upper case, accents dropped, each glyph OCR confuses with
/// a digit or another letter replaced by one member of its class.
fn glyphs(name: &str) -> Vec<char> {
    super::text::fold(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match c {
            'O' | 'D' | 'Q' => '0',
            'I' | 'L' | 'T' => '1',
            'S' => '5',
            'B' => '8',
            'Z' => '2',
            'W' => 'M',
            'V' => 'Y',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(names: &[Option<&str>]) -> Vec<Option<Receipt>> {
        names
            .iter()
            .map(|name| {
                Some(Receipt {
                    merchant: name.map(String::from),
                    ..Receipt::default()
                })
            })
            .collect()
    }

    fn merchants(receipts: &[Option<Receipt>]) -> Vec<Option<&str>> {
        receipts
            .iter()
            .map(|r| r.as_ref().and_then(|r| r.merchant.as_deref()))
            .collect()
    }

    #[test]
    fn one_shop_read_three_ways_takes_the_reading_closest_to_all() {
        let mut receipts = batch(&[
            Some("MR. O.1.¥. (M) SDN BHD"),
            Some("MR. D.I.Y. (M) SDN BHD"),
            None,
            Some("WR. D.I.Y. (M) SDN BHD"),
            Some("MR. D.I.Y. SDN BHD"),
        ]);
        agree_on_merchants(&mut receipts);
        assert_eq!(
            merchants(&receipts),
            [
                Some("MR. D.I.Y. (M) SDN BHD"),
                Some("MR. D.I.Y. (M) SDN BHD"),
                None,
                Some("MR. D.I.Y. (M) SDN BHD"),
                // Another company: four letters more than OCR confusions.
                Some("MR. D.I.Y. SDN BHD"),
            ]
        );
    }

    #[test]
    fn two_readings_or_a_tie_stay_as_read() {
        let pair = [Some("SANYO STATIONERY SHOP"), Some("SANYU STATIONERY SHOP")];
        let mut receipts = batch(&pair);
        agree_on_merchants(&mut receipts);
        assert_eq!(merchants(&receipts), pair);
        let tie = [
            Some("LAN HING STATIONERY SDN BHD"),
            Some("UAN HING STATIONERY SDN BHD"),
            Some("WAN HING STATIONERY SDN BHD"),
        ];
        let mut receipts = batch(&tie);
        agree_on_merchants(&mut receipts);
        assert_eq!(merchants(&receipts), tie);
    }

    #[test]
    fn shops_whose_names_differ_in_a_digit_are_not_one() {
        let names = [Some("LIDL 1234"), Some("LIDL 1234"), Some("LIDL 1235")];
        let mut receipts = batch(&names);
        agree_on_merchants(&mut receipts);
        assert_eq!(merchants(&receipts), names);
    }

    #[test]
    fn the_agreed_name_carries_the_confidence_it_was_read_with() {
        let mut receipts = batch(&[
            Some("GARDENIA BAKERIES (KL) SDN BHD"),
            Some("GARDENIA BAKERIES (KL) SDN BHD"),
            Some("GARDENIA BAKER KEES (KL) SDN BHD"),
        ]);
        receipts[0].as_mut().unwrap().confidence.merchant = 0.88;
        receipts[2].as_mut().unwrap().confidence.merchant = 0.04;
        agree_on_merchants(&mut receipts);
        let last = receipts[2].as_ref().unwrap();
        assert_eq!(
            last.merchant.as_deref(),
            Some("GARDENIA BAKERIES (KL) SDN BHD")
        );
        assert_eq!(last.confidence.merchant, 0.88);
    }
}
