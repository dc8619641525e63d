/*
 * The storefront's own InstantSearch widgets: the search box with suggestions (a combobox),
 * the price bands and min/max form, the parsed-intent and filter chips, and "did you mean".
 * Catalog strings reach the DOM as text only (el() in storefront-kit.js).
 */
(function () {
  "use strict";

  const { el, priceLabel, shortBrand } = window.ZhsearchStorefront;
  const KINDS = { query: "热搜", brand: "品牌", category: "类目", product: "商品" };
  const $ = (sel) => document.querySelector(sel);

  /**
   * The widgets of one search.
   * ctx: { is, Z, client, INDEX, SORTS, helper: () => the main index's helper,
   *        results: () => the last results, picked: (query or null) => the query a picked
   *        suggestion put in the box (search analytics) }
   */
  function widgets(ctx) {
    const { is, Z, client, INDEX, SORTS, picked } = ctx;
    const mainHelper = ctx.helper;
    const currentResults = ctx.results;

    // ------------------------------------------------------------------ search box with suggestions
    function searchBoxWithSuggestions(container) {
      let input, list, refine, composing = false, timer = null, seq = 0, active = -1, items = [], suggestOff = false;
      let shownQuery = null;

      function setOpen(open) {
        list.hidden = !open;
        input.setAttribute("aria-expanded", open ? "true" : "false");
        if (!open) {
          active = -1;
          input.removeAttribute("aria-activedescendant");
        }
      }
      function renderOptions() {
        list.replaceChildren(
          ...items.map((s, i) =>
            el("li", {
              id: `q-option-${i}`, role: "option", class: "suggestion", "aria-selected": i === active ? "true" : "false",
              onmousedown: (e) => e.preventDefault(), // keep focus in the input
              onclick: () => pick(i),
            }, el("span", { class: "s-text", text: s.text }), el("span", { class: "s-kind", text: KINDS[s.kind] || "" }))
          )
        );
        if (active >= 0) input.setAttribute("aria-activedescendant", `q-option-${active}`);
        else input.removeAttribute("aria-activedescendant");
        setOpen(items.length > 0 && document.activeElement === input);
      }
      function fetchSuggestions() {
        const text = input.value.trim();
        const mine = ++seq;
        if (!text || suggestOff) {
          items = [];
          renderOptions();
          return;
        }
        client.suggest(text, { size: 8 }).then(
          (list) => {
            if (mine !== seq) return;
            items = list.filter((s) => s && typeof s.text === "string" && s.text);
            active = -1;
            renderOptions();
          },
          (err) => {
            if (err && (err.status === 404 || err.status === 405)) suggestOff = true; // an API without /suggest
            if (mine === seq) {
              items = [];
              renderOptions();
            }
          }
        );
      }
      function schedule() {
        clearTimeout(timer);
        timer = setTimeout(fetchSuggestions, 120);
      }
      function submit(text, fromSuggestion) {
        clearTimeout(timer);
        seq++;
        items = [];
        setOpen(false);
        input.value = Z.truncateQuery(text);
        shownQuery = input.value.trim();
        picked(fromSuggestion ? Z.truncateQuery(shownQuery) : null);
        refine(shownQuery);
      }
      function pick(i) {
        if (items[i]) submit(items[i].text, true);
      }
      function onKey(e) {
        if (composing || e.isComposing) return;
        const open = !list.hidden && items.length > 0;
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          if (!items.length) return;
          e.preventDefault();
          const n = items.length;
          if (e.key === "ArrowDown") active = active + 1 >= n ? -1 : active + 1;
          else active = active - 1 < -1 ? n - 1 : active - 1;
          renderOptions();
          setOpen(true);
        } else if (e.key === "Enter") {
          e.preventDefault();
          if (open && active >= 0) pick(active);
          else submit(input.value);
        } else if (e.key === "Escape") {
          if (open) {
            e.preventDefault();
            setOpen(false);
          } else if (input.value) {
            e.preventDefault();
            input.value = "";
          }
        } else if (e.key === "Tab") {
          setOpen(false);
        }
      }

      return is.connectors.connectSearchBox((opts, isFirst) => {
        refine = opts.refine;
        if (isFirst) {
          input = el("input", {
            id: "q", type: "text", name: "q", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
            "aria-controls": "q-suggestions", autocomplete: "off", autocapitalize: "off", spellcheck: "false",
            maxlength: "256", enterkeyhint: "search", placeholder: "搜索商品或品牌，支持拼音（如 lanzhi）",
          });
          list = el("ul", { id: "q-suggestions", role: "listbox", "aria-label": "搜索建议", class: "suggestions", hidden: true });
          input.addEventListener("input", () => { if (!composing) schedule(); });
          input.addEventListener("compositionstart", () => { composing = true; });
          input.addEventListener("compositionend", () => { composing = false; schedule(); });
          input.addEventListener("keydown", onKey);
          input.addEventListener("blur", () => setOpen(false));
          input.addEventListener("focus", () => { if (items.length) setOpen(true); });
          const form = el("form", { role: "search", class: "sb-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(input.value); } },
            el("label", { for: "q", class: "visually-hidden", text: "搜索商品" }),
            el("div", { class: "sb-field" }, input, list),
            el("button", { type: "submit", class: "sb-submit", text: "搜索" }));
          document.querySelector(container).append(form);
        }
        if (opts.query !== shownQuery) {
          shownQuery = opts.query;
          if (document.activeElement !== input || isFirst) input.value = opts.query;
        }
      })({});
    }

    // ------------------------------------------------------------------ price: bands and a min/max form
    function priceRange(container) {
      let root = null;
      function apply(min, max) {
        let h = mainHelper().removeNumericRefinement("price");
        if (min != null && min > 0) h = h.addNumericRefinement("price", ">=", min);
        if (max != null) h = h.addNumericRefinement("price", "<=", max);
        h.setPage(0).search();
      }
      function bandsFrom(results) {
        if (!results) return [];
        const raws = results._rawResults || [];
        const unfiltered = raws.find((r) => r.zhsearch && !/price_(min|max)=/.test(r.params || ""));
        const chosen = unfiltered || raws[0] || results;
        return (chosen.zhsearch && chosen.zhsearch.priceBands) || [];
      }
      return is.connectors.connectRange((opts, isFirst) => {
        if (isFirst) {
          root = document.querySelector(container);
          return;
        }
        const [lo, hi] = opts.start;
        const min = Number.isFinite(lo) ? lo : null;
        const max = Number.isFinite(hi) ? hi : null;
        const bands = bandsFrom(currentResults());
        const list = el("ul", { class: "bands" },
          bands.filter((b) => b.count > 0 || (b.min === min && b.max === max)).map((b) => {
            const on = (min || 0) === b.min && max === (b.max == null ? null : b.max);
            return el("li", {}, el("button", {
              type: "button", class: "band", "aria-pressed": on ? "true" : "false",
              onclick: () => (on ? apply(null, null) : apply(b.min, b.max)),
            }, el("span", { text: b.max == null ? `${b.min}元以上` : `${b.min}–${b.max}元` }), el("span", { class: "count", text: String(b.count) })));
          }));
        const minInput = el("input", { id: "price-min", type: "number", min: "0", step: "1", inputmode: "decimal", value: min == null ? "" : min });
        const maxInput = el("input", { id: "price-max", type: "number", min: "0", step: "1", inputmode: "decimal", value: max == null ? "" : max });
        const form = el("form", {
          class: "price-form", novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            const a = minInput.value === "" ? null : Math.max(0, Number(minInput.value));
            const b = maxInput.value === "" ? null : Math.max(0, Number(maxInput.value));
            if ((a !== null && !Number.isFinite(a)) || (b !== null && !Number.isFinite(b))) return;
            if (a !== null && b !== null && a > b) apply(b, a);
            else apply(a, b);
          },
        },
          el("label", { for: "price-min", text: "最低价（元）" }), minInput,
          el("label", { for: "price-max", text: "最高价（元）" }), maxInput,
          el("button", { type: "submit", text: "确定" }),
          min != null || max != null ? el("button", { type: "button", class: "link", onclick: () => apply(null, null), text: "不限价格" }) : null);
        root.replaceChildren(list, form);
      })({ attribute: "price" });
    }

    // ------------------------------------------------------------------ parsed intent and filters as chips
    function rebuiltQuery(parsed, drop) {
      let text = parsed.rewritten != null ? parsed.rewritten : (parsed.keywords || []).join(" ") || parsed.normalized || "";
      if (drop.kind === "brand") {
        for (const alias of String(drop.value).split("/").filter(Boolean)) {
          text = text.replace(new RegExp(alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), " ");
        }
      }
      const keep = (parsed.exclude || []).filter((x) => !(drop.kind === "exclude" && drop.value === x));
      if (keep.length) text += " " + keep.map((x) => "不要" + x).join(" ");
      return text.replace(/\s+/g, " ").trim();
    }

    function dropIntent(parsed, drop) {
      const helper = mainHelper();
      let state = helper.state.setQuery(rebuiltQuery(parsed, drop)).setPage(0);
      const hasPrice = (state.getNumericRefinements("price") || {});
      const explicitPrice = Object.keys(hasPrice).some((op) => (hasPrice[op] || []).length);
      if (drop.kind !== "price" && !explicitPrice && (parsed.price_min != null || parsed.price_max != null)) {
        if (parsed.price_min != null) state = state.addNumericRefinement("price", ">=", parsed.price_min);
        if (parsed.price_max != null) state = state.addNumericRefinement("price", "<=", parsed.price_max);
      }
      if (drop.kind === "sort") state = state.setIndex(INDEX);
      else if (parsed.sort && parsed.sort !== "relevance" && state.index === INDEX) state = state.setIndex(INDEX + ":" + parsed.sort);
      helper.setState(state).search();
    }

    function chip(label, aria, onRemove, kind) {
      return el("li", {}, el("button", { type: "button", class: `chip chip-${kind}`, "aria-label": aria, onclick: onRemove },
        el("span", { text: label }), el("span", { class: "x", "aria-hidden": "true", text: "×" })));
    }

    const intentChips = {
      $$type: "zhsearch.intentChips",
      init() {},
      render({ results, helper }) {
        const root = $("#chips");
        const items = [];
        const parsed = results && results.query && results.zhsearch ? results.zhsearch.parsed : null;
        if (parsed) {
          (parsed.brands || []).forEach((b) =>
            items.push(chip(`${shortBrand(b)}`, `移除品牌条件 ${b}`, () => dropIntent(parsed, { kind: "brand", value: b }), "intent")));
          if (parsed.price_min != null || parsed.price_max != null) {
            const label = priceLabel(parsed.price_min, parsed.price_max);
            items.push(chip(label, `移除价格条件 ${label}`, () => dropIntent(parsed, { kind: "price" }), "intent"));
          }
          (parsed.exclude || []).forEach((x) =>
            items.push(chip(`不要 ${x}`, `移除排除条件 不要${x}`, () => dropIntent(parsed, { kind: "exclude", value: x }), "intent")));
          if (parsed.sort && parsed.sort !== "relevance" && SORTS[parsed.sort]) {
            items.push(chip(SORTS[parsed.sort], `移除排序 ${SORTS[parsed.sort]}`, () => dropIntent(parsed, { kind: "sort" }), "intent"));
          }
        }
        const state = helper.state;
        for (const attr of ["brand", "category"]) {
          for (const value of state.getDisjunctiveRefinements(attr) || []) {
            const name = attr === "brand" ? "品牌" : "类目";
            items.push(chip(`${name}：${value}`, `移除${name} ${value}`,
              () => mainHelper().removeDisjunctiveFacetRefinement(attr, value).setPage(0).search(), "filter"));
          }
        }
        const num = state.getNumericRefinements("price") || {};
        const lo = (num[">="] || [])[0];
        const hi = (num["<="] || [])[0];
        if (lo != null || hi != null) {
          const label = priceLabel(lo, hi);
          items.push(chip(`价格：${label}`, `移除价格 ${label}`, () => mainHelper().removeNumericRefinement("price").setPage(0).search(), "filter"));
        }
        root.replaceChildren(items.length ? el("ul", { class: "chip-list" }, items) : "");
      },
    };

    const didYouMean = {
      $$type: "zhsearch.didYouMean",
      init() {},
      render({ results }) {
        const root = $("#didyoumean");
        const corrected = results && results.zhsearch ? results.zhsearch.corrected : null;
        if (!corrected || corrected === results.query) {
          root.replaceChildren();
          return;
        }
        root.replaceChildren(el("p", {}, "您是不是要找：",
          el("button", { type: "button", class: "link corrected", onclick: () => mainHelper().setQuery(corrected).setPage(0).search() }, corrected),
          el("span", { class: "hint", text: "（已显示更正后的结果）" })));
      },
    };

    return { searchBoxWithSuggestions, priceRange, intentChips, didYouMean };
  }

  window.ZhsearchStorefront.widgets = widgets;
})();
