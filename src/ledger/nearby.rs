//! Finding stored perceptual hashes within a Hamming distance, without scanning every row.
//!
//! Multi-index hashing: the 64-bit hash is stored as four 16-bit chunks, each indexed. If two
//! hashes differ in at most `d` bits, the pigeonhole principle says at least one of the four
//! chunks differs in at most `d / 4` bits. So a search probes each chunk's index with every value
//! within `d / 4` bits of the query's chunk (1 value for d ≤ 3, 17 for d ≤ 7, 137 for d ≤ 11),
//! then checks the true distance of the few rows found. With 100 000 stored receipts that is a
//! handful of index lookups per query instead of 100 000 comparisons.

/// The four 16-bit chunks of a hash, lowest bits first, as SQLite integers.
pub(crate) fn chunks(hash: u64) -> [i64; 4] {
    [0, 1, 2, 3].map(|i| ((hash >> (16 * i)) & 0xffff) as i64)
}

/// The largest distance a chunk of a match can have, for a whole-hash distance of `max`.
pub(crate) fn chunk_radius(max_distance: u32) -> u32 {
    max_distance / 4
}

/// Every 16-bit value within `radius` bits of `chunk` (itself included), ascending.
pub(crate) fn probes(chunk: u16, radius: u32) -> Vec<u16> {
    let mut values = Vec::new();
    flip_from(chunk, 0, radius, &mut values);
    values.sort_unstable();
    values
}

/// Values reachable by flipping up to `left` more bits at positions ≥ `from`; each set of
/// positions is visited once because positions are chosen in increasing order.
fn flip_from(value: u16, from: u32, left: u32, out: &mut Vec<u16>) {
    out.push(value);
    if left == 0 {
        return;
    }
    for bit in from..16 {
        flip_from(value ^ (1 << bit), bit + 1, left - 1, out);
    }
}

/// `phN IN (?a, ?a+1, …)` with `count` numbered parameters starting at `first`: the statement
/// text depends only on the policy, so SQLite parses it once and each check only binds values.
pub(crate) fn chunk_in_list(n: usize, first: usize, count: usize) -> String {
    let params = (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",");
    format!("ph{n} IN ({params})")
}

/// The values to bind for chunk `n` of `hash`, in the order of [`chunk_in_list`].
pub(crate) fn chunk_probes(n: usize, hash: u64, radius: u32) -> impl Iterator<Item = i64> {
    probes(chunks(hash)[n] as u16, radius)
        .into_iter()
        .map(i64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_counts_follow_the_binomials() {
        assert_eq!(probes(0xabcd, 0), vec![0xabcd]);
        assert_eq!(probes(0, 1).len(), 17);
        assert_eq!(probes(0, 2).len(), 1 + 16 + 120);
        let all = probes(0x1234, 2);
        assert!(all.iter().all(|v| (v ^ 0x1234u16).count_ones() <= 2));
        let mut unique = all.clone();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
    }

    #[test]
    fn pigeonhole_holds_for_every_distance_up_to_the_maximum() {
        // Spread `distance` flipped bits as evenly as possible over the chunks: the worst case.
        for max in 0..16u32 {
            for distance in 0..=max {
                let mut other = 0u64;
                for i in 0..distance {
                    let chunk = i % 4;
                    let bit = i / 4;
                    other |= 1 << (16 * chunk + bit);
                }
                let found = (0..4).any(|n| {
                    let radius = chunk_radius(max);
                    probes(chunks(0)[n] as u16, radius).contains(&(chunks(other)[n] as u16))
                });
                assert!(found, "max {max} distance {distance}");
            }
        }
    }

    #[test]
    fn chunks_split_low_bits_first() {
        assert_eq!(chunks(0x0004_0003_0002_0001), [1, 2, 3, 4]);
        assert_eq!(chunks(u64::MAX), [0xffff; 4]);
        assert_eq!(chunk_in_list(1, 2, 3), "ph1 IN (?2,?3,?4)");
        assert_eq!(
            chunk_probes(1, 0x0000_0000_0005_0000, 0).collect::<Vec<_>>(),
            [5]
        );
    }
}
