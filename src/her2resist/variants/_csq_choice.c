/* One VEP CSQ / SnpEff ANN entry per biallelic record, chosen as vcf2maf does.
 *
 * The compiled form of the column-wise choice in fast.py (ChunkConverter._annotation):
 * same order (biotype priority, effect priority, longest transcript, entry order), same
 * gene / custom-isoform / canonical tiers, same effects_by_allele rule. Only the chosen
 * entry's fields become Python strings; the others are compared in place as bytes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef SOURCE_DIGEST /* setup.py defines it: the digest of this file */
#define SOURCE_DIGEST ""
#endif
#include <string.h>

typedef struct {
    const char *p;
    Py_ssize_t n;
} span;

enum { CONSEQUENCE, BIOTYPE, CDNA, ALLELE_NUM, ALLELE, SYMBOL, FEATURE, CANONICAL, N_ROLES };

typedef struct {
    long bio, eff;
    long long neg_len, allele_num;
    int kept, custom, canonical;
    PyObject *summary; /* borrowed from the summary cache: (worst, priority, ordered) */
} entry;

#define SEEN_MAX 128

typedef struct {
    PyObject *cache; /* str -> value (consequence: (worst, priority, ordered)) */
    PyObject *compute;
    int tuple_item; /* -1: the value is the priority itself */
    /* the texts met in this call, as bytes: a few dozen distinct ones cover a whole chunk,
     * and comparing bytes is cheaper than building a str for every dict lookup */
    int n_seen;
    char *seen[SEEN_MAX];
    Py_ssize_t seen_n[SEEN_MAX];
    long seen_value[SEEN_MAX];
    PyObject *seen_obj[SEEN_MAX]; /* borrowed from cache */
} lookup;

static void lookup_clear(lookup *lk)
{
    for (int i = 0; i < lk->n_seen; i++)
        PyMem_Free(lk->seen[i]);
    lk->n_seen = 0;
}

static int find_value(const char *s, Py_ssize_t n, const char *key, Py_ssize_t klen, span *out)
{
    Py_ssize_t i = 0;
    while (i + klen < n) {
        if (memcmp(s + i, key, klen) == 0 && s[i + klen] == '=') {
            Py_ssize_t start = i + klen + 1, end = start;
            while (end < n && s[end] != ';')
                end++;
            out->p = s + start;
            out->n = end - start;
            return 1;
        }
        while (i < n && s[i] != ';')
            i++;
        i++;
    }
    return 0;
}

/* Non-negative decimal integer of ASCII digits only (Python's str.isdigit + int, for the
 * numbers VEP writes); -1 when the text is empty or not all digits. */
static long long digits_value(const char *p, Py_ssize_t n)
{
    if (n == 0 || n > 18)
        return -1;
    long long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* The priority of s (its cached value, or item tuple_item of it); *cached: the cached value
 * itself, borrowed from the cache dict, which keeps it alive (keys are only ever added). */
static int priority_of(lookup *lk, span s, long *value, PyObject **cached)
{
    for (int i = 0; i < lk->n_seen; i++)
        if (lk->seen_n[i] == s.n && memcmp(lk->seen[i], s.p, s.n) == 0) {
            *value = lk->seen_value[i];
            *cached = lk->seen_obj[i];
            return 0;
        }
    PyObject *key = PyUnicode_DecodeUTF8(s.p, s.n, "strict");
    if (!key)
        return -1;
    PyObject *found = PyDict_GetItemWithError(lk->cache, key); /* borrowed */
    if (!found) {
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            return -1;
        }
        PyObject *computed = PyObject_CallOneArg(lk->compute, key);
        if (!computed || PyDict_SetItem(lk->cache, key, computed) < 0) {
            Py_XDECREF(computed);
            Py_DECREF(key);
            return -1;
        }
        Py_DECREF(computed); /* the cache holds it */
        found = PyDict_GetItemWithError(lk->cache, key);
    }
    Py_DECREF(key);
    PyObject *number = lk->tuple_item < 0 ? found : PyTuple_GetItem(found, lk->tuple_item);
    if (!number)
        return -1;
    long v = PyLong_AsLong(number);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (lk->n_seen < SEEN_MAX) {
        char *copy = PyMem_Malloc(s.n ? s.n : 1);
        if (!copy) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, s.p, s.n);
        lk->seen[lk->n_seen] = copy;
        lk->seen_n[lk->n_seen] = s.n;
        lk->seen_obj[lk->n_seen] = found;
        lk->seen_value[lk->n_seen++] = v;
    }
    *value = v;
    *cached = found;
    return 0;
}

static int contains_text(PyObject *container, const char *p, Py_ssize_t n)
{
    PyObject *text = PyUnicode_DecodeUTF8(p, n, "strict");
    if (!text)
        return -1;
    int found = PySequence_Contains(container, text);
    Py_DECREF(text);
    return found;
}

static int is_custom(PyObject *isoforms, span feature)
{
    if (feature.n == 0)
        return 0;
    int found = contains_text(isoforms, feature.p, feature.n);
    if (found != 0)
        return found;
    const char *dot = memchr(feature.p, '.', feature.n);
    return dot ? contains_text(isoforms, feature.p, dot - feature.p) : 0;
}

static inline int ranks_before(const entry *a, Py_ssize_t ia, const entry *b, Py_ssize_t ib)
{
    if (a->bio != b->bio)
        return a->bio < b->bio;
    if (a->eff != b->eff)
        return a->eff < b->eff;
    if (a->neg_len != b->neg_len)
        return a->neg_len < b->neg_len;
    return ia < ib;
}

static int grow(void **buffer, Py_ssize_t *capacity, Py_ssize_t needed, size_t item)
{
    if (needed <= *capacity)
        return 0;
    Py_ssize_t size = needed * 2;
    void *bigger = PyMem_Realloc(*buffer, size * item);
    if (!bigger) {
        PyErr_NoMemory();
        return -1;
    }
    *buffer = bigger;
    *capacity = size;
    return 0;
}

static PyObject *choose(PyObject *self, PyObject *args)
{
    PyObject *infos, *slots, *roles_arg, *summary_cache, *summarize, *biotype_cache;
    PyObject *biotype_priority, *isoforms, *allele_keys;
    const char *key;
    Py_ssize_t klen, n_fields;
    if (!PyArg_ParseTuple(args, "O!s#nO!O!O!OO!OOO", &PyList_Type, &infos, &key, &klen,
                          &n_fields, &PyTuple_Type, &slots, &PyTuple_Type, &roles_arg,
                          &PyDict_Type, &summary_cache, &summarize, &PyDict_Type,
                          &biotype_cache, &biotype_priority, &isoforms, &allele_keys))
        return NULL;
    if (PyTuple_GET_SIZE(roles_arg) != N_ROLES || n_fields < 1) {
        PyErr_SetString(PyExc_ValueError, "roles must name 8 field indices");
        return NULL;
    }
    Py_ssize_t role[N_ROLES];
    for (int r = 0; r < N_ROLES; r++) {
        role[r] = PyLong_AsSsize_t(PyTuple_GET_ITEM(roles_arg, r));
        if (role[r] == -1 && PyErr_Occurred())
            return NULL;
        if (role[r] >= n_fields)
            role[r] = -1;
    }
    Py_ssize_t n_slots = PyTuple_GET_SIZE(slots);
    Py_ssize_t slot[64];
    if (n_slots > 64) {
        PyErr_SetString(PyExc_ValueError, "at most 64 slots");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n_slots; k++) {
        slot[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(slots, k));
        if (slot[k] == -1 && PyErr_Occurred())
            return NULL;
    }
    int check_custom = isoforms != Py_None && PyObject_IsTrue(isoforms) == 1;

    lookup effects = {summary_cache, summarize, 1, 0, {NULL}, {0}, {0}, {NULL}};
    lookup biotypes = {biotype_cache, biotype_priority, -1, 0, {NULL}, {0}, {0}, {NULL}};
    PyObject *biotype_value, *worst = PyList_New(0), *ordered = PyList_New(0);
    span *fields = NULL;
    entry *entries = NULL;
    Py_ssize_t field_cap = 0, entry_cap = 0;
    PyObject *rows = PyList_New(0), *columns = PyList_New(n_slots), *empty = PyUnicode_New(0, 0);
    if (!rows || !columns || !empty || !worst || !ordered)
        goto fail;
    for (Py_ssize_t k = 0; k < n_slots; k++) {
        PyObject *column = PyList_New(0);
        if (!column)
            goto fail;
        PyList_SET_ITEM(columns, k, column);
    }

    Py_ssize_t n_records = PyList_GET_SIZE(infos), r;
    for (r = 0; r < n_records; r++) {
        Py_ssize_t n_info;
        const char *info = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(infos, r), &n_info);
        if (!info)
            goto fail;
        span value;
        if (!find_value(info, n_info, key, klen, &value) || value.n == 0 ||
            (value.n == 1 && value.p[0] == '.'))
            continue;

        /* split into entries (',') and fields ('|'); every entry has exactly n_fields */
        Py_ssize_t n_entries = 0, f = 0;
        const char *start = value.p, *end = value.p + value.n;
        for (const char *c = value.p;; c++) {
            if (c == end || *c == ',' || *c == '|') {
                if (grow((void **)&fields, &field_cap, (n_entries + 1) * n_fields, sizeof(span)))
                    goto fail;
                if (f >= n_fields)
                    goto bad_count;
                fields[n_entries * n_fields + f].p = start;
                fields[n_entries * n_fields + f].n = c - start;
                f++;
                start = c + 1;
                if (c == end || *c == ',') {
                    if (f != n_fields)
                        goto bad_count;
                    n_entries++;
                    f = 0;
                }
                if (c == end)
                    break;
            }
        }
        if (grow((void **)&entries, &entry_cap, n_entries, sizeof(entry)))
            goto fail;

#define FIELD(e, r) (role[r] < 0 ? (span){"", 0} : fields[(e) * n_fields + role[r]])
        Py_ssize_t first_kept = -1;
        int mixed = 0;
        for (Py_ssize_t e = 0; e < n_entries; e++) {
            entry *x = &entries[e];
            if (priority_of(&effects, FIELD(e, CONSEQUENCE), &x->eff, &x->summary) ||
                priority_of(&biotypes, FIELD(e, BIOTYPE), &x->bio, &biotype_value))
                goto fail;
            span cdna = FIELD(e, CDNA);
            Py_ssize_t slash = cdna.n;
            while (slash > 0 && cdna.p[slash - 1] != '/')
                slash--;
            long long length = digits_value(cdna.p + slash, cdna.n - slash);
            x->neg_len = length < 0 ? 0 : -length;
            x->allele_num = role[ALLELE_NUM] < 0 ? -1 : digits_value(FIELD(e, ALLELE_NUM).p,
                                                                      FIELD(e, ALLELE_NUM).n);
            x->kept = x->allele_num < 0 || x->allele_num == 1;
            span canonical = FIELD(e, CANONICAL);
            x->canonical = canonical.n == 3 && memcmp(canonical.p, "YES", 3) == 0;
            x->custom = 0;
            if (check_custom && (x->custom = is_custom(isoforms, FIELD(e, FEATURE))) < 0)
                goto fail;
            if (x->kept && role[ALLELE] >= 0) {
                if (first_kept < 0)
                    first_kept = e;
                else {
                    span a = FIELD(e, ALLELE), b = FIELD(first_kept, ALLELE);
                    mixed |= a.n != b.n || memcmp(a.p, b.p, a.n) != 0;
                }
            }
        }
        if (mixed) { /* effects_by_allele: entries of this ALT, when any name it */
            PyObject *index = PyLong_FromSsize_t(r);
            PyObject *keys = index ? PyObject_CallOneArg(allele_keys, index) : NULL;
            Py_XDECREF(index);
            if (!keys)
                goto fail;
            int any = 0, *match = PyMem_Malloc(n_entries * sizeof(int));
            if (!match) {
                Py_DECREF(keys);
                PyErr_NoMemory();
                goto fail;
            }
            for (Py_ssize_t e = 0; e < n_entries; e++) {
                match[e] = 0;
                if (!entries[e].kept)
                    continue;
                span a = FIELD(e, ALLELE);
                int found = entries[e].allele_num == 1 ? 1 : contains_text(keys, a.p, a.n);
                if (found < 0) {
                    PyMem_Free(match);
                    Py_DECREF(keys);
                    goto fail;
                }
                match[e] = found;
                any |= found;
            }
            Py_DECREF(keys);
            if (any)
                for (Py_ssize_t e = 0; e < n_entries; e++)
                    entries[e].kept = match[e];
            PyMem_Free(match);
        }

        /* the gene: the best-ranked kept entry that names one */
        Py_ssize_t top = -1;
        for (Py_ssize_t e = 0; e < n_entries; e++)
            if (entries[e].kept && FIELD(e, SYMBOL).n &&
                (top < 0 || ranks_before(&entries[e], e, &entries[top], top)))
                top = e;
        span gene = top < 0 ? (span){"", 0} : FIELD(top, SYMBOL);

        Py_ssize_t best = -1;
        int best_tier = 0;
        for (Py_ssize_t e = 0; e < n_entries; e++) {
            entry *x = &entries[e];
            if (!x->kept)
                continue;
            span symbol = FIELD(e, SYMBOL);
            int tier = 5;
            if (symbol.n) {
                int same = top >= 0 && symbol.n == gene.n && memcmp(symbol.p, gene.p, gene.n) == 0;
                tier = same && x->custom      ? 1
                       : same && x->canonical ? 2
                       : x->custom            ? 3
                       : x->canonical         ? 4
                                              : 5;
            }
            if (best < 0 || tier < best_tier ||
                (tier == best_tier && ranks_before(x, e, &entries[best], best))) {
                best = e;
                best_tier = tier;
            }
        }
        if (best < 0)
            continue;

        PyObject *row = PyLong_FromSsize_t(r);
        if (!row || PyList_Append(rows, row) < 0) {
            Py_XDECREF(row);
            goto fail;
        }
        Py_DECREF(row);
        if (!PyTuple_Check(entries[best].summary) || PyTuple_GET_SIZE(entries[best].summary) < 3) {
            PyErr_SetString(PyExc_TypeError, "summarize must return (worst, priority, ordered)");
            goto fail;
        }
        if (PyList_Append(worst, PyTuple_GET_ITEM(entries[best].summary, 0)) < 0 ||
            PyList_Append(ordered, PyTuple_GET_ITEM(entries[best].summary, 2)) < 0)
            goto fail;
        for (Py_ssize_t k = 0; k < n_slots; k++) {
            span s = slot[k] < 0 || slot[k] >= n_fields ? (span){"", 0}
                                                         : fields[best * n_fields + slot[k]];
            PyObject *text = s.n ? PyUnicode_DecodeUTF8(s.p, s.n, "strict") : Py_NewRef(empty);
            if (!text || PyList_Append(PyList_GET_ITEM(columns, k), text) < 0) {
                Py_XDECREF(text);
                goto fail;
            }
            Py_DECREF(text);
        }
#undef FIELD
    }
    PyMem_Free(fields);
    PyMem_Free(entries);
    lookup_clear(&effects);
    lookup_clear(&biotypes);
    Py_DECREF(empty);
    return Py_BuildValue("(NNNN)", rows, columns, worst, ordered);

bad_count:
    PyErr_Format(PyExc_ValueError, "record %zd: an annotation entry has other than %zd fields",
                 r, n_fields);
fail:
    PyMem_Free(fields);
    PyMem_Free(entries);
    lookup_clear(&effects);
    lookup_clear(&biotypes);
    Py_XDECREF(rows);
    Py_XDECREF(columns);
    Py_XDECREF(empty);
    Py_XDECREF(worst);
    Py_XDECREF(ordered);
    return NULL;
}

/* one_letter(values, table): each str with every 3-letter amino-acid code in table replaced
 * by its one-letter code, scanning left to right as re.sub with the alternation of the keys
 * does (all keys are 3 ASCII letters, so the first match at a position is the only one). */
static PyObject *one_letter(PyObject *self, PyObject *args)
{
    PyObject *values, *table;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &values, &PyDict_Type, &table))
        return NULL;
    enum { MAX_CODES = 64 };
    char code[MAX_CODES][3], letter[MAX_CODES];
    int n_codes = 0;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(table, &pos, &key, &value)) {
        Py_ssize_t kn, vn;
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8AndSize(key, &kn) : NULL;
        const char *v = PyUnicode_Check(value) ? PyUnicode_AsUTF8AndSize(value, &vn) : NULL;
        if (!k || !v || kn != 3 || vn != 1 || n_codes == MAX_CODES) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "table: 3-letter str -> 1-letter str");
            return NULL;
        }
        memcpy(code[n_codes], k, 3);
        letter[n_codes++] = v[0];
    }
    Py_ssize_t n = PyList_GET_SIZE(values);
    PyObject *out = PyList_New(n);
    char *buffer = NULL;
    Py_ssize_t capacity = 0;
    if (!out)
        return NULL;
    for (Py_ssize_t r = 0; r < n; r++) {
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(values, r), &len);
        if (!text || grow((void **)&buffer, &capacity, len + 1, 1))
            goto fail;
        Py_ssize_t w = 0;
        for (Py_ssize_t i = 0; i < len;) {
            int c = -1;
            if (i + 3 <= len)
                for (int j = 0; j < n_codes; j++)
                    if (text[i] == code[j][0] && text[i + 1] == code[j][1] &&
                        text[i + 2] == code[j][2]) {
                        c = j;
                        break;
                    }
            if (c >= 0) {
                buffer[w++] = letter[c];
                i += 3;
            } else
                buffer[w++] = text[i++];
        }
        PyObject *short_form = PyUnicode_DecodeUTF8(buffer, w, "strict");
        if (!short_form)
            goto fail;
        PyList_SET_ITEM(out, r, short_form);
    }
    PyMem_Free(buffer);
    return out;
fail:
    PyMem_Free(buffer);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"one_letter", one_letter, METH_VARARGS,
     "one_letter(values, table) -> list: 3-letter amino-acid codes replaced as re.sub does"},
    {"choose", choose, METH_VARARGS,
     "choose(infos, key, n_fields, slots, roles, summary_cache, summarize, biotype_cache, "
     "biotype_priority, custom_isoforms, allele_keys) -> (rows, columns, worst, ordered)\n\n"
     "roles: field indices of Consequence, BIOTYPE, cDNA_position, ALLELE_NUM, Allele, "
     "SYMBOL, Feature, CANONICAL (-1 when absent). For each record whose INFO has an entry "
     "for this ALT, its index in rows, the chosen entry's fields at slots in columns, and "
     "items 0 and 2 of summarize(its Consequence) in worst and ordered."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_csq_choice", NULL, -1, methods};

PyMODINIT_FUNC PyInit__csq_choice(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "SOURCE_DIGEST", SOURCE_DIGEST) < 0)
        Py_CLEAR(m);
    return m;
}
