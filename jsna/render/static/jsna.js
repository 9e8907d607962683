/* jsna.js: the site's small progressive script (no framework, no build step).
 *
 * Everything works without it: charts are pre-rendered SVG, tables sit under
 * every chart, and the search page lists every page in a <noscript>. When it
 * runs it
 *  - replaces each pre-rendered chart (.jsna-chart[data-spec]) with an
 *    interactive vega-embed view, only once that view has rendered (a failure
 *    leaves the SVG in place);
 *  - highlights one area everywhere on the page: clicking a mark whose datum
 *    has an area_code (or choosing it in an area selector) sets the Vega
 *    signal "highlight" on every chart, marks matching table rows
 *    (class jsna-highlight, aria-selected) and says "Highlighted: <name>" in a
 *    polite live region; clicking the same area again clears it;
 *  - on the search page, loads search-index.json and filters as you type.
 *
 * The search functions are pure and exported for Node (tests/render/test_script.py);
 * they follow the same rules as jsna/render/search.py (query()).
 */
(function (global) {
  "use strict";

  var STOP = {};
  "a an and are as at by for from in is of on or the to with".split(" ").forEach(function (w) {
    STOP[w] = true;
  });
  var KIND_ORDER = ["chapter", "indicator", "area"];
  var DEBOUNCE_MS = 150;
  var MAX_RESULTS = 50;

  /* ---------- search (pure) ---------- */

  function tokens(text) {
    var plain = String(text || "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
    return plain.split(/[^0-9a-z]+/).filter(function (w) {
      return w.length > 0;
    });
  }

  function queryWords(text) {
    var seen = {};
    return tokens(text).filter(function (w) {
      if (STOP[w] || seen[w]) return false;
      seen[w] = true;
      return true;
    });
  }

  function lowerBound(list, word) {
    var lo = 0;
    var hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (list[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function prefixed(index, word) {
    var found = {};
    var i = lowerBound(index.tokens, word);
    while (i < index.tokens.length && index.tokens[i].lastIndexOf(word, 0) === 0) {
      index.postings[i].forEach(function (n) {
        found[n] = true;
      });
      i += 1;
    }
    return found;
  }

  function kindRank(kind) {
    var at = KIND_ORDER.indexOf(kind);
    return at < 0 ? KIND_ORDER.length : at;
  }

  function titleScore(document, words) {
    var title = tokens(document.title);
    var score = 0;
    words.forEach(function (word) {
      var prefix = title.some(function (t) {
        return t.lastIndexOf(word, 0) === 0;
      });
      if (prefix) score += title.indexOf(word) >= 0 ? 2 : 1;
    });
    return score;
  }

  /* Documents holding every word of text (as prefixes), best first. */
  function search(index, text) {
    var words = queryWords(text);
    if (!words.length) return [];
    var matched = null;
    for (var w = 0; w < words.length; w += 1) {
      var hits = prefixed(index, words[w]);
      if (matched === null) {
        matched = hits;
      } else {
        var both = {};
        Object.keys(matched).forEach(function (n) {
          if (hits[n]) both[n] = true;
        });
        matched = both;
      }
      if (!Object.keys(matched).length) return [];
    }
    var scored = Object.keys(matched).map(function (n) {
      var document = index.documents[Number(n)];
      return {
        document: document,
        key: [-titleScore(document, words), kindRank(document.kind), document.title.toLowerCase()]
      };
    });
    scored.sort(function (a, b) {
      for (var k = 0; k < 3; k += 1) {
        if (a.key[k] < b.key[k]) return -1;
        if (a.key[k] > b.key[k]) return 1;
      }
      return 0;
    });
    return scored.map(function (s) {
      return s.document;
    });
  }

  function resultsMessage(count, text) {
    if (!queryWords(text).length) return "";
    var noun = count === 1 ? "result" : "results";
    return count + " " + noun + " for \u201c" + text.trim() + "\u201d";
  }

  var api = { tokens: tokens, queryWords: queryWords, search: search, resultsMessage: resultsMessage };

  if (typeof module === "object" && module.exports) {
    module.exports = api;
  }
  if (typeof document === "undefined") return;
  global.jsna = api;

  /* ---------- highlight one area everywhere ---------- */

  var views = [];
  var current = null;

  function liveRegion() {
    var region = document.getElementById("jsna-live");
    if (!region) {
      region = document.createElement("p");
      region.id = "jsna-live";
      region.className = "govuk-visually-hidden jsna-live";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    return region;
  }

  function rowMatches(row, code, name) {
    var given = row.getAttribute("data-area-code");
    if (given !== null) return given === code;
    var label = row.getAttribute("data-row");
    return label !== null && (label === code || (name && label === name));
  }

  function markRows(code, name) {
    var rows = document.querySelectorAll("tr[data-area-code], tr[data-row]");
    Array.prototype.forEach.call(rows, function (row) {
      var on = code !== null && rowMatches(row, code, name);
      row.classList.toggle("jsna-highlight", on);
      if (on) row.setAttribute("aria-selected", "true");
      else row.removeAttribute("aria-selected");
    });
  }

  function syncSelectors(code) {
    Array.prototype.forEach.call(selectors(), function (select) {
      var has = Array.prototype.some.call(select.options, function (o) {
        return o.value === code;
      });
      select.value = code !== null && has ? code : "";
    });
  }

  function applyTo(view) {
    try {
      view.signal("highlight", current ? current.code : null).runAsync();
    } catch (error) {
      /* a chart without the highlight parameter: nothing to do */
    }
  }

  function highlight(code, name) {
    current = code ? { code: code, name: name || code } : null;
    views.forEach(applyTo);
    markRows(current ? current.code : null, current ? current.name : null);
    syncSelectors(current ? current.code : null);
    liveRegion().textContent = current ? "Highlighted: " + current.name : "Highlight cleared";
  }

  function toggle(code, name) {
    if (current && current.code === code) highlight(null);
    else highlight(code, name);
  }

  /* ---------- charts ---------- */

  function onClick(event, item) {
    var datum = item && item.datum;
    if (datum && datum.datum) datum = datum.datum;
    if (datum && !datum.area_code && datum.properties) datum = datum.properties;
    if (datum && datum.area_code) {
      toggle(String(datum.area_code), datum.area_name || datum.label || datum.name);
    }
  }

  /* Names for what Vega leaves unnamed: the view (its figure's title), mark containers
     without a description (a map's shapes: the data table is their alternative), and
     vega-embed's menu button. */
  function label(chart, holder) {
    var figure = chart.closest("figure");
    var heading = figure && figure.querySelector("figcaption h2, figcaption h3, figcaption h4");
    var title = heading ? heading.textContent.trim() : "Chart";
    var svg = holder.querySelector("svg");
    if (svg && !svg.getAttribute("aria-label")) svg.setAttribute("aria-label", title);
    var unnamed = holder.querySelectorAll('[role="graphics-symbol"]:not([aria-label])');
    Array.prototype.forEach.call(unnamed, function (node) {
      node.removeAttribute("role");
      node.removeAttribute("aria-roledescription");
    });
    Array.prototype.forEach.call(holder.querySelectorAll("details > summary"), function (summary) {
      summary.setAttribute("aria-label", "Save the chart " + title + " as SVG or PNG");
    });
  }

  function embed(chart) {
    if (typeof global.vegaEmbed !== "function" || typeof fetch !== "function") return;
    var url = chart.getAttribute("data-spec");
    fetch(url)
      .then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      })
      .then(function (spec) {
        var holder = document.createElement("div");
        holder.className = "jsna-chart__view";
        holder.hidden = true;
        chart.appendChild(holder);
        return global
          .vegaEmbed(holder, spec, {
            renderer: "svg",
            actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false }
          })
          .then(function (result) {
            return result.view.runAsync().then(function () {
              return { holder: holder, view: result.view };
            });
          })
          .catch(function (error) {
            chart.removeChild(holder);
            throw error;
          });
      })
      .then(function (done) {
        label(chart, done.holder);
        Array.prototype.slice.call(chart.childNodes).forEach(function (node) {
          if (node !== done.holder) chart.removeChild(node);
        });
        done.holder.hidden = false;
        chart.classList.add("jsna-chart--interactive");
        done.view.addEventListener("click", onClick);
        views.push(done.view);
        if (current) applyTo(done.view);
      })
      .catch(function (error) {
        chart.classList.add("jsna-chart--static");
        if (global.console) global.console.warn("jsna: chart kept as SVG:", error);
      });
  }

  /* ---------- area selectors ---------- */

  function selectors() {
    return document.querySelectorAll(
      "select[data-jsna-highlight], select.jsna-area-selector, .jsna-area-selector select"
    );
  }

  function wireSelectors() {
    Array.prototype.forEach.call(selectors(), function (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        if (select.value) highlight(select.value, option ? option.text : select.value);
        else highlight(null);
      });
    });
  }

  /* ---------- search page ---------- */

  function resultItem(document, prefix) {
    var li = window.document.createElement("li");
    li.className = "jsna-search-result";
    var heading = window.document.createElement("p");
    heading.className = "govuk-body govuk-!-margin-bottom-1";
    var link = window.document.createElement("a");
    link.className = "govuk-link govuk-link--no-visited-state";
    link.href = prefix + document.url;
    link.textContent = document.title;
    var tag = window.document.createElement("strong");
    tag.className = "govuk-tag govuk-tag--grey jsna-search-result__tag";
    tag.textContent = document.tag || document.kind;
    heading.appendChild(link);
    heading.appendChild(window.document.createTextNode(" "));
    heading.appendChild(tag);
    li.appendChild(heading);
    if (document.summary) {
      var summary = window.document.createElement("p");
      summary.className = "govuk-body-s";
      summary.textContent = document.summary;
      li.appendChild(summary);
    }
    return li;
  }

  function wireSearch(form) {
    var input = form.querySelector("input[type=search], input[name=q]");
    var list = document.getElementById("jsna-search-results");
    var status = document.getElementById("jsna-search-status");
    if (!input || !list || !status || typeof fetch !== "function") return;
    var url = form.getAttribute("data-jsna-search");
    var prefix = url.replace(/[^/]*$/, "");
    var index = null;
    var timer = null;

    function run() {
      if (!index) return;
      var text = input.value;
      var found = search(index, text);
      list.textContent = "";
      found.slice(0, MAX_RESULTS).forEach(function (document) {
        list.appendChild(resultItem(document, prefix));
      });
      var message = resultsMessage(found.length, text);
      if (found.length > MAX_RESULTS) message += " (showing the first " + MAX_RESULTS + ")";
      status.textContent = message;
    }

    function later() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    }

    input.addEventListener("input", later);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (timer) clearTimeout(timer);
      run();
      if (global.history && global.history.replaceState) {
        var query = input.value ? "?q=" + encodeURIComponent(input.value) : "";
        global.history.replaceState(null, "", global.location.pathname + query);
      }
    });
    fetch(url)
      .then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      })
      .then(function (data) {
        index = data;
        var given = new URLSearchParams(global.location.search).get("q");
        if (given && !input.value) input.value = given;
        run();
      })
      .catch(function () {
        status.textContent = "Search is not available: the search index could not be loaded.";
      });
  }

  // A filter select (data-jsna-filter="tags") shows only the rows of its table body
  // whose data-tags hold the chosen value; the filter is hidden until this runs.
  function wireFilters() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-jsna-filter]"), function (select) {
      var body = document.getElementById(select.getAttribute("aria-controls"));
      var holder = select.closest(".jsna-filter");
      if (!body) return;
      if (holder) holder.hidden = false;
      select.addEventListener("change", function () {
        var wanted = select.value;
        var shown = 0;
        Array.prototype.forEach.call(body.querySelectorAll("tr[data-tags]"), function (row) {
          var match = !wanted || row.getAttribute("data-tags").split(" ").indexOf(wanted) >= 0;
          row.hidden = !match;
          if (match) shown += 1;
        });
        liveRegion().textContent = shown + (shown === 1 ? " indicator" : " indicators") + " shown";
      });
    });
  }

  // Printing from the browser shows every data table (CSS cannot open <details> in Chrome).
  function openDetailsForPrint() {
    global.addEventListener("beforeprint", function () {
      Array.prototype.forEach.call(document.querySelectorAll("details"), function (details) {
        details.open = true;
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".jsna-chart[data-spec]"), embed);
    wireSelectors();
    wireFilters();
    openDetailsForPrint();
    var form = document.querySelector("form[data-jsna-search]");
    if (form) wireSearch(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof window !== "undefined" ? window : globalThis);
