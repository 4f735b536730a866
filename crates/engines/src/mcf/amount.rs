//! The two number widths the simplex runs in: `i64` when every amount it can meet provably fits
//! (almost always: costs and supplies of real instances are small), `i128` otherwise.
//!
//! Why two: `i128` is exact for any input the builder accepts (see `simplex::bounds_fit_i64`
//! for the bounds), but it costs a quarter to a third of the solve time on our benchmarks
//! (wider loads in pricing, two-word arithmetic). The choice is made once per solve from bounds
//! computed in `i128`, so the `i64` run can never overflow; results are widened back to `i128`.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// A signed integer the simplex computes in.
pub(crate) trait Amount:
    Copy
    + Ord
    + Debug
    + From<i8>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
{
    const ZERO: Self;
    /// The capacity of an artificial arc: more than any flow.
    const INF: Self;
    /// Narrow a value the caller has proved to fit.
    fn narrow(v: i128) -> Self;
    fn widen(self) -> i128;
}

impl Amount for i64 {
    const ZERO: Self = 0;
    const INF: Self = i64::MAX;

    fn narrow(v: i128) -> Self {
        debug_assert!(i64::try_from(v).is_ok(), "{v} does not fit i64: the width check is wrong");
        v as i64
    }

    fn widen(self) -> i128 {
        i128::from(self)
    }
}

impl Amount for i128 {
    const ZERO: Self = 0;
    const INF: Self = i128::MAX;

    fn narrow(v: i128) -> Self {
        v
    }

    fn widen(self) -> i128 {
        self
    }
}
