"""The d-vector embedder, by the name the bench's callers know it: it lives in voxnb.reference.speaker,
where it is the encoder cloning fits with (the bench also reports it, next to GE2E)."""
from ..reference.speaker import embed, similarity

__all__ = ["embed", "similarity"]
