//! The fuzz targets' logic on a few thousand random inputs each, on every `cargo test`, so that
//! the harnesses in `fuzz/` cannot rot and their checks keep holding. The inputs are structured
//! random (mutated seeds and random bytes from a fixed-seed generator), not coverage-guided: the
//! long runs are `scripts/fuzz-short` and `cargo fuzz run` (see docs/reliability.md).

use third_neighbor::fuzz;

/// SplitMix64, seeded: the same inputs on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// A seed with a few random edits: bytes flipped, inserted, deleted, a slice duplicated, or
    /// cut short.
    fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
        let mut out = seed.to_vec();
        for _ in 0..1 + self.below(4) {
            let at = self.below(out.len());
            match self.below(6) {
                0 if !out.is_empty() => out[at] ^= 1 << self.below(8),
                1 => {
                    const SPECIAL: &[u8] = b"{}[]\",:=#\n\\0-9.aZ";
                    out.insert(at, SPECIAL[self.below(SPECIAL.len())]);
                }
                2 if !out.is_empty() => {
                    out.remove(at);
                }
                3 => {
                    let end = (at + self.below(64)).min(out.len());
                    let copy = out[at..end].to_vec();
                    let to = self.below(out.len());
                    out.splice(to..to, copy);
                }
                4 => out.truncate(at),
                _ => {
                    let b = self.next() as u8;
                    out.insert(at, b);
                }
            }
        }
        out
    }
}

const FRAMES: &[&str] = &[
    r#"{"type":"join","id":1,"code":"K7QX3MPA","name":"Bolor"}"#,
    r#"{"type":"resume","seat_token":"st_0123456789abcdef0123456789abcdef"}"#,
    r#"{"type":"instructor","session_id":"5b0c","key":"ik_0123456789abcdef0123456789abcdef"}"#,
    r#"{"type":"watch","code":"K7QX3MPA"}"#,
    r#"{"type":"set_orders","id":"a","round":1,"orders":[{"move":"trade_deal","target":null},{"move":"x"}]}"#,
    r#"{"type":"ready","round":2,"ready":false}"#,
    r#"{"type":"say","to":["russia","china"],"text":"hello"}"#,
    r#"{"type":"choose_role","role":null}"#,
    r#"{"type":"ping","id":99}"#,
    r#"{"type":"set_deadline","secs":300}"#,
];

#[test]
fn frames() {
    let mut g = Gen(1);
    for i in 0..4000 {
        let pick = g.below(FRAMES.len());
        let input = if i % 4 == 0 { g.bytes(200) } else { g.mutate(FRAMES[pick].as_bytes()) };
        fuzz::frame(&input);
        fuzz::session(&input);
    }
}

#[test]
fn sessions() {
    let mut g = Gen(3);
    for _ in 0..300 {
        let input = g.bytes(3000);
        fuzz::session(&input);
    }
}

#[test]
fn scenarios() {
    let seeds: Vec<&str> = third_neighbor::scenario::EMBEDDED.iter().map(|(_, text)| *text).collect();
    let fixtures = [include_str!("../fixtures/rules.toml"), include_str!("../common/lab.toml")];
    let mut g = Gen(2);
    for i in 0..1500 {
        let (fixture, seed) = (g.below(fixtures.len()), g.below(seeds.len()));
        let input = match i % 5 {
            0 => g.bytes(300),
            1 | 2 => g.mutate(fixtures[fixture].as_bytes()),
            _ => g.mutate(seeds[seed].as_bytes()),
        };
        fuzz::scenario(&input);
    }
    // The seeds themselves load and play.
    for seed in seeds.iter().chain(&fixtures) {
        fuzz::scenario(seed.as_bytes());
    }
}

#[test]
fn engine() {
    let mut g = Gen(3);
    for _ in 0..3000 {
        let input = g.bytes(400);
        fuzz::engine(&input);
    }
}

/// Inputs the fuzzers once stopped at (harness or code bugs since fixed) run every time.
#[test]
fn regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    for (target, run) in [("frame", fuzz::frame as fn(&[u8])), ("scenario", fuzz::scenario), ("engine", fuzz::engine)] {
        let Ok(files) = std::fs::read_dir(dir.join(target)) else { continue };
        for file in files.flatten() {
            run(&std::fs::read(file.path()).expect("read a regression input"));
        }
    }
}
