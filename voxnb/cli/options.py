"""Help strings that several commands share."""

LANG_HELP = ("language of what stands between words (numbers, dates, symbols, punctuation); auto: the words "
             "around it decide. Chinese characters are always read as Mandarin and Latin words as English")
SEED_HELP = "random seed: the same seed, text, voice and settings give the same audio (Kokoro is deterministic)"
CONSENT_HELP = ("state that you have the right to clone this voice (it is yours, or its speaker agreed); "
                "required to clone a recording, kept with the voice and named in every output's metadata")


def engine_help(lead: str = "engine to use") -> str:
    """The engines there are, from their specs: the CPU ones first, the default marked."""
    from ..engines import DEFAULT, specs

    def named(spec) -> str:
        return f"{spec.name} (default)" if spec.name == DEFAULT else spec.name

    cpu = [named(s) for s in specs().values() if s.device == "cpu"]
    gpu = [named(s) for s in specs().values() if s.device != "cpu"]
    groups = [f"{', '.join(names)} ({kind})" for names, kind in ((cpu, "CPU"), (gpu, "GPU")) if names]
    return f"{lead}: {'; '.join(groups)}; see voxnb doctor"


def __getattr__(name: str):
    if name == "ENGINE_HELP":     # the older constant: read from the specs when asked for
        return engine_help()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
