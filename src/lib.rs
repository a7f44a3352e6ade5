//! onsager
