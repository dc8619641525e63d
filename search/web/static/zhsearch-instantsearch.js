/*!
 * zhsearch-instantsearch: an InstantSearch.js search client for the zhsearch API.
 * Apache-2.0, part of zhsearch. Documented in docs/frontend.md.
 *
 * createSearchClient(options) returns an object InstantSearch.js accepts as `searchClient`:
 * its search(requests) turns each Algolia-style request (query, page, hitsPerPage,
 * facetFilters, numericFilters, facets, highlight tags) into GET /search and answers
 * Algolia-shaped results (hits with objectID and _highlightResult, nbHits, nbPages, facets,
 * facets_stats, queryID). Sort orders are index names ("products", "products:price_asc", ...);
 * the query-suggestions index ("products_query_suggestions") is answered from GET /suggest.
 * What the API adds beyond Algolia's shape (parsed intent, spelling correction, search_id,
 * related products, price bands) is on every result as `zhsearch`.
 * The client also sends behaviour events (sendEvent) and reads products, similar products and
 * recommendations, with the same base URL, key and shopper.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.ZhsearchInstantSearch = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var VERSION = "1.0.0";
  var SORTS = ["relevance", "price_asc", "price_desc", "sales"];
  var MAX_QUERY_CHARS = 256; // the API's limit, counted in code points as Python counts them
  var MAX_SIZE = 100;
  var MAX_PAGE = 1000;
  var FACET_PARAMS = { brand: "brand", category: "category" };

  /** An error from the API or the network; `status` is 0 when the service could not be reached. */
  function SearchApiError(message, status, detail) {
    var err = new Error(message);
    err.name = "SearchApiError";
    err.status = status;
    err.detail = detail || [];
    return err;
  }

  function truncateQuery(text) {
    var chars = Array.from(String(text || ""));
    return chars.length > MAX_QUERY_CHARS ? chars.slice(0, MAX_QUERY_CHARS).join("") : chars.join("");
  }

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };
  function decodeEntities(text) {
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+|#39|#x27);/g, function (all, name) {
      if (ENTITIES[name] !== undefined) return ENTITIES[name];
      if (name.charAt(0) === "#") {
        var code = name.charAt(1) === "x" || name.charAt(1) === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
      }
      return all;
    });
  }

  /**
   * The API's highlight ("<em>兰芝</em>隔离霜 &lt;b&gt;") as Algolia's raw highlight value:
   * plain text with the request's pre/post tags around matches. Only <em> and </em> are read
   * as markup; every other character is text (InstantSearch escapes it when rendering).
   */
  function toHighlight(apiHtml, plain, preTag, postTag) {
    if (typeof apiHtml !== "string") {
      return { value: plain == null ? "" : String(plain), matchLevel: "none", matchedWords: [], fullyHighlighted: false };
    }
    var parts = apiHtml.split(/(<em>|<\/em>)/);
    var inside = false;
    var out = "";
    var words = [];
    var plainLen = 0;
    var matchedLen = 0;
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (part === "<em>") { inside = true; continue; }
      if (part === "</em>") { inside = false; continue; }
      if (!part) continue;
      var text = decodeEntities(part);
      plainLen += text.length;
      if (inside) {
        matchedLen += text.length;
        if (words.indexOf(text) < 0) words.push(text);
        out += preTag + text + postTag;
      } else {
        out += text;
      }
    }
    var level = words.length === 0 ? "none" : matchedLen === plainLen ? "full" : "partial";
    return { value: out, matchLevel: level, matchedWords: words, fullyHighlighted: level === "full" };
  }

  /** "brand:兰芝" -> ["brand", "兰芝", negated]; Algolia escapes a leading "-" in values as "\-". */
  function splitFilter(filter) {
    var negated = false;
    if (filter.charAt(0) === "-") { negated = true; filter = filter.slice(1); }
    var at = filter.indexOf(":");
    if (at < 0) return null;
    var value = filter.slice(at + 1);
    if (value.charAt(0) === "\\") value = value.slice(1);
    if (value.charAt(0) === '"' && value.charAt(value.length - 1) === '"' && value.length > 1) value = value.slice(1, -1);
    return [filter.slice(0, at).trim(), value, negated];
  }

  function flatten(list) {
    var out = [];
    (list || []).forEach(function (item) {
      if (Array.isArray(item)) out = out.concat(flatten(item));
      else if (typeof item === "string") out.push(item);
    });
    return out;
  }

  function parseFilterString(text) {
    // "brand:A OR brand:B AND category:C" (Algolia's `filters`): only the facet filters this API has
    return String(text || "")
      .split(/\s+(?:AND|OR)\s+/)
      .map(function (s) { return s.replace(/^[()\s]+|[()\s]+$/g, ""); })
      .filter(Boolean);
  }

  /** Price bounds from numericFilters: ["price>=100", "price<=300"] (nested arrays allowed). */
  function priceBounds(numericFilters) {
    var bounds = { min: null, max: null };
    flatten(numericFilters).forEach(function (f) {
      var m = /^\s*price\s*(>=|<=|>|<|=)\s*(-?[0-9.]+)\s*$/.exec(f);
      if (!m) return;
      var v = parseFloat(m[2]);
      if (!isFinite(v)) return;
      if (m[1] === ">=" || m[1] === ">" || m[1] === "=") bounds.min = bounds.min === null ? v : Math.max(bounds.min, v);
      if (m[1] === "<=" || m[1] === "<" || m[1] === "=") bounds.max = bounds.max === null ? v : Math.min(bounds.max, v);
    });
    if (bounds.min !== null && bounds.min < 0) bounds.min = 0;
    if (bounds.max !== null && bounds.max < 0) bounds.max = 0;
    return bounds;
  }

  function parseParams(params) {
    if (typeof params === "string") {
      var parsed = {};
      new URLSearchParams(params).forEach(function (v, k) {
        try { parsed[k] = JSON.parse(v); } catch (e) { parsed[k] = v; }
      });
      return parsed;
    }
    return params || {};
  }

  function createSearchClient(options) {
    options = options || {};
    var base = String(options.url || "").replace(/\/+$/, "");
    var indexName = options.indexName || "products";
    var sortSeparator = options.sortSeparator || ":";
    var suggestionsIndexName = options.suggestionsIndexName || indexName + "_query_suggestions";
    var timeoutMs = options.timeoutMs || 15000;
    var doFetch = options.fetch || (typeof fetch !== "undefined" ? fetch.bind(typeof self !== "undefined" ? self : this) : null);
    var extraParams = options.searchParams || {};
    var cache = {};

    function userId() {
      var u = typeof options.userId === "function" ? options.userId() : options.userId;
      return u ? String(u) : null;
    }

    function headers(json) {
      var h = { Accept: "application/json" };
      if (json) h["Content-Type"] = "application/json";
      var key = typeof options.apiKey === "function" ? options.apiKey() : options.apiKey;
      if (key) h.Authorization = "Bearer " + key;
      return h;
    }

    function request(method, path, query, body) {
      if (!doFetch) return Promise.reject(SearchApiError("no fetch() in this environment", 0));
      var qs = query ? "?" + query.toString() : "";
      var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs) : null;
      var init = { method: method, headers: headers(body !== undefined), signal: controller ? controller.signal : undefined };
      if (body !== undefined) { init.body = JSON.stringify(body); init.keepalive = true; }
      return doFetch(base + path + qs, init).then(
        function (res) {
          if (timer) clearTimeout(timer);
          return res.text().then(function (text) {
            var data = null;
            try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
            if (!res.ok) {
              var detail = data && Array.isArray(data.detail) ? data.detail : [];
              var msg = detail.length ? detail.map(function (d) { return d.message; }).join("; ") : "HTTP " + res.status;
              throw SearchApiError(msg, res.status, detail);
            }
            return data;
          });
        },
        function (err) {
          if (timer) clearTimeout(timer);
          throw SearchApiError(err && err.name === "AbortError" ? "the search service did not answer in time" : "the search service cannot be reached", 0);
        }
      );
    }

    var cacheKeys = [];
    function cached(key, make) {
      if (options.cache === false) return make();
      if (!cache[key]) {
        cache[key] = make().catch(function (err) { delete cache[key]; throw err; });
        cacheKeys.push(key);
        if (cacheKeys.length > 200) delete cache[cacheKeys.shift()]; // a page's session, not a memory leak
      }
      return cache[key];
    }

    function sortOf(name) {
      if (name === indexName) return "relevance";
      var prefix = indexName + sortSeparator;
      if (name && name.indexOf(prefix) === 0) {
        var sort = name.slice(prefix.length);
        if (SORTS.indexOf(sort) >= 0) return sort;
      }
      throw SearchApiError("unknown index " + JSON.stringify(name) + "; use " + indexName + " or " +
        SORTS.slice(1).map(function (s) { return indexName + sortSeparator + s; }).join(", "), 400);
    }

    function toHit(item, position, searchId, pre, post) {
      var hl = item.highlight || {};
      var hit = {};
      Object.keys(item).forEach(function (k) { if (k !== "highlight") hit[k] = item[k]; });
      hit.objectID = item.id;
      hit._highlightResult = {
        title: toHighlight(hl.title, item.title, pre, post),
        brand: toHighlight(hl.brand, item.brand, pre, post),
      };
      hit.__position = position;
      if (searchId) hit.__queryID = searchId;
      return hit;
    }

    function facetsOf(apiFacets, wanted) {
      var out = {};
      var all = wanted.indexOf("*") >= 0;
      Object.keys(FACET_PARAMS).forEach(function (name) {
        if (!all && wanted.indexOf(name) < 0) return;
        var counts = {};
        (apiFacets && apiFacets[name] || []).forEach(function (f) { if (f.value != null) counts[f.value] = f.count; });
        out[name] = counts;
      });
      return out;
    }

    function priceStats(bands, items) {
      var prices = (items || []).map(function (i) { return i.price; }).filter(function (p) { return typeof p === "number"; });
      var lo = null;
      var hi = null;
      (bands || []).forEach(function (b) {
        if (!b.count) return;
        if (lo === null || b.min < lo) lo = b.min;
        var top = b.max == null ? Math.max.apply(null, prices.concat([b.min])) : b.max;
        if (hi === null || top > hi) hi = top;
      });
      if (lo === null && prices.length) { lo = Math.min.apply(null, prices); hi = Math.max.apply(null, prices); }
      return lo === null ? null : { min: lo, max: hi, avg: (lo + hi) / 2, sum: 0 };
    }

    function searchOne(req) {
      var params = parseParams(req.params);
      if (req.indexName === suggestionsIndexName) return suggestionsResult(req, params);
      var sort = sortOf(req.indexName);
      var query = truncateQuery(params.query);
      var hitsPerPage = params.hitsPerPage == null ? options.hitsPerPage || 10 : Number(params.hitsPerPage);
      var size = Math.min(MAX_SIZE, Math.max(1, hitsPerPage || 1));
      var page0 = Math.min(MAX_PAGE - 1, Math.max(0, Number(params.page) || 0));
      var pre = params.highlightPreTag || "<em>";
      var post = params.highlightPostTag || "</em>";
      var wanted = Array.isArray(params.facets) ? params.facets : params.facets ? [params.facets] : [];

      var qs = new URLSearchParams();
      qs.set("q", query);
      qs.set("page", String(page0 + 1));
      qs.set("size", String(size));
      if (sort !== "relevance") qs.set("sort", sort);
      qs.set("highlight", "true");
      var filters = flatten(params.facetFilters).concat(parseFilterString(params.filters));
      filters.forEach(function (f) {
        var parts = splitFilter(f);
        if (!parts || parts[2]) return; // negated facet filters: the API has no such filter
        var name = FACET_PARAMS[parts[0]];
        if (name && parts[1]) qs.append(name, parts[1]);
      });
      var bounds = priceBounds(params.numericFilters);
      if (bounds.min !== null) qs.set("price_min", String(bounds.min));
      if (bounds.max !== null) qs.set("price_max", String(Math.max(bounds.max, bounds.min || 0)));
      var uid = params.userToken || userId();
      if (uid) qs.set("user_id", uid);
      var source = typeof options.source === "function" ? options.source(query) : options.source;
      if (source) qs.set("source", String(source));
      Object.keys(extraParams).forEach(function (k) { qs.set(k, String(extraParams[k])); });

      return cached("search?" + qs.toString(), function () { return request("GET", "/search", qs); }).then(function (res) {
        var searchId = res.search_id || null;
        var items = hitsPerPage === 0 ? [] : res.items || [];
        var total = res.total || 0;
        var related = (res.related || []).map(function (item, i) { return toHit(item, i + 1, searchId, pre, post); });
        return {
          index: req.indexName,
          query: params.query || "",
          params: qs.toString(),
          hits: items.map(function (item, i) { return toHit(item, page0 * size + i + 1, searchId, pre, post); }),
          nbHits: total,
          page: page0,
          nbPages: Math.min(MAX_PAGE, Math.ceil(total / size)),
          hitsPerPage: hitsPerPage,
          processingTimeMS: Math.round(res.took_ms || 0),
          exhaustiveNbHits: true,
          exhaustiveFacetsCount: true,
          facets: facetsOf(res.facets, wanted),
          facets_stats: wanted.indexOf("price") >= 0 || wanted.indexOf("*") >= 0
            ? { price: priceStats(res.facets && res.facets.price, res.items) }
            : {},
          queryID: searchId || undefined,
          renderingContent: {},
          zhsearch: {
            searchId: searchId,
            parsed: res.parsed || null,
            corrected: res.parsed ? res.parsed.corrected : null,
            related: related,
            priceBands: (res.facets && res.facets.price) || [],
            profile: res.profile || null,
            tookMs: res.took_ms || 0,
          },
        };
      });
    }

    function suggest(query, opts) {
      opts = opts || {};
      var q = truncateQuery(query);
      var qs = new URLSearchParams();
      qs.set("q", q);
      qs.set("size", String(Math.min(MAX_SIZE, Math.max(1, opts.size || 8))));
      var uid = opts.userId !== undefined ? opts.userId : userId();
      if (uid) qs.set("user_id", uid);
      return cached("suggest?" + qs.toString(), function () { return request("GET", "/suggest", qs); }).then(function (res) {
        return (res && res.suggestions) || [];
      });
    }

    function suggestionsResult(req, params) {
      var size = params.hitsPerPage == null ? 8 : Number(params.hitsPerPage);
      var pre = params.highlightPreTag || "<em>";
      var post = params.highlightPostTag || "</em>";
      var query = params.query || "";
      if (!query.trim() || size === 0) return Promise.resolve(emptyResult(req.indexName, query));
      return suggest(query, { size: size }).then(function (list) {
        var hits = list.map(function (s, i) {
          return {
            objectID: s.kind + ":" + s.text,
            query: s.text,
            kind: s.kind,
            score: s.score,
            _highlightResult: { query: toHighlight(s.highlight, s.text, pre, post) },
            __position: i + 1,
          };
        });
        var res = emptyResult(req.indexName, query);
        res.hits = hits;
        res.nbHits = hits.length;
        res.nbPages = hits.length ? 1 : 0;
        return res;
      });
    }

    function emptyResult(index, query) {
      return {
        index: index, query: query, params: "", hits: [], nbHits: 0, page: 0, nbPages: 0, hitsPerPage: 0,
        processingTimeMS: 0, exhaustiveNbHits: true, facets: {}, facets_stats: {}, renderingContent: {},
        zhsearch: { searchId: null, parsed: null, corrected: null, related: [], priceBands: [], profile: null, tookMs: 0 },
      };
    }

    return {
      /** Version of this adapter (InstantSearch reads `transporter`/`appId` only from Algolia clients). */
      version: VERSION,
      search: function (requests) {
        return Promise.all((requests || []).map(searchOne)).then(function (results) { return { results: results }; });
      },
      /** Facet values matching a text, for `refinementList({searchable: true})`: filtered from one search. */
      searchForFacetValues: function (requests) {
        return Promise.all((requests || []).map(function (req) {
          var params = parseParams(req.params);
          var facet = params.facetName;
          var needle = String(params.facetQuery || "").toLowerCase();
          var p = {};
          Object.keys(params).forEach(function (k) { p[k] = params[k]; });
          p.facets = [facet];
          p.hitsPerPage = 0;
          return searchOne({ indexName: req.indexName, params: p }).then(function (res) {
            var counts = res.facets[facet] || {};
            var hits = Object.keys(counts)
              .filter(function (v) { return v.toLowerCase().indexOf(needle) >= 0; })
              .map(function (v) { return { value: v, highlighted: v, count: counts[v] }; });
            return { facetHits: hits, exhaustiveFacetsCount: true, processingTimeMS: 0 };
          });
        }));
      },
      /** Query suggestions from GET /suggest: [{text, kind, score}], each `text` ready for the search box. */
      suggest: suggest,
      /** POST /events: {event: "click"|"cart"|"purchase"|"view", productId, searchId?, position?, query?}. */
      sendEvent: function (ev) {
        var uid = ev.userId || userId();
        if (!uid || !ev.productId) return Promise.resolve(null);
        var body = { user_id: uid, product_id: ev.productId, event: ev.event };
        if (ev.searchId) body.search_id = ev.searchId;
        if (ev.position) body.position = ev.position;
        if (ev.query) body.query = truncateQuery(ev.query);
        return request("POST", "/events", null, body);
      },
      getProduct: function (id) {
        return cached("product:" + id, function () { return request("GET", "/products/" + encodeURIComponent(id)); });
      },
      similar: function (id, size) {
        var qs = new URLSearchParams({ size: String(size || 8) });
        return request("GET", "/products/" + encodeURIComponent(id) + "/similar", qs).then(function (res) {
          return (res.items || []).map(function (item, i) { return toHit(item, i + 1, null, "<em>", "</em>"); });
        });
      },
      recommend: function (size, forUser) {
        var uid = forUser || userId();
        if (!uid) return Promise.resolve({ source: "popular", items: [] });
        var qs = new URLSearchParams({ user_id: uid, size: String(size || 8) });
        return request("GET", "/recommend", qs).then(function (res) {
          return { source: res.source, items: (res.items || []).map(function (item, i) { return toHit(item, i + 1, null, "<em>", "</em>"); }) };
        });
      },
      /** Forget cached answers (call with InstantSearch's refresh() after the shopper changes). */
      clearCache: function () { cache = {}; cacheKeys = []; },
    };
  }

  return {
    version: VERSION,
    createSearchClient: createSearchClient,
    toHighlight: toHighlight,
    truncateQuery: truncateQuery,
    SearchApiError: SearchApiError,
  };
});
