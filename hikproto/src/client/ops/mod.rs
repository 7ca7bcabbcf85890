//! Typed operations on [`Device`](super::Device), one file per feature area, each an
//! `impl Device` block.

mod recovery;
