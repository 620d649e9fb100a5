"""Reference audio on its way in: decode, checks, voice activity, speaker embedding, transcript."""
