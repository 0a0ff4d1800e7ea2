"""Reading .txt files: encodings, byte-order marks, line ends, and files that are not text."""
import gzip
import pickle
import random

import pytest

from campaignnlp.corpus import TextDecodeError, _read_text_file, decode_text, iter_documents

SIMPLIFIED = "在查摆问题环节，县委召开专题民主生活会。\n一是领导带头学；二是专家授课学。"
TRADITIONAL = "在檢視問題環節，縣委召開專題民主生活會。\n一是領導帶頭學；二是專家授課學。"


@pytest.mark.parametrize("data,text", [
    (SIMPLIFIED.encode("utf-8"), SIMPLIFIED),
    (b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), SIMPLIFIED),
    (b"\xff\xfe" + SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED),
    (b"\xfe\xff" + SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED),
    (b"\xff\xfe\x00\x00" + SIMPLIFIED.encode("utf-32-le"), SIMPLIFIED),
    (SIMPLIFIED.encode("gb2312"), SIMPLIFIED),
    (SIMPLIFIED.encode("gbk"), SIMPLIFIED),
    (TRADITIONAL.encode("gbk"), TRADITIONAL),                    # traditional text in GBK
    ("\ufeff" + SIMPLIFIED.encode("gb18030").decode("gb18030"), SIMPLIFIED),  # GB18030's BOM
    ("𠀀𠀁€·—".encode("gb18030") + SIMPLIFIED.encode("gb18030"), "𠀀𠀁€·—" + SIMPLIFIED),
    ("姓名：李沨，住址：塆".encode("gb18030"), "姓名：李沨，住址：塆"),  # two rare characters pass
    (b"", ""),
    ("ascii only\r\n".encode("ascii"), "ascii only\n"),
])
def test_encodings_are_detected(data, text):
    if isinstance(data, str):  # a text whose GB18030 encoding starts with the 4-byte BOM
        data = data.encode("gb18030")
    assert decode_text(data, "x.txt") == text


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_crlf_and_lone_cr_become_lf(encoding):
    raw = "第一行\r\n第二行\r第三行\n\r\n第四行\r"
    assert decode_text(raw.encode(encoding), "x.txt") == "第一行\n第二行\n第三行\n\n第四行\n"


def _error(data: bytes, name="bad.txt") -> TextDecodeError:
    with pytest.raises(TextDecodeError) as e:
        decode_text(data, name)
    assert str(e.value).startswith(f"{name}, byte offset {e.value.start}:")
    return e.value


def test_invalid_in_both_encodings_names_the_byte():
    head = "整改落实。".encode("utf-8")
    e = _error(head + b"\xff" + "建章立制".encode("utf-8"))
    assert e.start == len(head) and "neither UTF-8 (invalid byte 0xff) nor GB18030" in str(e)


def test_random_binary_is_refused():
    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(64, 2048)))
        e = _error(data)
        assert 0 <= e.start < len(data)


@pytest.mark.parametrize("data,where", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", 8),   # a PNG header
    ("hello 学习".encode("utf-16-le"), 1),                           # UTF-16 without a BOM
    ("学习教育".encode("utf-8") + b"\x01\x02\x03" * 3, 12),           # control characters
])
def test_binary_is_refused_at_the_first_control_character(data, where):
    e = _error(data)
    assert "binary" in str(e) and e.start == where


@pytest.mark.parametrize("text,encoding", [
    ("Les élèves très motivés étudient la littérature. Théâtre, dîner, Müller, Österreich.",
     "latin-1"),
    ("日本語のテキストです。東京都で会議が開かれました。", "shift_jis"),
    ("繁體中文的文字，會議在臺北舉行。學習教育。", "big5"),
])
def test_other_encodings_are_refused_not_read_as_garbage(text, encoding):
    data = text.encode(encoding)
    data.decode("gb18030")  # they are valid GB18030 byte sequences...
    e = _error(data)        # ...but not Chinese text
    assert "not Chinese text in GB18030/GBK" in str(e)
    # the offset is where the bytes of the first rare character, named in the message, start
    first = data[e.start:].decode("gb18030")[0]
    assert f"the first {first!r} here" in str(e) and first not in text


def test_a_few_rare_characters_in_a_long_text_pass():
    text = SIMPLIFIED * 20 + "沨塆盬勠"  # 4 rare among ~700 non-ASCII characters
    assert decode_text(text.encode("gb18030"), "x.txt") == text


def test_error_pickles_for_worker_processes():
    e = _error(b"abc\xffdef")
    again = pickle.loads(pickle.dumps(e))
    assert str(again) == str(e) and isinstance(again, UnicodeDecodeError)


def test_txt_files_offsets_index_the_decoded_text(tmp_path, nlp):
    from campaignnlp.batch import tag_documents
    p = tmp_path / "gbk_crlf.txt"
    p.write_bytes(("标题\r\n" + SIMPLIFIED.replace("\n", "\r\n") + "\r").encode("gbk"))
    text = _read_text_file(p)
    assert "\r" not in text and text.startswith("标题\n")
    (record,) = tag_documents(nlp, iter_documents([p]))
    assert record["id"] == str(p) and record["sentences"]
    for s in record["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]


def test_unreadable_file_becomes_an_error_record_naming_it(tmp_path):
    (tmp_path / "d").mkdir()
    good, bad = tmp_path / "d" / "a.txt", tmp_path / "d" / "b.txt"
    good.write_bytes("学习教育。".encode("gbk"))
    bad.write_bytes("Müller Österreich théâtre élèves".encode("latin-1"))
    gz = tmp_path / "c.txt.gz"
    gz.write_bytes(gzip.compress("Müller Österreich théâtre élèves".encode("latin-1")))
    docs = list(iter_documents([tmp_path / "d", gz]))
    assert [d.text for d in docs] == ["学习教育。", None, None]
    for d, path in ((docs[1], bad), (docs[2], gz)):
        assert "byte offset" in d.error
        assert d.error.count(str(path)) == 1  # named once, not once per layer
