//! Fuzz target `frame`: see `third_neighbor::fuzz::frame` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| third_neighbor::fuzz::frame(data));
