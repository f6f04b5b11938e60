"""The C line split (variants/_vcf_lines.c) gives frame_from_lines' frames, or its Fallback."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from her2resist.variants import fast

pytestmark = pytest.mark.skipif(fast._vcf_lines is None, reason="C extension not built")


def _line(pos="100", n_samples=2, info="DP=3;CSQ=G|x", chrom="17", end="\n", extra=()) -> str:
    fields = [chrom, pos, "rs1", "A", "G", "50", "PASS", info]
    if n_samples:
        fields += ["GT:AD:DP", *[f"0/1:{i},3:{i + 3}" for i in range(n_samples)]]
    return "\t".join([*fields, *extra]) + end


def _python(text: str, n_samples: int, monkeypatch, chunk: int) -> pd.DataFrame | str:
    """frame_from_lines without the extension, `chunk` lines at a time, on the lines a text
    reader gives ('\\n' ends): the first Fallback or the whole frame."""
    lines = io.StringIO(text, newline="\n").readlines()
    frames = []
    with monkeypatch.context() as patch:
        patch.setattr(fast, "_vcf_lines", None)
        for i in range(0, len(lines) or 1, chunk):
            try:
                frames.append(fast.frame_from_lines(lines[i : i + chunk], n_samples))
            except fast.Fallback as exc:
                return f"Fallback: {exc}"
    return pd.concat(frames, ignore_index=True)


def _outcome(make) -> pd.DataFrame | str:
    try:
        return make()
    except fast.Fallback as exc:
        return f"Fallback: {exc}"


def _streamed(data: bytes, n_samples: int, monkeypatch, chunk: int, read: int):
    """The streamed path's blocks: chunks of at most `chunk` lines from reads of `read` bytes."""
    with monkeypatch.context() as patch:
        patch.setattr(fast, "CHUNK_RECORDS", chunk)
        patch.setattr(fast, "READ_BYTES", read)
        frames = list(fast._text_blocks(io.BytesIO(data), n_samples))
    assert all(0 < len(f) <= chunk for f in frames)
    assert all(len(f) == chunk for f in frames[:-1])
    return pd.concat(frames, ignore_index=True) if frames else fast.frame_from_lines([], n_samples)


def _assert_same(expected, got) -> None:
    if isinstance(expected, str):
        assert got == expected
    else:
        assert not isinstance(got, str), got
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _check(text: str, n_samples: int, monkeypatch) -> pd.DataFrame | str:
    """Every compiled form of the text (list of lines, one bytes block, chunks from small
    blocks) gives the Python path's frame or Fallback message; returns that."""
    expected = _python(text, n_samples, monkeypatch, 10_000)
    lines = io.StringIO(text, newline="\n").readlines()
    data = text.encode()
    _assert_same(expected, _outcome(lambda: fast.frame_from_lines(lines, n_samples)))
    _assert_same(expected, _outcome(lambda: fast._split_block(data, n_samples)[0]))
    for chunk, read in ((1, 1), (2, 5), (3, 64), (10_000, 1 << 20)):
        got = _outcome(lambda c=chunk, r=read: _streamed(data, n_samples, monkeypatch, c, r))
        _assert_same(_python(text, n_samples, monkeypatch, chunk), got)
    return expected


def test_extension_is_built() -> None:
    assert fast._vcf_lines is not None, "the C extension was not built (make setup)"


@pytest.mark.parametrize("n_samples", [0, 2, 3])
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty block"),
        pytest.param("{a}", id="one line"),
        pytest.param("{a}{b}{c}", id="three lines"),
        pytest.param("{a}{b}{c}".replace("\n", "\r\n"), id="crlf"),
        pytest.param("{a}{b}".replace("\n", "\r\r\n"), id="two carriage returns"),
        pytest.param("{a}{b}".rstrip("\n"), id="last line without newline"),
        pytest.param("{a}{b}".replace("\n", "\r\n").rstrip("\n"), id="last line ends in cr"),
        pytest.param("{a}{spaces}{b}", id="spaces and cr inside fields"),
        pytest.param("{a}{utf8}{b}", id="utf-8 text"),
        pytest.param("{a}{long_info}{b}", id="very long info"),
        pytest.param("{a}{same}{same}{b}", id="repeated values"),
        pytest.param("{a}{empty_fields}", id="empty fields"),
        pytest.param("{a}{zeros}{big}", id="leading zeros, largest int64"),
    ],
)
def test_same_frames(text: str, n_samples: int, monkeypatch) -> None:
    n = n_samples
    text = text.format(
        a=_line("100", n),
        b=_line("200", n, chrom="chr17"),
        c=_line("300", n, info="."),
        spaces=_line("150", n, info="A B;\rC=1\r;D= ", chrom="1 7"),
        utf8=_line("160", n, info="CSQ=G|p.Ålà|Ω|😀", chrom="ß"),
        long_info=_line("170", n, info="CSQ=" + "x|" * 500_000),
        same=_line("180", n),
        empty_fields="\t".join(["", "5", "", "", "", "", "", "", *[""] * (n + 1 if n else 0)])
        + "\n",
        zeros=_line("000190", n),
        big=_line("9223372036854775807", n),
    )
    expected = _check(text, n_samples, monkeypatch)
    assert isinstance(expected, pd.DataFrame)
    assert list(expected.columns) == list(fast.column_names(n_samples).values())
    assert expected["POS"].dtype == "int64"


@pytest.mark.parametrize("n_samples", [0, 2])
def test_more_columns_without_samples(n_samples: int, monkeypatch) -> None:
    """Columns after INFO are ignored when no sample is read, a Fallback otherwise."""
    text = _line("100", n_samples) + _line("200", n_samples, extra=("X", "é"))
    expected = _check(text, n_samples, monkeypatch)
    assert isinstance(expected, pd.DataFrame) is (n_samples == 0)


COLUMNS = "Fallback: a data line with another number of columns than the header"
POS = "Fallback: POS is not a number"


@pytest.mark.parametrize("n_samples", [0, 2, 3])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{a}\n{b}", COLUMNS, id="blank line"),
        pytest.param("{a}\r\n{b}", COLUMNS, id="blank crlf line"),
        pytest.param("{a}{b}\n", COLUMNS, id="blank last line"),
        pytest.param("{a}17\t100\t.\tA\n", COLUMNS, id="short line"),
        pytest.param("{a}{short}{b}", COLUMNS, id="one column missing"),
        pytest.param("{a}{bad_pos}{b}", POS, id="letters in POS"),
        pytest.param("{a}{empty_pos}", POS, id="empty POS"),
        pytest.param("{a}{sign_pos}", POS, id="signed POS"),
        pytest.param("{a}{space_pos}", POS, id="space in POS"),
        pytest.param("{a}{arabic_pos}", POS, id="non-ASCII digits"),
        pytest.param("{a}{superscript_pos}", POS, id="superscript digit"),
        pytest.param("{a}{huge_pos}", POS, id="POS beyond int64"),
        pytest.param("{bad_pos}{a}{short}", COLUMNS, id="columns are checked before POS"),
    ],
)
def test_same_fallbacks(text: str, message: str, n_samples: int, monkeypatch) -> None:
    n = n_samples
    text = text.format(
        a=_line("100", n),
        b=_line("200", n),
        short=_line("150", n).rsplit("\t", 1)[0] + "\n",
        bad_pos=_line("12a", n),
        empty_pos=_line("", n),
        sign_pos=_line("+5", n),
        space_pos=_line(" 5", n),
        arabic_pos=_line("١٢", n),
        superscript_pos=_line("1²", n),
        huge_pos=_line("9223372036854775808", n),
    )
    assert _check(text, n_samples, monkeypatch) == message


@pytest.mark.parametrize(("n_samples", "where"), [(2, 0), (2, 1), (2, 2), (2, 7), (2, 9), (0, 9)])
def test_invalid_utf8_is_a_decode_error(n_samples: int, where: int) -> None:
    """Bytes are decoded strictly, the columns not kept too (as the text reader does)."""
    fields = _line("100", 2).encode().split(b"\t")
    fields[where] = fields[where][:1] + b"\xe9" + fields[where][1:]
    data = _line("50", 2).encode() + b"\t".join(fields)
    with pytest.raises(UnicodeDecodeError):
        fast._split_block(data, n_samples)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_block_offsets() -> None:
    """start, max_lines and final: what the streamed path builds its chunks with."""
    split = fast._vcf_lines.split
    data = b"1\t5\tx\n2\t6\ty\n3\t7"
    columns, positions, end = split(data, 2, [0], max_lines=1)
    assert (columns, list(np.frombuffer(positions, np.int64)), end) == ([["1"]], [5], 6)
    columns, _, end = split(data, 3, [0, 2], exact=True, start=6, final=False)
    assert (columns, end) == ([["2"], ["y"]], 12)
    columns, _, end = split(data, 2, [0], start=12)
    assert (columns, end) == ([["3"]], len(data))
    assert split(data, 2, [0], start=len(data))[2] == len(data)
    columns, positions, end = split(["1\t5\tx", "2\t6\ty\r\n"], 3, [2], start=1)
    assert (columns, list(np.frombuffer(positions, np.int64)), end) == ([["y"]], [6], 2)
    with pytest.raises(TypeError):
        split([b"1\t5"], 2, [0])
    for wanted in ([1], [0, 0], [2]):
        with pytest.raises(ValueError, match="wanted"):
            split(data, 2, wanted)
    with pytest.raises(ValueError, match="start"):
        split(data, 2, [0], start=len(data) + 1)
