//! authz_matrix
