"""The booth's JavaScript encrypts exactly as Python does: ballots made by it verify here, with
byte-identical canonical JSON and trackers; the scripts are served with integrity hashes."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import Context, Template

from councils.voting.crypto import group
from councils.voting.crypto.ballot import Question, ballot_audit_check, ballot_verify
from councils.voting.crypto.canonical import canonical_json
from tests.conftest import on_ci

STATIC = Path(__file__).resolve().parents[2] / "src" / "councils" / "web" / "static" / "web"

NODE_SCRIPT = """
require(process.argv[1] + "/vendor/noble-ristretto255.js");
require(process.argv[1] + "/booth-crypto.js");
const cases = JSON.parse(process.argv[2]);
process.stdout.write(JSON.stringify(cases.map((c) =>
  CouncilsBooth.encryptBallot(c.question, c.fingerprint, c.key, c.choices))));
"""


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if on_ci():
            pytest.fail("node is needed to test the booth's JavaScript under CI")
        pytest.skip("node is not installed: the booth's JavaScript is not tested here")
    return found


def encrypt_in_node(cases: list[dict]) -> list[dict]:
    out = subprocess.run(
        [node(), "-e", NODE_SCRIPT, str(STATIC), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


SECRET = group.random_scalar()
KEY = group.base_mul(SECRET)
FINGERPRINT = hashlib.sha256(b"poll").hexdigest()

QUESTIONS = [
    (Question.yes_no_abstain(), [0, 0, 1]),
    (Question.plurality(4, blank_allowed=True), [0, 0, 0, 0]),
    (Question.plurality(4), [0, 0, 0, 1]),
    (Question.approval(5, most=3), [1, 1, 0, 1, 0]),
]


def test_ballots_encrypted_by_the_browser_code_verify_in_python():
    cases = [
        {"question": q.to_json(), "fingerprint": FINGERPRINT, "key": KEY.hex(), "choices": c}
        for q, c in QUESTIONS
    ]
    for (question, choices), made in zip(QUESTIONS, encrypt_in_node(cases), strict=True):
        ballot = ballot_verify(made["ballot"], question=question, fingerprint=FINGERPRINT, key=KEY)
        assert canonical_json(made["ballot"]).decode("utf-8") == made["canonical"]
        assert ballot.tracker == made["tracker"] == hashlib.sha256(made["canonical"].encode()).hexdigest()
        randomness = [group.scalar_from_hex(r, "r") for r in made["audit"]["randomness"]]
        ballot_audit_check(ballot=ballot, key=KEY, choices=choices, randomness=randomness)


def test_the_browser_code_refuses_too_many_marks():
    case = {"question": {"answers": 3, "min": 1, "max": 1}, "fingerprint": FINGERPRINT, "key": KEY.hex()}
    with pytest.raises(subprocess.CalledProcessError) as info:
        encrypt_in_node([case | {"choices": [1, 1, 0]}])
    assert "2 marks, allowed 1 to 1" in info.value.stderr


def test_canonical_json_is_byte_identical_in_both_languages():
    value = {
        "z": [1, -2, True, None],
        "a": {"é": 'Вся власть\n"Советам"\t\u0001', "b": ""},
        "m": 9007199254740991,
    }
    script = (
        f'require("{STATIC}/vendor/noble-ristretto255.js"); require("{STATIC}/booth-crypto.js");'
        f"process.stdout.write(CouncilsBooth.canonicalJson({json.dumps(value)}));"
    )
    out = subprocess.run([node(), "-e", script], capture_output=True, check=True, timeout=60).stdout
    assert out == canonical_json(value)


def test_the_booth_scripts_carry_their_integrity_hashes():
    html = Template("{% load sri %}{% booth_scripts %}").render(Context())
    for name in ("vendor/noble-ristretto255.js", "booth-crypto.js"):
        digest = base64.b64encode(hashlib.sha384((STATIC / name).read_bytes()).digest()).decode()
        assert f'integrity="sha384-{digest}"' in html
    assert html.index("noble-ristretto255.js") < html.index("booth-crypto.js")


def test_the_vendored_bundle_rebuilds_byte_for_byte(tmp_path):
    tools = Path(__file__).resolve().parents[2] / "tools" / "browser-crypto"
    if not (tools / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("tools/browser-crypto has no node_modules: run 'npm ci' there to check the rebuild")
    rebuilt = tmp_path / "bundle.js"
    subprocess.run(
        ["sh", str(tools / "build.sh"), str(rebuilt)], check=True, capture_output=True, timeout=120
    )
    assert rebuilt.read_bytes() == (STATIC / "vendor" / "noble-ristretto255.js").read_bytes()
