/* site-gen search: the static index in the browser, no server and no dependency.
 *
 * Index files are scripts (search/meta.js, tags.js, t/N.js, d/N.js) that call
 * SiteGenSearch.register(name, data): <script src> works from file://, fetch() does not.
 * Terms are made as whoosh makes them (site_gen/search/terms.py: regex tokens, lower case, each
 * language's stop words and stems: Porter for English, the Snowball stemmers of
 * static/stemmers/LANG.js, loaded for the languages the archive holds; Chinese and Japanese as
 * character bigrams), a query is analyzed in every language and each document matches only its
 * own language's analysis (site_gen/search/index.py), and results are scored with whoosh's
 * BM25F, so they agree with `site-gen search`. The format is written by
 * site_gen/search/export.py; keep the two in step (tests/test_search_parity.py).
 */
(function () {
  "use strict";

  // ---- Analysis, per language (site_gen/search/terms.py) ----

  var TOKEN = /[\p{L}\p{N}_*]+(?:\.?[\p{L}\p{N}_*]+)*/gu;
  // Kana and CJK ideographs: in Chinese and Japanese ("cjk") a run of them is a token, cut into bigrams.
  var UNSPACED = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f\\u{20000}-\\u{3134f}";
  var WORD_CHAR = "(?:(?![" + UNSPACED + "])[\\p{L}\\p{N}_*])";
  var TOKEN_UNSPACED = new RegExp(WORD_CHAR + "+(?:\\.?" + WORD_CHAR + "+)*|[" + UNSPACED + "]+", "gu");
  var RUN = new RegExp("^[" + UNSPACED + "]", "u");
  var BIGRAMS = "cjk";
  var STEP2 = { ational: "ate", tional: "tion", enci: "ence", anci: "ance", izer: "ize", bli: "ble", alli: "al", entli: "ent", eli: "e", ousli: "ous", ization: "ize", ation: "ate", ator: "ate", alism: "al", iveness: "ive", fulness: "ful", ousness: "ous", aliti: "al", iviti: "ive", biliti: "ble", logi: "log" };
  var STEP3 = { icate: "ic", ative: "", alize: "al", iciti: "ic", ical: "ic", ful: "", ness: "" };
  var MGR0 = /^([^aeiouy]+)?[aeiou]+[^aeiouy]+/u;
  var MEQ1 = /^([^aeiouy]+)?[aeiou]+[^aeiouy]+([aeiou]+)?$/u;
  var MGR1 = /^([^aeiouy]+)?[aeiou]+[^aeiouy]+[aeiou]+[^aeiouy]+/u;
  var S_V = /^([^aeiouy]+)?[aeiouy]/u;
  var C_V = /^[^aeiouy]+[aeiouy][^aeiouwxy]$/u;
  var ED_ING = /^(.*)(ed|ing)$/u;
  var AT_BL_IZ = /^(at|bl|iz)$/u; // whoosh uses re.match on "(at|bl|iz)$": the whole word
  var DOUBLE = /^([^aeiouylsz])\1$/u; // likewise for the double consonant rule
  var RE2 = /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/u;
  var RE3 = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/u;
  var RE4 = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/u;
  var RE4B = /^(.+?)(s|t)(ion)$/u;
  var RE5 = /^(.+?)e$/u;

  function codePoints(s) { return /[\ud800-\udfff]/.test(s) ? Array.from(s) : s; }

  // A port of whoosh.lang.porter.stem, rule for rule.
  function stem(w) {
    var cps = codePoints(w);
    if (cps.length < 3) return w;
    var firstIsY = w[0] === "y", m, s;
    if (firstIsY) w = "Y" + w.slice(1);
    if (w.endsWith("s")) {
      if (w.endsWith("sses") || w.endsWith("ies")) w = w.slice(0, -2);
      else if (cps[cps.length - 2] !== "s") w = w.slice(0, -1);
    }
    if (w.endsWith("eed")) {
      if (MGR0.test(w.slice(0, -3))) w = w.slice(0, -1);
    } else if ((m = ED_ING.exec(w))) {
      s = m[1];
      if (S_V.test(s)) {
        w = s;
        if (AT_BL_IZ.test(w)) w += "e";
        else if (DOUBLE.test(w)) w = w.slice(0, -1);
        else if (C_V.test(w)) w += "e";
      }
    }
    if (w.endsWith("y")) {
      s = w.slice(0, -1);
      if (S_V.test(s)) w = s + "i";
    }
    if ((m = RE2.exec(w)) && MGR0.test(m[1])) w = m[1] + STEP2[m[2]];
    if ((m = RE3.exec(w)) && MGR0.test(m[1])) w = m[1] + STEP3[m[2]];
    if ((m = RE4.exec(w))) {
      if (MGR1.test(m[1])) w = m[1];
    } else if ((m = RE4B.exec(w))) {
      s = m[1] + m[2];
      if (MGR1.test(s)) w = s;
    }
    if ((m = RE5.exec(w))) {
      s = m[1];
      if (MGR1.test(s) || (MEQ1.test(s) && !C_V.test(s))) w = s;
    }
    if (w.endsWith("ll") && MGR1.test(w)) w = w.slice(0, -1);
    if (firstIsY) w = "y" + w.slice(1);
    return w;
  }

  // Each token (lower-cased) with where it starts and ends in text; unspaced runs as bigrams for BIGRAMS.
  function spans(text, key) {
    var re = key === BIGRAMS ? TOKEN_UNSPACED : TOKEN, out = [], m;
    re.lastIndex = 0;
    while ((m = re.exec(text))) {
      var word = m[0].toLowerCase();
      if (key === BIGRAMS && RUN.test(word) && codePoints(word).length > 1) {
        var cps = Array.from(word), at = m.index;
        for (var i = 0; i + 1 < cps.length; i++) {
          out.push({ word: cps[i] + cps[i + 1], start: at, end: at + cps[i].length + cps[i + 1].length });
          at += cps[i].length;
        }
      } else {
        out.push({ word: word, start: m.index, end: m.index + m[0].length });
      }
    }
    return out;
  }

  function words(text, key) {
    return spans(text, key).map(function (s) { return s.word; });
  }

  // One analysis: its stop words and stemmer (none: words kept as they are).
  function Analysis(key, stop, stemmer, minsize) {
    this.key = key;
    this.stop = new Set(stop);
    this.stemmer = stemmer;
    this.minsize = minsize;
    this.cache = new Map();
  }
  Analysis.prototype.dropped = function (word) {
    return codePoints(word).length < this.minsize || this.stop.has(word);
  };
  // The index term of a lower-cased word ("" when dropped).
  Analysis.prototype.term = function (word) {
    var t = this.cache.get(word);
    if (t === undefined) {
      t = this.dropped(word) ? "" : this.stemmer ? this.stemmer(word) : word;
      this.cache.set(word, t);
    }
    return t;
  };
  // An explicit prefix* as whoosh's parser takes it: the whole text lower-cased, stemmed unless a stop word or short.
  Analysis.prototype.prefix = function (text) {
    return this.dropped(text) || !this.stemmer ? text : this.stemmer(text);
  };

  // ---- Loading index files through <script> elements ----

  var root = "";
  var pending = {};
  var loaded = {};

  function register(name, data) {
    loaded[name] = data;
    if (pending[name]) pending[name].resolve(data);
  }

  function load(name) {
    if (!pending[name]) {
      var slot = {};
      slot.promise = new Promise(function (resolve, reject) { slot.resolve = resolve; slot.reject = reject; });
      pending[name] = slot;
      if (name in loaded) {
        slot.resolve(loaded[name]);
      } else {
        var script = document.createElement("script");
        script.src = root + "search/" + name + ".js";
        script.async = true;
        script.onload = function () {
          if (!(name in loaded)) slot.reject(new Error("search/" + name + ".js did not register its data"));
        };
        script.onerror = function () {
          delete pending[name];
          slot.reject(new Error("could not load search/" + name + ".js"));
        };
        document.head.appendChild(script);
      }
    }
    return pending[name].promise;
  }

  // The Snowball stemmer of a language (static/stemmers/LANG.js registers window.SiteGenStemmers[LANG]).
  function loadStemmer(key) {
    window.SiteGenStemmers = window.SiteGenStemmers || {};
    if (window.SiteGenStemmers[key]) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + "static/stemmers/" + key + ".js";
      script.onload = function () {
        if (window.SiteGenStemmers[key]) resolve(); else reject(new Error("static/stemmers/" + key + ".js did not register its stemmer"));
      };
      script.onerror = function () { reject(new Error("could not load static/stemmers/" + key + ".js")); };
      document.head.appendChild(script);
    });
  }

  // ---- The index ----

  var B64 = new Int8Array(128);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) { B64[c.charCodeAt(0)] = i; });

  function Bits(s, at) { this.s = s; this.i = at; this.buf = 0; this.n = 0; }
  Bits.prototype.bit = function () {
    if (this.n === 0) { this.buf = B64[this.s.charCodeAt(this.i++)] | 0; this.n = 6; }
    this.n -= 1;
    return (this.buf >> this.n) & 1;
  };
  Bits.prototype.read = function (k) {
    var v = 0;
    while (k-- > 0) v = v * 2 + this.bit();
    return v;
  };
  Bits.prototype.rice = function (k) {
    var q = 0;
    while (this.bit()) q++;
    return q * Math.pow(2, k) + this.read(k);
  };
  Bits.prototype.gamma = function () {
    var zeros = 0;
    while (!this.bit()) zeros++;
    return Math.pow(2, zeros) + this.read(zeros);
  };

  function riceParameter(n, df) {
    var q = Math.floor(n / Math.max(df, 1));
    return Math.max(0, 31 - Math.clz32(q));
  }

  function Index(meta) {
    this.meta = meta;
    this.n = meta.docs; // live documents: BM25F's N
    // Document numbers run to meta.slots (a patched index leaves the slots of deleted documents
    // empty, runs of outlet -1) and Rice parameters come from meta.coded documents (the last full export).
    this.slots = meta.slots;
    this.coded = meta.coded;
    this.fields = meta.fields;
    var analyses = {};
    Object.keys(meta.stop).forEach(function (key) {
      var stemmer = key === "en" ? stem : meta.stemmers.indexOf(key) >= 0 ? window.SiteGenStemmers[key] : null;
      analyses[key] = new Analysis(key, meta.stop[key], stemmer, meta.minsize);
    });
    this.languages = meta.languages.map(function (row) { return { code: row[0], analysis: analyses[row[1]], total: row[2] }; });
    this.langOf = new Uint8Array(this.slots); // each document's language (an index into this.languages)
    if (this.languages.length > 1) {
      var runs = new Bits(meta.langruns, 0), width = 32 - Math.clz32(this.languages.length - 1);
      for (var at = 0; at < this.slots;) {
        var length = runs.gamma(), lang = runs.read(width);
        this.langOf.fill(lang, at, at + length);
        at += length;
      }
    }
    this.terms = new Map(); // term -> postings per field, decoded
    this.outletOf = new Int32Array(this.slots);
    this.yearOf = new Int32Array(this.slots);
    var d = 0, self = this;
    meta.runs.forEach(function (run) {
      for (var end = d + run[0]; d < end; d++) { self.outletOf[d] = run[1]; self.yearOf[d] = run[2]; }
    });
    this.tags = meta.tags.map(function (row) { return { name: row[0], total: row[1], docs: null }; });
    this.tagsLoaded = null;
    this.years = Array.from(new Set(this.yearOf)).filter(function (y) { return y >= 0; }).sort(function (a, b) { return b - a; });
  }

  // The documents of each tag (tags.js), wanted only when the tag filter is used.
  Index.prototype.loadTags = function () {
    var self = this;
    if (!this.tagsLoaded) {
      this.tagsLoaded = load("tags").then(function (rows) {
        rows.forEach(function (chars, t) {
          var tag = self.tags[t], bits = new Bits(chars, 0), docs = new Int32Array(tag.total), k = riceParameter(self.coded, tag.total), prev = -1;
          for (var i = 0; i < docs.length; i++) { prev = prev + 1 + bits.rice(k); docs[i] = prev; }
          tag.docs = docs;
        });
      });
    }
    return this.tagsLoaded;
  };

  Index.prototype.shardOf = function (term) {
    var shards = this.meta.shards, lo = 0, hi = shards.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (shards[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  // The shards holding every term that starts with prefix (a contiguous range of them).
  Index.prototype.prefixShards = function (prefix) {
    var first = this.shardOf(prefix), last = this.shardOf(prefix + "\uffff"), out = [];
    for (var i = Math.max(first, 0); i <= last; i++) out.push(i);
    return out;
  };

  Index.prototype.loadShards = function (numbers) {
    var self = this;
    return Promise.all(numbers.map(function (i) {
      return load("t/" + i).then(function (data) { self.addShard(data); });
    }));
  };

  Index.prototype.addShard = function (data) {
    if (data.added) return;
    data.added = true;
    var terms = data[0], numbers = data[1], at = 0, nf = this.fields.length;
    for (var i = 0; i < terms.length; i++) {
      var entry = { lists: [] };
      for (var f = 0; f < nf; f++) {
        var df = numbers[(i * nf + f) * 2], chars = numbers[(i * nf + f) * 2 + 1];
        entry.lists.push(df ? { df: df, at: at, bits: data[2], decoded: null } : null);
        at += chars;
      }
      this.terms.set(terms[i], entry);
    }
  };

  Index.prototype.postings = function (term, f) {
    var entry = this.terms.get(term), list = entry && entry.lists[f];
    if (!list) return null;
    if (!list.decoded) {
      var field = this.fields[f], bits = new Bits(list.bits, list.at), k = riceParameter(this.coded, list.df);
      var docs = new Int32Array(list.df), tfs = new Float64Array(list.df), lens = new Float64Array(list.df), prev = -1;
      for (var i = 0; i < list.df; i++) {
        prev = prev + 1 + bits.rice(k);
        docs[i] = prev;
        tfs[i] = bits.gamma();
        var z = bits.rice(field.flk);
        lens[i] = this.meta.lengths[field.flcenter + (z % 2 ? -(z + 1) / 2 : z / 2)];
      }
      list.decoded = { docs: docs, tfs: tfs, lens: lens };
    }
    return list.decoded;
  };

  // Loaded terms that begin with prefix, the most frequent first.
  Index.prototype.expand = function (prefix, limit) {
    var out = [];
    this.terms.forEach(function (entry, term) {
      if (term.startsWith(prefix)) out.push({ term: term, df: entry.lists.reduce(function (a, l) { return a + (l ? l.df : 0); }, 0) });
    });
    out.sort(function (a, b) { return b.df - a.df || (a.term < b.term ? -1 : 1); });
    return out.slice(0, limit).map(function (t) { return t.term; });
  };

  // ---- Queries, in whoosh's syntax: words ANDed, OR, NOT, prefix*, "phrases" (here: all their words) ----

  function parse(text, typing, analysis) {
    var re = /"([^"]*)"?|(\S+)/g, m, clauses = [], excluded = [], pendingOr = false, pendingNot = false, parts = [];
    while ((m = re.exec(text))) parts.push({ phrase: m[1], word: m[2], end: re.lastIndex });
    parts.forEach(function (part, i) {
      if (part.word === "OR") { pendingOr = clauses.length > 0; return; }
      if (part.word === "AND") return;
      if (part.word === "NOT") { pendingNot = true; return; }
      var raw = part.phrase !== undefined ? part.phrase : part.word, neg = pendingNot;
      var prefix = part.word !== undefined && /[^*]\*$/.test(raw);
      var last = typing && !neg && i === parts.length - 1 && part.end === text.length && part.phrase === undefined;
      var items = prefix ? [{ prefix: analysis.prefix(raw.replace(/\*+$/, "").toLowerCase()) }] : words(raw, analysis.key).map(function (w) { return { word: w }; });
      if (last && !prefix && items.length === 1) items[0].prefix = items[0].word;
      pendingNot = false;
      if (neg) { if (items.length) excluded.push(items); return; }
      items.forEach(function (it, j) {
        if (pendingOr && j === 0) clauses[clauses.length - 1].push(it); else clauses.push([it]);
      });
      pendingOr = false;
    });
    return { clauses: clauses, excluded: excluded };
  }

  // A prefix* of two or more characters expands to every term it begins (the shards of one range
  // of terms). As you type, the last word also matches the 64 most frequent terms it begins,
  // when those sit in at most three shards (two letters can span many).
  var PREFIX_MIN = 2, TYPING_SHARDS = 3, TYPING_TERMS = 64;

  // The query as each language analyzes it (index.languages[lang] for each lang of langs): which
  // index terms each clause stands for, loading the shards they are in.
  function resolve(index, text, typing, langs) {
    var needed = new Set(), analysis;
    var queries = langs.map(function (lang) {
      analysis = index.languages[lang].analysis;
      var query = parse(text, typing, analysis);
      query.clauses.forEach(function (c) { c.forEach(plan); });
      query.excluded.forEach(function (c) { c.forEach(plan); });
      return query;
    });
    function plan(item) {
      item.term = item.word ? analysis.term(item.word) : "";
      if (item.term) needed.add(index.shardOf(item.term));
      if (item.prefix && codePoints(item.prefix).length >= PREFIX_MIN) {
        var shards = index.prefixShards(item.prefix);
        if (!item.word || shards.length <= TYPING_SHARDS) {
          item.expand = true;
          shards.forEach(function (s) { needed.add(s); });
        }
      }
    }
    needed.delete(-1);
    return index.loadShards(Array.from(needed)).then(function () {
      function terms(item) {
        var out = item.term ? [item.term] : [];
        return item.expand ? out.concat(index.expand(item.prefix, item.word ? TYPING_TERMS : Infinity)) : out;
      }
      function unique(items) { return Array.from(new Set([].concat.apply([], items.map(terms)))); }
      // A clause of stop words only is dropped, as whoosh drops it; an explicit prefix that
      // expands to nothing (or is one letter long) keeps its clause, which then matches nothing.
      function kept(c) { return c.some(function (it) { return it.prefix && !it.word; }) || unique(c).length; }
      return queries.map(function (query, i) {
        return {
          lang: langs[i],
          clauses: query.clauses.filter(kept).map(unique),
          excluded: query.excluded.map(unique).filter(function (c) { return c.length; }),
          words: [].concat.apply([], query.clauses),
        };
      });
    });
  }

  // whoosh's BM25F: per field idf = log(N / (df + 1)) + 1; a word's fields summed, then the words.
  // Only the documents of the query's language take part (whoosh's Require on the language field).
  function score(index, resolved) {
    var n = index.n, slots = index.slots, K1 = index.meta.K1, B = index.meta.B, langOf = index.langOf, lang = resolved.lang;
    var total = new Float64Array(slots), part = new Float64Array(slots), hits = new Uint16Array(slots), stamp = new Int32Array(slots), first = [];
    resolved.clauses.forEach(function (terms, c) {
      var touched = [];
      terms.forEach(function (term) {
        index.fields.forEach(function (field, f) {
          var p = index.postings(term, f);
          if (!p) return;
          var idf = Math.log(n / (p.docs.length + 1)) + 1, avg = field.avgfl || 1, boost = field.boost;
          for (var i = 0; i < p.docs.length; i++) {
            var d = p.docs[i];
            if (hits[d] !== c || langOf[d] !== lang) continue; // missed an earlier word, or another language
            var tf = p.tfs[i], s = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * p.lens[i] / avg))) * boost;
            if (stamp[d] !== c + 1) { stamp[d] = c + 1; part[d] = s; touched.push(d); } else part[d] += s;
          }
        });
      });
      touched.forEach(function (d) { total[d] += part[d]; hits[d] = c + 1; });
      if (c === 0) first = touched;
    });
    var want = resolved.clauses.length, excluded = new Uint8Array(slots), out = [];
    resolved.excluded.forEach(function (terms) {
      terms.forEach(function (term) {
        index.fields.forEach(function (field, f) {
          var p = index.postings(term, f);
          if (p) for (var i = 0; i < p.docs.length; i++) excluded[p.docs[i]] = 1;
        });
      });
    });
    // whoosh scores each NOT clause as a match of weight 1 (its InverseMatcher): the same shift here.
    var shift = resolved.excluded.length;
    first.forEach(function (d) { if (want && hits[d] === want && !excluded[d]) out.push({ doc: d, score: shift ? total[d] + shift : total[d] }); });
    out.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return out;
  }

  // Counts per outlet, tag, year and language; each facet counted with the other filters applied.
  // Choosing a language keeps its documents, which matched the query as that language analyzes it.
  function facets(index, matches, filters) {
    var n = index.slots, tagOf = filters.tag !== "" ? new Uint8Array(n) : null;
    if (tagOf) index.tags[filters.tag].docs.forEach(function (d) { tagOf[d] = 1; });
    var outlets = new Map(), years = new Map(), langs = new Map(), tagCounts = index.tagsLoaded ? new Uint32Array(index.tags.length) : null, shown = [];
    var inMatches = new Uint8Array(n);
    matches.forEach(function (m) {
      var d = m.doc, o = index.outletOf[d], y = index.yearOf[d], l = index.langOf[d];
      var okO = filters.outlet === "" || o === filters.outlet, okY = filters.year === "" || y === filters.year, okT = !tagOf || tagOf[d];
      var okL = filters.language === "" || l === filters.language;
      if (okY && okT && okL) outlets.set(o, (outlets.get(o) || 0) + 1);
      if (okO && okT && okL) years.set(y, (years.get(y) || 0) + 1);
      if (okO && okY && okT) langs.set(l, (langs.get(l) || 0) + 1);
      if (okO && okY && okL) inMatches[d] = 1;
      if (okO && okY && okT && okL) shown.push(m);
    });
    if (tagCounts) index.tags.forEach(function (tag, t) {
      var docs = tag.docs || [], c = 0;
      for (var i = 0; i < docs.length; i++) c += inMatches[docs[i]];
      tagCounts[t] = c;
    });
    return { outlets: outlets, years: years, languages: langs, tags: tagCounts, shown: shown };
  }

  function documents(index, docs) {
    var chunk = index.meta.chunk, names = Array.from(new Set(docs.map(function (d) { return "d/" + Math.floor(d / chunk); })));
    return Promise.all(names.map(load)).then(function () {
      return docs.map(function (d) {
        var row = loaded["d/" + Math.floor(d / chunk)][d % chunk];
        var outlet = index.meta.outlets[index.outletOf[d]];
        return { doc: d, title: row[0], permalink: row[1], date: row[2], summary: row[3], outlet: outlet[1], outletKey: outlet[0], lang: index.langOf[d] };
      });
    });
  }

  var indexPromise = null;
  function open() {
    if (!indexPromise) {
      indexPromise = load("meta").then(function (meta) {
        if (meta.format !== 3) throw new Error("search/meta.js has index format " + meta.format + "; this search.js reads format 3");
        return Promise.all(meta.stemmers.map(loadStemmer)).then(function () { return new Index(meta); });
      });
    }
    return indexPromise;
  }

  // query(text, {typing, filters}) -> {matches: [{doc, score}], shown, facets, words}: the query is
  // analyzed in every language the archive holds; each document is scored in its own (its score is
  // what the query analyzed in its language gives it), words holds each language's query items.
  function query(text, options) {
    options = options || {};
    var filters = Object.assign({ outlet: "", tag: "", year: "", language: "" }, options.filters || {});
    return open().then(function (index) {
      var tags = filters.tag !== "" ? index.loadTags() : null;
      var langs = index.languages.map(function (_, i) { return i; });
      return Promise.all([resolve(index, text, !!options.typing, langs), tags]).then(function (done) {
        var matches = [].concat.apply([], done[0].map(function (resolved) { return score(index, resolved); }));
        matches.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
        var f = facets(index, matches, filters), words = done[0].map(function (resolved) { return resolved.words; });
        return { index: index, matches: matches, shown: f.shown, facets: f, words: words, filters: filters };
      });
    });
  }

  // ---- The page ----

  // mark(text, parent, lang): text into parent, the words the query found in a document of lang marked.
  function highlighter(index, itemsByLang) {
    var wanted = itemsByLang.map(function (items) {
      var terms = new Set(), prefixes = [];
      items.forEach(function (it) {
        if (it.term) terms.add(it.term);
        if (it.prefix && it.expand) prefixes.push(it.prefix);
      });
      return { terms: terms, prefixes: prefixes };
    });
    return function (text, parent, lang) {
      var analysis = index.languages[lang].analysis, want = wanted[lang], at = 0, open = null;
      function flush() {
        parent.appendChild(document.createTextNode(text.slice(at, open.start)));
        var mark = document.createElement("mark");
        mark.textContent = text.slice(open.start, open.end);
        parent.appendChild(mark);
        at = open.end;
      }
      spans(text, analysis.key).forEach(function (s) {
        var t = analysis.term(s.word);
        if (!((t && want.terms.has(t)) || want.prefixes.some(function (p) { return s.word.startsWith(p); }))) return;
        if (open && s.start <= open.end) open.end = Math.max(open.end, s.end); // overlapping bigrams: one mark
        else { if (open) flush(); open = { start: s.start, end: s.end }; }
      });
      if (open) flush();
      parent.appendChild(document.createTextNode(text.slice(at)));
    };
  }

  function App(el) {
    this.el = el;
    this.input = document.getElementById("search-q");
    this.status = document.getElementById("search-status");
    this.list = document.getElementById("search-results");
    this.more = document.getElementById("search-more");
    this.selects = { outlet: document.getElementById("search-outlet"), tag: document.getElementById("search-tag"), year: document.getElementById("search-year"), lang: document.getElementById("search-lang") };
    this.seq = 0;
    this.page = 10;
    this.state = null;
  }

  App.prototype.start = function () {
    var self = this, params = new URLSearchParams(location.search);
    this.input.value = params.get("q") || "";
    this.wanted = { outlet: params.get("outlet") || "", tag: params.get("tag") || "", year: params.get("year") || "", lang: params.get("lang") || "" };
    this.setStatus("Loading the search index…", true);
    this.input.addEventListener("input", function (e) { self.run(true, e.timeStamp); });
    document.getElementById("search-form").addEventListener("submit", function (e) { e.preventDefault(); self.run(false); });
    Object.keys(this.selects).forEach(function (k) {
      self.selects[k].addEventListener("change", function () { self.wanted[k] = self.selects[k].value; self.run(false); });
    });
    this.more.addEventListener("click", function () { self.showMore(); });
    ["focus", "pointerdown"].forEach(function (type) {
      self.selects.tag.addEventListener(type, function () { self.tagCounts(); });
    });
    document.addEventListener("keydown", function (e) { self.key(e); });
    open().then(function (index) {
      self.index = index;
      self.fillSelects(null);
      if (self.input.value.trim()) self.run(false); else self.setStatus("Type to search " + index.n.toLocaleString("en") + " articles.");
    }, function (err) { self.fail(err); });
  };

  App.prototype.setStatus = function (text, loading) {
    this.status.textContent = text;
    this.status.classList.toggle("is-loading", !!loading);
  };

  App.prototype.fail = function (err) {
    this.setStatus("The search index could not be loaded: " + err.message + ". Rebuild the site with site-gen build.");
  };

  App.prototype.filters = function () {
    var w = this.wanted, index = this.index;
    var outlet = index.meta.outlets.findIndex(function (o) { return o[0] === w.outlet; });
    var tag = index.tags.findIndex(function (t) { return t.name === w.tag; });
    var lang = index.languages.findIndex(function (l) { return l.code === w.lang; });
    return { outlet: outlet < 0 ? "" : outlet, tag: tag < 0 ? "" : tag, year: w.year === "" ? "" : Number(w.year === "undated" ? 0 : w.year), language: lang < 0 ? "" : lang };
  };

  App.prototype.run = function (typing, started) {
    if (!this.index) return;
    var self = this, seq = ++this.seq, text = this.input.value, t0 = started || performance.now();
    this.keepUrl(text);
    if (!text.trim()) {
      this.list.textContent = "";
      this.more.hidden = true;
      this.fillSelects(null);
      this.setStatus("Type to search " + this.index.n.toLocaleString("en") + " articles.");
      return;
    }
    var slow = setTimeout(function () { if (seq === self.seq) self.setStatus("Searching…", true); }, 80);
    query(text, { typing: typing, filters: this.filters() }).then(function (result) {
      if (seq !== self.seq) return null;
      self.state = result;
      self.shownCount = 0;
      self.list.textContent = "";
      self.fillSelects(result.facets);
      return self.showMore().then(function () {
        clearTimeout(slow);
        if (seq !== self.seq) return;
        SiteGenSearch.lastLatency = performance.now() - t0;
      });
    }).catch(function (err) { clearTimeout(slow); self.fail(err); });
  };

  // Tag counts need tags.js: loaded the first time the tag filter is touched.
  App.prototype.tagCounts = function () {
    var self = this;
    if (!this.index || this.index.tagsLoaded) return;
    this.index.loadTags().then(function () {
      if (self.state) self.fillSelects(facets(self.index, self.state.matches, self.state.filters));
      else self.fillSelects(null);
    }, function (err) { self.fail(err); });
  };

  App.prototype.showMore = function () {
    var self = this, result = this.state, start = this.shownCount, seq = this.seq;
    var batch = result.shown.slice(start, start + this.page);
    var mark = highlighter(result.index, result.words);
    return documents(result.index, batch.map(function (m) { return m.doc; })).then(function (docs) {
      if (seq !== self.seq) return;
      docs.forEach(function (doc) { self.list.appendChild(self.item(doc, mark)); });
      self.shownCount = start + batch.length;
      var total = result.shown.length;
      self.more.hidden = self.shownCount >= total;
      if (!total) self.setStatus("No results for “" + self.input.value.trim() + "”" + (result.matches.length ? " with these filters." : ". Try fewer or other words."));
      else self.setStatus(total.toLocaleString("en") + (total === 1 ? " result" : " results") + (self.shownCount < total ? ", showing " + self.shownCount.toLocaleString("en") : "") + ".");
    });
  };

  App.prototype.item = function (doc, mark) {
    var li = document.createElement("li"), h = document.createElement("h2"), a = document.createElement("a");
    li.className = "item";
    h.className = "item-title";
    a.href = this.el.dataset.root + doc.permalink;
    mark(doc.title, a, doc.lang);
    h.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "meta";
    if (doc.date) {
      var time = document.createElement("time");
      time.dateTime = doc.date;
      time.textContent = doc.date;
      meta.appendChild(time);
    } else {
      meta.appendChild(document.createTextNode("undated"));
    }
    meta.appendChild(document.createTextNode(" · " + doc.outlet));
    li.appendChild(h);
    li.appendChild(meta);
    if (doc.summary) {
      var p = document.createElement("p");
      p.className = "summary";
      mark(doc.summary, p, doc.lang);
      li.appendChild(p);
    }
    return li;
  };

  App.prototype.fillSelects = function (facets) {
    var index = this.index, w = this.wanted;
    var outlets = index.meta.outlets.map(function (o, i) { return { value: o[0], label: o[1], count: facets ? facets.outlets.get(i) || 0 : null }; });
    var tags = index.tags.map(function (t, i) { return { value: t.name, label: t.name, count: facets && facets.tags ? facets.tags[i] : null }; });
    var years = index.years.map(function (y) { return { value: y ? String(y) : "undated", label: y ? String(y) : "undated", count: facets ? facets.years.get(y) || 0 : null }; });
    fill(this.selects.outlet, "All outlets", outlets, w.outlet);
    fill(this.selects.tag, "All tags", tags, w.tag);
    var langs = index.languages.map(function (l, i) { return { value: l.code, label: languageName(l.code), count: facets ? facets.languages.get(i) || 0 : null }; });
    fill(this.selects.year, "All years", years, w.year);
    fill(this.selects.lang, "All languages", langs, w.lang);
    this.selects.tag.parentNode.hidden = !index.tags.length;
    this.selects.lang.parentNode.hidden = index.languages.length < 2;
  };

  var NAMES = null;
  // "Russian (ru)", from the browser's own list of language names; the code alone where it has none.
  function languageName(code) {
    try {
      NAMES = NAMES || new Intl.DisplayNames(["en"], { type: "language" });
      var name = NAMES.of(code);
      return name && name !== code ? name + " (" + code + ")" : code;
    } catch (e) {
      return code;
    }
  }

  function fill(select, all, options, wanted) {
    select.textContent = "";
    select.appendChild(new Option(all, ""));
    options.forEach(function (o) {
      if (o.count === 0 && o.value !== wanted) return;
      select.appendChild(new Option(o.count === null ? o.label : o.label + " (" + o.count.toLocaleString("en") + ")", o.value));
    });
    select.value = wanted;
  }

  App.prototype.keepUrl = function (text) {
    var params = new URLSearchParams();
    if (text) params.set("q", text);
    var self = this;
    Object.keys(this.wanted).forEach(function (k) { if (self.wanted[k]) params.set(k, self.wanted[k]); });
    var search = params.toString();
    try {
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    } catch (e) {
      // file:// pages may not rewrite their own URL; a link from elsewhere still works (?q=...).
    }
  };

  App.prototype.key = function (e) {
    var target = e.target, links = Array.prototype.slice.call(this.list.querySelectorAll(".item-title a"));
    var typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
    if (e.key === "/" && !typing) {
      e.preventDefault();
      this.input.focus();
      this.input.select();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var at = links.indexOf(target);
    if (target === this.input && e.key === "ArrowDown" && links.length) { e.preventDefault(); links[0].focus(); return; }
    if (at < 0) return;
    e.preventDefault();
    if (e.key === "ArrowDown" && at + 1 < links.length) links[at + 1].focus();
    else if (e.key === "ArrowUp") (at > 0 ? links[at - 1] : this.input).focus();
  };

  // terms(texts, key): each text's index terms as the analysis key makes them (the parity tests compare them with whoosh's).
  function terms(texts, key) {
    return open().then(function (index) {
      var analysis = index.languages.map(function (l) { return l.analysis; }).find(function (a) { return a.key === key; });
      if (!analysis) throw new Error("the archive holds no language analyzed as " + JSON.stringify(key));
      return texts.map(function (text) { return words(text, key).map(function (w) { return analysis.term(w); }).filter(Boolean); });
    });
  }

  window.SiteGenSearch = { register: register, query: query, open: open, documents: function (docs) { return open().then(function (i) { return documents(i, docs); }); }, stem: stem, words: words, terms: terms, lastLatency: null };

  function boot() {
    var el = document.getElementById("search");
    if (!el) return;
    root = el.dataset.root || "";
    new App(el).start();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot); else boot();
})();
