//! rollups
