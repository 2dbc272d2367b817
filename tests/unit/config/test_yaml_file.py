"""Every YAML file of the desk is read strictly: a duplicated key or a non-UTF-8 byte is an
error naming the key (or the byte) and the line, never a silent last-wins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config.yaml_file import YamlFileError, read_yaml_file
from errors import FixConfig


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    return path


def test_a_duplicated_top_level_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, b"mode: paper\ndata_dir: x\nmode: production\n")
    with pytest.raises(YamlFileError) as err:
        read_yaml_file(path)
    assert str(err.value) == "duplicate key 'mode' at line 3 (first at line 1)"


def test_a_duplicated_nested_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, b"redis:\n  url: a\n  url: b\n")
    with pytest.raises(YamlFileError, match="duplicate key 'url' at line 3 \\(first at line 2\\)"):
        read_yaml_file(path)


def test_the_same_key_in_different_mappings_is_fine(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a: {name: x}\nb: {name: y}\n")
    assert read_yaml_file(path) == {"a": {"name": "x"}, "b": {"name": "y"}}


def test_non_utf8_text_is_one_sentence(tmp_path: Path) -> None:
    path = _write(tmp_path, b"mode: paper\n# \xff\n")
    with pytest.raises(YamlFileError) as err:
        read_yaml_file(path)
    assert str(err.value) == "not UTF-8 text (byte 0xff at offset 14)"


def test_a_syntax_error_gives_line_and_column_without_a_mark_dump(tmp_path: Path) -> None:
    path = _write(tmp_path, b"mode: [paper\n")
    with pytest.raises(YamlFileError) as err:
        read_yaml_file(path)
    assert "line 2" in str(err.value) and "\n" not in str(err.value)


def test_the_error_is_a_yaml_error_and_a_config_error() -> None:
    # A YAMLError, so readers catching yaml.YAMLError (the holiday file) get it for free.
    assert issubclass(YamlFileError, yaml.YAMLError)
    assert issubclass(YamlFileError, FixConfig)


def test_only_safe_tags(tmp_path: Path) -> None:
    path = _write(tmp_path, b"x: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(YamlFileError):
        read_yaml_file(path)


def test_the_holiday_file_refuses_a_duplicated_key(tmp_path: Path) -> None:
    from marketdata.holidays import HolidayFileError, read_holiday_file

    path = _write(tmp_path, b"covered_through: 2026-12-31\nholidays: []\n"
                            b"covered_through: 2030-12-31\n")
    with pytest.raises(HolidayFileError) as err:
        read_holiday_file(path)
    assert str(err.value) == (f"holiday file {path}: not valid YAML: duplicate key "
                              "'covered_through' at line 3 (first at line 1)")


def test_the_holiday_file_refuses_non_utf8_text(tmp_path: Path) -> None:
    from marketdata.holidays import HolidayFileError, read_holiday_file

    path = _write(tmp_path, b"covered_through: 2026-12-31\n# \xfe\n")
    with pytest.raises(HolidayFileError, match="not UTF-8 text"):
        read_holiday_file(path)
