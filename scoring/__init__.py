"""Scoring for attunement: the codebook, the rubric and the scorer. Headless and pure."""
