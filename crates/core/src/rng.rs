//! The project's one seeded random-number generator: splitmix64.
//!
//! Everything that draws at random — the demo's simulated experts, the synthetic studies of
//! the benchmarks, the tests that shuffle or mutate their inputs — draws from this [`Rng`], so
//! that a seed names the same draws on every machine and in every release. It is small, fast
//! and fully determined by its seed; it is not for secrets (tokens come from the operating
//! system, in the store).

/// splitmix64 (Steele, Lea and Flood, 2014), as in Vigna's reference code: 64 bits of state,
/// each draw a step of a Weyl sequence through a mixing function.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator whose state is `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A stream of `seed` for one purpose (`parts`: e.g. an expert's position and a round),
    /// independent of the order in which streams are used. `stream(seed, &[])` is `new(seed)`.
    pub fn stream(seed: u64, parts: &[u64]) -> Self {
        let mut rng = Self(seed);
        for &part in parts {
            rng.0 ^= part.wrapping_mul(0xA24B_AED4_963E_E407);
            rng.next_u64();
        }
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), on the 2⁻⁵³ grid (the top 53 bits of a draw).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `0..n` (0 when `n` is 0). By the remainder, so slightly uneven when `n` is
    /// not a power of two: by less than `n` in 2⁶⁴, nothing a simulation can see.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p` (never for `p` ≤ 0, always for `p` ≥ 1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// A standard normal draw (Box–Muller, the cosine half; two uniform draws).
    pub fn normal(&mut self) -> f64 {
        // 1 − u lies in (0, 1], so its logarithm is finite.
        let u = 1.0 - self.next_f64();
        let v = self.next_f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// One of `items`, uniformly; `None` when there is none.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.index(items.len())) }
    }

    /// `items` in a uniformly random order (Fisher–Yates, from the back).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.index(i + 1));
        }
    }

    /// Uniform in `0..len`, for indexing (0 when `len` is 0): `below` for a `usize`.
    pub fn index(&mut self, len: usize) -> usize {
        // `below(len)` is less than `len`, so it fits back into a usize.
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_draws_are_those_of_the_reference_implementation() {
        // Vigna's splitmix64.c seeded with 1234567: the published first outputs.
        let mut rng = Rng::new(1_234_567);
        let first: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn a_stream_is_determined_by_its_seed_and_its_parts_in_order() {
        let draw = |seed, parts: &[u64]| {
            let mut rng = Rng::stream(seed, parts);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, &[1, 2]), draw(7, &[1, 2]));
        assert_ne!(draw(7, &[1, 2]), draw(7, &[2, 1]));
        assert_ne!(draw(7, &[1, 2]), draw(8, &[1, 2]));
        let mut plain = Rng::new(7);
        assert_eq!(draw(7, &[]), (0..4).map(|_| plain.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn uniform_draws_stay_in_their_range_and_fill_it() {
        let mut rng = Rng::new(42);
        let units: Vec<f64> = (0..20_000).map(|_| rng.next_f64()).collect();
        assert!(units.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = units.iter().sum::<f64>() / units.len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let mut counts = [0_u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        // 10 000 expected each; five standard deviations is about 460
        assert!(counts.iter().all(|&c| c.abs_diff(10_000) < 460), "{counts:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.choose::<u8>(&[]), None);
    }

    #[test]
    fn normal_draws_have_mean_zero_and_variance_one() {
        let mut rng = Rng::new(1);
        let draws: Vec<f64> = (0..40_000).map(|_| rng.normal()).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((variance - 1.0).abs() < 0.03, "{variance}");
        let within_one = draws.iter().filter(|x| x.abs() < 1.0).count() as f64 / draws.len() as f64;
        assert!((within_one - 0.6827).abs() < 0.01, "{within_one}");
    }

    #[test]
    fn chance_comes_true_about_as_often_as_asked() {
        let mut rng = Rng::new(3);
        let hits = (0..10_000).filter(|_| rng.chance(0.3)).count();
        assert!(hits.abs_diff(3_000) < 230, "{hits}");
        assert!(!(0..100).any(|_| rng.chance(0.0)));
        assert!((0..100).all(|_| rng.chance(1.0)));
    }

    #[test]
    fn a_shuffle_keeps_every_item_and_every_order_is_reachable() {
        let mut rng = Rng::new(9);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2_000 {
            let mut items = [1, 2, 3];
            rng.shuffle(&mut items);
            let mut sorted = items;
            sorted.sort_unstable();
            assert_eq!(sorted, [1, 2, 3]);
            seen.insert(items);
        }
        assert_eq!(seen.len(), 6);
    }
}
