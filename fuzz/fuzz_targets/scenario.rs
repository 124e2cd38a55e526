//! Fuzz target `scenario`: see `third_neighbor::fuzz::scenario` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| third_neighbor::fuzz::scenario(data));
