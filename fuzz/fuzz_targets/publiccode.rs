//! Any bytes through the whole validator: reading, decoding, rules, checks and both exports.
//! Must never panic; the reader's limits bound time and memory.
#![no_main]

use cantiere_publiccode::{Limits, Options, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Smaller node budget than the default so a single input stays fast under the fuzzer.
    let options = Options { limits: Limits { max_nodes: 100_000, ..Limits::default() }, ..Options::default() };
    let report = validate(data, &options);
    if let Some(doc) = report.document {
        let _ = doc.to_yaml();
        let _ = doc.to_json();
    }
    for d in &report.diagnostics {
        let _ = d.to_string();
    }
});
