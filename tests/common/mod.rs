//! Shared by the sampler tests.

#[allow(dead_code)]
pub mod samplers;

/// splitmix64 → uniform [0, 1): independent streams for neighbouring seeds.
pub struct Rng(pub u64);

impl Rng {
    /// The next uniform deviate in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}
