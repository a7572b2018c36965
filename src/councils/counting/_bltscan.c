/* The BLT reader's fast path in C: one pass over a chunk of ballot lines.
 *
 * `blt.py` reads a valid file a chunk at a time. Parsing a chunk with NumPy takes a dozen
 * passes over its bytes; this takes one, which is what `councils count` needs to read a million
 * ballots in a few hundredths of a second. It accepts exactly the chunks that `_parse_chunk`
 * accepts and returns None for anything else, so the careful parser in `blt.py` still finds and
 * names every problem: nothing here reports errors to a user. The two are compared on generated
 * chunks, valid and not, in tests/counting/test_bltscan.py. Building this module is optional
 * (setup.py): without a C compiler the NumPy parser does the same work more slowly.
 *
 * The GIL is released while scanning, so `blt.py`'s two reader threads scan in parallel.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

/* Tokens of more digits are not plainly valid: a sum of such weights could overflow int64. */
#define MAX_DIGITS 15

typedef struct {
    Py_ssize_t rows;
    Py_ssize_t width;
    Py_ssize_t newlines;
    int increasing; /* the keys are strictly increasing: the caller need not sort them */
} scanned;

static inline void put(void *ranks, const int itemsize, Py_ssize_t at, int code)
{
    if (itemsize == 1)
        ((int8_t *)ranks)[at] = (int8_t)code;
    else
        ((int16_t *)ranks)[at] = (int16_t)code;
}

/* Scan `size` bytes of whole ballot lines (and, when `is_last`, the line "0" ending them).
 *
 * `s` is a bytes object's buffer, so `s[size]` is its terminating NUL: the loops stop on it
 * instead of checking the length at every byte. Each ballot line "weight prefs... 0" becomes a
 * row of `n` codes (candidate number - 1, padded with -1), its weight and, when `keys` is not
 * NULL, its key: the preferences as `n` digits in base n + 1, padding as 0. `seen` holds n + 1
 * stamps for the check for repeated candidates. Returns 1 and fills `out`, or 0 when the chunk
 * is not plainly valid. Inlined once per code size, so that the compiler drops the test of
 * `itemsize` from the loop.
 */
static inline int scan(const unsigned char *s, Py_ssize_t size, int n, int is_last, void *ranks,
                       const int itemsize, int64_t *weights, int64_t *keys, Py_ssize_t capacity,
                       uint32_t *seen, const int64_t *scale, scanned *out)
{
    const unsigned char *p = s, *end = s + size;
    Py_ssize_t rows = 0, width = 0, newlines = 0;
    int closed = 0; /* the line "0" ending the ballots was read */
    int increasing = 1;
    int64_t previous = -1;
    uint32_t stamp = 0;

    for (;;) { /* a line */
        Py_ssize_t tokens = 0;
        int64_t weight = 0, key = 0;
        int count = 0, ended = 0;
        Py_ssize_t row_at = rows * (Py_ssize_t)n;
        unsigned char c;

        if (++stamp == 0) { /* wrapped: forget every stamp */
            for (int k = 0; k <= n; k++)
                seen[k] = 0;
            stamp = 1;
        }
        for (;;) { /* a token */
            c = *p;
            if (c == ' ' || c == '\t' || c == '\r') {
                p++;
                continue;
            }
            if (c == '\n' || c == '\0')
                break;
            unsigned d = (unsigned)c - '0';
            if (d > 9)
                return 0;
            /* Most tokens have one or two digits, taken without a branch (one or the other is
             * as likely as not); longer ones take the loop. */
            int64_t value = d;
            unsigned d2 = (unsigned)p[1] - '0';
            int two = d2 <= 9;
            value = two ? value * 10 + d2 : value;
            p += 1 + two;
            if (__builtin_expect(two && (d = (unsigned)*p - '0') <= 9, 0)) {
                int digits = 2;
                do {
                    if (++digits > MAX_DIGITS)
                        return 0;
                    value = value * 10 + d;
                    p++;
                } while ((d = (unsigned)*p - '0') <= 9);
            }
            if (closed || ended)
                return 0; /* a token after the line "0", or after a ballot's closing 0 */
            if (tokens++ == 0) {
                weight = value;
                continue;
            }
            if (value == 0) {
                ended = 1;
                continue;
            }
            if (value > n || seen[value] == stamp || rows >= capacity)
                return 0;
            seen[value] = stamp;
            put(ranks, itemsize, row_at + count, (int)value - 1);
            if (keys != NULL)
                key = key * (n + 1) + value;
            count++;
        }
        if (c == '\0' && p != end)
            return 0; /* a NUL byte inside the chunk */
        if (tokens == 1) {
            if (!is_last || weight != 0)
                return 0; /* a weight without preferences, or "0" before the last chunk */
            closed = 1;
        } else if (tokens > 1) {
            if (!ended || rows >= capacity)
                return 0; /* the line does not end with 0 (or the caller's arrays are full) */
            for (int j = count; j < n; j++)
                put(ranks, itemsize, row_at + j, -1);
            weights[rows] = weight;
            if (keys != NULL) {
                key *= scale[n - count];
                keys[rows] = key;
                increasing &= key > previous;
                previous = key;
            }
            if (count > width)
                width = count;
            rows++;
        }
        if (c == '\0')
            break;
        newlines++;
        p++;
    }
    if (is_last && !closed)
        return 0;
    out->rows = rows;
    out->width = width;
    out->newlines = newlines;
    out->increasing = increasing;
    return 1;
}

static int scan_int8(const unsigned char *s, Py_ssize_t size, int n, int is_last, void *ranks,
                     int64_t *weights, int64_t *keys, Py_ssize_t capacity, uint32_t *seen,
                     const int64_t *scale, scanned *out)
{
    return scan(s, size, n, is_last, ranks, 1, weights, keys, capacity, seen, scale, out);
}

static int scan_int16(const unsigned char *s, Py_ssize_t size, int n, int is_last, void *ranks,
                      int64_t *weights, int64_t *keys, Py_ssize_t capacity, uint32_t *seen,
                      const int64_t *scale, scanned *out)
{
    return scan(s, size, n, is_last, ranks, 2, weights, keys, capacity, seen, scale, out);
}

static int writable(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return 0;
    if (itemsize ? view->itemsize != itemsize : view->itemsize != 1 && view->itemsize != 2) {
        PyErr_Format(PyExc_TypeError, "%s: unexpected item size %zd", what, view->itemsize);
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(scan_doc,
"scan(chunk, n, is_last, ranks, weights, keys, /)\n--\n\n"
"Parse whole BLT ballot lines into preallocated C-contiguous arrays.\n\n"
"``ranks`` holds rows of ``n`` int8 or int16 codes, ``weights`` int64 per row, ``keys`` int64 per\n"
"row or None. Returns (rows, width, newlines, keys_increasing), or None when the chunk is not\n"
"plainly valid.");

static PyObject *scan_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "scan() takes 6 arguments");
        return NULL;
    }
    Py_buffer ranks, weights, keys;
    int have_keys = args[5] != Py_None;
    long n = PyLong_AsLong(args[1]);
    int is_last = PyObject_IsTrue(args[2]);
    if ((n == -1 && PyErr_Occurred()) || is_last < 0)
        return NULL;
    if (n < 1 || n > 32767) {
        PyErr_SetString(PyExc_ValueError, "n must be between 1 and 32767");
        return NULL;
    }
    if (!PyBytes_Check(args[0])) { /* its terminating NUL is the scanner's sentinel */
        PyErr_SetString(PyExc_TypeError, "chunk must be bytes");
        return NULL;
    }
    const unsigned char *chunk = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    Py_ssize_t size = PyBytes_GET_SIZE(args[0]);
    if (!writable(args[3], &ranks, 0, "ranks"))
        return NULL;
    if (!writable(args[4], &weights, 8, "weights")) {
        PyBuffer_Release(&ranks);
        return NULL;
    }
    if (have_keys && !writable(args[5], &keys, 8, "keys")) {
        PyBuffer_Release(&weights);
        PyBuffer_Release(&ranks);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t capacity = weights.len / 8;
    int itemsize = (int)ranks.itemsize;
    if (ranks.len / itemsize < capacity * n || (have_keys && keys.len / 8 < capacity)) {
        PyErr_SetString(PyExc_ValueError, "ranks or keys hold fewer rows than weights");
        goto done;
    }
    uint32_t *seen = calloc((size_t)n + 1, sizeof(uint32_t));
    int64_t *scale = malloc(((size_t)n + 1) * sizeof(int64_t));
    if (seen == NULL || scale == NULL) {
        free(seen);
        free(scale);
        PyErr_NoMemory();
        goto done;
    }
    /* scale[k] = (n + 1) ** k; only used when keys fit int64, which the caller checks. */
    scale[0] = 1;
    for (long k = 1; k <= n; k++)
        scale[k] = have_keys ? scale[k - 1] * (n + 1) : 0;
    scanned out = {0, 0, 0, 1};
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = (itemsize == 1 ? scan_int8 : scan_int16)(
        chunk, size, (int)n, is_last, ranks.buf, (int64_t *)weights.buf,
        have_keys ? (int64_t *)keys.buf : NULL, capacity, seen, scale, &out);
    Py_END_ALLOW_THREADS
    free(seen);
    free(scale);
    if (ok)
        result = Py_BuildValue("(nnnO)", out.rows, out.width, out.newlines,
                               out.increasing ? Py_True : Py_False);
    else
        result = Py_NewRef(Py_None);
done:
    if (have_keys)
        PyBuffer_Release(&keys);
    PyBuffer_Release(&weights);
    PyBuffer_Release(&ranks);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan_py, METH_FASTCALL, scan_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bltscan", "The BLT reader's fast path in C (see blt.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__bltscan(void) { return PyModule_Create(&module); }
