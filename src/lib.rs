pub mod engine;
pub mod lsp;
pub mod render;
pub mod state;
