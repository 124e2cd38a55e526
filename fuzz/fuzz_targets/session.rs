//! Fuzz target `session`: frame → validation → session reducer. THE LEAD'S SLOT: the body of
//! `third_neighbor::fuzz::session` runs only the frame parser until the pure reducer exists.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| third_neighbor::fuzz::session(data));
