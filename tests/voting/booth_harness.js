// Runs the booth's logic (web/static/web/booth.js) under node with a scripted network and an
// in-memory localStorage, for tests/voting/test_booth_js.py.
// Usage: node booth_harness.js STATIC_DIR SCENARIO_JSON; prints the scenario's record as JSON.
"use strict";

const staticDir = process.argv[2];
const scenario = JSON.parse(process.argv[3]);
require(staticDir + "/vendor/noble-ristretto255.js");
require(staticDir + "/booth-crypto.js");
require(staticDir + "/booth.js");

function memoryStorage(initial) {
  const data = new Map(Object.entries(initial || {}));
  return {
    get length() { return data.size; },
    key(i) { return Array.from(data.keys())[i] ?? null; },
    getItem(k) { return data.has(k) ? data.get(k) : null; },
    setItem(k, v) { data.set(k, String(v)); },
    removeItem(k) { data.delete(k); },
    dump() { return Object.fromEntries(data); },
  };
}

// Each answer is {network: true} (the request never answers), {status, body}, or
// {status, echo: true, body} (a receipt naming the tracker of the ballot sent).
function scriptedFetch(answers, requests, storage) {
  return function (url, init) {
    requests.push({ url, method: init.method || "GET", headers: init.headers, body: init.body || null,
      stored: storage.dump() });
    let answer = answers.shift();
    if (!answer || answer.network) return Promise.reject(new TypeError("Failed to fetch"));
    if (answer.echo) {
      // A receipt for the ballot sent: its tracker as the server computes it.
      const sent = JSON.parse(init.body).ballot;
      const tracker = globalThis.CouncilsBooth.tracker(globalThis.CouncilsBooth.canonicalJson(sent));
      answer = { status: answer.status, body: Object.assign({ tracker, board_head: "ab".repeat(32) }, answer.body) };
    }
    return Promise.resolve({
      status: answer.status,
      json() {
        return answer.body === undefined ? Promise.reject(new SyntaxError("not JSON")) : Promise.resolve(answer.body);
      },
    });
  };
}

async function main() {
  const storage = memoryStorage(scenario.storage);
  const requests = [];
  const retries = [];
  const env = {
    storage,
    fetch: scriptedFetch(scenario.answers || [], requests, storage),
    setTimeout: (fn) => setImmediate(fn),
    booth: globalThis.CouncilsBooth,
    delays: scenario.delays,
  };
  const config = Object.assign({ castUrl: "/cast/", trackerUrl: "/tracker/", csrfToken: "tok" }, scenario.config);
  const s = globalThis.CouncilsBoothPage.session(config, env);
  const record = { requests, retries, outcomes: [] };
  for (const step of scenario.steps) {
    if (step.do === "encrypt") record.encrypted = s.encrypt(step.choices);
    else if (step.do === "audit") record.audited = s.audit().document;
    else if (step.do === "cast") {
      try {
        record.outcomes.push(await s.cast(step.principal || null, step.label || "", (a, d) => retries.push([a, d])));
      } catch (e) {
        record.outcomes.push({ error: e.message });
      }
    } else if (step.do === "resend") {
      for (const entry of s.allPending()) record.outcomes.push(await s.resend(entry, (a, d) => retries.push([a, d])));
    } else if (step.do === "pending") record.pending = s.allPending();
    else if (step.do === "remembered") record.remembered = s.remembered();
    else if (step.do === "recheck") record.rechecked = await s.recheck();
    else if (step.do === "judge") record.judged = s.judge(step.tracker, step.answer);
  }
  record.storage = storage.dump();
  process.stdout.write(JSON.stringify(record));
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
