/* Read counts of VCF sample columns: the parse step of fast.ChunkConverter._counts.
 *
 * The compiled form of the pandas path (_parse_text + _numbers): the sample strings are split
 * at ':' and ',' in place and only the wanted numbers are converted. Anything that path would
 * not read the same way raises ParseError (the caller then re-reads the file with the
 * per-record reader), and so does what htslib reads differently from that path: an integer
 * written as 9.0 or 1e1 or beyond int32, an empty Float field (htslib: 0), more sample fields
 * than FORMAT keys (htslib: an error).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef SOURCE_DIGEST /* setup.py defines it: the digest of this file */
#define SOURCE_DIGEST ""
#endif
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_KEYS 8
#define MAX_FIELDS 256
#define MAX_TOKEN 128

/* m / 10^k is correctly rounded when m < 2^53 and k <= 22 (Clinger's fast path), provided
 * doubles are not evaluated in extended precision (x87). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define FAST_PATH 1
#else
#define FAST_PATH 0
#endif
static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

static PyObject *ParseError;

typedef struct {
    const char *s;
    Py_ssize_t n;
} span;

static const span MISSING = {NULL, 0}; /* a key or field that is not there */

typedef struct {
    const char *text; /* the FORMAT string this layout was read from */
    Py_ssize_t len;
    int n, ad, key[MAX_KEYS]; /* number of keys; positions, -1: absent */
} layout;

static int fail(const char *what, span t)
{
    PyObject *token = PyUnicode_DecodeUTF8(t.s, t.n, "replace");
    if (token) {
        PyErr_Format(ParseError, "%s: %R", what, token);
        Py_DECREF(token);
    }
    return -1;
}

static int text(PyObject *o, span *t)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(ParseError, "not text: %R", o);
        return -1;
    }
    t->s = PyUnicode_AsUTF8AndSize(o, &t->n);
    return t->s ? 0 : -1;
}

static int same(span a, span b) { return a.n == b.n && memcmp(a.s, b.s, a.n) == 0; }

static int is_missing(span t) { return t.n == 0 || (t.n == 1 && t.s[0] == '.'); }

/* The first (at most) max fields of t split at ':'; returns how many were filled. */
static int split(span t, span *f, int max)
{
    const char *s = t.s, *end = t.s + t.n;
    int n = 0;
    while (n < max) {
        const char *colon = memchr(s, ':', end - s);
        f[n].s = s;
        f[n++].n = (colon ? colon : end) - s;
        if (!colon)
            break;
        s = colon + 1;
    }
    return n;
}

static span field(const span *f, int n, int i) { return i >= 0 && i < n ? f[i] : MISSING; }

static int read_layout(layout *lay, span fmt, const span *key, int n_keys)
{
    static const span AD = {"AD", 2};
    span name[MAX_FIELDS + 1];
    int n = split(fmt, name, MAX_FIELDS + 1);
    if (n > MAX_FIELDS)
        return fail("FORMAT with too many keys", fmt);
    lay->ad = -1;
    for (int k = 0; k < n_keys; k++)
        lay->key[k] = -1;
    for (int i = 0; i < n; i++) {
        for (int h = 0; h < i; h++)
            if (same(name[h], name[i]))
                return fail("repeated FORMAT key", fmt);
        if (same(name[i], AD))
            lay->ad = i;
        for (int k = 0; k < n_keys; k++)
            if (same(name[i], key[k]))
                lay->key[k] = i;
    }
    if (lay->ad < 0)
        return fail("record without FORMAT/AD", fmt);
    lay->n = n;
    lay->text = fmt.s;
    lay->len = fmt.n;
    return 0;
}

/* One VCF number; '.' or not there is NaN. Integers as htslib reads them: [+-]digits within
 * int32 (an empty one is missing). Floats: plain decimals [+-]d[.d][(e|E)[+-]d] only (no inf,
 * nan, hex, spaces), correctly rounded. */
static int number(span t, int integer, double *out)
{
    if (t.s && t.n == 0 && !integer)
        return fail("empty Float value", t); /* htslib reads it as 0 */
    if (is_missing(t)) {
        *out = NAN;
        return 0;
    }
    const char *p = t.s, *end = t.s + t.n;
    int negative = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    uint64_t m = 0; /* the digits as an integer: exact while there are at most 15 */
    int digits = 0, scale = 0, exponent = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
        m = m * 10 + (uint64_t)(*p - '0');
        if (integer && m > INT32_MAX)
            return fail("count beyond htslib's 32-bit integers", t);
    }
    if (integer) {
        if (!digits || p != end)
            return fail("not an integer", t);
        *out = negative && m ? -(double)m : (double)m;
        return 0;
    }
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++, scale++)
            m = m * 10 + (uint64_t)(*p - '0');
    if (digits && p < end && (*p == 'e' || *p == 'E')) {
        exponent = 1;
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        const char *first = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == first)
            digits = 0;
    }
    if (!digits || p != end)
        return fail("not a number", t);
    if (FAST_PATH && digits <= 15 && !exponent) {
        *out = scale ? (double)m / POW10[scale] : (double)m;
        if (negative)
            *out = -*out;
        return 0;
    }
    char buf[MAX_TOKEN];
    if (t.n >= MAX_TOKEN)
        return fail("number too long", t);
    memcpy(buf, t.s, t.n);
    buf[t.n] = '\0';
    double v = PyOS_string_to_double(buf, NULL, NULL); /* +-HUGE_VAL on overflow */
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return fail("not a number", t);
    }
    if (!isfinite(v))
        return fail("number out of range", t);
    *out = v;
    return 0;
}

PyDoc_STRVAR(parse_doc,
"parse(formats, samples, wanted, keys, integer, out)\n--\n\n"
"formats[r] is record r's FORMAT string (str), samples[s][r] its sample strings (every\n"
"sample column s; each AD must be missing or REF,ALT). For the j-th column in wanted, fills\n"
"out[j, 0, r] and out[j, 1, r] with AD's REF and ALT reads and out[j, 2 + k, r] with the\n"
"value of FORMAT key keys[k] (integer[k]: an Integer key); NaN where missing. out is a\n"
"writable C-contiguous float64 buffer of shape (len(wanted), 2 + len(keys), len(formats)).\n"
"Raises ParseError for values outside the column-wise reader's scope.");

static PyObject *parse(PyObject *self, PyObject *args)
{
    PyObject *formats, *samples, *wanted, *keys, *integer, *out_obj, *result = NULL;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O:parse", &PyList_Type, &formats, &PyList_Type,
                          &samples, &PyList_Type, &wanted, &PyList_Type, &keys, &PyList_Type,
                          &integer, &out_obj))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(formats), n_samples = PyList_GET_SIZE(samples);
    Py_ssize_t n_wanted = PyList_GET_SIZE(wanted);
    int n_keys = (int)PyList_GET_SIZE(keys);
    if (n_keys > MAX_KEYS || PyList_GET_SIZE(integer) != n_keys) {
        PyErr_SetString(PyExc_ValueError, "keys and integer: same length, at most 8");
        return NULL;
    }
    span key[MAX_KEYS];
    int is_integer[MAX_KEYS];
    for (int k = 0; k < n_keys; k++) {
        key[k].s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(keys, k), &key[k].n);
        is_integer[k] = PyObject_IsTrue(PyList_GET_ITEM(integer, k));
        if (!key[k].s || is_integer[k] < 0)
            return NULL;
    }
    for (Py_ssize_t s = 0; s < n_samples; s++) {
        PyObject *column = PyList_GET_ITEM(samples, s);
        if (!PyList_Check(column) || PyList_GET_SIZE(column) != n) {
            PyErr_SetString(PyExc_ValueError, "samples: lists as long as formats");
            return NULL;
        }
    }
    /* slot[s]: position of sample column s in wanted, -1 if only its AD is checked */
    Py_ssize_t *slot = PyMem_Malloc((n_samples ? n_samples : 1) * sizeof(Py_ssize_t));
    if (!slot)
        return PyErr_NoMemory();
    for (Py_ssize_t s = 0; s < n_samples; s++)
        slot[s] = -1;
    Py_buffer view = {NULL};
    for (Py_ssize_t j = 0; j < n_wanted; j++) {
        Py_ssize_t s = PyLong_AsSsize_t(PyList_GET_ITEM(wanted, j));
        if (s == -1 && PyErr_Occurred())
            goto done;
        if (s < 0 || s >= n_samples || slot[s] >= 0) {
            PyErr_SetString(PyExc_ValueError, "wanted: distinct sample columns");
            goto done;
        }
        slot[s] = j;
    }
    if (PyObject_GetBuffer(out_obj, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        goto done;
    if (!view.format || strcmp(view.format, "d") != 0 ||
        view.len != n_wanted * (2 + n_keys) * n * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "out: float64, shape (wanted, 2 + keys, records)");
        goto done;
    }
    double *out = view.buf;
    layout lay = {NULL, -1};
    span f[MAX_FIELDS + 1];
    for (Py_ssize_t r = 0; r < n; r++) {
        span fmt;
        if (text(PyList_GET_ITEM(formats, r), &fmt) < 0)
            goto done;
        if (!(fmt.n == lay.len && memcmp(fmt.s, lay.text, fmt.n) == 0) &&
            read_layout(&lay, fmt, key, n_keys) < 0)
            goto done;
        for (Py_ssize_t s = 0; s < n_samples; s++) {
            span value;
            if (text(PyList_GET_ITEM(PyList_GET_ITEM(samples, s), r), &value) < 0)
                goto done;
            int nf = split(value, f, lay.n + 1);
            if (nf > lay.n) {
                fail("more sample fields than FORMAT keys", value);
                goto done;
            }
            /* every sample's AD decides the record's AD shape (htslib pads to the longest) */
            span ad = field(f, nf, lay.ad);
            const char *comma = NULL;
            if (!is_missing(ad)) {
                comma = memchr(ad.s, ',', ad.n);
                if (!comma || memchr(comma + 1, ',', ad.s + ad.n - comma - 1)) {
                    fail("AD with other than REF+ALT values", ad);
                    goto done;
                }
            }
            Py_ssize_t j = slot[s];
            if (j < 0)
                continue;
            double *row = out + j * (2 + n_keys) * n + r; /* out[j, i, r] is row[i * n] */
            span ref = MISSING, alt = MISSING;
            if (comma) {
                ref = (span){ad.s, comma - ad.s};
                alt = (span){comma + 1, ad.s + ad.n - comma - 1};
            }
            if (number(ref, 1, row) < 0 || number(alt, 1, row + n) < 0)
                goto done;
            for (int k = 0; k < n_keys; k++)
                if (number(field(f, nf, lay.key[k]), is_integer[k], row + (2 + k) * n) < 0)
                    goto done;
        }
    }
    result = Py_NewRef(Py_None);
done:
    if (view.obj)
        PyBuffer_Release(&view);
    PyMem_Free(slot);
    return result;
}

static PyMethodDef methods[] = {{"parse", parse, METH_VARARGS, parse_doc}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sample_counts", NULL, -1, methods};

PyMODINIT_FUNC PyInit__sample_counts(void)
{
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    ParseError = PyErr_NewException("her2resist.variants._sample_counts.ParseError",
                                    PyExc_ValueError, NULL);
    if (PyModule_AddObjectRef(m, "ParseError", ParseError) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_DIGEST", SOURCE_DIGEST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
