import pytest

from motion_rnn.parameters import PROFILES, ParameterError, check_choice, check_parameters


def test_defaults_pass(tmp_path):
    params = check_parameters(profile="ci", data="synthetic", seed=0, device="cpu", results_dir=tmp_path)
    assert params.profile == "ci" and params.data_path is None and params.data_label == "synthetic"
    assert params.results_dir == tmp_path and params.device.type == "cpu"


@pytest.mark.parametrize("profile", ["fast", "CI", "", None])
def test_unknown_profile_names_the_allowed_values(profile):
    with pytest.raises(ParameterError) as error:
        check_parameters(profile=profile, data="synthetic", seed=0)
    message = str(error.value)
    assert f"profile={profile!r}" in message
    assert all(repr(p) in message for p in PROFILES)


def test_unknown_data_name_lists_choices_and_paths():
    with pytest.raises(ParameterError, match=r"data='jester'.*'synthetic'.*path"):
        check_parameters(profile="ci", data="jester", seed=0)


def test_missing_data_folder_is_named(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(ParameterError, match="no folder at .*such"):
        check_parameters(profile="ci", data=str(missing), seed=0)


def test_existing_data_folder_is_resolved(tmp_path):
    params = check_parameters(profile="quick", data=str(tmp_path), seed=2)
    assert params.data_path == tmp_path.resolve()
    assert params.data_label == f"path:{tmp_path.name}"


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seed(seed):
    with pytest.raises(ParameterError, match="seed="):
        check_parameters(profile="ci", data="synthetic", seed=seed)


def test_bad_device():
    with pytest.raises(ParameterError, match="device='tpu'"):
        check_parameters(profile="ci", data="synthetic", seed=0, device="tpu")


def test_check_choice():
    assert check_choice("x", "a", ("a", "b")) == "a"
    with pytest.raises(ParameterError, match="x='c' is not allowed; choose one of: 'a', 'b'"):
        check_choice("x", "c", ("a", "b"))
