/*
 * Councils secret-poll booth: encrypts and proves a ballot in the voter's browser.
 *
 * It does exactly what councils/voting/crypto/ballot.py does (docs/secret-polls.md gives the
 * byte formats): exponential ElGamal on ristretto255, a disjunctive Chaum-Pedersen proof per
 * answer over [0, 1], one over [min .. max] for their sum, Fiat-Shamir challenges over the
 * canonical JSON of {commitments, domain, fingerprint, key, statement}. The ballot's canonical
 * JSON and its tracker (SHA-256) are byte for byte those Python computes.
 *
 * Needs vendor/noble-ristretto255.js (globalThis.CouncilsNoble) loaded first.
 * Exposes globalThis.CouncilsBooth. No network, no storage: the page decides what to keep.
 */
(function (root) {
  "use strict";

  var noble = root.CouncilsNoble;
  if (!noble) {
    throw new Error("booth-crypto.js: load vendor/noble-ristretto255.js first");
  }
  var Point = noble.RistrettoPoint;
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  var G = Point.BASE;
  var ZERO = Point.ZERO;
  var MAX_SAFE = 9007199254740991;
  var BALLOT_VERSION = 1;
  var DOMAIN_RANGE = "councils/range/1";

  function mod(a) {
    var r = a % L;
    return r < 0n ? r + L : r;
  }

  function bytesToHex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function hexToBytes(hex) {
    if (typeof hex !== "string" || !/^[0-9a-f]*$/.test(hex) || hex.length % 2) {
      throw new Error("expected lower-case hexadecimal");
    }
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) {
      out[i] = parseInt(hex.substr(2 * i, 2), 16);
    }
    return out;
  }

  function bytesToIntLE(bytes) {
    var n = 0n;
    for (var i = bytes.length - 1; i >= 0; i--) {
      n = (n << 8n) | BigInt(bytes[i]);
    }
    return n;
  }

  function scalarHex(s) {
    var out = new Uint8Array(32);
    var v = mod(s);
    for (var i = 0; i < 32; i++) {
      out[i] = Number(v & 255n);
      v >>= 8n;
    }
    return bytesToHex(out);
  }

  function pointHex(p) {
    return bytesToHex(p.toBytes());
  }

  function pointFromHex(hex) {
    return Point.fromBytes(hexToBytes(hex));
  }

  function mul(s, p) {
    s = mod(s);
    return s === 0n ? ZERO : p.multiply(s);
  }

  function randomScalar() {
    var buf = new Uint8Array(64);
    for (;;) {
      root.crypto.getRandomValues(buf);
      var s = bytesToIntLE(buf) % L; // 512 bits reduced: bias below 2^-250
      if (s !== 0n) {
        return s;
      }
    }
  }

  // Canonical JSON (docs/secret-polls.md): sorted keys, no whitespace, integers only.
  function canonicalJson(value) {
    if (value === null || typeof value === "boolean") {
      return JSON.stringify(value);
    }
    if (typeof value === "number") {
      if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
        throw new Error("canonical JSON: only safe integers");
      }
      return JSON.stringify(value);
    }
    if (typeof value === "string") {
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) {
      return "[" + value.map(canonicalJson).join(",") + "]";
    }
    if (typeof value === "object") {
      var keys = Object.keys(value).sort(function (a, b) {
        // By code point, as Python sorts; UTF-16 order differs only beyond U+FFFF.
        var ca = Array.from(a), cb = Array.from(b);
        for (var i = 0; i < Math.min(ca.length, cb.length); i++) {
          var d = ca[i].codePointAt(0) - cb[i].codePointAt(0);
          if (d) return d;
        }
        return ca.length - cb.length;
      });
      return "{" + keys.map(function (k) {
        return JSON.stringify(k) + ":" + canonicalJson(value[k]);
      }).join(",") + "}";
    }
    throw new Error("canonical JSON: unsupported " + typeof value);
  }

  var encoder = new TextEncoder();

  function challenge(fingerprint, keyHex, statement, commitments) {
    var text = canonicalJson({
      commitments: commitments.map(pointHex),
      domain: DOMAIN_RANGE,
      fingerprint: fingerprint,
      key: keyHex,
      statement: statement,
    });
    return bytesToIntLE(noble.sha512(encoder.encode(text))) % L;
  }

  function fakeCommitments(Y, alpha, beta, v, c, s) {
    var shifted = v ? beta.subtract(mul(BigInt(v), G)) : beta;
    return [mul(s, G).subtract(mul(c, alpha)), mul(s, Y).subtract(mul(c, shifted))];
  }

  function rangeProve(fingerprint, Y, keyHex, alpha, beta, values, m, r) {
    var real = values.indexOf(m);
    if (real < 0) throw new Error("value outside the proof's range");
    var w = randomScalar();
    var branches = [];
    var commitments = [];
    var fakeSum = 0n;
    for (var i = 0; i < values.length; i++) {
      if (i === real) {
        branches.push(null);
        commitments.push(mul(w, G), mul(w, Y));
      } else {
        var c = randomScalar(), s = randomScalar();
        branches.push({ c: c, s: s });
        fakeSum += c;
        var pair = fakeCommitments(Y, alpha, beta, values[i], c, s);
        commitments.push(pair[0], pair[1]);
      }
    }
    var statement = { alpha: pointHex(alpha), beta: pointHex(beta), values: values.slice() };
    var total = challenge(fingerprint, keyHex, statement, commitments);
    var cReal = mod(total - fakeSum);
    branches[real] = { c: cReal, s: mod(w + cReal * r) };
    return branches.map(function (b) {
      return { c: scalarHex(b.c), s: scalarHex(b.s) };
    });
  }

  /**
   * Encrypt and prove a ballot.
   * question: {answers, min, max}; fingerprint: the poll's (hex); electionKey: hex;
   * choices: one 0 or 1 per answer.
   * Returns {ballot, canonical, tracker, audit: {choices, randomness}}: keep `audit` secret
   * unless the voter challenges the ballot (then it is revealed and the ballot discarded).
   */
  function encryptBallot(question, fingerprint, electionKey, choices) {
    var k = question.answers;
    if (!Array.isArray(choices) || choices.length !== k || choices.some(function (c) { return c !== 0 && c !== 1; })) {
      throw new Error("choices: expected " + k + " values, each 0 or 1");
    }
    var marks = choices.reduce(function (a, b) { return a + b; }, 0);
    if (marks < question.min || marks > question.max) {
      throw new Error("choices: " + marks + " marks, allowed " + question.min + " to " + question.max);
    }
    var Y = pointFromHex(electionKey);
    var keyHex = pointHex(Y);
    var answers = [];
    var rs = [];
    var sumAlpha = ZERO, sumBeta = ZERO, sumR = 0n;
    for (var i = 0; i < k; i++) {
      var r = randomScalar();
      var alpha = mul(r, G);
      var beta = mul(r, Y);
      if (choices[i]) beta = beta.add(G);
      var proof = rangeProve(fingerprint, Y, keyHex, alpha, beta, [0, 1], choices[i], r);
      answers.push({ alpha: pointHex(alpha), beta: pointHex(beta), proof: proof });
      rs.push(r);
      sumAlpha = sumAlpha.add(alpha);
      sumBeta = sumBeta.add(beta);
      sumR += r;
    }
    var values = [];
    for (var v = question.min; v <= question.max; v++) values.push(v);
    var overall = rangeProve(fingerprint, Y, keyHex, sumAlpha, sumBeta, values, marks, mod(sumR));
    var ballot = { answers: answers, overall: overall, poll: fingerprint, version: BALLOT_VERSION };
    var canonical = canonicalJson(ballot);
    return {
      ballot: ballot,
      canonical: canonical,
      tracker: tracker(canonical),
      audit: { choices: choices.slice(), randomness: rs.map(scalarHex) },
    };
  }

  function tracker(canonical) {
    return bytesToHex(noble.sha256(encoder.encode(canonical)));
  }

  root.CouncilsBooth = Object.freeze({
    canonicalJson: canonicalJson,
    encryptBallot: encryptBallot,
    tracker: tracker,
  });
})(globalThis);
