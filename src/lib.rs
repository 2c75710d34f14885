pub mod persian;
