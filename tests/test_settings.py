import pytest

from voxnb.errors import SettingsError
from voxnb.settings import SPEED_RANGE, STYLES, SynthesisSettings, get_style


def test_presets_cover_the_expected_styles():
    assert {"neutral", "happy", "sad", "calm", "excited", "fast", "slow"} <= set(STYLES)
    assert STYLES["fast"].speed > 1 > STYLES["slow"].speed
    assert not STYLES["neutral"].approximate and STYLES["happy"].approximate


def test_unknown_style_lists_presets():
    with pytest.raises(SettingsError) as e:
        get_style("angry-pirate")
    assert "neutral" in str(e.value) and "angry-pirate" in str(e.value)


@pytest.mark.parametrize("speed", [SPEED_RANGE[0] - 0.01, SPEED_RANGE[1] + 0.5, 0, -1, float("nan"), "fast"])
def test_speed_out_of_range_is_refused(speed):
    with pytest.raises(SettingsError, match="Speed"):
        SynthesisSettings(speed=speed).validated()


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True])
def test_bad_seed(seed):
    with pytest.raises(SettingsError, match="Seed"):
        SynthesisSettings(seed=seed).validated()


def test_valid_settings_round_trip():
    s = SynthesisSettings(style="calm", speed=1, seed=42, lang="zh").validated()
    assert s.speed == 1.0 and isinstance(s.speed, float)
    assert s.to_dict()["seed"] == 42


@pytest.mark.parametrize("speed, words", [("fast", "is not a number"), (True, "is not a number"), (None, "is not a number"),
                                          (9, "is out of range")])
def test_speed_messages_say_which_is_wrong(speed, words):
    with pytest.raises(SettingsError, match=words):
        SynthesisSettings(speed=speed).validated()


def test_inspect_must_be_a_bool():
    with pytest.raises(SettingsError, match="inspect must be True or False"):
        SynthesisSettings(inspect="yes").validated()


def test_match_channel_must_be_a_bool():
    with pytest.raises(SettingsError, match="match_channel"):
        SynthesisSettings(match_channel="yes").validated()
    assert SynthesisSettings(match_channel=True).validated().match_channel is True


def test_pauses_by_punctuation():
    s = SynthesisSettings().validated()
    assert s.pause("comma") < s.pause("sentence") < s.pause("paragraph")
    assert 0.1 <= s.pause("comma") <= 0.45 and 0.25 <= s.pause("sentence") <= 0.7
    assert s.pause("word") == s.pause("end") == 0.0
    assert SynthesisSettings(clause_pause=1).validated().pause("clause") == 1.0


@pytest.mark.parametrize("kind, value", [("comma", -0.1), ("sentence", 2.5), ("paragraph", "long"), ("clause", True)])
def test_bad_pause_is_refused(kind, value):
    with pytest.raises(SettingsError, match=f"{kind.capitalize()} pause"):
        SynthesisSettings(**{f"{kind}_pause": value}).validated()
