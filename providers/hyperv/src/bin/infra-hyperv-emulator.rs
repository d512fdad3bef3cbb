//! The emulated Hyper-V host as its own program (the same as `infra emulator hyperv`), so the
//! provider's own tests need not build the `infra` binary.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(infra_provider_hyperv::emulator::main_with(&args));
}
