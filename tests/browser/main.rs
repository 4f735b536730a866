//! browser tests
