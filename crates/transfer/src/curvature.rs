//! The result type of every Fisher-curvature route (transfer matrix, streamed free fermions),
//! in a module of its own so that the routes and the geometry that assembles it import it
//! without importing each other.

/// The scalar curvature and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curvature {
    /// R = ¼(B − A)
    pub r: f64,
    /// A = v g⁻¹ v
    pub a: f64,
    /// B = T·T contracted with three inverse metrics
    pub b: f64,
    /// smallest eigenvalue of g (positive definiteness)
    pub g_min_eig: f64,
    /// largest eigenvalue of g
    pub g_max_eig: f64,
}
