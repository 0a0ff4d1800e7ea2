"""Nothing touches the network: load, tag, train, save and load again with sockets blocked.

The block runs in a subprocess, installed before anything is imported, so it is total and
cannot leak into the test session. It is an audit hook (``sys.addaudithook``): CPython raises
the ``socket.connect`` / ``socket.getaddrinfo`` / ... audit events in C, for every caller,
whatever library it is and however it reaches the socket module; a hook cannot be removed.
Every attempt is recorded as well as refused, so an attempt that a library catches and
shrugs off (Hugging Face clients fall back to their caches that way) still fails the test.

No offline variables (``HF_HUB_OFFLINE``, ``HF_DATASETS_OFFLINE``) are set: the library must
not phone home, not merely be told not to.
"""
import os
import subprocess
import sys
import textwrap

BLOCK = r'''
import socket, sys, traceback

ATTEMPTS = []
_NET_EVENTS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
               "socket.getnameinfo", "socket.sendto", "socket.sendmsg", "socket.connect"}

def _audit(event, args):
    if event not in _NET_EVENTS:
        return
    if event == "socket.connect" and args[0].family not in (socket.AF_INET, socket.AF_INET6):
        return  # local (AF_UNIX) sockets are not the network
    ATTEMPTS.append((event, repr(args[1:])[:200], "".join(traceback.format_stack(limit=12))))
    raise OSError(f"network access blocked by the offline test: {event} {args[1:]!r}")

sys.addaudithook(_audit)

def _check(stage):
    if ATTEMPTS:
        for event, args, stack in ATTEMPTS:
            print(f"NETWORK ATTEMPT during {stage}: {event} {args}\n{stack}", file=sys.stderr)
        sys.exit(3)
'''

SELF_TEST = r'''
try:
    socket.getaddrinfo("localhost", 80)  # refused by the hook before any lookup happens
except OSError:
    pass
assert ATTEMPTS and ATTEMPTS[0][0] == "socket.getaddrinfo", "the block does not work"
print("BLOCK-WORKS")
'''

WORKLOAD = r'''
import json, sys, tempfile
from pathlib import Path

import campaignnlp
from campaignnlp import training
from campaignnlp.corpus import iter_documents, read_annotations

gold_dir = Path(sys.argv[1])
text = "在查摆问题环节，县委召开专题民主生活会。一是领导带头学；二是专家授课学。"

nlp = campaignnlp.load()
doc = nlp(text)
assert doc.spans["campaign"] and all(s._.stage for s in doc.spans["campaign"])
_check("load and tag")

import datasets  # the library reads datasets objects and directories
frame = campaignnlp.tag(datasets.Dataset.from_dict({"id": ["a", "b"], "text": [text, "整改落实。"]}))
assert set(frame["doc_id"]) == {"a", "b"}
with tempfile.TemporaryDirectory() as tmp:
    datasets.Dataset.from_dict({"id": ["x"], "text": [text]}).save_to_disk(f"{tmp}/ds")
    docs = list(iter_documents([f"{tmp}/ds"]))
    assert [d.text for d in docs] == [text], docs
_check("tag a datasets.Dataset and read a datasets directory")

gold = read_annotations(sorted(gold_dir.glob("*.jsonl")))[:10]
trained = training.train(gold)
with tempfile.TemporaryDirectory() as tmp:
    training.save(trained, Path(tmp) / "model")
    again = campaignnlp.load(Path(tmp) / "model")
    assert again(text).spans["campaign"]
_check("train, save and load")
print("OFFLINE-OK")
'''


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")}
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env=env, timeout=900)


def test_the_block_catches_an_attempt():
    proc = _run(BLOCK + SELF_TEST + "_check('self-test')\n")
    assert "BLOCK-WORKS" in proc.stdout, proc.stderr
    assert proc.returncode == 3 and "NETWORK ATTEMPT during self-test: socket.getaddrinfo" in proc.stderr


def test_load_tag_train_offline(shared):
    proc = _run(BLOCK + textwrap.dedent(WORKLOAD), str(shared / "gold"))
    assert proc.returncode == 0 and "OFFLINE-OK" in proc.stdout, proc.stderr[-5000:]
