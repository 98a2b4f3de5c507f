//! What compono does with WIT itself: print it, encode it.
