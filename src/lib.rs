pub mod engine;
pub mod render;
pub mod state;
