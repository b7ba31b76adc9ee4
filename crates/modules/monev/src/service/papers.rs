//! The PDFs: filled in below.
