"""Help strings that several commands share."""

ENGINE_HELP = "engine to use: kokoro (CPU, default), f5, voxcpm, cosyvoice3 (GPU; see voxnb doctor)"
LANG_HELP = ("language of what stands between words (numbers, dates, symbols, punctuation); auto: the words "
             "around it decide. Chinese characters are always read as Mandarin and Latin words as English")
SEED_HELP = "random seed: the same seed, text, voice and settings give the same audio (Kokoro is deterministic)"
CONSENT_HELP = ("state that you have the right to clone this voice (it is yours, or its speaker agreed); "
                "required to clone a recording, kept with the voice and named in every output's metadata")
