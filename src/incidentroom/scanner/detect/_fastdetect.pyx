# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled detection core: the per-candidate work of :func:`incidentroom.scanner.detect.matcher.detect`.

Why compiled: on dense archive text hyperscan reports a candidate every ~50 bytes, and the
Python binding's callback per match costs several times the regex engine itself; any
Python-level work per candidate (sorting, a validate() call, building a finding) costs
more again. This module compiles the patterns with libhs (Debian's libhyperscan-dev),
scans with a C callback into a C array, sorts and de-duplicates the matches in C, and
validates the hot detectors with kernels. A kernel either calls the detector module's
own memoised checks and context expressions (each context expression scanned by a small
hyperscan database of its own) or is a C port of the detector's rule (the name parser,
dates, NI numbers, cards, phones, postcodes). Either way the detector's ``validate`` stays
the specification: ``tests/scanner/test_scan_fastdetect.py`` checks that this module and
:func:`incidentroom.scanner.detect.matcher.detect_python` give identical findings on a generated
archive and on fuzzed text and rows. Every other detector is called through its own
``validate``, memoised by value when it is context-free.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from cpython.tuple cimport PyTuple_SET_ITEM
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memchr, memcmp, memcpy, memset, strlen
from libc.time cimport time, time_t

import gc
import importlib
import re

cdef enum:
    K_GENERIC = 0
    K_POSTCODE = 1
    K_NAME = 2
    K_DOB = 3
    K_TERMS = 4
    K_EMAIL = 5
    K_VRM = 6
    K_NHS = 7
    K_PASSPORT = 8
    K_PHONE = 9
    K_NINO = 10
    K_CARD = 11
    K_SORT_CODE = 12
    K_LICENCE = 13

#: What ``Engine(off=...)`` can switch off besides kernels, for bench/scan_kernels.py:
#: each falls back to the plain way of doing the same thing (re, tuple.__new__, gc on).
SWITCHES = ("context_hyperscan", "untracked_tuples", "gc_pause")

KERNELS = {
    "": K_GENERIC, "postcode": K_POSTCODE, "name": K_NAME, "date_of_birth": K_DOB, "terms": K_TERMS,
    "email": K_EMAIL, "vehicle_registration": K_VRM, "nhs_number": K_NHS, "passport": K_PASSPORT,
    "phone": K_PHONE, "national_insurance": K_NINO, "payment_card": K_CARD, "sort_code": K_SORT_CODE,
    "driving_licence": K_LICENCE,
}


cdef inline object _new_tuple(PyTypeObject* named_tuple, Py_ssize_t size):
    """An instance of a NamedTuple class whose ``size`` slots the caller fills at once with
    :func:`_set` (what tuple.__new__ does, without its argument tuple).

    Allocated as ``PyObject_GC_NewVar`` does (then the slots emptied, so that a failure
    while filling them leaves a tuple that deallocates cleanly), and so not tracked by the
    cyclic collector: what this module puts in one is str, int, float, bool, None or
    another such tuple, so it can never be part of a cycle. A pass makes tens of
    thousands of them that the next collection would otherwise walk (the collector
    untracks such tuples too, but only after walking them once).
    """
    cdef PyObject* raw = <PyObject*>_PyObject_GC_NewVar(named_tuple, size)
    if raw == NULL:
        raise MemoryError()
    memset((<PyTupleObject*>raw).ob_item, 0, size * sizeof(PyObject*))
    cdef object instance = <object>raw  # a second reference: hand back the allocation's own
    Py_DECREF(instance)
    return instance


cdef inline void _set(object tup, Py_ssize_t index, object value):
    """Fill slot ``index`` of a tuple made by :func:`_new_tuple` (takes a new reference)."""
    Py_INCREF(value)
    PyTuple_SET_ITEM(tup, index, value)

cdef object _tuple_new = tuple.__new__
cdef object _gc_isenabled = gc.isenabled
cdef object _gc_disable = gc.disable
cdef object _gc_enable = gc.enable
cdef object _MISSING = object()
cdef object _NOT_BORN = object()  # a real date, but not a birth date: before 1900 or after the scan date
# Same bound as the pure-Python path: memoised validations are forgotten past this many.
cdef Py_ssize_t MEMO_LIMIT = 200_000


cdef struct Match:
    Py_ssize_t start
    Py_ssize_t end
    int pid


cdef struct Found:
    Py_ssize_t start
    Py_ssize_t end
    double confidence
    int pid
    int rank        # detector's position in name order (the Python path's tie-break)
    int seq         # emission order (Python's sort is stable; qsort is not)
    int keep


cdef int _cmp_match(const void* a, const void* b) noexcept nogil:
    """By start, then pattern id, then longest end first."""
    cdef const Match* x = <const Match*>a
    cdef const Match* y = <const Match*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.pid != y.pid:
        return -1 if x.pid < y.pid else 1
    if x.end != y.end:
        return -1 if x.end > y.end else 1
    return 0


cdef int _cmp_found_position(const void* a, const void* b) noexcept nogil:
    """By start, longest first, then emission order."""
    cdef const Found* x = <const Found*>a
    cdef const Found* y = <const Found*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end > y.end else 1
    return -1 if x.seq < y.seq else (1 if x.seq > y.seq else 0)


ctypedef fused Sortable:
    Match
    Found


cdef void _sort_nearly_sorted(Sortable* m, Py_ssize_t n) noexcept nogil:
    """Sort matches as _cmp_match says, or findings as _cmp_found_position says.

    Both arrive nearly sorted: hyperscan reports in end order, nearly start order
    already, and a kernel moves a finding's start only a little (a label's colon, an
    address's local part). Insertion sort does it in about one pass; past a budget of
    moves (text that nests many matches) it hands over to qsort, so the worst case
    stays n log n.
    """
    cdef Py_ssize_t i, j, moves = 0, budget = 8 * n + 64
    cdef Sortable x
    cdef int (*compare)(const void*, const void*) noexcept nogil
    if Sortable is Match:
        compare = _cmp_match
    else:
        compare = _cmp_found_position
    for i in range(1, n):
        x = m[i]
        j = i
        while j > 0 and compare(&x, &m[j - 1]) < 0:
            m[j] = m[j - 1]
            j -= 1
            moves += 1
        m[j] = x
        if moves > budget:
            qsort(m, n, sizeof(Sortable), compare)
            return


cdef inline bint _better(const Found* x, const Found* y, int px, int py) noexcept nogil:
    """True when x is chosen before y in an overlap cluster (most confident, longest, earliest)."""
    if x.confidence != y.confidence:
        return x.confidence > y.confidence
    if (x.end - x.start) != (y.end - y.start):
        return (x.end - x.start) > (y.end - y.start)
    if x.start != y.start:
        return x.start < y.start
    if x.rank != y.rank:
        return x.rank < y.rank
    return px < py


cdef extern from "Python.h":
    # The function behind the PyObject_GC_NewVar macro (public since Python 3.0).
    void* _PyObject_GC_NewVar(PyTypeObject* type, Py_ssize_t nitems)  # a PyVarObject*
    ctypedef struct PyTupleObject:
        PyObject* ob_item[1]


cdef extern from "hs/hs.h" nogil:
    ctypedef struct hs_database_t:
        pass
    ctypedef struct hs_scratch_t:
        pass
    ctypedef struct hs_platform_info_t:
        pass
    ctypedef struct hs_compile_error_t:
        char* message
        int expression
    ctypedef int hs_error_t
    ctypedef int (*match_event_handler)(unsigned int id, unsigned long long start,
                                        unsigned long long end, unsigned int flags, void* context) noexcept nogil
    hs_error_t hs_compile_multi(const char* const* expressions, const unsigned int* flags,
                                const unsigned int* ids, unsigned int elements, unsigned int mode,
                                const hs_platform_info_t* platform, hs_database_t** db,
                                hs_compile_error_t** error)
    hs_error_t hs_compile(const char* expression, unsigned int flags, unsigned int mode,
                          const hs_platform_info_t* platform, hs_database_t** db, hs_compile_error_t** error)
    hs_error_t hs_free_compile_error(hs_compile_error_t* error)
    hs_error_t hs_free_database(hs_database_t* db)
    hs_error_t hs_serialize_database(const hs_database_t* db, char** data, size_t* length)
    hs_error_t hs_deserialize_database(const char* data, const size_t length, hs_database_t** db)
    hs_error_t hs_alloc_scratch(const hs_database_t* db, hs_scratch_t** scratch)
    hs_error_t hs_free_scratch(hs_scratch_t* scratch)
    hs_error_t hs_scan(const hs_database_t* db, const char* data, unsigned int length, unsigned int flags,
                       hs_scratch_t* scratch, match_event_handler on_event, void* context)
    const char* hs_version()
    int HS_SUCCESS
    int HS_SCAN_TERMINATED
    unsigned int HS_FLAG_SOM_LEFTMOST
    unsigned int HS_MODE_BLOCK


cdef struct MatchBuffer:
    Match* buf
    Py_ssize_t n
    Py_ssize_t cap


cdef int _on_match(unsigned int pid, unsigned long long start, unsigned long long end,
                   unsigned int flags, void* context) noexcept nogil:
    """hyperscan's C callback: append to the buffer; stop the scan (return 1) if memory runs out."""
    cdef MatchBuffer* out = <MatchBuffer*>context
    cdef Match* grown
    if out.n == out.cap:
        grown = <Match*>realloc(out.buf, 2 * out.cap * sizeof(Match))
        if grown == NULL:
            return 1
        out.buf = grown
        out.cap *= 2
    out.buf[out.n].start = <Py_ssize_t>start
    out.buf[out.n].end = <Py_ssize_t>end
    out.buf[out.n].pid = <int>pid
    out.n += 1
    return 0


def libhs_version():
    """The version string of the libhs this module is linked against."""
    return hs_version().decode()


cdef int _on_any(unsigned int pid, unsigned long long start, unsigned long long end,
                 unsigned int flags, void* context) noexcept nogil:
    """Stop at the first match: a context check only asks whether there is one."""
    return 1


cdef int _on_bits(unsigned int pid, unsigned long long start, unsigned long long end,
                  unsigned int flags, void* context) noexcept nogil:
    """Note which expression of a group matched (context: [seen, all]); stop once all have."""
    cdef unsigned int* bits = <unsigned int*>context
    bits[0] |= 1u << pid
    return bits[0] == bits[1]


class PatternError(ValueError):
    """A detector expression hyperscan cannot compile."""


cdef inline bint _is_name_byte(const unsigned char* d, Py_ssize_t i, Py_ssize_t stop) noexcept nogil:
    """Byte i starts a character the name expressions can consume (see name._NAME_RUN)."""
    cdef unsigned char c = d[i]
    if (c >= c'A' and c <= c'Z') or (c >= c'a' and c <= c'z'):
        return True
    if c == c"'" or c == c'.' or c == c',' or c == c' ' or c == c'-':
        return True
    return c == 0xE2 and i + 2 < stop and d[i + 1] == 0x80 and d[i + 2] == 0x99


cdef inline unsigned char _lower(unsigned char c) noexcept nogil:
    """ASCII lower case, as bytes.lower()."""
    return c + 32 if c >= c'A' and c <= c'Z' else c


cdef inline bint _ends_with(const unsigned char* d, Py_ssize_t start, Py_ssize_t end, const char* word,
                            Py_ssize_t length) noexcept nogil:
    """d[start:end].lower().endswith(word)."""
    cdef Py_ssize_t i
    if end - length < start:
        return False
    for i in range(length):
        if _lower(d[end - length + i]) != <unsigned char>word[i]:
            return False
    return True


cdef bint _house_number_before(const unsigned char* d, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """name.house_number_before(d[start:end].lower())."""
    cdef unsigned char c
    while end > start and (d[end - 1] == c' ' or d[end - 1] == c'\t'):
        end -= 1
    if (_ends_with(d, start, end, "flat", 4) or _ends_with(d, start, end, "house", 5)
            or _ends_with(d, start, end, "apartment", 9)):
        return True
    if end > start and d[end - 1] == c',':
        end -= 1
    if end > start:
        c = _lower(d[end - 1])
        if c >= c'a' and c <= c'z':
            end -= 1
    return end > start and d[end - 1] >= c'0' and d[end - 1] <= c'9'


cdef inline Py_ssize_t _name_chars_end(const unsigned char* d, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """End of a run of ``[A-Za-z'’-]`` starting at i."""
    cdef unsigned char c
    while i < n:
        c = d[i]
        if (c >= c'A' and c <= c'Z') or (c >= c'a' and c <= c'z') or c == c"'" or c == c'-':
            i += 1
        elif c == 0xE2 and i + 2 < n and d[i + 1] == 0x80 and d[i + 2] == 0x99:
            i += 3
        else:
            break
    return i


cdef inline Py_ssize_t _token_end(const unsigned char* d, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """End of one name word ``[A-Z][A-Za-z'’-]*\\.?`` at i, or -1."""
    if i >= n or not (d[i] >= c'A' and d[i] <= c'Z'):
        return -1
    i = _name_chars_end(d, i + 1, n)
    if i < n and d[i] == c'.':
        i += 1
    return i


cdef inline Py_ssize_t _name_key_end(const unsigned char* d, Py_ssize_t start, Py_ssize_t stop,
                                     int max_words) noexcept nogil:
    """End of name.reachable_run(d[start:stop]) (same rule, same result)."""
    cdef Py_ssize_t end = start, i = start, word, gap
    cdef int words = 0
    while i < stop:
        gap = i
        while i < stop and d[i] == c' ':
            i += 1
        if i == stop or words == max_words or (words and (not (d[i] >= c'A' and d[i] <= c'Z') or i - gap > 2)):
            break
        word = i
        while i < stop and d[i] != c' ':
            i += 1
        end = i
        words += 1
        if _sentence_ends(d, word, end):
            return end - 1  # the name ends with its sentence ('Mr Owain Pritchard. NI number')
    return end


cdef inline bint _sentence_ends(const unsigned char* d, Py_ssize_t word, Py_ssize_t end) noexcept nogil:
    """name.sentence_ends: a full stop after two or more letters, not a title or initials."""
    cdef Py_ssize_t n = end - 1 - word, k
    cdef unsigned char lowered[4]
    if n < 2 or d[end - 1] != c'.':
        return False
    for k in range(word, end - 1):
        if d[k] == c'.':
            return False
    if n > 4:
        return True
    for k in range(n):
        lowered[k] = _lower(d[word + k])
    if n == 2:
        return not (memcmp(lowered, b"mr", 2) == 0 or memcmp(lowered, b"ms", 2) == 0
                    or memcmp(lowered, b"mx", 2) == 0 or memcmp(lowered, b"dr", 2) == 0)
    if n == 3:
        return not (memcmp(lowered, b"mrs", 3) == 0 or memcmp(lowered, b"rev", 3) == 0
                    or memcmp(lowered, b"sir", 3) == 0)
    return not (memcmp(lowered, b"miss", 4) == 0 or memcmp(lowered, b"prof", 4) == 0
                or memcmp(lowered, b"lady", 4) == 0)


cdef inline int _month(unsigned char a, unsigned char b, unsigned char c) noexcept nogil:
    """1-12 for a lower-case three-letter month abbreviation, else 0 (date_of_birth._MONTHS)."""
    cdef const char* names = "janfebmaraprmayjunjulaugsepoctnovdec"
    cdef int m
    for m in range(12):
        if names[3 * m] == a and names[3 * m + 1] == b and names[3 * m + 2] == c:
            return m + 1
    return 0


cdef inline int _days_in_month(int year, int month) noexcept nogil:
    if month == 2:
        return 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    if month == 4 or month == 6 or month == 9 or month == 11:
        return 30
    return 31


cdef inline int _digits(const unsigned char* d, Py_ssize_t* i, Py_ssize_t stop, int most) noexcept nogil:
    """Parse up to ``most`` ASCII digits at d[*i]; -1 when there are none."""
    cdef int value = 0
    cdef int count = 0
    while count < most and i[0] < stop and d[i[0]] >= c'0' and d[i[0]] <= c'9':
        value = value * 10 + (d[i[0]] - c'0')
        i[0] += 1
        count += 1
    return value if count else -1


cdef inline Py_ssize_t _strip_dots(const unsigned char* d, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """Length of d[a:b].strip(b".") (name words start with a capital, so only trailing dots)."""
    while b > a and d[b - 1] == c'.':
        b -= 1
    return b - a


cdef struct WordSet:
    # An open-addressing hash set of byte strings, for the name and mailbox word lists.
    # Why not a Python set: a look-up would need a bytes object built (and hashed with
    # SipHash) per probe, thousands of times a pass; here the probe is the stack buffer.
    size_t mask
    const char** words     # NULL: empty slot; the bytes live in the frozenset the engine keeps
    Py_ssize_t* lengths
    unsigned long long* hashes
    Py_ssize_t longest


cdef inline unsigned long long _fnv1a(const char* p, Py_ssize_t n) noexcept nogil:
    cdef unsigned long long h = 14695981039346656037ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ <unsigned char>p[i]) * 1099511628211ULL
    return h


cdef int _wordset_fill(WordSet* ws, frozenset words) except -1:
    """Index ``words`` (bytes) in ``ws``; the caller keeps ``words`` alive as long as ``ws``."""
    cdef size_t size = 16, i
    cdef unsigned long long h
    cdef bytes word
    while size < 2 * <size_t>len(words):
        size *= 2
    ws.mask = size - 1
    ws.longest = 0
    ws.words = <const char**>calloc(size, sizeof(char*))
    ws.lengths = <Py_ssize_t*>calloc(size, sizeof(Py_ssize_t))
    ws.hashes = <unsigned long long*>calloc(size, sizeof(unsigned long long))
    if ws.words == NULL or ws.lengths == NULL or ws.hashes == NULL:
        raise MemoryError()
    for word in words:
        h = _fnv1a(<const char*>word, len(word))
        i = h & ws.mask
        while ws.words[i] != NULL:
            i = (i + 1) & ws.mask
        ws.words[i] = <const char*>word
        ws.lengths[i] = len(word)
        ws.hashes[i] = h
        if len(word) > ws.longest:
            ws.longest = len(word)
    return 0


cdef void _wordset_free(WordSet* ws) noexcept:
    free(ws.words)
    free(ws.lengths)
    free(ws.hashes)
    ws.words = NULL
    ws.lengths = NULL
    ws.hashes = NULL


cdef bint _wordset_has(const WordSet* ws, const char* p, Py_ssize_t n) noexcept nogil:
    cdef unsigned long long h
    cdef size_t i
    if n > ws.longest or ws.words == NULL:
        return False
    h = _fnv1a(p, n)
    i = h & ws.mask
    while ws.words[i] != NULL:
        if ws.hashes[i] == h and ws.lengths[i] == n and memcmp(ws.words[i], p, n) == 0:
            return True
        i = (i + 1) & ws.mask
    return False


cdef struct WordList:
    # A tuple of byte strings as C arrays (the bytes live in the tuple, which the engine
    # keeps), so that the loops over titles, labels and word lists compare memory without
    # touching Python objects. When built with buckets, ``order[by_last[b]:by_last[b + 1]]``
    # are the indexes of the words ending in byte b, in the tuple's order.
    int count
    const char** words
    Py_ssize_t* lengths
    int* by_last
    int* order


cdef int _wordlist_fill(WordList* wl, tuple words, bint buckets) except -1:
    cdef int i, b, at
    cdef bytes word
    wl.count = len(words)
    wl.words = <const char**>malloc((wl.count + 1) * sizeof(char*))
    wl.lengths = <Py_ssize_t*>malloc((wl.count + 1) * sizeof(Py_ssize_t))
    if wl.words == NULL or wl.lengths == NULL:
        raise MemoryError()
    for i in range(wl.count):
        word = words[i]
        if not word:
            raise ValueError("an empty word in a word list")
        wl.words[i] = <const char*>word
        wl.lengths[i] = len(word)
    if not buckets:
        return 0
    wl.by_last = <int*>calloc(257, sizeof(int))
    wl.order = <int*>malloc((wl.count + 1) * sizeof(int))
    if wl.by_last == NULL or wl.order == NULL:
        raise MemoryError()
    for i in range(wl.count):
        wl.by_last[<unsigned char>wl.words[i][wl.lengths[i] - 1] + 1] += 1
    for b in range(256):
        wl.by_last[b + 1] += wl.by_last[b]
    cdef int* fill = <int*>malloc(256 * sizeof(int))
    if fill == NULL:
        raise MemoryError()
    memcpy(fill, wl.by_last, 256 * sizeof(int))
    for i in range(wl.count):
        b = <unsigned char>wl.words[i][wl.lengths[i] - 1]
        at = fill[b]
        wl.order[at] = i
        fill[b] = at + 1
    free(fill)
    return 0


cdef void _wordlist_free(WordList* wl) noexcept:
    free(wl.words)
    free(wl.lengths)
    free(wl.by_last)
    free(wl.order)
    wl.words = NULL
    wl.lengths = NULL
    wl.by_last = NULL
    wl.order = NULL
    wl.count = 0


cdef inline bint _is_one_of(const WordList* wl, const char* p, Py_ssize_t n) noexcept nogil:
    """p[:n] is exactly one of the words."""
    cdef int i
    for i in range(wl.count):
        if wl.lengths[i] == n and memcmp(p, wl.words[i], n) == 0:
            return True
    return False


cdef bint _member(const WordSet* table, const unsigned char* d, Py_ssize_t a, Py_ssize_t n, bint title) except -1 nogil:
    """``d[a:a + n]`` (title-cased as bytes.title() when asked) is in ``table``."""
    cdef char small[128]
    cdef char* buf = small
    cdef Py_ssize_t i
    cdef bint cased = False, found
    cdef unsigned char c
    if n > table.longest:
        return False  # longer than every listed word, whatever its case
    if not title:
        return _wordset_has(table, <const char*>d + a, n)
    if n > 128:
        buf = <char*>malloc(n)
        if buf == NULL:
            with gil:
                raise MemoryError()
    for i in range(n):
        c = d[a + i]
        if c >= c'a' and c <= c'z':
            if not cased:
                c -= 32
            cased = True
        elif c >= c'A' and c <= c'Z':
            if cased:
                c += 32
            cased = True
        else:
            cased = False
        buf[i] = <char>c
    found = _wordset_has(table, buf, n)
    if buf != small:
        free(buf)
    return found


cdef inline bytes _slice(bytes data, Py_ssize_t start, Py_ssize_t end):
    """``data[start:end]`` for 0 <= start <= end <= len(data), without the slice object
    that Cython's generic slicing builds."""
    return PyBytes_FromStringAndSize(PyBytes_AS_STRING(data) + start, end - start)


cdef inline str _text(bytes data, Py_ssize_t start, Py_ssize_t end):
    """``data[start:end].decode("utf-8", "replace")`` without the intermediate bytes."""
    return PyUnicode_DecodeUTF8(PyBytes_AS_STRING(data) + start, end - start, "replace")


cdef str _ascii_lower(str value, const unsigned char* d, Py_ssize_t n):
    """``value.lower()`` for ``value`` decoded from the ASCII bytes d[:n]: ``value`` itself
    when it has no capital (most addresses are written in lower case already)."""
    cdef Py_ssize_t i
    cdef char small[256]
    cdef char* buf = small
    for i in range(n):
        if d[i] >= c'A' and d[i] <= c'Z':
            break
    else:
        return value
    if n > 256:
        buf = <char*>malloc(n)
        if buf == NULL:
            raise MemoryError()
    try:
        for i in range(n):
            buf[i] = <char>_lower(d[i])
        return PyUnicode_DecodeASCII(buf, n, NULL)
    finally:
        if buf != small:
            free(buf)


cdef inline Py_ssize_t _append(char* out, Py_ssize_t at, const WordList* wl, int i) noexcept nogil:
    """Copy word ``i`` of ``wl`` to ``out[at:]``; the new end."""
    memcpy(out + at, wl.words[i], wl.lengths[i])
    return at + wl.lengths[i]


cdef inline bint _starts_with_one_of(const WordList* wl, const char* p, Py_ssize_t n) noexcept nogil:
    cdef int i
    for i in range(wl.count):
        if wl.lengths[i] <= n and memcmp(p, wl.words[i], wl.lengths[i]) == 0:
            return True
    return False


cdef inline Py_ssize_t _find(const unsigned char* d, Py_ssize_t n, Py_ssize_t start, const unsigned char* word,
                             Py_ssize_t m) noexcept nogil:
    """bytes.find(word, start) on d[:n]."""
    cdef Py_ssize_t i
    for i in range(start, n - m + 1):
        if memcmp(d + i, word, m) == 0:
            return i
    return -1


cdef inline bint _in_range(unsigned char c, const char* excluded) noexcept nogil:
    """An upper-case letter other than those in ``excluded``."""
    return c >= c'A' and c <= c'Z' and memchr(excluded, c, strlen(excluded)) == NULL


cdef inline bint _digit(unsigned char c) noexcept nogil:
    return c >= c'0' and c <= c'9'


cdef inline bint _word(unsigned char c) noexcept nogil:
    """An ASCII word character (what \\b looks at)."""
    return _digit(c) or (c >= c'A' and c <= c'Z') or (c >= c'a' and c <= c'z') or c == c'_'


cdef inline bint _all_digits(const unsigned char* d, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(start, end):
        if not _digit(d[i]):
            return False
    return True


cdef inline int _age_issue(int code) noexcept nogil:
    """vehicle_registration.age_issue, with -1 for None."""
    if code == 1:
        return -1
    if code == 0:
        return 2050 * 2
    if code == 50:
        return 2050 * 2 + 1
    if code < 50:
        return (2000 + code) * 2
    return (2000 + code - 50) * 2 + 1


cdef inline bint _sep(unsigned char c) noexcept nogil:
    return c == c' ' or c == c'-'


cdef int _judge_mark(const unsigned char* v, Py_ssize_t length, char* compact, Py_ssize_t* n,
                     int latest) noexcept nogil:
    """vehicle_registration.judge_mark: CURRENT, OLDER or NORTHERN_IRELAND (0, 1, 2), or -1.

    The four formats' expressions matched by hand on the upper-cased mark; ``compact``
    receives it without spaces or hyphens (at most 16 bytes). ``latest`` is
    latest_age_issue() of the scan date.
    """
    cdef unsigned char u[16]
    cdef Py_ssize_t i, k = 0, j, letters, digits
    cdef int age
    if length > 16 or length < 2:
        return -1
    for i in range(length):
        u[i] = v[i] - 32 if v[i] >= c'a' and v[i] <= c'z' else v[i]
        if not _sep(u[i]):
            compact[k] = <char>u[i]
            k += 1
    n[0] = k
    # Current: [A-HJ-PR-Y]{2} age ' '? [A-HJ-NPR-Z]{3}
    if (length == 7 or (length == 8 and _sep(u[4]))) and _in_range(u[0], "IQZ") and _in_range(u[1], "IQZ") \
            and _digit(u[2]) and _digit(u[3]):
        age = _age_issue((u[2] - 48) * 10 + (u[3] - 48))
        j = length - 3
        if (0 <= age <= latest and _in_range(u[j], "IOQ") and _in_range(u[j + 1], "IOQ")
                and _in_range(u[j + 2], "IOQ")):
            return 0
    # Prefix: [A-HJ-NP-Y] \d{1,3} ' '? [A-HJ-PR-Y]{3}
    if _in_range(u[0], "IOZ") and length >= 5:
        i = 1
        while i < length and i < 4 and _digit(u[i]):
            i += 1
        if i > 1:
            if i < length and _sep(u[i]):
                i += 1
            if (length - i == 3 and _in_range(u[i], "IQZ") and _in_range(u[i + 1], "IQZ")
                    and _in_range(u[i + 2], "IQZ")):
                return 1
    # Suffix: [A-HJ-PR-Y]{3} ' '? \d{1,3} [A-HJ-NP-Y]
    if length >= 5 and _in_range(u[0], "IQZ") and _in_range(u[1], "IQZ") and _in_range(u[2], "IQZ"):
        i = 3
        if _sep(u[i]):
            i += 1
        j = i
        while i < length - 1 and _digit(u[i]):
            i += 1
        if 1 <= i - j <= 3 and i == length - 1 and _in_range(u[i], "IOZ"):
            return 1
    # Northern Ireland: [A-Z]? ([A-Z][IZ]|[IZ][A-Z]) ' '? \d{1,4}
    letters = 0
    while letters < length and u[letters] >= c'A' and u[letters] <= c'Z':
        letters += 1
    if letters == 2 or letters == 3:
        j = letters - 2
        if u[j] == c'I' or u[j] == c'Z' or u[j + 1] == c'I' or u[j + 1] == c'Z':
            i = letters
            if i < length and u[i] == c' ':
                i += 1
            digits = 0
            while i < length and _digit(u[i]):
                i += 1
                digits += 1
            if i == length and 1 <= digits <= 4:
                return 2
    return -1


def judge_mark(bytes value, int latest):
    """:func:`_judge_mark` as vehicle_registration.judge_mark answers, for the agreement tests."""
    cdef char compact[16]
    cdef Py_ssize_t n = 0
    cdef int kind = _judge_mark(<const unsigned char*>PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value), compact, &n,
                                latest)
    return None if kind < 0 else (PyUnicode_DecodeASCII(compact, n, NULL), kind)


cdef class Engine:
    """One hyperscan database (compiled with libhs, scanned with a C callback) and its detectors."""

    cdef hs_database_t* db
    cdef hs_scratch_t* scratch
    cdef bint scratch_busy
    # Context expressions ('dob', 'registration', negations...), each its own small
    # database: Python's re tried every alternative at every position of the window.
    cdef hs_database_t** context_dbs
    cdef int context_count
    cdef hs_scratch_t* context_scratch
    # Context expressions seen so far, by identity (a linear scan of a few dozen pointers
    # beats id() and a dict look-up), with their database index or -1 (re decides).
    cdef PyObject** context_keys
    cdef int* context_index
    cdef int context_seen
    cdef list context_patterns
    cdef object context_cache
    cdef int npatterns
    cdef int* kernel
    cdef int* variant
    cdef int* rank
    cdef char* is_name
    # Start recovery for word-list expressions compiled without start tracking (detect.Layout).
    cdef list layout_words  # kept: layout_lists point into these tuples
    cdef char* layout_tail  # -1: hyperscan tracks the start
    cdef char* layout_caseless
    cdef char* layout_single
    cdef list detectors
    cdef list categories
    cdef list names
    cdef list memo
    cdef Py_ssize_t memo_size
    # Header tests seen so far, by identity as the contexts are: owner i's memo
    # (header -> bool) is header_memos[i].
    cdef PyObject** header_keys
    cdef int header_seen
    cdef list header_owners, header_memos
    cdef list terms_memo  # per pattern id: matched bytes -> (value, lower, strong, stands_alone)
    cdef object Candidate, Finding, Location
    # name kernel
    cdef object NameParse, continues_name
    cdef frozenset hard_stops_b, soft_stops_b, surnames_b  # kept: the WordSets point into them
    cdef WordSet hard_stops, soft_stops, surnames, role_locals
    cdef tuple titles, label_words  # kept: title_list and label_list point into them
    cdef WordList title_list, label_list
    cdef WordList* layout_lists  # per pattern id; count 0 where the start is tracked or words are single
    cdef dict name_memo, labelled_memo
    cdef Py_ssize_t name_window
    cdef int max_name_words
    # date-of-birth kernel
    cdef object dob_header, dob_text, dob_not_birth, dob_after
    cdef tuple dob_before  # (dob_text, dob_not_birth): one scan of the window before a date answers both
    cdef Py_ssize_t dob_after_width
    # email, vehicle registration, NHS number and passport kernels
    cdef frozenset role_local_parts
    cdef tuple test_domains
    cdef object vrm_context
    cdef Py_ssize_t vrm_width
    cdef int vrm_current, vrm_older, vrm_ni
    cdef object vrm_letters_after
    # The scan date, refreshed at most once a minute (see _refresh_today).
    cdef object date_today, latest_age_issue
    cdef int today_year, today_month, today_day, latest_age
    cdef time_t today_checked
    cdef object nhs_context, nhs_phone_prefix, nhs_phone_header
    cdef object passport_context, sort_code_context
    cdef object phone_plan
    cdef frozenset banned_nino_prefixes, test_pans
    # A kernel's accepted result, beside the value it returns (see _ok).
    cdef object r_normalised
    cdef double r_confidence
    cdef Py_ssize_t r_start, r_end
    # Switches (see SWITCHES): what is on.
    cdef bint use_context_hyperscan, use_untracked_tuples, use_gc_pause

    def __cinit__(self):
        self.db = NULL
        self.scratch = NULL
        self.context_dbs = NULL
        self.context_keys = NULL
        self.header_keys = NULL
        self.header_seen = 0
        self.context_index = NULL
        self.context_seen = 0
        self.context_count = 0
        self.context_scratch = NULL
        self.scratch_busy = False
        self.kernel = NULL
        self.variant = NULL
        self.rank = NULL
        self.is_name = NULL
        self.layout_tail = NULL
        self.layout_caseless = NULL
        self.layout_single = NULL

    def __init__(self, owners, ranks, expressions, layouts, serialized=None, off=frozenset(), context_cache=None):
        """Pattern id i is ``expressions[i]``, owned by ``owners[i]``, whose place in name order is ``ranks[i]``.

        ``layouts[i]`` (a detect.Layout or ``None``) says how to find a match's start
        without hyperscan's start tracking; ``None`` keeps the tracking.

        ``serialized`` (from :meth:`serialize`) skips compiling: pool and Dask workers get
        the coordinator's database and start in milliseconds.

        ``off`` names kernels (keys of KERNELS) and SWITCHES to leave out: a kernel left
        out is replaced by its detector's own ``validate``. Only the benchmark that
        decides what stays compiled (bench/scan_kernels.py) uses it.

        ``context_cache`` (``(load, store)``: ``load(expression)`` gives a serialised context
        database or ``None``, ``store(expression, serialised)`` keeps one) spares every
        process compiling the context databases again: together about a tenth of a second,
        most of it the phone numbering plan's.
        """
        cdef int i
        unknown = set(off) - set(KERNELS) - set(SWITCHES)
        if unknown:
            raise ValueError(f"unknown kernels or switches: {sorted(unknown)}")
        self.use_context_hyperscan = "context_hyperscan" not in off
        self.context_cache = context_cache
        self.use_untracked_tuples = "untracked_tuples" not in off
        self.use_gc_pause = "gc_pause" not in off
        self.npatterns = len(owners)
        self.layout_tail = <char*>malloc(self.npatterns)
        self.layout_caseless = <char*>malloc(self.npatterns)
        self.layout_single = <char*>malloc(self.npatterns)
        if not (self.layout_tail and self.layout_caseless and self.layout_single):
            raise MemoryError()
        self.layout_words = []
        self.layout_lists = <WordList*>calloc(self.npatterns, sizeof(WordList))
        if self.layout_lists == NULL:
            raise MemoryError()
        for i in range(self.npatterns):
            layout = layouts[i]
            self.layout_words.append(None if layout is None else layout.words)
            if layout is not None and not layout.single_words:
                _wordlist_fill(&self.layout_lists[i], layout.words, True)
            self.layout_tail[i] = -1 if layout is None else layout.tail
            self.layout_caseless[i] = layout is not None and layout.caseless
            self.layout_single[i] = layout is not None and layout.single_words
        if serialized is not None:
            self._load(serialized)
        else:
            self._compile(expressions)
        if hs_alloc_scratch(self.db, &self.scratch) != HS_SUCCESS:
            raise MemoryError("hyperscan could not allocate its scratch space")
        self.kernel = <int*>malloc(self.npatterns * sizeof(int))
        self.variant = <int*>malloc(self.npatterns * sizeof(int))
        self.rank = <int*>malloc(self.npatterns * sizeof(int))
        self.is_name = <char*>malloc(self.npatterns)
        if not (self.kernel and self.variant and self.rank and self.is_name):
            raise MemoryError()
        self.detectors = list(owners)
        self.categories = [d.category for d in owners]
        self.names = [d.name for d in owners]
        seen = {}
        for i in range(self.npatterns):
            detector = owners[i]
            if detector.kernel not in KERNELS:
                raise ValueError(f"detector {detector.name!r} names an unknown kernel {detector.kernel!r}")
            self.kernel[i] = K_GENERIC if detector.kernel in off else KERNELS[detector.kernel]
            self.variant[i] = seen.get(id(detector), 0)
            seen[id(detector)] = self.variant[i] + 1
            self.rank[i] = ranks[i]
            self.is_name[i] = detector.category == "name"
        self.context_patterns = []
        self.memo = [{} for _ in range(self.npatterns)]
        self.memo_size = 0
        self.header_owners = []
        self.header_memos = []
        self.terms_memo = [{} for _ in range(self.npatterns)]
        base = importlib.import_module("incidentroom.scanner.detect.detectors.base")
        model = importlib.import_module("incidentroom.scanner.model")
        name = importlib.import_module("incidentroom.scanner.detect.detectors.name")
        dob = importlib.import_module("incidentroom.scanner.detect.detectors.date_of_birth")
        self.Candidate = base.Candidate
        self.Finding = model.Finding
        self.Location = model.Location
        self.NameParse = name.NameParse
        self.continues_name = name.continues_name
        gazetteer = importlib.import_module("incidentroom.scanner.detect.gazetteer")
        # The name kernel looks words up as UTF-8 bytes (see _parse_name).
        self.hard_stops_b = frozenset(w.encode() for w in gazetteer.hard_stopwords())
        self.soft_stops_b = frozenset(w.encode() for w in gazetteer.stopwords())
        self.surnames_b = frozenset(w.encode() for w in gazetteer.surnames())
        _wordset_fill(&self.hard_stops, self.hard_stops_b)
        _wordset_fill(&self.soft_stops, self.soft_stops_b)
        _wordset_fill(&self.surnames, self.surnames_b)
        self.titles = tuple(t.encode() for t in name.TITLES)
        _wordlist_fill(&self.title_list, self.titles, False)
        self.name_memo = {}
        self.labelled_memo = {}
        self.label_words = name.NameDetector.LABEL_WORDS
        _wordlist_fill(&self.label_list, self.label_words, False)
        self.name_window = name.WINDOW
        self.max_name_words = name.MAX_NAME_WORDS
        self.dob_header = dob.DateOfBirthDetector.CONTEXT.header
        self.dob_text = dob.DateOfBirthDetector.CONTEXT.text
        self.dob_not_birth = dob.DateOfBirthDetector.NOT_BIRTH.text
        self.dob_after = dob.DateOfBirthDetector.AFTER.text
        self.dob_before = (self.dob_text, self.dob_not_birth)
        self.dob_after_width = dob.AFTER_WIDTH
        email = importlib.import_module("incidentroom.scanner.detect.detectors.email")
        self.role_local_parts = frozenset(w.encode() for w in email.ROLE_LOCAL_PARTS)
        _wordset_fill(&self.role_locals, self.role_local_parts)
        self.test_domains = tuple(d.encode() for d in email.TEST_DOMAINS)
        vrm = importlib.import_module("incidentroom.scanner.detect.detectors.vehicle_registration")
        self.vrm_context = vrm.VehicleRegistrationDetector.CONTEXT
        self.vrm_width = vrm.CONTEXT_WIDTH
        self.vrm_current = vrm.CURRENT
        self.vrm_older = vrm.OLDER
        self.vrm_ni = vrm.NORTHERN_IRELAND
        self.vrm_letters_after = vrm.VehicleRegistrationDetector.LETTERS_AFTER
        self.date_today = base.scan_date
        self.latest_age_issue = vrm.latest_age_issue
        self.today_checked = 0
        self._refresh_today()
        nhs = importlib.import_module("incidentroom.scanner.detect.detectors.nhs_number")
        self.nhs_context = nhs.NhsNumberDetector.CONTEXT
        self.nhs_phone_prefix = nhs.NhsNumberDetector.PHONE_PREFIX
        self.nhs_phone_header = nhs.NhsNumberDetector.PHONE_HEADER
        self.passport_context = importlib.import_module("incidentroom.scanner.detect.detectors.passport").PassportDetector.CONTEXT
        self.sort_code_context = importlib.import_module("incidentroom.scanner.detect.detectors.bank_account").SortCodeAccountDetector.CONTEXT
        # The numbering plan's fullmatch, as a context expression: scanned by a hyperscan
        # database of its own over the national digits, which are ASCII: there hyperscan's
        # \d ([0-9]) and the str pattern's (any decimal digit) agree.
        plan = importlib.import_module("incidentroom.scanner.detect.detectors.phone").uk_number_pattern().pattern
        self.phone_plan = re.compile(f"^(?:{plan})$".encode())
        self.banned_nino_prefixes = importlib.import_module("incidentroom.scanner.detect.detectors.national_insurance").NationalInsuranceDetector.BANNED_PREFIXES
        self.test_pans = importlib.import_module("incidentroom.scanner.detect.detectors.payment_card").TEST_PANS

    cdef _compile(self, list expressions):
        cdef Py_ssize_t count = len(expressions), i
        cdef const char** exprs = <const char**>malloc(count * sizeof(char*))
        cdef unsigned int* flags = <unsigned int*>malloc(count * sizeof(unsigned int))
        cdef unsigned int* ids = <unsigned int*>malloc(count * sizeof(unsigned int))
        cdef hs_compile_error_t* error = NULL
        cdef hs_error_t status
        encoded = [e if isinstance(e, bytes) else e.encode() for e in expressions]
        try:
            if not (exprs and flags and ids):
                raise MemoryError()
            for i in range(count):
                exprs[i] = encoded[i]
                flags[i] = HS_FLAG_SOM_LEFTMOST if self.layout_tail[i] < 0 else 0
                ids[i] = <unsigned int>i
            status = hs_compile_multi(exprs, flags, ids, <unsigned int>count, HS_MODE_BLOCK, NULL, &self.db, &error)
            if status != HS_SUCCESS:
                message = error.message.decode() if error != NULL else f"status {status}"
                index = error.expression if error != NULL else -1
                if error != NULL:
                    hs_free_compile_error(error)
                raise PatternError(f"pattern {index} does not compile: {message}")
        finally:
            free(exprs)
            free(flags)
            free(ids)

    cdef _load(self, bytes serialized):
        if hs_deserialize_database(serialized, len(serialized), &self.db) != HS_SUCCESS:
            raise PatternError("the serialised pattern database does not load (another libhs version?)")

    def serialize(self):
        """The compiled database as bytes, for ``Engine(..., serialized=...)`` in workers."""
        cdef char* data = NULL
        cdef size_t length = 0
        if hs_serialize_database(self.db, &data, &length) != HS_SUCCESS:
            raise MemoryError("hyperscan could not serialise the database")
        try:
            return PyBytes_FromStringAndSize(data, length)
        finally:
            free(data)

    cdef MatchBuffer _scan(self, bytes data) except *:
        """Every match in ``data`` (the caller frees ``buf``). Releases the GIL while scanning."""
        cdef MatchBuffer out
        cdef hs_scratch_t* scratch = self.scratch
        cdef hs_error_t status
        cdef const char* d = PyBytes_AS_STRING(data)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data)
        if n > 0xFFFFFFFF:
            raise ValueError("a text unit larger than 4 GiB cannot be scanned in one block")
        out.n = 0
        out.cap = 256 + n // 16
        out.buf = <Match*>malloc(out.cap * sizeof(Match))
        if out.buf == NULL:
            raise MemoryError()
        if self.scratch_busy:
            # Another thread of this process is scanning: scratch space is per scan.
            scratch = NULL
            if hs_alloc_scratch(self.db, &scratch) != HS_SUCCESS:
                free(out.buf)
                raise MemoryError("hyperscan could not allocate its scratch space")
        else:
            self.scratch_busy = True
        with nogil:
            status = hs_scan(self.db, d, <unsigned int>n, 0, scratch, _on_match, &out)
        if scratch == self.scratch:
            self.scratch_busy = False
        else:
            hs_free_scratch(scratch)
        if status != HS_SUCCESS:
            free(out.buf)
            if status == HS_SCAN_TERMINATED:
                raise MemoryError("out of memory collecting matches")
            raise RuntimeError(f"hyperscan scan failed with status {status}")
        return out

    def __dealloc__(self):
        cdef int i
        _wordlist_free(&self.title_list)
        _wordlist_free(&self.label_list)
        if self.layout_lists != NULL:
            for i in range(self.npatterns):
                _wordlist_free(&self.layout_lists[i])
            free(self.layout_lists)
        _wordset_free(&self.hard_stops)
        _wordset_free(&self.soft_stops)
        _wordset_free(&self.surnames)
        _wordset_free(&self.role_locals)
        for i in range(self.context_count):
            if self.context_dbs[i] != NULL:
                hs_free_database(self.context_dbs[i])
        free(self.context_dbs)
        free(self.context_keys)
        free(self.header_keys)
        free(self.context_index)
        if self.context_scratch != NULL:
            hs_free_scratch(self.context_scratch)
        if self.scratch != NULL:
            hs_free_scratch(self.scratch)
        if self.db != NULL:
            hs_free_database(self.db)
        free(self.kernel)
        free(self.variant)
        free(self.rank)
        free(self.is_name)
        free(self.layout_tail)
        free(self.layout_caseless)
        free(self.layout_single)

    def reset(self):
        """Forget memoised validations (benchmarks time cold passes with this)."""
        for table in self.memo:
            table.clear()
        self.memo_size = 0
        for table in self.header_memos:
            table.clear()
        for table in self.terms_memo:
            table.clear()
        self.name_memo.clear()
        self.labelled_memo.clear()

    def context_expressions(self):
        """Context expressions used so far: {expression: True if hyperscan scans it, False if re does}.

        A group scanned together (see _text_bits) is one entry, its expressions joined by NUL.
        """
        return {_context_key(key): self.context_index[i] >= 0 for i, key in enumerate(self.context_patterns)}

    cdef Py_ssize_t _start_of(self, const unsigned char* d, int pid, Py_ssize_t end):
        """Where a match of a word-list expression (detect.Layout) ending at ``end`` starts, or -1."""
        cdef int tail = self.layout_tail[pid]
        cdef Py_ssize_t p = end, s, length, i
        cdef bint caseless = self.layout_caseless[pid]
        cdef const unsigned char* w
        cdef const WordList* words
        cdef unsigned char last
        cdef int k
        if tail == 1 or tail == 2:  # '[ ]+[A-Z]' and '\\.?[ ]+[A-Z]'
            p = end - 1
            while p > 0 and d[p - 1] == c' ':
                p -= 1
            if tail == 2 and p > 0 and d[p - 1] == c'.':
                p -= 1
        elif tail == 3:  # '[ \\t]{0,8}:[ \\t]{0,8}[A-Za-z]'
            p = end - 1
            while p > 0 and (d[p - 1] == c' ' or d[p - 1] == c'\t'):
                p -= 1
            p -= 1  # the colon
            while p > 0 and (d[p - 1] == c' ' or d[p - 1] == c'\t'):
                p -= 1
        if self.layout_single[pid]:
            # One run of letters: a word boundary inside the run is impossible.
            s = p
            while s > 0 and _word(d[s - 1]):
                s -= 1
            return s
        if p <= 0:
            return -1
        words = &self.layout_lists[pid]
        last = _lower(d[p - 1]) if caseless else d[p - 1]
        # Only the words ending in that byte, longest first: the leftmost start.
        for k in range(words.by_last[last], words.by_last[last + 1]):
            length = words.lengths[words.order[k]]
            s = p - length
            if s < 0 or (s > 0 and _word(d[s - 1])):
                continue
            w = <const unsigned char*>words.words[words.order[k]]
            # From the last letter back: most listed words differ from the text there first.
            i = length - 2
            while i >= 0 and (_lower(d[s + i]) if caseless else d[s + i]) == w[i]:
                i -= 1
            if i < 0:
                return s
        return -1

    def parse_name(self, bytes key, bint labelled):
        """The name kernel's parse of one key (name.reachable_run), for the agreement tests."""
        return self._parse_name(key, labelled)

    def bare(self, bytes data):
        """The native bare pass: scan and record every match in C, nothing else. Returns the count."""
        cdef MatchBuffer out = self._scan(data)
        free(out.buf)
        return out.n

    def detect(self, bytes data, object location, object cell_starts, tuple headers, bint skip_names):
        """Validated, non-overlapping findings; see :func:`incidentroom.scanner.detect.matcher.detect`."""
        # The findings are thousands of small tuples: with the cyclic collector running, a
        # large text triggers dozens of collections that walk the whole (growing) heap.
        # Nothing here makes reference cycles, so collection waits until the call returns.
        cdef bint collecting = self.use_gc_pause and _gc_isenabled()
        if collecting:
            _gc_disable()
        try:
            return self._detect(data, location, cell_starts, headers, skip_names)
        finally:
            if collecting:
                _gc_enable()

    cdef list _detect(self, bytes data, object location, object cell_starts, tuple headers, bint skip_names):
        cdef MatchBuffer scanned = self._scan(data)
        cdef Py_ssize_t n = scanned.n
        cdef Match* matches = scanned.buf
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t k
        for k in range(n):
            if self.layout_tail[matches[k].pid] >= 0:
                matches[k].start = self._start_of(d, matches[k].pid, matches[k].end)
                if matches[k].start < 0:
                    free(matches)
                    raise RuntimeError(f"no listed word ends before the match of pattern {matches[k].pid}")
        _sort_nearly_sorted(matches, n)

        cdef bint in_row = cell_starts is not None
        cdef Py_ssize_t ncells = len(cell_starts) if in_row else 0
        cdef Py_ssize_t* starts = NULL
        cdef Py_ssize_t j, lo, hi, mid
        if in_row and ncells:
            starts = <Py_ssize_t*>malloc(ncells * sizeof(Py_ssize_t))
            if starts == NULL:
                free(matches)
                raise MemoryError()
            for j in range(ncells):
                starts[j] = cell_starts[j]
        cdef Found* found = <Found*>malloc((n + 1) * sizeof(Found))
        if found == NULL:
            free(starts)
            free(matches)
            raise MemoryError()
        cdef list values = []
        cdef list normalised_values = []
        cdef Py_ssize_t nfound = 0
        cdef Py_ssize_t i, start, end, name_end = -1
        cdef Py_ssize_t prev_start = -1
        cdef int pid, prev_pid = -1
        cdef str header
        cdef Py_ssize_t nheaders = len(headers)
        try:
            for i in range(n):
                pid = matches[i].pid
                start = matches[i].start
                end = matches[i].end
                if pid == prev_pid and start == prev_start:
                    continue  # the same hit reported at a shorter end
                prev_pid = pid
                prev_start = start
                if self.is_name[pid] and (skip_names or start < name_end):
                    continue
                header = ""
                if in_row:
                    # bisect_right(cell_starts, start) - 1
                    lo = 0
                    hi = ncells
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if start < starts[mid]:
                            hi = mid
                        else:
                            lo = mid + 1
                    if 0 <= lo - 1 < nheaders:
                        header = headers[lo - 1]
                value = self._validate(data, pid, start, end, header)
                if value is None:
                    continue
                if self.is_name[pid]:
                    name_end = self.r_end
                found[nfound].start = self.r_start
                found[nfound].end = self.r_end
                found[nfound].confidence = self.r_confidence
                found[nfound].rank = self.rank[pid]
                found[nfound].seq = <int>nfound
                found[nfound].keep = 1
                found[nfound].pid = pid
                values.append(value)
                normalised_values.append(self.r_normalised)
                nfound += 1
            _resolve_overlaps(found, nfound)
            return self._findings(found, nfound, values, normalised_values, location, in_row)
        finally:
            free(found)
            free(starts)
            free(matches)

    cdef list _findings(self, Found* found, Py_ssize_t nfound, list values, list normalised_values,
                        object location, bint in_row):
        cdef list out = []
        cdef Py_ssize_t i
        cdef int pid
        cdef PyTypeObject* finding_type = <PyTypeObject*>self.Finding
        cdef PyTypeObject* location_type = <PyTypeObject*>self.Location
        cdef double confidence
        cdef double known[8]
        cdef int nknown = 0, c
        page, sheet, row, line, base = location
        cdef bint based = base is not None and base != 0
        # Confidences take a handful of values: one float object each, not one per finding.
        shared_floats = []
        for i in range(nfound):
            if not found[i].keep:
                continue
            pid = found[i].pid
            start = found[i].start
            if in_row:
                loc = location
            elif not self.use_untracked_tuples:
                loc = _tuple_new(self.Location, (page, sheet, row, line, base + start if based else start))
            else:
                loc = _new_tuple(location_type, 5)
                _set(loc, 0, page)
                _set(loc, 1, sheet)
                _set(loc, 2, row)
                _set(loc, 3, line)
                _set(loc, 4, base + start if based else start)
            confidence = found[i].confidence
            for c in range(nknown):
                if known[c] == confidence:
                    shared = shared_floats[c]
                    break
            else:
                shared = confidence
                if nknown < 8:
                    known[nknown] = confidence
                    shared_floats.append(shared)
                    nknown += 1
            if not self.use_untracked_tuples:
                out.append(_tuple_new(self.Finding, (
                    self.categories[pid], self.names[pid], values[found[i].seq], normalised_values[found[i].seq],
                    start, found[i].end, shared, loc)))
                continue
            finding = _new_tuple(finding_type, 8)
            _set(finding, 0, self.categories[pid])
            _set(finding, 1, self.names[pid])
            _set(finding, 2, values[found[i].seq])
            _set(finding, 3, normalised_values[found[i].seq])
            _set(finding, 4, start)
            _set(finding, 5, found[i].end)
            _set(finding, 6, shared)
            _set(finding, 7, loc)
            out.append(finding)
        return out

    cdef object _validate(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """The value of an accepted candidate (the rest of the result in the r_ fields, see _ok), else None."""
        cdef int kernel = self.kernel[pid]
        if kernel == K_POSTCODE:
            return self._postcode(data, start, end)
        if kernel == K_NAME:
            return self._name(data, pid, start, end)
        if kernel == K_DOB:
            return self._dob(data, pid, start, end, header)
        if kernel == K_TERMS:
            return self._terms(data, pid, start, end, header)
        if kernel == K_EMAIL:
            return self._email(data, start, end)
        if kernel == K_VRM:
            return self._vrm(data, start, end, header)
        if kernel == K_NHS:
            return self._nhs(data, start, end, header)
        if kernel == K_NINO:
            return self._nino(data, pid, start, end)
        if kernel == K_CARD:
            return self._card(data, start, end)
        if kernel == K_SORT_CODE:
            return self._sort_code(data, pid, start, end, header)
        if kernel == K_PASSPORT:
            if not self._has_context(self.passport_context, data, start, 40, header):
                return None
            value = _text(data, start, end)
            return self._ok(value, value, 0.9, start, end)
        if kernel == K_LICENCE:
            return self._licence(data, start, end)
        if kernel == K_PHONE or self.detectors[pid].context_free:
            return self._spanned(self._memoised(data, pid, start, end, header), start, end)
        return self._by_detector(data, pid, start, end, header)

    cdef object _by_detector(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """The detector's own ``validate()``, as a kernel's result."""
        return self._spanned(self.detectors[pid].validate(self.Candidate(data, start, end, header)), start, end)

    cdef object _spanned(self, object hit, Py_ssize_t start, Py_ssize_t end):
        """A ``Hit`` as a kernel's result (see _ok), the span filled in where it is ``None``."""
        if hit is None:
            return None
        value, normalised, confidence, s, e = hit
        return self._ok(value, normalised, confidence, start if s is None else s, end if e is None else e)

    cdef inline object _ok(self, object value, object normalised, double confidence, Py_ssize_t start,
                           Py_ssize_t end):
        """A kernel accepts: it returns the value and leaves the rest here, not in a tuple.

        Packing and unpacking a 5-tuple with two boxed offsets per candidate was a
        measurable share of a pass (tens of thousands of candidates, each tuple discarded
        at once); _detect reads these fields straight after the kernel returns.
        """
        self.r_normalised = normalised
        self.r_confidence = confidence
        self.r_start = start
        self.r_end = end
        return value

    cdef object _memoised(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """A context-free validation, memoised by the matched bytes and the byte before them.

        A memoised hit serves other positions, so its span is left to the candidate
        (``None``, as in a ``Hit``).
        """
        key = _slice(data, start - 1 if start else 0, end)
        table = <dict>self.memo[pid]
        hit = table.get(key, _MISSING)
        if hit is _MISSING:
            if self.kernel[pid] == K_PHONE:
                hit = self._phone(data, start, end)
            else:
                hit = self.detectors[pid].validate(self.Candidate(data, start, end, header))
            if self.memo_size >= MEMO_LIMIT:
                self.reset()
                table = <dict>self.memo[pid]
            table[key] = hit
            self.memo_size += 1
        return hit

    cdef object _postcode(self, bytes data, Py_ssize_t start, Py_ssize_t end):
        """UkPostcodeDetector.validate: the pattern encodes every rule; normalise only."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef char buf[16]
        cdef Py_ssize_t i, k = 0
        cdef unsigned char c
        if end - start > 10:
            return None  # cannot happen with the postcode expression
        c = d[end - 3]
        if ((c == c'1' and d[end - 2] == c's' and d[end - 1] == c't')
                or (c == c'2' and d[end - 2] == c'n' and d[end - 1] == c'd')
                or (c == c'3' and d[end - 2] == c'r' and d[end - 1] == c'd')
                or (c != c'1' and c != c'2' and c != c'3' and d[end - 2] == c't' and d[end - 1] == c'h')):
            # An ordinal after capitals ('room B12 3rd floor'), not an inward code.
            for i in range(start, end - 3):
                if d[i] >= c'A' and d[i] <= c'Z':
                    return None
        for i in range(start, end):
            c = d[i]
            if c == c' ':
                continue
            if c >= c'a' and c <= c'z':
                c -= 32
            buf[k] = <char>c
            k += 1
        if k < 4:
            return None
        # Outward code, one space, the three-character inward code.
        buf[k] = buf[k - 1]
        buf[k - 1] = buf[k - 2]
        buf[k - 2] = buf[k - 3]
        buf[k - 3] = c' '
        value = PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL)
        return self._ok(value, PyUnicode_DecodeASCII(buf, k + 1, NULL), 0.9, start, end)

    cdef object _name(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end):
        """NameDetector.validate, with the label and run found in C.

        The C parser reads ASCII runs. A run that stops at a letter of another script
        ('Zo|ë', 'Name: |محمد') goes to the detector, which reads letters of any script.
        """
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data)
        cdef Py_ssize_t stop = start + self.name_window
        cdef Py_ssize_t offset = start, run_end
        cdef const unsigned char* p
        cdef bint labelled = False
        if stop > n:
            stop = n
        p = <const unsigned char*>memchr(d + start, c'\n', stop - start)
        if p != NULL:
            stop = p - d
        p = <const unsigned char*>memchr(d + start, c':', stop - start)
        if p != NULL and self._label_before(d, start, p - d):
            labelled = True
            offset = (p - d) + 1
            while offset < stop and (d[offset] == c' ' or d[offset] == c'\t'):
                offset += 1
        cdef Py_ssize_t raw_end, k
        run_end = offset
        while run_end < stop and _is_name_byte(d, run_end, stop):
            run_end += 3 if d[run_end] == 0xE2 else 1
        raw_end = run_end
        if run_end > offset and run_end < stop and d[run_end] == c':':
            # name.NameDetector.validate: the word before a colon is the next field's label.
            while run_end > offset and d[run_end - 1] == c' ':
                run_end -= 1
            while run_end > offset and d[run_end - 1] != c' ':
                run_end -= 1
        run_end = _name_key_end(d, offset, run_end, self.max_name_words)
        if raw_end < stop and d[raw_end] >= 0x80:
            # Only spaces between the key's end and the run's: the key would go on into
            # the next characters, if they are letters.
            k = run_end
            while k < raw_end and d[k] == c' ':
                k += 1
            if k == raw_end and self.continues_name(data, raw_end):
                return self._by_detector(data, pid, start, end, "")
        key = PyBytes_FromStringAndSize(<char*>d + offset, run_end - offset)
        memo = self.labelled_memo if labelled else self.name_memo
        parsed = memo.get(key, _MISSING)
        if parsed is _MISSING:
            parsed = self._parse_name(key, labelled)
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = parsed
        if parsed is None:
            return None
        # NameParse: (value, normalised, length, confidence, running_text)
        result = <tuple>parsed
        if result[4] and _house_number_before(d, start - 12 if start > 12 else 0, start):
            return None
        return self._ok(result[0], result[1], result[3], offset, offset + <Py_ssize_t>result[2])

    cdef bint _label_before(self, const unsigned char* d, Py_ssize_t start, Py_ssize_t colon):
        """name.label_before: a label word ends just before the colon (spaces and tabs between)."""
        cdef Py_ssize_t end = colon, length, i
        cdef int k
        cdef const unsigned char* word
        while end > start and (d[end - 1] == c' ' or d[end - 1] == c'\t'):
            end -= 1
        for k in range(self.label_list.count):
            length = self.label_list.lengths[k]
            if end - length < start:
                continue
            word = <const unsigned char*>self.label_list.words[k]
            for i in range(length):
                if _lower(d[end - length + i]) != word[i]:
                    break
            else:
                return True
        return False

    cdef Py_ssize_t _title_then_token(self, const unsigned char* d, Py_ssize_t n, Py_ssize_t i, int* which):
        """name's ``(?P<title>TITLES)\\.?[ ]+`` at i when a name word follows: where that word starts, else -1."""
        cdef Py_ssize_t j, k, length
        cdef int t
        for t in range(self.title_list.count):
            length = self.title_list.lengths[t]
            if i + length > n or memcmp(d + i, self.title_list.words[t], length) != 0:
                continue
            j = i + length
            if j < n and d[j] == c'.':
                j += 1
            k = j
            while k < n and d[k] == c' ':
                k += 1
            if k > j and _token_end(d, k, n) != -1:
                which[0] = t
                return k
        return -1

    cdef object _parse_name(self, bytes key, bint labelled):
        """name.parse_name_run (and parse_name_at) on the bytes of a name key, in C.

        The key holds only ASCII letters, spaces, ``'.,-`` and the UTF-8 right quote
        (see name._NAME_RUN), so byte operations give what the reference's str
        operations give: bytes.title() title-cases as str.title() does here, and the
        word lists are looked up as UTF-8 bytes. The display value and the matching key
        are built in one buffer each and decoded once.
        """
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(key)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(key)
        cdef Py_ssize_t j, k, e, e1, k2, given_start, body_start, count, kept, length = 0, vlen = 0, tlen
        cdef Py_ssize_t a, b, i, last_start, last_end, norm_len, tok_start, tok_end
        cdef int which = -1, t
        cdef bint two, found = False, titled, running_text
        cdef Py_ssize_t spans[8]
        cdef char small[512]  # keys are a window of a few dozen bytes: no malloc for them
        cdef char* out = <char*>small
        cdef char* norm
        if 2 * n + 32 > 512:
            out = <char*>malloc(2 * n + 32)
        if out == NULL:
            raise MemoryError()
        norm = out + n + 16
        cdef const WordSet* stops = &self.hard_stops if labelled else &self.soft_stops
        try:
            if labelled and n and d[0] >= c'A' and d[0] <= c'Z':
                # 'Surname, [Title] Given [Middle]'
                j = _name_chars_end(d, 1, n)
                if j > 1 and j < n and d[j] == c',':
                    k = j + 1
                    while k < n and d[k] == c' ':
                        k += 1
                    which = -1
                    given_start = self._title_then_token(d, n, k, &which)
                    if given_start == -1:
                        given_start = k
                    e = _token_end(d, given_start, n)
                    if e != -1:
                        e1 = e
                        k = e
                        while k < n and d[k] == c' ':
                            k += 1
                        two = k > e and _token_end(d, k, n) != -1
                        k2 = k
                        if two:
                            e = _token_end(d, k, n)
                        if not (_member(stops, d, 0, j, False)
                                or _member(stops, d, given_start, _strip_dots(d, given_start, e1), False)
                                or (two and _member(stops, d, k2, _strip_dots(d, k2, e), False))):
                            if which != -1:
                                vlen = _append(out, vlen, &self.title_list, which)
                                out[vlen] = c' '
                                vlen += 1
                            memcpy(out + vlen, d + given_start, e - given_start)
                            vlen += e - given_start
                            out[vlen] = c' '
                            vlen += 1
                            memcpy(out + vlen, d, j)
                            vlen += j
                            length = e
                            found = True
            if not found:
                which = -1
                body_start = self._title_then_token(d, n, 0, &which)
                if body_start == -1:
                    body_start = 0
                    which = -1
                e = _token_end(d, body_start, n)
                if e == -1:
                    return None
                spans[0] = body_start
                spans[1] = e
                count = 1
                while count < 4:
                    k = e
                    while k < n and d[k] == c' ':
                        k += 1
                    if k == e or _token_end(d, k, n) == -1:
                        break
                    e = _token_end(d, k, n)
                    spans[2 * count] = k
                    spans[2 * count + 1] = e
                    count += 1
                if which != -1:
                    stops = &self.hard_stops
                kept = 0
                for k in range(count):
                    a = spans[2 * k]
                    b = spans[2 * k + 1]
                    tlen = _strip_dots(d, a, b)
                    if _member(stops, d, a, tlen, False) or _member(stops, d, a, tlen, True):
                        break
                    kept += 1
                if kept == 0 or (kept == 1 and which == -1):
                    return None
                last_start = spans[2 * kept - 2]
                last_end = spans[2 * kept - 1]
                if d[last_end - 1] == c'.' and last_end - last_start <= 2:
                    return None  # 'Mr J.' alone: an initial is not a surname
                if which != -1:
                    vlen = _append(out, vlen, &self.title_list, which)
                    out[vlen] = c' '
                    vlen += 1
                for k in range(kept):
                    if k:
                        out[vlen] = c' '
                        vlen += 1
                    memcpy(out + vlen, d + spans[2 * k], spans[2 * k + 1] - spans[2 * k])
                    vlen += spans[2 * k + 1] - spans[2 * k]
                # As the reference: the first occurrence of the last word from the body on.
                length = _find(d, n, body_start, d + last_start, last_end - last_start)
                length += last_end - last_start
            titled = False
            titled = _starts_with_one_of(&self.title_list, out, vlen)
            # The matching key: the value's words without dots and titles, lower case.
            norm_len = 0
            tok_start = tok_end = 0
            i = 0
            while i < vlen:
                while i < vlen and out[i] == c' ':
                    i += 1
                if i == vlen:
                    break
                a = i
                while i < vlen and out[i] != c' ':
                    i += 1
                b = i
                tlen = _strip_dots(<const unsigned char*>out, a, b)
                if _is_one_of(&self.title_list, out + a, tlen):
                    continue
                if norm_len:
                    norm[norm_len] = c' '
                    norm_len += 1
                tok_start = a
                tok_end = a + tlen
                for k in range(tlen):
                    norm[norm_len] = <char>_lower(<unsigned char>out[a + k])
                    norm_len += 1
            running_text = not labelled and not titled
            if running_text and not _member(&self.surnames, <const unsigned char*>out, tok_start,
                                             tok_end - tok_start, True):
                return None
            confidence = 0.95 if labelled else 0.9 if titled else 0.8
            if not self.use_untracked_tuples:
                return _tuple_new(self.NameParse, (PyUnicode_DecodeUTF8(out, vlen, NULL),
                                  PyUnicode_DecodeUTF8(norm, norm_len, NULL), length, confidence, running_text))
            parsed = _new_tuple(<PyTypeObject*>self.NameParse, 5)
            _set(parsed, 0, PyUnicode_DecodeUTF8(out, vlen, NULL))
            _set(parsed, 1, PyUnicode_DecodeUTF8(norm, norm_len, NULL))
            _set(parsed, 2, length)
            _set(parsed, 3, confidence)
            _set(parsed, 4, running_text)
            return parsed
        finally:
            if out != <char*>small:
                free(out)

    cdef int _context_id(self, object pattern) except -2:
        """The context database for a compiled bytes expression, or for a tuple of them scanned
        together (compiled on first use); -1: use re."""
        cdef hs_database_t* db = NULL
        cdef hs_database_t** grown
        cdef hs_compile_error_t* error = NULL
        cdef PyObject** keys
        cdef int* indexes
        cdef int i
        # By identity: hashing a compiled pattern hashes its whole compiled code every time.
        for i in range(self.context_seen):
            if self.context_keys[i] == <PyObject*>pattern:
                return self.context_index[i]
        index = -1
        group = pattern if isinstance(pattern, tuple) else (pattern,)
        expression = _context_key(pattern)
        # re.ASCII alone, as for bytes; a NUL would end the expression for libhs (and joins a group's).
        if self.use_context_hyperscan and all(not p.flags & ~0x20 and b"\0" not in p.pattern for p in group):
            if self._load_context(expression, &db) or self._compile_context(group, expression, &db, &error):
                grown = <hs_database_t**>realloc(self.context_dbs, (self.context_count + 1) * sizeof(hs_database_t*))
                if grown == NULL or hs_alloc_scratch(db, &self.context_scratch) != HS_SUCCESS:
                    hs_free_database(db)
                    if grown != NULL:
                        self.context_dbs = grown
                    raise MemoryError()
                self.context_dbs = grown
                self.context_dbs[self.context_count] = db
                index = self.context_count
                self.context_count += 1
            elif error != NULL:
                hs_free_compile_error(error)  # e.g. the never-matching '$^': re decides
        keys = <PyObject**>realloc(self.context_keys, (self.context_seen + 1) * sizeof(PyObject*))
        if keys == NULL:
            raise MemoryError()
        self.context_keys = keys
        indexes = <int*>realloc(self.context_index, (self.context_seen + 1) * sizeof(int))
        if indexes == NULL:
            raise MemoryError()
        self.context_index = indexes
        self.context_patterns.append(pattern)  # keeps the pointer valid
        self.context_keys[self.context_seen] = <PyObject*>pattern
        self.context_index[self.context_seen] = index
        self.context_seen += 1
        return index

    cdef bint _load_context(self, bytes expression, hs_database_t** db) except -1:
        """A context database from ``context_cache`` (see ``__init__``); False when none loads."""
        if self.context_cache is None:
            return False
        blob = self.context_cache[0](expression)
        if blob is None:
            return False
        return hs_deserialize_database(blob, len(blob), db) == HS_SUCCESS

    cdef bint _compile_context(self, tuple group, bytes expression, hs_database_t** db,
                               hs_compile_error_t** error) except -1:
        """Compile a context database (a group's expressions with ids 0, 1...), and keep it
        in ``context_cache`` for the next process."""
        cdef char* data = NULL
        cdef size_t length = 0
        cdef const char* exprs[32]
        cdef unsigned int ids[32]
        cdef unsigned int i, count = len(group)
        if count == 1:
            if hs_compile(expression, 0, HS_MODE_BLOCK, NULL, db, error) != HS_SUCCESS:
                return False
        else:
            if count > 32:
                raise ValueError("a context group holds at most 32 expressions")
            patterns = [p.pattern for p in group]  # kept alive while libhs reads them
            for i in range(count):
                exprs[i] = <bytes>patterns[i]
                ids[i] = i
            if hs_compile_multi(exprs, NULL, ids, count, HS_MODE_BLOCK, NULL, db, error) != HS_SUCCESS:
                return False
        if self.context_cache is not None and hs_serialize_database(db[0], &data, &length) == HS_SUCCESS:
            try:
                self.context_cache[1](expression, PyBytes_FromStringAndSize(data, length))
            finally:
                free(data)
        return True

    cdef bint _text_has(self, object pattern, const unsigned char* d, Py_ssize_t lo, Py_ssize_t hi) except -1:
        """``pattern.search(d[lo:hi].lower())`` is not None, scanned by hyperscan where it can."""
        cdef unsigned char buf[256]
        cdef Py_ssize_t i, n = hi - lo
        cdef int index
        cdef hs_error_t status
        if lo < 0:
            lo = 0
            n = hi
        if n > 256:
            return pattern.search(PyBytes_FromStringAndSize(<char*>d + lo, n).lower()) is not None
        for i in range(n):
            buf[i] = _lower(d[lo + i])
        index = self._context_id(pattern)
        if index < 0:
            return pattern.search(PyBytes_FromStringAndSize(<char*>buf, n)) is not None
        status = hs_scan(self.context_dbs[index], <char*>buf, <unsigned int>n, 0, self.context_scratch, _on_any, NULL)
        if status == HS_SCAN_TERMINATED:
            return True
        if status != HS_SUCCESS:
            raise RuntimeError(f"hyperscan context scan failed with status {status}")
        return False

    cdef unsigned int _text_bits(self, tuple group, const unsigned char* d, Py_ssize_t lo,
                                 Py_ssize_t hi) except? 0xFFFFFFFF:
        """Bit i set when ``group[i].search(d[lo:hi].lower())`` is not None: one scan for the
        whole group where _text_has would scan the window once per expression."""
        cdef unsigned char buf[256]
        cdef unsigned int bits[2]
        cdef Py_ssize_t i, n = hi - lo
        cdef unsigned int k
        cdef int index = -1
        cdef hs_error_t status
        if lo < 0:
            lo = 0
            n = hi
        if n <= 256:
            index = self._context_id(group)
        bits[0] = 0
        bits[1] = (1u << len(group)) - 1
        if index < 0:
            window = PyBytes_FromStringAndSize(<char*>d + lo, n).lower()
            for k in range(len(group)):
                if group[k].search(window) is not None:
                    bits[0] |= 1u << k
            return bits[0]
        for i in range(n):
            buf[i] = _lower(d[lo + i])
        status = hs_scan(self.context_dbs[index], <char*>buf, <unsigned int>n, 0, self.context_scratch, _on_bits, bits)
        if status != HS_SUCCESS and status != HS_SCAN_TERMINATED:
            raise RuntimeError(f"hyperscan context scan failed with status {status}")
        return bits[0]

    cdef bint _has_context(self, object ctx, bytes data, Py_ssize_t start, Py_ssize_t width, str header):
        """detectors.base.has_context: the header, or the ``width`` bytes before the hit."""
        if self._header_says(ctx.header, header):
            return True
        return self._text_has(ctx.text, <const unsigned char*>PyBytes_AS_STRING(data), start - width, start)

    cdef object _email(self, bytes data, Py_ssize_t at, Py_ssize_t end):
        """EmailDetector.validate: walk back from the '@' over the local part."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t start = at
        cdef unsigned char c
        while start > 0:
            c = d[start - 1]
            if not ((c >= c'A' and c <= c'Z') or (c >= c'a' and c <= c'z') or (c >= c'0' and c <= c'9')
                    or c == c'.' or c == c'_' or c == c'%' or c == c'+' or c == c"'" or c == c'-'
                    or (c != 0 and memchr(b"!#$&*?^`{}~", c, 11) != NULL)):
                break
            start -= 1
        if start == at:
            return None
        c = d[start]
        if not ((c >= c'A' and c <= c'Z') or (c >= c'a' and c <= c'z') or (c >= c'0' and c <= c'9')):
            return None
        if self._role_or_test(d, start, at, end):
            return None
        value = PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL)
        return self._ok(value, _ascii_lower(value, d + start, end - start), 0.95, start, end)

    cdef bint _role_or_test(self, const unsigned char* d, Py_ssize_t start, Py_ssize_t at, Py_ssize_t end) except -1:
        """email.is_role_or_test on the ASCII address d[start:end] with its '@' at ``at``."""
        cdef char buf[256]
        cdef Py_ssize_t i, n = at - start, m = end - at - 1, length
        cdef bytes domain
        if n > 256 or m > 256:
            return self._role_or_test_slow(d, start, end)
        for i in range(n):
            buf[i] = <char>_lower(d[start + i])
        if n >= 4 and memcmp(buf, "test", 4) == 0:
            return True
        if _wordset_has(&self.role_locals, buf, n):
            return True
        for i in range(m):
            buf[i] = <char>_lower(d[at + 1 + i])
        for domain in self.test_domains:
            length = PyBytes_GET_SIZE(domain)
            if length > m or memcmp(buf + m - length, <const char*>domain, length) != 0:
                continue
            if length == m or buf[m - length - 1] == c'.':
                return True
        return False

    cdef bint _role_or_test_slow(self, const unsigned char* d, Py_ssize_t start, Py_ssize_t end) except -1:
        from incidentroom.scanner.detect.detectors.email import is_role_or_test
        return is_role_or_test(PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL))

    cdef int _refresh_today(self) except -1:
        """The scan date's fields (the date changes while a long scan runs; checked each minute)."""
        cdef time_t now = time(NULL)
        if self.today_checked and 0 <= now - self.today_checked < 60:
            return 0
        today = self.date_today()
        self.today_year = today.year
        self.today_month = today.month
        self.today_day = today.day
        self.latest_age = self.latest_age_issue(today)
        self.today_checked = now
        return 0

    cdef object _vrm(self, bytes data, Py_ssize_t start, Py_ssize_t end, str header):
        """VehicleRegistrationDetector.validate."""
        cdef unsigned char c
        if start:
            c = (<const unsigned char*>PyBytes_AS_STRING(data))[start - 1]
            if _word(c):
                return None
        cdef char compact[16]
        cdef Py_ssize_t n = 0
        self._refresh_today()
        cdef int kind = _judge_mark(<const unsigned char*>PyBytes_AS_STRING(data) + start, end - start, compact, &n,
                                    self.latest_age)
        if kind < 0:
            return None
        if kind == self.vrm_ni and self.vrm_letters_after.match(data, end) is not None:
            return None
        value = _text(data, start, end)
        compact_value = PyUnicode_DecodeASCII(compact, n, NULL)
        in_context = self._has_context(self.vrm_context, data, start, self.vrm_width, header)
        if kind == self.vrm_current:
            return self._ok(value, compact_value, 0.95 if in_context else 0.85, start, end)
        if not in_context:
            return None
        return self._ok(value, compact_value, 0.85 if kind == self.vrm_older else 0.8, start, end)

    cdef object _phone(self, bytes data, Py_ssize_t start, Py_ssize_t end):
        """UkPhoneDetector.validate (normalise_uk_phone); the numbering plan checked by hyperscan."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef char digits[64]
        cdef Py_ssize_t i, n = 0, skip = 0, first = start
        cdef bint international
        if end - start > 60:
            return None  # cannot happen with the phone expressions
        cdef bint only_digits = True
        for i in range(start, end):
            if d[i] >= c'0' and d[i] <= c'9':
                digits[n] = <char>d[i]
                n += 1
            elif d[i] == c'x' or d[i] == c'X' or d[i] == c'e' or d[i] == c'E' or d[i] == c'#':
                break  # an extension: not part of the number
            else:
                only_digits = False
        while first < end and (d[first] == c' ' or (d[first] >= 9 and d[first] <= 13)):
            first += 1
        international = (first < end and d[first] == c'+') or (
            n >= 4 and digits[0] == c'0' and digits[1] == c'0' and digits[2] == c'4' and digits[3] == c'4'
        )
        if not international and n and digits[0] != c'0' and only_digits and (n == 11 or n == 12) \
                and digits[0] == c'4' and digits[1] == c'4':
            skip = 2  # '447700900123': international without the '+'
        elif international:
            # removeprefix('00'), then '44', then '0'
            if n - skip >= 2 and digits[skip] == c'0' and digits[skip + 1] == c'0':
                skip += 2
            if n - skip >= 2 and digits[skip] == c'4' and digits[skip + 1] == c'4':
                skip += 2
            if n - skip >= 1 and digits[skip] == c'0':
                skip += 1
        elif n and digits[0] == c'0':
            skip = 1
        else:
            return None
        if not 7 <= n - skip <= 10:
            return None
        if not self._text_has(self.phone_plan, <const unsigned char*>digits, skip, n):
            return None
        national = PyUnicode_DecodeASCII(digits + skip, n - skip, NULL)
        return (PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL), "+44" + national, 0.9, None, None)

    cdef object _nino(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end):
        """NationalInsuranceDetector.validate (is_valid_nino) for upper case with spaces;
        lower case and hyphens (rare) go to the detector itself."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef char compact[16]
        cdef Py_ssize_t i, n = 0
        cdef unsigned char c
        for i in range(start, end):
            c = d[i]
            if c == c' ' or c == c'-':
                continue
            if c == c'-' or (c >= c'a' and c <= c'z'):
                return self._by_detector(data, pid, start, end, "")
            if n == 16:
                return None
            compact[n] = <char>(c - 32 if c >= c'a' and c <= c'z' else c)
            n += 1
        if n != 9 or not (compact[8] >= c'A' and compact[8] <= c'D'):
            return None
        for i in range(2, 8):
            if not (compact[i] >= c'0' and compact[i] <= c'9'):
                return None
        if memchr("DFIQUV", compact[0], 6) != NULL or memchr("DFIOQUV", compact[1], 7) != NULL:
            return None
        prefix = PyUnicode_DecodeASCII(compact, 2, NULL)
        if prefix in self.banned_nino_prefixes:
            return None
        value = _text(data, start, end)
        return self._ok(value, PyUnicode_DecodeASCII(compact, 9, NULL), 0.95, start, end)

    cdef object _card(self, bytes data, Py_ssize_t start, Py_ssize_t end):
        """PaymentCardDetector.validate: Luhn, an issuer range, not a scheme test number."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef char digits[32]
        cdef Py_ssize_t i, n = 0
        cdef int two, four, total = 0, value
        for i in range(start, end):
            if d[i] >= c'0' and d[i] <= c'9':
                if n == 32:
                    return None
                digits[n] = <char>d[i]
                n += 1
        if not 12 <= n <= 19:
            return None
        number = PyUnicode_DecodeASCII(digits, n, NULL)
        if number in self.test_pans:
            return None
        two = (digits[0] - 48) * 10 + (digits[1] - 48)
        four = two * 100 + (digits[2] - 48) * 10 + (digits[3] - 48)
        if not ((digits[0] == c'4' and (n == 13 or n == 16 or n == 19))                    # Visa
                or ((51 <= two <= 55 or 2221 <= four <= 2720) and n == 16)                 # Mastercard
                or ((two == 34 or two == 37) and n == 15)                                  # Amex
                or ((two == 50 or 56 <= two <= 69) and 12 <= n <= 19)                      # Maestro, Discover, UnionPay
                or (3528 <= four <= 3589 and 16 <= n <= 19)                                # JCB
                or ((300 <= four // 10 <= 305 or four == 3095 or two == 36 or two == 38 or two == 39)
                    and 14 <= n <= 19)):                                                   # Diners Club
            return None
        for i in range(n):  # Luhn, from the right
            value = digits[n - 1 - i] - 48
            if i % 2:
                value *= 2
                if value > 9:
                    value -= 9
            total += value
        if total % 10:
            return None
        return self._ok(_text(data, start, end), number, 0.9, start, end)

    cdef object _licence(self, bytes data, Py_ssize_t start, Py_ssize_t end):
        """DrivingLicenceDetector.validate: the surname field read back from the birth digits.

        compact_licence on ``data[first:end].decode('ascii', 'replace')``: spaces dropped,
        ASCII letters upper-cased, any other byte one character that no field accepts.
        """
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef unsigned char compact[19]
        cdef Py_ssize_t i, n = 0, first = start
        cdef unsigned char c
        cdef int month, day
        if first and d[first - 1] == c' ':
            first -= 1  # the card prints a space after the surname field
        first -= 5
        if first < 0 or (first and _word(d[first - 1])):
            return None
        for i in range(first, end):
            c = d[i]
            if c == c' ':
                continue
            if n == 18:
                return None  # more than the 16 characters and the issue number
            compact[n] = c - 32 if c >= c'a' and c <= c'z' else (c if c < 0x80 else 0)
            n += 1
        if n == 18:
            n = 16  # the two-digit issue number printed after it on the card
        if n != 16:
            return None
        # The surname's first five letters, padded with 9s only at the end.
        if not (compact[0] >= c'A' and compact[0] <= c'Z'):
            return None
        i = 1
        while i < 5 and compact[i] >= c'A' and compact[i] <= c'Z':
            i += 1
        while i < 5 and compact[i] == c'9':
            i += 1
        if i != 5 or not _all_digits(compact, 5, 11):
            return None
        month = (compact[6] - 48) * 10 + compact[7] - 48
        if month > 50:
            month -= 50
        day = (compact[8] - 48) * 10 + compact[9] - 48
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        # Initials (the second a 9 when there is none), a digit, two check letters.
        if not (compact[11] >= c'A' and compact[11] <= c'Z' and (compact[12] == c'9' or (compact[12] >= c'A'
                and compact[12] <= c'Z')) and _digit(compact[13]) and compact[14] >= c'A' and compact[14] <= c'Z'
                and compact[15] >= c'A' and compact[15] <= c'Z'):
            return None
        return self._ok(PyUnicode_DecodeASCII(<char*>d + first, end - first, "replace"),
                        PyUnicode_DecodeASCII(<char*>compact, 16, NULL), 0.9, first, end)

    cdef object _nhs(self, bytes data, Py_ssize_t start, Py_ssize_t end, str header):
        """NhsNumberDetector.validate."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef char number[10]
        cdef Py_ssize_t i, n = 0
        cdef int total = 0
        cdef bint same = True, grouped
        # nhs_number.judge_number: ten digits, not all the same, modulus 11 (weights 10..1).
        for i in range(start, end):
            if d[i] >= c'0' and d[i] <= c'9':
                if n == 10:
                    return None
                number[n] = <char>d[i]
                n += 1
        if n != 10:
            return None
        for i in range(10):
            total += (10 - i) * (number[i] - 48)
            same = same and number[i] == number[0]
        if same or total % 11:
            return None
        # '^\d{3}[ -]\d{3}[ -]\d{4}$': the expression allows only these separators there.
        grouped = end - start == 12
        if self._text_has(self.nhs_phone_prefix, <const unsigned char*>PyBytes_AS_STRING(data), start - 8, start):
            return None
        if self._header_says(self.nhs_phone_header, header):
            return None
        if not (grouped or self._has_context(self.nhs_context, data, start, 40, header)):
            return None
        return self._ok(PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL), PyUnicode_DecodeASCII(number, 10, NULL),
                0.95, start, end)

    cdef object _sort_code(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """SortCodeAccountDetector.validate: the account number after it, or sort-code context.

        The reference matches ``^\\D{0,30}?\\b(\\d{8})\\b`` on the next 45 bytes decoded; on
        ASCII the only place the digits can start is the first digit. Other text goes to
        the reference itself (its offsets count characters there).
        """
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data), stop = end + 45, i, k = -1, k2
        cdef char compact[6]
        if stop > n:
            stop = n
        for i in range(end, stop):
            if d[i] >= 0x80:
                return self._by_detector(data, pid, start, end, header)
            if k == -1 and _digit(d[i]):
                k = i
        i = 0
        for k2 in range(start, end):
            if d[k2] == c' ' and not self._has_context(self.sort_code_context, data, start, 40, header):
                return None  # '20 00 00' is a sort code only where one is named
            if d[k2] != c'-' and d[k2] != c' ':
                compact[i] = <char>d[k2]
                i += 1
        sort_code = PyUnicode_DecodeASCII(compact, 6, NULL)
        value = PyUnicode_DecodeASCII(<char*>d + start, end - start, NULL)
        if (k != -1 and k - end <= 30 and (k == end or not _word(d[k - 1])) and k + 8 <= stop
                and _all_digits(d, k, k + 8) and (k + 8 == stop or not _word(d[k + 8]))):
            account = PyUnicode_DecodeASCII(<char*>d + k, 8, NULL)
            return self._ok(_text(data, start, k + 8), f"{sort_code}/{account}", 0.9, start, k + 8)
        if self._has_context(self.sort_code_context, data, start, 40, header):
            return self._ok(value, sort_code, 0.7, start, end)
        return None

    cdef bint _header_says(self, object owner, str header) except -1:
        """Memoised truth of a header test: ``owner`` is a compiled expression (its search)
        or a term detector (its ``header_matches``); a table repeats its headers on every row.

        The owner is found by identity, not hashed: hashing a compiled pattern hashes its
        whole compiled code every time.
        """
        cdef int i
        cdef PyObject** keys
        table = None
        for i in range(self.header_seen):
            if self.header_keys[i] == <PyObject*>owner:
                table = self.header_memos[i]
                break
        else:
            keys = <PyObject**>realloc(self.header_keys, (self.header_seen + 1) * sizeof(PyObject*))
            if keys == NULL:
                raise MemoryError()
            self.header_keys = keys
            table = {}
            self.header_owners.append(owner)  # keeps the pointer valid
            self.header_memos.append(table)
            self.header_keys[self.header_seen] = <PyObject*>owner
            self.header_seen += 1
        cached = (<dict>table).get(header)
        if cached is None:
            search = owner.header_matches if hasattr(owner, "header_matches") else owner.search
            cached = bool(search(header))
            (<dict>table)[header] = cached
        return cached

    cdef object _dob(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """DateOfBirthDetector.validate: birth context, then a real, plausible date."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t hi
        cdef const unsigned char* p
        cdef unsigned int before
        if not self._header_says(self.dob_header, header):
            before = self._text_bits(self.dob_before, d, start - 30, start)  # 1: birth, 2: another date
            if before & 1:
                if before & 2:
                    # Which was named last, the birth or the other date: the detector decides (rare).
                    return self._by_detector(data, pid, start, end, header)
            else:
                hi = end + self.dob_after_width
                if hi > PyBytes_GET_SIZE(data):
                    hi = PyBytes_GET_SIZE(data)
                p = <const unsigned char*>memchr(d + end, c'\n', hi - end)
                if p != NULL:
                    hi = p - d
                p = <const unsigned char*>memchr(d + end, 0x1e, hi - end)
                if p != NULL:
                    hi = p - d
                if hi > end and self._text_has(self.dob_after, d, end, hi):
                    return self._by_detector(data, pid, start, end, header)
                return None
        # The usual spellings are parsed here; anything else (two-digit years, month
        # first, hyphens around a month name...) goes to the detector.
        parsed = self._dob_parse(data, pid, start, end)
        if parsed is None:
            return self._by_detector(data, pid, start, end, header)
        if parsed is _NOT_BORN:
            return None
        return parsed

    cdef object _dob_parse(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end):
        """The kernel's parse of a date in a usual spelling, else None (the detector decides)."""
        cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
        cdef Py_ssize_t i
        cdef int day, month, year
        cdef char buf[11]
        value = PyUnicode_DecodeUTF8(<char*>d + start, end - start, NULL)
        i = start
        if self.variant[pid] > 1:  # '3rd March 1975', '3 Mar 1975'
            day = _digits(d, &i, end, 2)
            if day < 0:
                return None
            if i + 1 < end and ((d[i] == c's' and d[i + 1] == c't') or (d[i] == c'n' and d[i + 1] == c'd')
                                or (d[i] == c'r' and d[i + 1] == c'd') or (d[i] == c't' and d[i + 1] == c'h')):
                i += 2
            if i + 4 > end or d[i] != c' ':
                return None
            month = _month(_lower(d[i + 1]), _lower(d[i + 2]), _lower(d[i + 3]))
            if month == 0:
                return None
            i += 4
            while i < end and d[i] >= c'a' and d[i] <= c'z':
                i += 1
            if i >= end or d[i] != c' ':
                return None
            i += 1
            if end - i != 4:
                return None
            year = _digits(d, &i, end, 4)
        elif self.variant[pid] == 0:  # d/m/yyyy with / . or -
            day = _digits(d, &i, end, 2)
            if day < 0 or i >= end or not (d[i] == c'/' or d[i] == c'.' or d[i] == c'-'):
                return None
            i += 1
            month = _digits(d, &i, end, 2)
            if month < 0 or i >= end or not (d[i] == c'/' or d[i] == c'.' or d[i] == c'-'):
                return None
            i += 1
            year = _digits(d, &i, end, 4)
        else:  # yyyy-mm-dd
            year = _digits(d, &i, end, 4)
            if year < 0 or i >= end or d[i] != c'-':
                return None
            i += 1
            month = _digits(d, &i, end, 2)
            if month < 0 or i >= end or d[i] != c'-':
                return None
            i += 1
            day = _digits(d, &i, end, 2)
        if i != end or year < 1000 or month < 1 or month > 12:
            return None
        if day < 1 or day > _days_in_month(year, month):
            return None
        self._refresh_today()
        if year < 1900 or year > self.today_year or (year == self.today_year and (
                month > self.today_month or (month == self.today_month and day > self.today_day))):
            return _NOT_BORN
        buf[0] = c'0' + year // 1000
        buf[1] = c'0' + (year // 100) % 10
        buf[2] = c'0' + (year // 10) % 10
        buf[3] = c'0' + year % 10
        buf[4] = c'-'
        buf[5] = c'0' + month // 10
        buf[6] = c'0' + month % 10
        buf[7] = c'-'
        buf[8] = c'0' + day // 10
        buf[9] = c'0' + day % 10
        return self._ok(value, PyUnicode_DecodeASCII(buf, 10, NULL), 0.95, start, end)

    cdef object _terms(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """TermDetector.validate: negation, strong terms, then weak terms with context."""
        cdef const unsigned char* d
        detector = self.detectors[pid]
        key = _slice(data, start, end)
        table = <dict>self.terms_memo[pid]
        term = table.get(key)
        if term is None:
            value = _text(data, start, end)
            lower = value.lower()
            strong = lower in detector._strong_lower()
            term = (value, lower, strong, strong and not (detector.single_words_need_context and " " not in lower))
            table[key] = term
        value, lower, strong, stands_alone = term
        d = <const unsigned char*>PyBytes_AS_STRING(data)
        # The same decision as the reference, tests reordered: most weak terms in running
        # prose ('police', 'needs') have no context, and that is settled by one search.
        if not stands_alone and not (
            (header and self._header_says(detector, header)) or self._text_has(detector.context, d, start - 60, start)
        ):
            return None
        if self._text_has(_NEGATION, d, start - 60, start):
            return None
        return self._ok(value, lower, 0.9 if strong else detector.weak_confidence, start, end)




cdef object _NEGATION = importlib.import_module("incidentroom.scanner.detect.terms").NEGATION


cdef bytes _context_key(object key):
    """A context expression, or a group's expressions joined by NUL (which no expression holds)."""
    if isinstance(key, tuple):
        return b"\0".join([p.pattern for p in key])
    return key.pattern


cdef void _resolve_overlaps(Found* found, Py_ssize_t n) noexcept nogil:
    """Where findings overlap keep the most confident, then longest (the Python path's rule)."""
    cdef Py_ssize_t i, j, k, first, last
    cdef Py_ssize_t cluster_end
    cdef Py_ssize_t* order
    cdef bint fits
    if n < 2:
        return
    _sort_nearly_sorted(found, n)
    order = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    if order == NULL:
        return
    first = 0
    while first < n:
        cluster_end = found[first].end
        last = first + 1
        while last < n and found[last].start < cluster_end:
            if found[last].end > cluster_end:
                cluster_end = found[last].end
            last += 1
        if last - first > 1:
            # Rank the cluster (insertion sort: clusters hold a handful of findings).
            for i in range(first, last):
                found[i].keep = 0
                j = i - first
                while j > 0 and _better(&found[i], &found[order[j - 1]], <int>(i - first), <int>(order[j - 1] - first)):
                    order[j] = order[j - 1]
                    j -= 1
                order[j] = i
            for k in range(last - first):
                i = order[k]
                fits = True
                for j in range(first, last):
                    if found[j].keep and not (found[i].end <= found[j].start or found[i].start >= found[j].end):
                        fits = False
                        break
                if fits:
                    found[i].keep = 1
            # Kept findings in start order: the cluster is already in (start, -end) order,
            # and two kept findings never share a start.
        first = last
    free(order)
