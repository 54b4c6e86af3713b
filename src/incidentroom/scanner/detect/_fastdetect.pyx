# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled detection core: the per-candidate loop of :func:`incidentroom.scanner.detect.matcher.detect` in C.

On dense text hyperscan reports a candidate every ~50 bytes, and the Python binding's
callback per match costs several times the regex engine itself. This module compiles
the patterns with libhs (Debian's libhyperscan-dev), scans with a C callback into a C
array (the GIL released), sorts and de-duplicates the matches, resolves overlapping
findings and builds them, all in C. Every candidate is validated by its detector's own
``validate``, memoised by value when the detector is context-free, exactly as
:func:`incidentroom.scanner.detect.matcher.detect_python` does it; that function is the
same algorithm in plain Python, and ``tests/scanner/test_scan_fastdetect.py`` checks
that the two give identical findings.

What is here is what bench/scan_kernels.py measured as worth keeping. The C ports of
detectors' rules that used to be here (the name parser, dates of birth, postcodes,
phones, emails, vehicle marks, NHS and NI numbers, cards, sort codes, passports, term
lists), the hyperscan databases for context words, the start recovery of word-list
expressions compiled without start tracking, and findings allocated outside the cyclic
collector each saved at most about 1% of an end-to-end scan, and were removed (see the
bench's notes for the figures).
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.stdlib cimport free, malloc, qsort, realloc

import importlib

cdef object _tuple_new = tuple.__new__
cdef object _MISSING = object()
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


class PatternError(ValueError):
    """A detector expression hyperscan cannot compile."""


cdef class Engine:
    """One hyperscan database (compiled with libhs, scanned with a C callback) and its detectors."""

    cdef hs_database_t* db
    cdef hs_scratch_t* scratch
    cdef bint scratch_busy
    cdef int npatterns
    cdef int* rank
    cdef char* is_name
    cdef char* context_free
    cdef list detectors
    cdef list categories
    cdef list names
    cdef list memo
    cdef Py_ssize_t memo_size
    cdef object Candidate, Finding, Location

    def __cinit__(self):
        self.db = NULL
        self.scratch = NULL
        self.scratch_busy = False
        self.rank = NULL
        self.is_name = NULL
        self.context_free = NULL

    def __init__(self, owners, ranks, expressions, serialized=None):
        """Pattern id i is ``expressions[i]``, owned by ``owners[i]``, whose place in name order is ``ranks[i]``.

        ``serialized`` (from :meth:`serialize`) skips compiling: pool and Dask workers get
        the coordinator's database and start in milliseconds.
        """
        cdef int i
        self.npatterns = len(owners)
        self.rank = <int*>malloc(self.npatterns * sizeof(int))
        self.is_name = <char*>malloc(self.npatterns)
        self.context_free = <char*>malloc(self.npatterns)
        if not (self.rank and self.is_name and self.context_free):
            raise MemoryError()
        if serialized is not None:
            self._load(serialized)
        else:
            self._compile(expressions)
        if hs_alloc_scratch(self.db, &self.scratch) != HS_SUCCESS:
            raise MemoryError("hyperscan could not allocate its scratch space")
        self.detectors = list(owners)
        self.categories = [d.category for d in owners]
        self.names = [d.name for d in owners]
        for i in range(self.npatterns):
            self.rank[i] = ranks[i]
            self.is_name[i] = owners[i].category == "name"
            self.context_free[i] = bool(owners[i].context_free)
        self.memo = [{} for _ in range(self.npatterns)]
        self.memo_size = 0
        base = importlib.import_module("incidentroom.scanner.detect.detectors.base")
        model = importlib.import_module("incidentroom.scanner.model")
        self.Candidate = base.Candidate
        self.Finding = model.Finding
        self.Location = model.Location

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
                flags[i] = HS_FLAG_SOM_LEFTMOST
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
        if self.scratch != NULL:
            hs_free_scratch(self.scratch)
        if self.db != NULL:
            hs_free_database(self.db)
        free(self.rank)
        free(self.is_name)
        free(self.context_free)

    def reset(self):
        """Forget memoised validations (benchmarks time cold passes with this)."""
        for table in self.memo:
            table.clear()
        self.memo_size = 0

    def bare(self, bytes data):
        """The native bare pass: scan and record every match in C, nothing else. Returns the count."""
        cdef MatchBuffer out = self._scan(data)
        free(out.buf)
        return out.n

    def detect(self, bytes data, object location, object cell_starts, tuple headers, bint skip_names):
        """Validated, non-overlapping findings; see :func:`incidentroom.scanner.detect.matcher.detect`."""
        return self._detect(data, location, cell_starts, headers, skip_names)

    cdef list _detect(self, bytes data, object location, object cell_starts, tuple headers, bint skip_names):
        cdef MatchBuffer scanned = self._scan(data)
        cdef Py_ssize_t n = scanned.n
        cdef Match* matches = scanned.buf
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
        cdef object hit
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
                if self.context_free[pid]:
                    hit = self._memoised(data, pid, start, end, header)
                else:
                    hit = self.detectors[pid].validate(self.Candidate(data, start, end, header))
                if hit is None:
                    continue
                # A Hit: (value, normalised, confidence, start or None, end or None).
                if hit[3] is not None:
                    start = hit[3]
                if hit[4] is not None:
                    end = hit[4]
                if self.is_name[pid]:
                    name_end = end
                found[nfound].start = start
                found[nfound].end = end
                found[nfound].confidence = hit[2]
                found[nfound].rank = self.rank[pid]
                found[nfound].seq = <int>nfound
                found[nfound].keep = 1
                found[nfound].pid = pid
                values.append(hit[0])
                normalised_values.append(hit[1])
                nfound += 1
            _resolve_overlaps(found, nfound)
            return self._findings(found, nfound, values, normalised_values, location, in_row)
        finally:
            free(found)
            free(starts)
            free(matches)

    cdef list _findings(self, Found* found, Py_ssize_t nfound, list values, list normalised_values,
                        object location, bint in_row):
        """The kept findings as ``Finding`` tuples, in start order."""
        cdef list out = []
        cdef Py_ssize_t i, start
        cdef int pid
        page, sheet, row, line, base = location
        cdef bint based = base is not None and base != 0
        for i in range(nfound):
            if not found[i].keep:
                continue
            pid = found[i].pid
            start = found[i].start
            if in_row:
                loc = location
            else:
                loc = _tuple_new(self.Location, (page, sheet, row, line, base + start if based else start))
            # tuple.__new__, as a named tuple's _make does, without its Python-level __new__.
            out.append(_tuple_new(self.Finding, (
                self.categories[pid], self.names[pid], values[found[i].seq], normalised_values[found[i].seq],
                start, found[i].end, found[i].confidence, loc)))
        return out

    cdef object _memoised(self, bytes data, int pid, Py_ssize_t start, Py_ssize_t end, str header):
        """A context-free validation, memoised by the matched bytes and the byte before them.

        A memoised hit serves other positions, so its span is left to the candidate
        (``None``, as in a ``Hit``), as on the reference path.
        """
        cdef Py_ssize_t first = start - 1 if start else 0
        key = PyBytes_FromStringAndSize(PyBytes_AS_STRING(data) + first, end - first)
        table = <dict>self.memo[pid]
        hit = table.get(key, _MISSING)
        if hit is _MISSING:
            hit = self.detectors[pid].validate(self.Candidate(data, start, end, header))
            if self.memo_size >= MEMO_LIMIT:
                self.reset()
                table = <dict>self.memo[pid]
            table[key] = hit
            self.memo_size += 1
        return hit



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
