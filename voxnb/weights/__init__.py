"""Fetching and verifying model weights (engines' and Whisper's) from Hugging Face or ModelScope."""
