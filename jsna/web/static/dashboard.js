/* Chapter dashboards: draw each figure's Vega-Lite spec with vega-embed, swap a tab's
   figures from view.json without a reload, keep the state in the URL, link selections
   across charts and tables (the `highlight` param), export PNG/SVG, full screen. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || typeof vegaEmbed === "undefined") { return; }
  var base = root.getAttribute("data-base");
  var status = document.getElementById("dashboard-status");
  var form = document.getElementById("dashboard-selectors");
  var views = {};
  window.jsnaDashboardViews = views;

  function state() {
    var params = new URLSearchParams(window.location.search);
    var out = {};
    ["tab", "area", "area_type", "period", "breakdown", "comparator"].forEach(function (k) {
      if (params.get(k)) { out[k] = params.get(k); }
    });
    return out;
  }
  function query(s) {
    var p = new URLSearchParams();
    Object.keys(s).forEach(function (k) { if (s[k] !== "" && s[k] != null) { p.set(k, s[k]); } });
    return p.toString();
  }
  function setState(s) {
    history.replaceState(null, "", base + "?" + query(s));
  }

  function highlight(code, name) {
    Object.keys(views).forEach(function (id) {
      try { views[id].signal("highlight", code || null).runAsync(); } catch (e) { /* no param */ }
    });
    document.querySelectorAll("[data-figure-table] tr[data-area-name]").forEach(function (row) {
      var on = name && row.getAttribute("data-area-name") === name;
      row.classList.toggle("jsna-highlight", !!on);
      if (on) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
    status.textContent = name ? "Selected area: " + name + "." : "No area selected.";
    var s = state();
    if (code) { s.area = code; } else { delete s.area; }
    setState(s);
    var select = document.getElementById("select-area");
    if (select) { select.value = code || ""; }
  }

  function draw(figure) {
    var el = figure.querySelector("[data-chart]");
    var script = figure.querySelector("script.jsna-spec");
    if (!el || !script) { return; }
    var id = figure.getAttribute("data-figure");
    var spec = JSON.parse(script.textContent);
    vegaEmbed(el, spec, { actions: false, renderer: "svg" }).then(function (result) {
      views[id] = result.view;
      // The container is the picture (role img, named by the title; the table holds the data):
      // Vega's per-mark roles inside it would be unnamed images to assistive technology.
      var svg = el.querySelector("svg");
      if (svg) { svg.setAttribute("aria-hidden", "true"); }
      var area = state().area;
      if (area) { try { result.view.signal("highlight", area).runAsync(); } catch (e) { /* */ } }
      result.view.addEventListener("click", function (event, item) {
        var d = item && item.datum;
        if (d && d.area_code) { highlight(d.area_code, d.area_name || d.area_code); }
      });
      figure.querySelectorAll("[data-export]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var type = button.getAttribute("data-export");
          result.view.toImageURL(type).then(function (url) {
            var a = document.createElement("a");
            a.href = url; a.download = id + "." + type;
            document.body.appendChild(a); a.click(); a.remove();
          });
        });
      });
    });
  }

  function esc(text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }

  function figureHtml(f, q) {
    var head = f.table.columns.map(function (c) { return '<th scope="col" class="govuk-table__header">' + esc(c) + "</th>"; }).join("");
    var rows = f.table.rows.map(function (r) {
      return '<tr class="govuk-table__row" data-area-name="' + esc(r[0]) + '">' + r.map(function (c, i) {
        return i === 0 ? '<th scope="row" class="govuk-table__header">' + esc(c) + "</th>" : '<td class="govuk-table__cell">' + esc(c) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    return '<figure class="jsna-dashboard__figure" id="figure-' + esc(f.id) + '" data-figure="' + esc(f.id) + '">' +
      '<h3 class="govuk-heading-s">' + esc(f.title) + "</h3>" +
      (f.spec ? '<div class="jsna-dashboard__chart" data-chart="' + esc(f.id) + '" tabindex="0" role="img" aria-label="' + esc(f.title) + '"></div>' +
        '<script type="application/json" class="jsna-spec">' + JSON.stringify(f.spec).replace(/</g, "\\u003c") + "<\/script>" : "") +
      '<figcaption class="govuk-body">' + esc(f.summary) + (f.caption ? " " + esc(f.caption) : "") + "</figcaption>" +
      (f.unchanged ? '<p class="govuk-inset-text">This figure cannot change by ' + esc(f.unchanged) + ": it shows the chapter's own view.</p>" : "") +
      '<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">Data table</span></summary>' +
      '<div class="govuk-details__text jsna-table-scroll" tabindex="0" role="region" aria-label="Data table of ' + esc(f.title) + '"><table class="govuk-table" data-figure-table="' + esc(f.id) + '">' +
      '<caption class="govuk-table__caption govuk-table__caption--s">' + esc(f.table.caption) + "</caption>" +
      '<thead class="govuk-table__head"><tr class="govuk-table__row">' + head + '</tr></thead><tbody class="govuk-table__body">' + rows + "</tbody></table></div></details>" +
      '<p class="govuk-body-s">Download: <a class="govuk-link" data-download="csv" href="' + esc(base + "/figures/" + encodeURIComponent(f.id) + ".csv?" + q) + '">CSV<span class="govuk-visually-hidden"> of ' + esc(f.title) + "</span></a>" +
      (f.spec ? ' <button type="button" class="jsna-link-button govuk-link" data-export="png" hidden>PNG<span class="govuk-visually-hidden"> of ' + esc(f.title) + '</span></button> <button type="button" class="jsna-link-button govuk-link" data-export="svg" hidden>SVG<span class="govuk-visually-hidden"> of ' + esc(f.title) + "</span></button>" : "") +
      "</p></figure>";
  }

  function load(s) {
    var q = query(s);
    return fetch(base + "/view.json?" + q, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (!body.data) { status.textContent = body.errors ? body.errors[0].message : "Could not load the view."; return; }
        views = {};
        window.jsnaDashboardViews = views;
        var holder = document.getElementById("dashboard-figures");
        holder.innerHTML = body.data.figures.length ? body.data.figures.map(function (f) { return figureHtml(f, q); }).join("") :
          '<p class="govuk-body">This page of the chapter has no charts, maps or tables.</p>';
        document.getElementById("panel-title").textContent = body.data.title;
        holder.querySelectorAll("[data-figure]").forEach(draw);
        document.querySelectorAll("#dashboard-tabs [data-tab]").forEach(function (a) {
          var t = Object.assign({}, s, { tab: a.getAttribute("data-tab") });
          a.href = base + "?" + query(t);
          var on = String(s.tab || "0") === a.getAttribute("data-tab");
          a.parentNode.classList.toggle("govuk-tabs__list-item--selected", on);
          if (on) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
        });
        form.querySelector('input[name="tab"]').value = s.tab || "0";
        setState(s);
      });
  }

  document.querySelectorAll("#dashboard-tabs [data-tab]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var s = state();
      s.tab = a.getAttribute("data-tab");
      load(s);
    });
  });
  form.addEventListener("change", function (event) {
    var s = state();
    var name = event.target.name;
    if (name === "area") {
      var opt = event.target.selectedOptions[0];
      highlight(event.target.value, event.target.value ? opt.textContent : "");
      return;
    }
    s[name] = event.target.value;
    if (!s[name]) { delete s[name]; }
    load(s);
  });
  form.querySelector(".jsna-dashboard__apply").hidden = true;

  var full = document.getElementById("dashboard-fullscreen");
  if (document.fullscreenEnabled && root.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { root.requestFullscreen(); }
    });
  }
  document.querySelectorAll("#dashboard-figures [data-figure]").forEach(draw);
})();
