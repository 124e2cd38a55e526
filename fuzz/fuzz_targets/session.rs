//! Fuzz target `session`: frame → validation → session reducer (`third_neighbor::fuzz::session`:
//! requests from arbitrary seats against a table; decided events apply, the fold equals the live
//! table).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| third_neighbor::fuzz::session(data));
