/* VCF data lines -> columns: the split step of fast.frame_from_lines, without a Python list
 * per line. Only the wanted fields become str objects; POS is parsed into int64.
 *
 * Semantics are those of the Python path: lines end at '\n' only, trailing '\r' (and '\n' of a
 * list item) are removed, fields are separated by '\t' and may hold anything else. A line with
 * too few (or, when exact, too many) columns raises ParseError; so does a POS that is not
 * ASCII digits, but only once every line's columns are checked (the Python path's order).
 * Bytes input is UTF-8, decoded strictly (UnicodeDecodeError), the fields not kept included.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef SOURCE_DIGEST /* setup.py defines it: the digest of this file */
#define SOURCE_DIGEST ""
#endif
#include <stdint.h>
#include <string.h>

#define POS_COLUMN 1

static PyObject *ParseError;

typedef struct {
    Py_ssize_t width; /* columns a line needs (exactly that many when exact) */
    int exact, validate, bad_pos;
    Py_ssize_t *slot;   /* column < width -> index of its list in out, -1: not kept */
    PyObject **list;    /* the out lists (borrowed) */
    PyObject **last;    /* per list: the previous row's str (borrowed from the list) */
    const char **last_s;
    Py_ssize_t *last_n;
    int64_t *pos;
} plan;

static int columns_error(void)
{
    PyErr_SetString(ParseError, "a data line with another number of columns than the header");
    return -1;
}

/* Raises UnicodeDecodeError unless s is UTF-8 (checked only when not ASCII). */
static int check_utf8(const char *s, Py_ssize_t n)
{
    unsigned char high = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        high |= (unsigned char)s[i];
    if (high < 0x80)
        return 0;
    PyObject *text = PyUnicode_DecodeUTF8(s, n, NULL);
    Py_XDECREF(text);
    return text ? 0 : -1;
}

static int parse_pos(const char *s, Py_ssize_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || v > (INT64_MAX - (int64_t)d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Field s[0:n] of a kept column into row r of list j; a repeat of the previous row's value
 * (CHROM, FILTER, FORMAT mostly) shares its str. */
static int keep(plan *p, Py_ssize_t j, Py_ssize_t r, const char *s, Py_ssize_t n)
{
    PyObject *value;
    if (p->last[j] && p->last_n[j] == n && memcmp(p->last_s[j], s, n) == 0)
        value = Py_NewRef(p->last[j]);
    else if (!(value = PyUnicode_DecodeUTF8(s, n, NULL)))
        return -1;
    PyList_SET_ITEM(p->list[j], r, value);
    p->last[j] = value;
    p->last_s[j] = s;
    p->last_n[j] = n;
    return 0;
}

/* Line s[0:n] (without its '\n') into row r. */
static int split_line(plan *p, Py_ssize_t r, const char *s, Py_ssize_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    const char *end = s + n;
    for (Py_ssize_t col = 0;; col++) {
        const char *tab = memchr(s, '\t', end - s), *stop = tab ? tab : end;
        if (col == POS_COLUMN) {
            if (parse_pos(s, stop - s, p->pos + r) < 0) {
                p->bad_pos = 1;
                if (p->validate && check_utf8(s, stop - s) < 0)
                    return -1;
            }
        } else if (p->slot[col] >= 0) {
            if (keep(p, p->slot[col], r, s, stop - s) < 0)
                return -1;
        } else if (p->validate && check_utf8(s, stop - s) < 0)
            return -1;
        if (col == p->width - 1) {
            if (tab && p->exact)
                return columns_error();
            return tab && p->validate ? check_utf8(tab, end - tab) : 0;
        }
        if (!tab)
            return columns_error();
        s = tab + 1;
    }
}

PyDoc_STRVAR(split_doc,
"split(block, width, wanted, *, exact=False, start=0, max_lines=-1, final=True)\n--\n\n"
"The data lines of block -> (columns, positions, end). block is a bytes-like object of\n"
"UTF-8 lines, each ending at '\\n' (start, end: byte offsets), or a list of str, one line\n"
"each (start, end: indexes). Reads at most max_lines lines (-1: all) from start; unless\n"
"final, a bytes block's last line without '\\n' is left for the next call. A line needs\n"
"width tab-separated columns, exactly that many when exact. columns[j] lists the str of\n"
"column wanted[j] (each < width, not 1); positions (bytearray of native int64) holds POS,\n"
"column 1. end: where the next call starts. Raises ParseError on a line with another\n"
"number of columns, then on a POS that is not ASCII digits.");

static PyObject *split(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"block", "width", "wanted", "exact", "start", "max_lines", "final",
                             NULL};
    PyObject *block, *wanted, *out = NULL, *positions = NULL, *result = NULL;
    Py_ssize_t width, start = 0, max_lines = -1;
    int exact = 0, final = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OnO|$pnnp:split", kwlist, &block, &width,
                                     &wanted, &exact, &start, &max_lines, &final))
        return NULL;
    if (width < 2) {
        PyErr_SetString(PyExc_ValueError, "width: at least 2 (POS is column 1)");
        return NULL;
    }
    wanted = PySequence_Fast(wanted, "wanted: a sequence of column numbers");
    if (!wanted)
        return NULL;
    Py_ssize_t n_wanted = PySequence_Fast_GET_SIZE(wanted);
    int is_list = PyList_Check(block);
    Py_buffer view = {NULL};
    plan p = {.width = width, .exact = exact, .validate = !is_list};
    p.slot = PyMem_Malloc(width * sizeof(Py_ssize_t));
    p.list = PyMem_Calloc(n_wanted + 1, sizeof(PyObject *));
    p.last = PyMem_Calloc(n_wanted + 1, sizeof(PyObject *));
    p.last_s = PyMem_Calloc(n_wanted + 1, sizeof(char *));
    p.last_n = PyMem_Calloc(n_wanted + 1, sizeof(Py_ssize_t));
    if (!p.slot || !p.list || !p.last || !p.last_s || !p.last_n) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t col = 0; col < width; col++)
        p.slot[col] = -1;
    for (Py_ssize_t j = 0; j < n_wanted; j++) {
        Py_ssize_t col = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(wanted, j));
        if (col == -1 && PyErr_Occurred())
            goto done;
        if (col < 0 || col >= width || col == POS_COLUMN || p.slot[col] >= 0) {
            PyErr_SetString(PyExc_ValueError, "wanted: distinct columns < width, not 1 (POS)");
            goto done;
        }
        p.slot[col] = j;
    }

    /* rows first: the lists and positions are made at their final size */
    const char *buf = NULL;
    Py_ssize_t size, rows = 0, end;
    if (is_list) {
        size = PyList_GET_SIZE(block);
    } else {
        if (PyObject_GetBuffer(block, &view, PyBUF_SIMPLE) < 0)
            goto done;
        buf = view.buf;
        size = view.len;
    }
    if (start < 0 || start > size) {
        PyErr_SetString(PyExc_ValueError, "start: outside the block");
        goto done;
    }
    if (max_lines < 0)
        max_lines = PY_SSIZE_T_MAX;
    if (is_list) {
        rows = size - start < max_lines ? size - start : max_lines;
        end = start + rows;
    } else {
        const char *at = buf + start, *nl;
        while (rows < max_lines && (nl = memchr(at, '\n', buf + size - at))) {
            rows++;
            at = nl + 1;
        }
        if (rows < max_lines && final && at < buf + size) {
            rows++;
            at = buf + size;
        }
        end = at - buf;
    }
    if (!(out = PyList_New(n_wanted)) ||
        !(positions = PyByteArray_FromStringAndSize(NULL, rows * (Py_ssize_t)sizeof(int64_t))))
        goto done;
    for (Py_ssize_t j = 0; j < n_wanted; j++) {
        if (!(p.list[j] = PyList_New(rows)))
            goto done;
        PyList_SET_ITEM(out, j, p.list[j]);
    }
    p.pos = (int64_t *)PyByteArray_AS_STRING(positions);

    const char *at = buf + start;
    for (Py_ssize_t r = 0; r < rows; r++) {
        const char *s;
        Py_ssize_t n;
        if (is_list) {
            PyObject *line = PyList_GET_ITEM(block, start + r);
            if (!PyUnicode_Check(line)) {
                PyErr_Format(PyExc_TypeError, "block: lines of str, not %.100s",
                             Py_TYPE(line)->tp_name);
                goto done;
            }
            if (!(s = PyUnicode_AsUTF8AndSize(line, &n)))
                goto done;
        } else {
            const char *nl = memchr(at, '\n', buf + end - at);
            s = at;
            n = (nl ? nl : buf + end) - at;
            at += n + 1;
        }
        if (split_line(&p, r, s, n) < 0)
            goto done;
    }
    if (p.bad_pos) {
        PyErr_SetString(ParseError, "POS is not a number");
        goto done;
    }
    result = Py_BuildValue("OOn", out, positions, end);
done:
    if (view.obj)
        PyBuffer_Release(&view);
    Py_XDECREF(out); /* frees the lists; rows not reached are NULL, which lists allow */
    Py_XDECREF(positions);
    Py_DECREF(wanted);
    PyMem_Free(p.slot);
    PyMem_Free(p.list);
    PyMem_Free(p.last);
    PyMem_Free(p.last_s);
    PyMem_Free(p.last_n);
    return result;
}

static PyMethodDef methods[] = {
    {"split", (PyCFunction)(void (*)(void))split, METH_VARARGS | METH_KEYWORDS, split_doc},
    {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_vcf_lines", NULL, -1, methods};

PyMODINIT_FUNC PyInit__vcf_lines(void)
{
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    ParseError = PyErr_NewException("her2resist.variants._vcf_lines.ParseError", PyExc_ValueError,
                                    NULL);
    if (PyModule_AddObjectRef(m, "ParseError", ParseError) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_DIGEST", SOURCE_DIGEST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
