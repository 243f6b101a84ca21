//! OCOP reference data (product groups, scoring parts, star bands) as versioned data tied to its decision.
