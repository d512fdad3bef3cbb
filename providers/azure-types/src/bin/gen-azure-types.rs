//! Regenerates `providers/azure-types/data/azure-types.bin` from Microsoft's type data.
//! Usage: gen-azure-types <input folder> <output file>

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!(
            "usage: gen-azure-types <input folder, e.g. ../shared/azure-types> <output .bin>"
        );
        return ExitCode::from(2);
    };
    let (bytes, s) = match infra_azure_types::generate::generate(std::path::Path::new(input)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(output, &bytes) {
        eprintln!("error: cannot write {output}: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "{} type/versions from {} files ({} duplicates skipped); JSON {} bytes; \
         {} types in, {} after dedup; {} bytes raw, {} bytes written to {output}; \
         {} of {} distinct patterns not compilable by regex-lite (skipped at validate)",
        s.entries,
        s.files,
        s.duplicates_skipped,
        s.json_bytes,
        s.types_in,
        s.types_out,
        s.raw_bytes,
        s.out_bytes,
        s.patterns_skipped,
        s.patterns_total
    );
    ExitCode::SUCCESS
}
