/*
 * Councils secret-poll booth: the page around CouncilsBooth (booth-crypto.js).
 *
 * The voter marks a choice; the browser encrypts and proves it and shows the tracker. The voter
 * then casts that ballot, or audits it (Benaloh: the randomness is revealed, the ballot can never
 * be cast, and the choice is encrypted afresh). Casting keeps {ballot, idempotency key, tracker}
 * in localStorage BEFORE sending and until the server acknowledges it: after a network error or
 * a 5xx the SAME ballot is sent again with the SAME key (the server answers a repeat with its
 * first receipt), also after a reload. Acknowledged trackers are remembered (never the choice)
 * and re-checked against the board when the page opens.
 *
 * The page gives everything in a JSON element (#booth-data): no inline script, so the
 * Content-Security-Policy refuses every inline script. Needs booth-crypto.js loaded first.
 * Exposes globalThis.CouncilsBoothPage.session (the logic, with storage and network injected:
 * tests/voting/test_booth_js.py runs it under node).
 */
(function (root) {
  "use strict";

  var PREFIX = "councils-booth/";
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  // A few 4xx mean "try again later", not "refused".
  var RETRY_STATUSES = [408, 425, 429];

  function randomKey() {
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function format(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_, name) {
      return values && name in values ? String(values[name]) : "";
    });
  }

  /**
   * The booth's logic for one poll and one signed-in user.
   * config: {scope, fingerprint, electionKey, question, castUrl, trackerUrl, csrfToken}
   * env: {storage, fetch, setTimeout, booth (CouncilsBooth), delays}
   */
  function session(config, env) {
    var storage = env.storage;
    var booth = env.booth;
    var delays = env.delays || RETRY_DELAYS;
    // Scoped by user and poll: another user of this browser never resends someone else's ballot.
    var base = PREFIX + config.scope + "/" + config.fingerprint + "/";
    var current = null; // the encrypted ballot on show, with its randomness (memory only)

    function read(name, fallback) {
      try {
        var raw = storage.getItem(base + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    }

    function write(name, value) {
      if (value === null) storage.removeItem(base + name);
      else storage.setItem(base + name, JSON.stringify(value));
    }

    function pendingName(principal) {
      return "pending/" + (principal || "self");
    }

    function pending(principal) {
      return read(pendingName(principal), null);
    }

    function allPending() {
      var found = [];
      for (var i = 0; i < storage.length; i++) {
        var name = storage.key(i);
        if (name && name.indexOf(base + "pending/") === 0) {
          var entry = read(name.slice(base.length), null);
          if (entry) found.push(entry);
        }
      }
      return found;
    }

    function remembered() {
      return read("trackers", []);
    }

    function remember(entry, answer) {
      var list = remembered().filter(function (r) { return r.tracker !== answer.tracker; });
      list.push({ tracker: answer.tracker, board_head: answer.board_head || "", label: entry.label || "" });
      write("trackers", list);
    }

    /** Encrypt a choice (one 0/1 per answer); the ballot stays on show until cast or audited. */
    function encrypt(choices) {
      current = booth.encryptBallot(config.question, config.fingerprint, config.electionKey, choices);
      return { tracker: current.tracker, ballot: current.ballot };
    }

    /** Benaloh challenge: reveal the ballot on show with its randomness; it can never be cast. */
    function audit() {
      if (!current) throw new Error("nothing to audit: encrypt a ballot first");
      var revealed = { audit: current.audit, ballot: current.ballot };
      current = null;
      return { document: revealed, text: JSON.stringify(revealed, null, 1) };
    }

    /** Forget the ballot on show (the voter changes their choice). */
    function discard() {
      current = null;
    }

    /**
     * Cast the ballot on show for principal (null: oneself). Stored before sending; resolves with
     * {status: "acknowledged", tracker, board_head, replayed}, {status: "refused", message,
     * code, tracker} or {status: "mismatch", tracker, mine} (a receipt for another ballot); onRetry(attempt, delay) is told of each wait after a lost answer, and
     * {status: "kept"} resolves when every retry failed (the ballot stays stored for later).
     */
    function cast(principal, label, onRetry) {
      if (!current) return Promise.reject(new Error("encrypt a ballot first"));
      var entry = {
        ballot: current.ballot,
        tracker: current.tracker,
        key: randomKey(),
        principal: principal || null,
        label: label || "",
      };
      current = null; // the randomness is gone: this ballot can no longer be audited
      write(pendingName(principal), entry);
      return send(entry, onRetry);
    }

    /** Send a stored ballot again (same ballot, same key), e.g. after a reload. */
    function resend(entry, onRetry) {
      return send(entry, onRetry);
    }

    function send(entry, onRetry) {
      var attempt = 0;
      function once() {
        return env.fetch(config.castUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Idempotency-Key": entry.key,
            "X-CSRFToken": config.csrfToken,
          },
          body: JSON.stringify({ ballot: entry.ballot, principal: entry.principal }),
        }).then(function (response) {
          return response.json().then(
            function (data) { return { code: response.status, data: data || {} }; },
            function () { return { code: response.status, data: null }; }
          );
        }, function () {
          return { code: 0, data: null }; // the network: the answer (if any) was lost
        }).then(function (answer) {
          var code = answer.code;
          if (code >= 200 && code < 300 && answer.data && answer.data.tracker) {
            write(pendingName(entry.principal), null);
            if (answer.data.tracker !== entry.tracker) {
              // The server acknowledged another ballot than the one sent: say so, remember nothing.
              return { status: "mismatch", tracker: answer.data.tracker, mine: entry.tracker, label: entry.label };
            }
            remember(entry, answer.data);
            return {
              status: "acknowledged",
              tracker: answer.data.tracker,
              board_head: answer.data.board_head || "",
              replayed: !!answer.data.replayed,
              label: entry.label,
            };
          }
          if (code >= 400 && code < 500 && RETRY_STATUSES.indexOf(code) < 0 && answer.data) {
            // Refused: nothing was stored for this key; another key's ballot may stand (409).
            write(pendingName(entry.principal), null);
            return {
              status: "refused",
              code: code,
              message: answer.data.error || "",
              tracker: answer.data.tracker || "",
              label: entry.label,
            };
          }
          // Lost answer, 5xx, or a page that is not ours: the ballot stays stored; try again.
          if (attempt >= delays.length) return { status: "kept", label: entry.label };
          var delay = delays[attempt++];
          if (onRetry) onRetry(attempt, delay);
          return new Promise(function (resolve) { env.setTimeout(resolve, delay); }).then(once);
        });
      }
      return once();
    }

    /**
     * Ask the board for each remembered tracker. The server answers with the ballot's board event;
     * the browser recomputes the event's hash and the ballot's tracker itself.
     * Resolves with [{tracker, state: "counted" | "withdrawn" | "missing" | "unknown", seq}].
     */
    function recheck() {
      return Promise.all(remembered().map(function (r) {
        var url = config.trackerUrl + (config.trackerUrl.indexOf("?") < 0 ? "?" : "&") +
          "tracker=" + encodeURIComponent(r.tracker);
        return env.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) { return { tracker: r.tracker, label: r.label, state: judge(r.tracker, data), seq: data.event ? data.event.seq : null }; },
            function () { return { tracker: r.tracker, label: r.label, state: "unknown", seq: null }; });
      }));
    }

    function judge(tracker, data) {
      if (!data || !data.found) return data && data.found === false ? "missing" : "unknown";
      var e = data.event;
      if (!e || e.type !== "ballot" || !e.body || e.body.tracker !== tracker) return "missing";
      var hash = booth.tracker(booth.canonicalJson({ body: e.body, prev: e.prev, seq: e.seq, type: e.type }));
      var ballotHash = booth.tracker(booth.canonicalJson(e.body.ballot));
      if (hash !== e.hash || ballotHash !== tracker) return "missing";
      return data.withdrawn ? "withdrawn" : "counted";
    }

    return {
      encrypt: encrypt,
      audit: audit,
      discard: discard,
      cast: cast,
      resend: resend,
      pending: pending,
      allPending: allPending,
      remembered: remembered,
      recheck: recheck,
      judge: judge,
    };
  }

  // ---- The page -----------------------------------------------------------------------------

  function byId(id) {
    return root.document.getElementById(id);
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function focus(element) {
    if (element) {
      element.setAttribute("tabindex", "-1");
      element.focus();
    }
  }

  function page() {
    var dataElement = byId("booth-data");
    if (!dataElement) return;
    var data = JSON.parse(dataElement.textContent);
    var text = data.text;
    var s = session(data, {
      storage: root.localStorage,
      fetch: root.fetch.bind(root),
      setTimeout: root.setTimeout.bind(root),
      booth: root.CouncilsBooth,
    });
    var form = byId("booth-form");
    var status = byId("booth-status");
    var review = byId("booth-review");
    var auditPanel = byId("booth-audit-panel");
    var receipt = byId("booth-receipt");
    var principalSelect = byId("booth-principal");
    var castButton = byId("booth-cast");
    var resendBox = byId("booth-pending");
    var kept = null; // the stored ballot waiting for its answer

    function say(message, kind) {
      status.textContent = message;
      status.className = "booth-status " + (kind || "");
    }

    function principalOf() {
      return principalSelect && principalSelect.value ? principalSelect.value : null;
    }

    function principalLabel() {
      if (!principalSelect || !principalSelect.value) return "";
      return principalSelect.options[principalSelect.selectedIndex].text;
    }

    function choices() {
      var inputs = form.querySelectorAll("input[name=secret-choice]");
      return Array.prototype.map.call(inputs, function (input) { return input.checked ? 1 : 0; });
    }

    function onRetry(attempt, delay) {
      say(format(text.retrying, { seconds: Math.round(delay / 1000) }), "warn");
      show(resendBox, true);
    }

    function settle(outcome) {
      show(resendBox, false);
      kept = null;
      if (outcome.status === "acknowledged") {
        byId("receipt-tracker").textContent = outcome.tracker;
        byId("receipt-head").textContent = outcome.board_head;
        byId("receipt-for").textContent = outcome.label ? format(text.cast_for, { name: outcome.label }) : "";
        show(receipt, true);
        show(review, false);
        say(outcome.replayed ? text.replayed : text.acknowledged, "ok");
        dropPrincipal();
        listRemembered();
        focus(byId("booth-receipt-heading"));
      } else if (outcome.status === "mismatch") {
        show(review, false);
        say(format(text.mismatch, { theirs: outcome.tracker, mine: outcome.mine }), "error");
        focus(status);
      } else if (outcome.status === "refused") {
        show(review, false);
        say(outcome.message || text.refused, "error");
        show(form, !!data.may_vote);
        focus(status);
      } else {
        kept = s.allPending()[0] || null;
        show(resendBox, !!kept);
        say(text.kept, "warn");
      }
    }

    function dropPrincipal() {
      // The principal just voted for is done: offer the others, or nothing.
      var left = 0;
      if (principalSelect) {
        var option = principalSelect.options[principalSelect.selectedIndex];
        if (option) option.remove();
        left = principalSelect.options.length;
      }
      show(form, left > 0);
    }

    function listRemembered() {
      var list = s.remembered();
      var box = byId("booth-remembered");
      var ul = byId("booth-remembered-list");
      if (!box || !list.length) return;
      ul.textContent = "";
      list.forEach(function (r) {
        var li = root.document.createElement("li");
        var code = root.document.createElement("code");
        code.className = "hash";
        code.textContent = r.tracker;
        li.appendChild(code);
        if (r.label) li.appendChild(root.document.createTextNode(" (" + r.label + ")"));
        var state = root.document.createElement("span");
        state.className = "tracker-state";
        state.setAttribute("data-tracker", r.tracker);
        state.textContent = " " + text.checking;
        li.appendChild(state);
        ul.appendChild(li);
      });
      show(box, true);
      s.recheck().then(function (results) {
        results.forEach(function (result) {
          var span = ul.querySelector('[data-tracker="' + result.tracker + '"]');
          if (!span) return;
          span.textContent = " " + format(text["tracker_" + result.state], { seq: result.seq });
          span.className = "tracker-state " + (result.state === "counted" ? "ok" : "warn");
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      try {
        var made = s.encrypt(choices());
        byId("booth-tracker").textContent = made.tracker;
        show(review, true);
        show(auditPanel, false);
        show(receipt, false);
        show(form, false);
        say(text.encrypted, "");
        focus(byId("booth-review-heading"));
      } catch (e) {
        say(text.choose, "error");
        focus(status);
      }
    });

    castButton.addEventListener("click", function () {
      castButton.disabled = true;
      say(text.sending, "");
      s.cast(principalOf(), principalLabel(), onRetry).then(function (outcome) {
        castButton.disabled = false;
        settle(outcome);
      });
    });

    byId("booth-audit").addEventListener("click", function () {
      var revealed = s.audit();
      var area = byId("booth-audit-text");
      area.value = revealed.text;
      var link = byId("booth-audit-download");
      link.href = "data:application/json;charset=utf-8," + encodeURIComponent(revealed.text + "\n");
      show(review, false);
      show(auditPanel, true);
      say(text.audited, "warn");
      focus(byId("booth-audit-heading"));
    });

    byId("booth-audit-copy").addEventListener("click", function () {
      var area = byId("booth-audit-text");
      area.select();
      var done = function () { say(text.copied, ""); };
      if (root.navigator.clipboard) root.navigator.clipboard.writeText(area.value).then(done, done);
      else done();
    });

    function afresh() {
      s.discard();
      show(auditPanel, false);
      show(review, false);
      show(form, true);
      say(text.afresh, "");
      var first = form.querySelector("input, select");
      if (first) first.focus();
    }
    byId("booth-afresh").addEventListener("click", afresh);
    byId("booth-change").addEventListener("click", afresh);

    byId("booth-resend").addEventListener("click", function () {
      var entry = kept || s.allPending()[0];
      if (!entry) return;
      say(text.sending, "");
      s.resend(entry, onRetry).then(settle);
    });

    // Opening the page: a stored ballot whose answer was lost goes again (same ballot, same key).
    var waiting = s.allPending();
    if (waiting.length) {
      kept = waiting[0];
      show(resendBox, true);
      say(text.resending, "warn");
      waiting.reduce(function (chain, entry) {
        return chain.then(function () { return s.resend(entry, onRetry).then(settle); });
      }, Promise.resolve());
    }
    show(form, !!data.may_vote);
    listRemembered();
  }

  root.CouncilsBoothPage = Object.freeze({ session: session, format: format });

  if (root.document && root.document.getElementById) {
    if (root.document.readyState === "loading") root.document.addEventListener("DOMContentLoaded", page);
    else page();
  }
})(globalThis);
